// Package framing is exercise 6 of the groundup course: the response
// writer's framing decision. Given what the client asked and what the
// handler did, it writes the response's bytes, and picks how the client
// will find the end of the body: Content-Length, chunked coding, or the
// connection's close. Read docs/course/06-framing/README.md, then replace
// the body of Write until
// `GROUNDUP_COURSE=mine go test ./docs/course/06-framing/...` passes.
package framing

import (
	"errors"
	"io"
)

// ErrNotImplemented is what the untouched skeleton returns.
var ErrNotImplemented = errors.New("framing: not implemented")

// BufferSize is how much body the writer holds back before it must start
// sending. A body that fits, from a handler that never flushed, can be
// sent with a Content-Length.
const BufferSize = 64 << 10

// Request is what the framing depends on in the request.
type Request struct {
	Method string // "GET", "HEAD", …
	Minor  int    // 1 for HTTP/1.1, 0 for HTTP/1.0
	Close  bool   // the client asked to close (Connection: close, or HTTP/1.0 without keep-alive)
}

// Field is one response header field.
type Field struct{ Name, Value string }

// Handler is what a handler did, in order: set the status and fields,
// then call Write once for each element of Writes, and Flush after each
// one if Flush is set (a streaming handler).
type Handler struct {
	Status int
	Header []Field
	Writes []string
	Flush  bool
}

// Write writes the whole response that h produces for req to w: status
// line, fields, empty line, body in its framing. It reports whether the
// connection must close after this response.
func Write(w io.Writer, req Request, h Handler) (closeAfter bool, err error) {
	return false, ErrNotImplemented
}
