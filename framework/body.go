package framework

import (
	"errors"
	"io"
	"time"

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

// body reads from the connection's read buffer and socket (cn.rbuf,
// cn.nc), and tells the connection what it needs to know through three
// methods: sendContinue, bodyDone and closeAfter. It never reaches the
// response or the Ctx.
type body struct {
	cn        *conn // the byte source
	mode      bodyMode
	remaining int64 // bodyLength: bytes still to come
	dec       http1.ChunkedDecoder
	limit     int64
	n         int64 // bytes handed to the reader so far
	done      bool
	expect    bool // the client waits for 100 Continue
	err       error
	scratch   []byte // chunk decoding target when draining

	// The whole body, once BodyBytes has read it (bodybytes.go).
	whole  bool
	all    []byte
	allp   *[]byte // the pool's handle for all; nil when all is not pooled
	allErr error

	// The minimum data rate (see Server.MinBodyRate): rate is 0 when the
	// check is off.
	end    monotime      // ReadTimeout's deadline for the whole body
	rate   int64         // bytes per second
	grace  time.Duration // waiting allowed before the rate applies
	waited time.Duration // time spent blocked in socket reads
	got    int64         // bytes read from the socket
}

// errBodyTooSlow is the read error of a body that arrived below
// Server.MinBodyRate.
var errBodyTooSlow = errors.New("request body arrived below the minimum data rate")

func (b *body) reset(cn *conn, h *http1.Head, limit int64) {
	b.whole = false // discard gave its buffer back (or a hijack left it to the collector)
	b.cn = cn
	b.limit = limit
	b.n = 0
	b.err = nil
	b.done = false
	b.rate, b.waited, b.got = 0, 0, 0
	switch {
	case h.Chunked:
		b.mode = bodyChunked
		b.dec.Reset() // only here: most requests have no chunked body
	case h.ContentLength > 0:
		b.mode, b.remaining = bodyLength, h.ContentLength
	default:
		b.mode, b.remaining, b.done = bodyNone, 0, true
	}
	// RFC 9110 §10.1.1: send 100 only if the client asked, speaks 1.1,
	// and there is a body to wait for.
	b.expect = h.Expect100 && h.Minor == 1 && !b.done
}

// pace arms the minimum data rate for a body that must end by end.
func (b *body) pace(end monotime, rate int, grace time.Duration) {
	if rate == 0 {
		rate = DefaultMinBodyRate
	}
	b.end = end
	if rate > 0 {
		b.rate, b.grace = int64(rate), grace
	}
}

// sockRead reads body bytes from the socket. Under a minimum data rate,
// each read gets the deadline at which the body would fall below it: the
// grace plus got/rate, less the time already spent waiting, and never
// past ReadTimeout's deadline.
func (b *body) sockRead(p []byte) (int, error) {
	cn := b.cn
	if b.rate == 0 {
		return cn.nc.Read(p)
	}
	now := monoNow()
	budget := b.grace + time.Duration(float64(b.got)/float64(b.rate)*float64(time.Second)) - b.waited
	limit := now + monotime(budget)
	byRate := limit < b.end
	if !byRate {
		limit = b.end
	}
	if limit != cn.readDead {
		cn.setReadDeadline(limit)
	}
	n, err := cn.nc.Read(p)
	b.waited += time.Duration(monoNow() - now)
	b.got += int64(n)
	if n == 0 && byRate && isTimeout(err) {
		cn.srv.logger().Warn("request body too slow; closing connection", "remote", cn.remoteAddr(),
			"received", b.got, "waited", b.waited.Round(time.Millisecond), "min_rate", b.rate)
		return 0, errBodyTooSlow
	}
	return n, err
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
	cn := b.cn
	if b.expect {
		b.expect = false
		if err := cn.sendContinue(); err != nil {
			return 0, b.fail(err)
		}
	}
	var n int
	var err error
	switch b.mode {
	case bodyLength:
		if int64(len(p)) > b.remaining {
			p = p[:b.remaining]
		}
		if cn.r < cn.w {
			n = copy(p, cn.rbuf[cn.r:cn.w])
			cn.r += n
		} else {
			// Nothing buffered: read straight into the caller's slice,
			// which saves a copy for large uploads.
			n, err = b.sockRead(p)
			if cn.trace != nil && n > 0 {
				cn.trace.read(p[:n])
			}
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
	if cn.trace != nil {
		cn.trace.bodyRead(b, n)
	}
	if b.n > b.limit {
		return 0, b.fail(ErrBodyTooLarge)
	}
	if b.done {
		cn.bodyDone()
		if n == 0 {
			return 0, io.EOF
		}
	}
	return n, nil
}

func (b *body) readChunked(p []byte) (int, error) {
	cn := b.cn
	for {
		if cn.r < cn.w {
			nDst, nSrc, done, err := b.dec.Decode(p, cn.rbuf[cn.r:cn.w])
			cn.r += nSrc
			if cn.trace != nil {
				cn.trace.chunked(cn.rbuf[cn.r-nSrc:cn.r], done)
			}
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
		if cn.r == cn.w {
			cn.r, cn.w = 0, 0
		}
		if cn.w == len(cn.rbuf) && cn.r == 0 && len(cn.rbuf) >= cn.env.lim.MaxHeaderBytes+readBufSize {
			return 0, &http1.ProtocolError{Status: StatusBadRequest, Reason: "chunk header or trailer too long"}
		}
		cn.makeRoom()
		n, err := b.sockRead(cn.rbuf[cn.w:])
		cn.w += n
		if cn.trace != nil && n > 0 {
			cn.trace.read(cn.rbuf[cn.w-n : cn.w])
		}
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
	case err == errBodyTooSlow:
		err = &HTTPError{Code: StatusRequestTimeout, Message: "request body arrived too slowly", Err: err}
	case isTimeout(err):
		err = &HTTPError{Code: StatusRequestTimeout, Message: "request body not received in time", Err: err}
	case errors.Is(err, io.EOF):
		err = &HTTPError{Code: StatusBadRequest, Message: "request body ended early", Err: io.ErrUnexpectedEOF}
	}
	b.err = err
	b.cn.closeAfter("request body unreadable")
	return err
}

// discard runs once the handler has returned. It gives BodyBytes' buffer
// back to its pool, and drains what the handler left unread, up to max
// bytes, so that the next request starts at the right byte; when it
// cannot, the connection closes after the response.
func (b *body) discard(max int64) {
	if b.whole {
		b.releaseAll()
	}
	switch {
	case b.err != nil, b.done:
		return // a failed read has already decided
	case b.expect:
		// Without our 100 Continue the client may never send the body,
		// or may send it anyway: either way the stream position is lost.
		b.cn.closeAfter("request body not read after Expect: 100-continue")
		return
	case b.mode == bodyLength && b.remaining > max:
		b.cn.closeAfter("unread request body too large to drain")
		return
	}
	if b.scratch == nil {
		b.scratch = make([]byte, readBufSize)
	}
	b.limit = b.n + max
	for !b.done {
		if _, err := b.Read(b.scratch); err != nil {
			if errors.Is(err, io.EOF) {
				return
			}
			b.cn.closeAfter("unread request body too large to drain")
			return
		}
	}
}
