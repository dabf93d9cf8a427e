package framework

import (
	"io"
	"math/bits"
	"sync"
)

// The whole body as bytes: BodyBytes reads the request body into a buffer
// taken from a pool sized to the body, and the connection gives the
// buffer back when the handler has returned. Pools come in powers of two
// from 4 KiB to 8 MiB (the default body limit); a larger buffer is made
// for the request and left to the garbage collector.

const (
	minBodyClass   = 12 // 4 KiB
	maxBodyClass   = 23 // 8 MiB
	bodyClassCount = maxBodyClass - minBodyClass + 1
)

var bodyPools [bodyClassCount]sync.Pool

// bodyClass returns the pool of buffers that hold n bytes, or -1 when n
// is larger than the largest pooled buffer.
func bodyClass(n int) int {
	if n <= 1<<minBodyClass {
		return 0
	}
	c := bits.Len(uint(n-1)) - minBodyClass
	if c >= bodyClassCount {
		return -1
	}
	return c
}

// getBodyBuf returns an empty buffer that holds at least n bytes, and the
// pool's handle for it (nil when it comes from no pool).
func getBodyBuf(n int) ([]byte, *[]byte) {
	c := bodyClass(n)
	if c < 0 {
		return make([]byte, 0, n), nil
	}
	if p, ok := bodyPools[c].Get().(*[]byte); ok {
		return (*p)[:0], p
	}
	b := make([]byte, 0, 1<<(c+minBodyClass))
	return b, &b
}

// putBodyBuf hands a buffer from getBodyBuf back to its pool.
func putBodyBuf(b []byte, p *[]byte) {
	if p == nil {
		return
	}
	if c := bodyClass(cap(b)); c >= 0 && cap(b) == 1<<(c+minBodyClass) {
		*p = b[:0]
		bodyPools[c].Put(p)
	}
}

// BodyBytes reads the whole request body and returns it: the bytes Body
// has not handed out yet, up to the body limit (Server.MaxBodyBytes, or
// SetBodyLimit). It is the way to read a body that must be whole anyway
// (a document to store, a signed payload to check, bytes to echo): the
// buffer is sized to Content-Length when the request declares one, and
// grows by doubling for a chunked body. It comes from a pool, so that
// reading bodies allocates nothing once the server is warm.
//
// The bytes are valid until the handler returns. The buffer then goes
// back to the pool and the next request's body overwrites it: do not
// keep the slice, or anything that shares its memory, past the handler
// (in a goroutine, a cache, a detached handler's result); copy what you
// keep (bytes.Clone, or string(b)). Decoders such as encoding/json copy
// what they decode, so their results may be kept.
//
// A body over the limit fails with ErrBodyTooLarge, whose status is 413,
// having read no more than the limit and one read's worth past it; a
// malformed chunk, a body that arrives too slowly or ends early fails as
// Body's reads do. "100 Continue" is sent first when the client asked for
// it. A request without a body gives an empty slice. A second call gives
// the same bytes and error as the first, and Body then reads nothing.
func (c *Ctx) BodyBytes() ([]byte, error) {
	if c.det != nil {
		// A detached handler may outlive the request, and with it the
		// pooled buffer: its body is read into memory of its own.
		return readAllBounded(c.det)
	}
	return c.body.readAll()
}

// readAll reads the rest of the body into a pooled buffer once (see
// Ctx.BodyBytes); the connection returns the buffer in discard.
func (b *body) readAll() ([]byte, error) {
	if b.whole {
		return b.all, b.allErr
	}
	b.whole = true
	if b.err != nil {
		b.allErr = b.err
		return nil, b.err
	}
	if b.done {
		b.all = []byte{}
		return b.all, nil
	}
	size := readBufSize
	if b.mode == bodyLength {
		size = int(b.remaining)
	}
	buf, p := getBodyBuf(size)
	for !b.done {
		if len(buf) == cap(buf) {
			// Room for what the limit still allows, and one byte to see
			// a body that goes past it.
			want := len(buf) + int(min(int64(len(buf)), b.limit-b.n+1))
			nb, np := getBodyBuf(max(want, len(buf)+1))
			nb = append(nb, buf...)
			putBodyBuf(buf, p)
			buf, p = nb, np
		}
		n, err := b.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			putBodyBuf(buf, p)
			b.allErr = err
			return nil, err
		}
	}
	b.all, b.allp = buf, p
	return buf, nil
}

// releaseAll gives BodyBytes' buffer back to its pool.
func (b *body) releaseAll() {
	if b.allp != nil {
		putBodyBuf(b.all, b.allp)
	}
	b.all, b.allp, b.allErr, b.whole = nil, nil, nil, false
}

// readAllBounded reads r to its end into a buffer of its own, for a
// detached handler: r applies the body limit.
func readAllBounded(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return b, nil
}
