//go:build !race

package framework_test

// raceEnabled reports a -race build (see race_on_test.go).
const raceEnabled = false
