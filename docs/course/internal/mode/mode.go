// Package mode says which implementation the course's suites run against,
// from the GROUNDUP_COURSE environment variable:
//
//	(unset), groundup  groundup's own layer, through a thin adapter
//	skeleton, mine     the exercise's package that the reader edits
//
// "skeleton" and "mine" name the same package: the reader edits the
// skeleton in place, so an untouched checkout runs the untouched skeleton.
package mode

import (
	"fmt"
	"os"
)

// Env is the environment variable that picks the implementation.
const Env = "GROUNDUP_COURSE"

// Reader reports whether the suites run against the reader's package. It
// panics on a value it does not know, so that a typo cannot silently test
// groundup instead of the reader's code.
func Reader() bool {
	switch v := os.Getenv(Env); v {
	case "", "groundup":
		return false
	case "skeleton", "mine":
		return true
	default:
		panic(fmt.Sprintf("%s=%q: want groundup, skeleton or mine", Env, v))
	}
}

// Name is the implementation under test, for failure messages.
func Name() string {
	if Reader() {
		return "your package"
	}
	return "groundup"
}
