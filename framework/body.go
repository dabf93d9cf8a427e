package framework

import (
	"errors"
	"io"

	"github.com/groundup-go/groundup/framework/http1"
)

// Body framing: the parser has decided how the body is delimited
// (RFC 9112 §6.3); this file reads it. The body is a stream the handler
// pulls from: bytes already buffered behind the head first, then the
// socket. It is capped by the body limit, sends "100 Continue" on the
// first read when the client asked for it, and whatever the handler leaves
// unread is drained (up to a bound) so that the next request on the
// connection starts at the right byte.

// ErrBodyTooLarge is returned by body reads past the body limit. Its status
// is 413.
var ErrBodyTooLarge = &HTTPError{Code: StatusRequestEntityTooLarge, Message: "request body too large"}

type bodyMode uint8

const (
	bodyNone    bodyMode = iota // no body: GET without Content-Length, say
	bodyLength                  // Content-Length bytes
	bodyChunked                 // chunked transfer coding
)

type body struct {
	c         *conn
	mode      bodyMode
	remaining int64 // bodyLength: bytes still to come
	dec       http1.ChunkedDecoder
	limit     int64
	n         int64 // bytes handed to the reader so far
	done      bool
	expect    bool // the client waits for 100 Continue
	err       error
	scratch   []byte // chunk decoding target when draining
}

func (b *body) reset(c *conn, h *http1.Head, limit int64) {
	b.c = c
	b.limit = limit
	b.n = 0
	b.err = nil
	b.done = false
	b.dec.Reset()
	switch {
	case h.Chunked:
		b.mode = bodyChunked
	case h.ContentLength > 0:
		b.mode, b.remaining = bodyLength, h.ContentLength
	default:
		b.mode, b.remaining, b.done = bodyNone, 0, true
	}
	// RFC 9110 §10.1.1: send 100 only if the client asked, speaks 1.1,
	// and there is a body to wait for.
	b.expect = h.Expect100 && h.Minor == 1 && !b.done
}

// Read implements io.Reader.
func (b *body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.done {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	c := b.c
	if b.expect {
		b.expect = false
		if !c.ctx.res.committed {
			c.wbuf = append(c.wbuf, "HTTP/1.1 100 Continue\r\n\r\n"...)
			if err := c.flush(); err != nil {
				return 0, b.fail(err)
			}
		}
	}
	var n int
	var err error
	switch b.mode {
	case bodyLength:
		if int64(len(p)) > b.remaining {
			p = p[:b.remaining]
		}
		if c.r < c.w {
			n = copy(p, c.rbuf[c.r:c.w])
			c.r += n
		} else {
			// Nothing buffered: read straight into the caller's slice,
			// which saves a copy for large uploads.
			n, err = c.nc.Read(p)
		}
		b.remaining -= int64(n)
		if b.remaining == 0 {
			b.done = true
		} else if err != nil {
			return n, b.fail(err)
		}
	case bodyChunked:
		n, err = b.readChunked(p)
		if err != nil {
			return n, b.fail(err)
		}
	}
	b.n += int64(n)
	if b.n > b.limit {
		return 0, b.fail(ErrBodyTooLarge)
	}
	if b.done {
		b.onEOF()
		if n == 0 {
			return 0, io.EOF
		}
	}
	return n, nil
}

func (b *body) readChunked(p []byte) (int, error) {
	c := b.c
	for {
		if c.r < c.w {
			nDst, nSrc, done, err := b.dec.Decode(p, c.rbuf[c.r:c.w])
			c.r += nSrc
			if err != nil {
				return 0, err
			}
			if done {
				b.done = true
			}
			if nDst > 0 || done {
				return nDst, nil
			}
			if nSrc > 0 {
				continue
			}
		}
		// Need more bytes of the coding.
		if c.r == c.w {
			c.r, c.w = 0, 0
		}
		if c.w == len(c.rbuf) && c.r == 0 && len(c.rbuf) >= c.lim.MaxHeaderBytes+readBufSize {
			return 0, &http1.ProtocolError{Status: StatusBadRequest, Reason: "chunk header or trailer too long"}
		}
		c.makeRoom()
		n, err := c.nc.Read(c.rbuf[c.w:])
		c.w += n
		if err != nil && n == 0 {
			return 0, err
		}
	}
}

// fail records a read error as the body's sticky error, typed so that the
// error handler answers it well: a malformed chunk is a 400, a stalled
// upload a 408, a vanished client a 400 that nobody will read.
func (b *body) fail(err error) error {
	var pe *http1.ProtocolError
	switch {
	case errors.As(err, &pe):
		err = &HTTPError{Code: pe.Status, Message: pe.Reason, Err: err}
	case isTimeout(err):
		err = &HTTPError{Code: StatusRequestTimeout, Message: "request body not received in time", Err: err}
	case errors.Is(err, io.EOF):
		err = &HTTPError{Code: StatusBadRequest, Message: "request body ended early", Err: io.ErrUnexpectedEOF}
	}
	b.err = err
	b.c.ctx.res.keepAlive = false
	return err
}

// onEOF runs when the last body byte has been read: the connection is
// free again, so the client-gone watch may begin if the handler wants it.
func (b *body) onEOF() {
	if ctx := b.c.ctx; ctx.cancel != nil {
		b.c.bg.start(b.c, ctx.cancel)
	}
}

// discard drains what the handler left unread, up to MaxDrainBytes, and
// reports whether the connection can serve another request.
func (b *body) discard(c *conn) bool {
	if b.err != nil {
		return false
	}
	if b.done {
		return true
	}
	if b.expect {
		// Without our 100 Continue the client may never send the body,
		// or may send it anyway: either way the stream position is lost.
		return false
	}
	max := orDefault(c.srv.MaxDrainBytes, DefaultMaxDrainBytes)
	if b.mode == bodyLength && b.remaining > max {
		return false
	}
	if b.scratch == nil {
		b.scratch = make([]byte, readBufSize)
	}
	b.limit = b.n + max
	for !b.done {
		if _, err := b.Read(b.scratch); err != nil {
			return errors.Is(err, io.EOF)
		}
	}
	return true
}
