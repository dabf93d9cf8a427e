// Package teach formats the course's failure messages, so that every
// failing test says the same five things in the same order: what was sent,
// what came back, what was wanted, the rule that says so, and where the
// docs explain it.
package teach

import (
	"fmt"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/docs/course/internal/mode"
)

// Lesson is one failed expectation, told in full.
type Lesson struct {
	Sent string // what the test gave the code under test, %q-quoted if raw bytes
	Got  string // what came back
	Want string // what should have come back
	Rule string // the RFC text or convention that decides it
	Read string // the chapter section that explains it, e.g. "docs/03-parser.md#need-more-and-limits"
}

// String lays the lesson out one field a line, skipping empty fields.
func (l Lesson) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "(testing %s)\n", mode.Name())
	for _, f := range [...]struct{ k, v string }{
		{"sent", l.Sent}, {"got", l.Got}, {"want", l.Want}, {"rule", l.Rule}, {"read", l.Read},
	} {
		if f.v != "" {
			fmt.Fprintf(&b, "  %-5s %s\n", f.k+":", strings.ReplaceAll(f.v, "\n", "\n        "))
		}
	}
	return b.String()
}

// Error reports l and lets the test go on.
func Error(t testing.TB, l Lesson) {
	t.Helper()
	t.Error("\n" + l.String())
}

// Fatal reports l and stops the test.
func Fatal(t testing.TB, l Lesson) {
	t.Helper()
	t.Fatal("\n" + l.String())
}

// Q quotes raw protocol bytes for a message, cut to a readable length.
func Q[T ~string | ~[]byte](b T) string {
	s := string(b)
	if len(s) > 300 {
		return fmt.Sprintf("%q… (%d bytes)", s[:300], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// Recover, deferred in a suite's call into the code under test, turns a
// panic into an error in *err, so that one panicking case fails with a
// message instead of stopping the whole suite:
//
//	func parse(buf []byte) (h Head, n int, err error) {
//		defer teach.Recover(&err, "Parse")
//		…
func Recover(err *error, name string) {
	if v := recover(); v != nil {
		*err = fmt.Errorf("%s panicked: %v", name, v)
	}
}
