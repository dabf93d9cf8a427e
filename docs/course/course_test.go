package main

import (
	"testing"

	"github.com/groundup-go/groundup/docs/course/internal/mode"
)

// TestSkeletonsFail runs every exercise's suite against the untouched
// skeletons and checks that no test, and no row of a table test, passes:
// a test that passes on a
// skeleton tests nothing the reader writes.
func TestSkeletonsFail(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test in a subprocess")
	}
	if mode.Reader() {
		t.Skip("already running against the reader's packages")
	}
	root, list, err := exercises()
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []string
	for _, e := range list {
		pkgs = append(pkgs, e.Pkg)
	}
	res, err := runTests(root, "skeleton", pkgs)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		name := e.Pkg
		r := res[exerciseOf(name)]
		if r == nil || len(r.Order) == 0 {
			t.Errorf("%s: no tests ran against the skeleton\n%s", name, r.buildText())
			continue
		}
		for _, test := range r.Order {
			if r.Outcome[test] != "fail" {
				t.Errorf("%s: %s %ss against the untouched skeleton; every step must fail until the reader writes it", name, test, r.Outcome[test])
			}
		}
		if r.Panic != "" {
			t.Errorf("%s: the suite panicked against the skeleton (%s); a test must fail, not crash, on zero values", name, r.Panic)
		}
		for _, test := range r.Passed {
			t.Errorf("%s: %s passes against the untouched skeleton; every row of a table must fail until the reader writes it", name, test)
		}
	}
}

func (r *result) buildText() string {
	if r == nil {
		return ""
	}
	return r.Build
}
