// Package echo is exercise 1 of the groundup course: a TCP server that
// answers the question "can you hear me?" with "Yes", and the client that
// asks it. Read docs/course/01-echo/README.md, then replace the bodies
// below until `go test ./docs/course/01-echo/...` passes with
// GROUNDUP_COURSE=mine.
package echo

import (
	"errors"
	"net"
)

// ErrNotImplemented is what the untouched skeleton returns.
var ErrNotImplemented = errors.New("echo: not implemented")

// Serve accepts connections on ln until ln is closed, and serves each one
// in its own goroutine: read one line (up to '\n', at most MaxLine bytes),
// answer "Yes\n", close. It returns the error that stopped Accept.
func Serve(ln net.Listener) error {
	return ErrNotImplemented
}

// Ask dials addr over TCP, sends msg followed by '\n', and returns the
// line that comes back, without its '\n'.
func Ask(addr, msg string) (string, error) {
	return "", ErrNotImplemented
}

// MaxLine bounds the line a server reads: a client that never sends '\n'
// must not make it buffer without end.
const MaxLine = 1024
