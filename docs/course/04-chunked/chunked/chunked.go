// Package chunked is exercise 4 of the groundup course: a sans-IO decoder
// for the chunked transfer coding (RFC 9112 §7.1), the framing of a
// request body whose length is not known in advance. Read
// docs/course/04-chunked/README.md, then replace the body of Decode until
// `GROUNDUP_COURSE=mine go test ./docs/course/04-chunked/...` passes.
package chunked

import (
	"errors"
	"fmt"
)

// The bounds on framing, which a sender must not be able to make endless.
const (
	MaxLineBytes    = 4 << 10 // one chunk-size line, extensions and CRLF included
	MaxTrailerBytes = 8 << 10 // the whole trailer section, its final CRLF included
)

// ErrNotImplemented is what the untouched skeleton returns.
var ErrNotImplemented = errors.New("chunked: not implemented")

// Error is a malformed chunked body. The server answers 400 and closes the
// connection: after a framing error it cannot know where the next request
// starts.
type Error struct {
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("400 %s", e.Reason) }

// Decoder decodes one chunked body incrementally. The zero value is ready
// to use. Add the fields your state machine needs.
type Decoder struct {
}

// Decode consumes bytes from src and copies chunk data into dst. It
// returns how many bytes it wrote to dst and took from src.
//
// It consumes framing (size lines, the CRLF after data, trailer lines)
// only in whole lines: the caller keeps src[nSrc:] and passes it again
// with more bytes appended. When src holds too little to make progress it
// returns (0, 0, false, nil). Inside chunk data it stops when dst is full.
// done is true once the last chunk and the trailer section are consumed;
// bytes after that are not the body's and are left in src. Any error is an
// *Error, and every later call returns an error too.
func (d *Decoder) Decode(dst, src []byte) (nDst, nSrc int, done bool, err error) {
	return 0, 0, false, ErrNotImplemented
}
