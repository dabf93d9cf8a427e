// Command course reports a reader's progress through the groundup course:
// for each exercise, whether its suite passes against the reader's code,
// the first step that fails, and the hint for that step from the
// exercise's README.
//
//	go run ./docs/course
//
// It runs `go test -json` on every exercise with GROUNDUP_COURSE=mine (or
// the value already in the environment, so GROUNDUP_COURSE=groundup shows
// the reference passing).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "course:", err)
		os.Exit(1)
	}
}

// exercise is one directory docs/course/NN-name.
type exercise struct {
	Dir string // absolute path
	Pkg string // import path pattern, ending in /...
}

var exerciseDir = regexp.MustCompile(`^\d\d-[a-z0-9-]+$`)

// exercises lists the exercises in course order, from the module root.
func exercises() (root string, list []exercise, err error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", nil, fmt.Errorf("go env GOMOD: %w", err)
	}
	root = filepath.Dir(strings.TrimSpace(string(out)))
	entries, err := os.ReadDir(filepath.Join(root, "docs", "course"))
	if err != nil {
		return "", nil, err
	}
	for _, e := range entries {
		if e.IsDir() && exerciseDir.MatchString(e.Name()) {
			list = append(list, exercise{
				Dir: filepath.Join(root, "docs", "course", e.Name()),
				Pkg: "./docs/course/" + e.Name() + "/...",
			})
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Dir < list[j].Dir })
	return root, list, nil
}

// event is one line of `go test -json`.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// result is what one exercise's run showed: its top-level tests in the
// order they ran, and the outcome of each.
type result struct {
	Order   []string
	Outcome map[string]string // "pass", "fail" or "skip"
	Output  map[string]string // the test's own output, for the first failure
	Build   string            // build errors, if the package did not compile
	Passed  []string          // every test and subtest that passed
	Panic   string            // the first line of a panic that stopped the test binary
}

// runTests runs `go test -json` on pkgs with GROUNDUP_COURSE=impl, from
// root, and groups the events by exercise directory name.
func runTests(root, impl string, pkgs []string) (map[string]*result, error) {
	args := append([]string{"test", "-json"}, pkgs...)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GROUNDUP_COURSE="+impl)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, _ := cmd.Output() // a failing test is an exit status of 1: read the events instead
	res := map[string]*result{}
	get := func(pkg string) *result {
		name := exerciseOf(pkg)
		r := res[name]
		if r == nil {
			r = &result{Outcome: map[string]string{}, Output: map[string]string{}}
			res[name] = r
		}
		return r
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		if e.Package == "" || exerciseOf(e.Package) == "" {
			continue
		}
		r := get(e.Package)
		top, _, _ := strings.Cut(e.Test, "/")
		switch {
		case e.Action == "pass" && e.Test != "":
			r.Passed = append(r.Passed, e.Test)
			if top == e.Test {
				r.Outcome[e.Test] = e.Action
			}
		case e.Action == "build-output":
			r.Build += e.Output
		case e.Test == "":
		case e.Action == "run" && top == e.Test:
			r.Order = append(r.Order, e.Test)
		case e.Action == "output":
			if strings.HasPrefix(e.Output, "panic: ") && r.Panic == "" {
				r.Panic = strings.TrimSpace(e.Output)
				if top != "" {
					r.Panic = "in " + top + ": " + r.Panic
				}
			}
			if !noise(e.Output) {
				r.Output[top] += e.Output
			}
		case (e.Action == "pass" || e.Action == "fail" || e.Action == "skip") && top == e.Test:
			r.Outcome[e.Test] = e.Action
		}
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("go test printed no results:\n%s", stderr.String())
	}
	for _, r := range res {
		if len(r.Order) == 0 && r.Build == "" {
			r.Build = stderr.String()
		}
	}
	return res, nil
}

// noise reports a line of test output that says nothing about a failure.
func noise(line string) bool {
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return strings.HasPrefix(strings.TrimLeft(line, " "), "--- PASS")
}

// exerciseOf names the exercise directory in an import path, or "".
func exerciseOf(pkg string) string {
	for _, part := range strings.Split(pkg, "/") {
		if exerciseDir.MatchString(part) {
			return part
		}
	}
	return ""
}

// hint finds the line of dir's README.md that names test, and returns the
// text after the test's name.
func hint(dir, test string) string {
	b, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		return ""
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if _, after, ok := strings.Cut(line, "`"+test+"`"); ok {
			return strings.TrimSpace(strings.TrimPrefix(after, ":"))
		}
	}
	return ""
}

// steps counts the steps that dir's README lists, so that the total is
// right even when a panic stopped the suite before its last test.
func steps(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		return 0
	}
	return len(stepLine.FindAllString(string(b), -1))
}

var stepLine = regexp.MustCompile("(?m)^\\d+\\. `(Test|Fuzz)")

func run(w io.Writer) error {
	root, list, err := exercises()
	if err != nil {
		return err
	}
	impl := os.Getenv("GROUNDUP_COURSE")
	if impl == "" {
		impl = "mine"
	}
	var pkgs []string
	for _, e := range list {
		pkgs = append(pkgs, e.Pkg)
	}
	fmt.Fprintf(w, "groundup course: %d exercises, testing GROUNDUP_COURSE=%s\n\n", len(list), impl)
	res, err := runTests(root, impl, pkgs)
	if err != nil {
		return err
	}
	done := 0
	next := ""
	for i, e := range list {
		name := filepath.Base(e.Dir)
		r := res[name]
		label := fmt.Sprintf("%2d  %-22s", i+1, name)
		switch {
		case r == nil || len(r.Order) == 0:
			fmt.Fprintf(w, "%s does not build or has no tests\n", label)
			if r != nil {
				fmt.Fprintf(w, "%s\n", indent(r.Build))
			}
			continue
		}
		failed := -1
		for j, t := range r.Order {
			if r.Outcome[t] != "pass" {
				failed = j
				break
			}
		}
		if failed < 0 {
			done++
			fmt.Fprintf(w, "%s pass  (all %d steps)\n", label, len(r.Order))
			continue
		}
		t := r.Order[failed]
		fmt.Fprintf(w, "%s step %d of %d: %s\n", label, failed+1, max(len(r.Order), steps(e.Dir)), t)
		if r.Panic != "" {
			fmt.Fprintf(w, "%s your code panicked, which stopped the suite: %s\n", strings.Repeat(" ", 28), r.Panic)
		}
		if h := hint(e.Dir, t); h != "" {
			fmt.Fprintf(w, "%s hint: %s\n", strings.Repeat(" ", 28), h)
		}
		if next == "" {
			next = name
			fmt.Fprintf(w, "%s\n", indent(r.Output[t]))
		}
	}
	fmt.Fprintf(w, "\n%d of %d exercises pass.", done, len(list))
	if next != "" {
		fmt.Fprintf(w, " Next: docs/course/%s/README.md", next)
	}
	fmt.Fprintln(w)
	return nil
}

// indent shifts a test's output under the progress line, cut to a
// readable length.
func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 25 {
		lines = append(lines[:25], "…")
	}
	for i, l := range lines {
		lines[i] = "      | " + l
	}
	return strings.Join(lines, "\n")
}
