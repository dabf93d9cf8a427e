// Package parser is exercise 3 of the groundup course: a sans-IO parser
// for HTTP/1.1 request heads. It takes bytes and returns a head, or "need
// more bytes", or an error that carries the status to answer with. It
// never reads a socket. Read docs/course/03-parser/README.md, then replace
// the body of Parse until
// `GROUNDUP_COURSE=mine go test ./docs/course/03-parser/...` passes.
package parser

import (
	"errors"
	"fmt"
)

// The limits Parse enforces. Past each, it returns an *Error with the
// status in the comment.
const (
	MaxURIBytes    = 8 << 10  // request-target length: 414
	MaxHeaderBytes = 16 << 10 // whole head, request line and leading empty lines included: 431
	MaxHeaderCount = 128      // number of field lines: 431
)

// ErrNeedMore means buf holds the start of a valid head, within the
// limits, but not all of it: read more bytes, append them, and call Parse
// again on the whole buffer.
var ErrNeedMore = errors.New("parser: need more bytes")

// ErrNotImplemented is what the untouched skeleton returns.
var ErrNotImplemented = errors.New("parser: not implemented")

// Error is a request the server must refuse with Status (400, 414, 431,
// 501 or 505), then close the connection.
type Error struct {
	Status int
	Reason string // short human text, ideally naming the RFC section
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Reason) }

// Field is one field line: Name exactly as sent, Value without the spaces
// and tabs around it.
type Field struct{ Name, Value string }

// Head is a parsed request head.
type Head struct {
	Method string // "GET"
	Target string // the request-target exactly as sent: "/search?q=go"
	Minor  int    // 1 for HTTP/1.1, 0 for HTTP/1.0
	Host   string // the Host field's value
	Fields []Field

	ContentLength int64 // -1 when there is no Content-Length
	Chunked       bool  // Transfer-Encoding: chunked
	Close         bool  // the connection closes after this exchange
}

// Parse looks for a complete request head at the start of buf. It returns
// the head and n, the number of bytes it took (buf[n:] is the body or the
// next request), or (Head{}, 0, ErrNeedMore), or (Head{}, 0, *Error).
func Parse(buf []byte) (h Head, n int, err error) {
	return Head{}, 0, ErrNotImplemented
}
