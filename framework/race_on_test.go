//go:build race

package framework_test

// raceEnabled reports a -race build, where sync.Pool drops a share of
// what it is given on purpose, so that allocation counts of pooled paths
// mean nothing.
const raceEnabled = true
