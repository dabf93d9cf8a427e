package framework

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/groundup-go/groundup/framework/http1"
)

// The connection loop: one goroutine runs it for each accepted socket.
//
//	┌──────────► wait for the first byte (idle: buffers back in their pools)
//	│              │
//	│            read until the head parses ──► protocol error: canned reply, close
//	│              │
//	│            frame the body, run the handler, finish the response
//	│              │
//	└── keep-alive ┘  otherwise flush, close
//
// Output is flushed to the socket only when the loop is about to block on a
// read: the responses to pipelined requests that are already buffered
// leave together in one write.

const (
	stateActive int32 = iota // reading or serving a request
	stateIdle                // waiting for the first byte of the next request
	stateClosed
)

const readBufSize = 4 << 10

// Buffer pools. An idle keep-alive connection holds no buffer and no Ctx:
// only its goroutine, its socket and the small conn struct.
var (
	readBufPool  = sync.Pool{New: func() any { b := make([]byte, readBufSize); return &b }}
	writeBufPool = sync.Pool{New: func() any { b := make([]byte, 0, readBufSize); return &b }}
	ctxPool      = sync.Pool{New: func() any { return new(Ctx) }}
)

// aLongTimeAgo is a deadline in the past, used to abort a blocked Read.
var aLongTimeAgo = time.Unix(1, 0)

type conn struct {
	srv    *Server
	nc     net.Conn
	lim    http1.Limits
	remote string // formatted on first use (remoteAddr)
	parent context.Context

	rbuf  []byte // nil while idle; unread bytes are rbuf[r:w]
	rbufp *[]byte
	r, w  int
	wbuf  []byte // pending output; nil while idle
	wbufp *[]byte
	one   [1]byte

	state     atomic.Int32
	served    int // requests served on this connection
	ctx       *Ctx
	mu        sync.Mutex         // guards base, cancel and aborted against abort
	base      context.Context    // made on first use (context)
	cancel    context.CancelFunc // cancels base
	aborted   bool
	hijacked  bool
	parked    bool          // idle on a fresh goroutine (see idleGrace)
	idleSince time.Time     // when the current wait between requests began
	ended     chan struct{} // ServeBytes: closed when the connection ends
	accepted  bool          // Serve accepted it, and holds a slot for it
	linger    bool          // request bytes may be unread: drain them before closing
	bg        bgRead
	readDead  time.Time // the read deadline last set
	writeDead time.Time
}

// newConn prepares a connection. Its context is made later, on first use
// (see context); a Close that comes first marks it aborted, so that the
// context is born cancelled.
func newConn(s *Server, nc net.Conn, parent context.Context) *conn {
	return &conn{srv: s, nc: nc, lim: s.limits(), parent: parent}
}

// context returns the connection's context, made on first use: most
// connections never need one, and an idle connection should not carry it.
// It is cancelled when the connection ends or is aborted.
func (c *conn) context() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.base == nil {
		c.base, c.cancel = context.WithCancel(c.parent)
		if c.aborted {
			c.cancel()
		}
	}
	return c.base
}

// remoteAddr returns the client's address, formatted on first use.
func (c *conn) remoteAddr() string {
	if c.remote == "" {
		c.remote = c.nc.RemoteAddr().String()
	}
	return c.remote
}

// serve runs the connection loop until the connection ends. A connection
// that stays idle past idleGrace is parked: serve starts a fresh goroutine
// to wait for the next request and returns (see waitFirstByte).
func (c *conn) serve() {
	if !c.parked && !c.handshake() {
		c.end()
		return
	}
	for {
		if c.r == c.w {
			switch c.waitFirstByte() {
			case waitPark:
				go c.serve()
				return
			case waitEnd:
				c.end()
				return
			}
		}
		if !c.serveOne() {
			c.end()
			return
		}
	}
}

// handshake completes a TLS handshake within ReadHeaderTimeout.
func (c *conn) handshake() bool {
	tc, ok := c.nc.(*tls.Conn)
	if !ok {
		return true
	}
	c.nc.SetWriteDeadline(time.Now().Add(orDefault(c.srv.ReadHeaderTimeout, DefaultReadHeaderTimeout)))
	c.setReadDeadline(time.Now().Add(orDefault(c.srv.ReadHeaderTimeout, DefaultReadHeaderTimeout)))
	if err := tc.HandshakeContext(c.context()); err != nil {
		c.srv.logger().Debug("TLS handshake failed", "remote", c.remoteAddr(), "err", err)
		return false
	}
	c.nc.SetWriteDeadline(time.Time{})
	c.setReadDeadline(time.Time{})
	return true
}

// end closes the connection (unless it was hijacked) and tells the server.
func (c *conn) end() {
	c.mu.Lock()
	c.aborted = true // a context made from now on starts cancelled
	if c.cancel != nil {
		c.cancel()
	}
	c.mu.Unlock()
	if !c.hijacked {
		c.close()
	}
	c.release()
	if c.ended != nil {
		close(c.ended) // ServeBytes waits for this
	}
	if c.accepted {
		c.srv.forget(c)
	}
}

// serveOne reads one request, answers it, and reports whether the
// connection stays open for another.
func (c *conn) serveOne() bool {
	if !c.readHead() {
		return false
	}
	ctx := c.ctx
	h := &ctx.head
	keep := !h.Close && !c.srv.shuttingDown()
	ctx.begin(c, keep)

	// A declared body above the limit is refused before the handler
	// runs, with the connection closed so that the body is never read.
	if h.ContentLength > ctx.body.limit {
		c.cannedError(http1.ProtocolError{Status: StatusRequestEntityTooLarge, Reason: "request body too large"})
		return false
	}
	// Without a body nothing is read until the next request, which sets
	// its own deadline: no timer to move.
	if h.ContentLength > 0 || h.Chunked {
		c.setReadDeadline(time.Now().Add(orDefault(c.srv.ReadTimeout, DefaultReadTimeout)))
	}

	c.runHandler(ctx)
	if c.hijacked {
		return false
	}
	c.bg.stop(c)
	res := &ctx.res
	if !ctx.body.discard(c) {
		res.keepAlive = false
	}
	if !ctx.body.done {
		c.linger = true // the client may still be sending the body
	}
	res.finish()
	c.served++
	// The next request may already be buffered and reuse this Ctx at
	// once: nothing of this one (query, form, values, contexts) may leak
	// into it.
	open := res.keepAlive && !ctx.bgClosed
	ctx.clear()
	if !open {
		c.flush()
		return false
	}
	return true
}

// runHandler calls the server's handler, turning a returned error into an
// error response and a panic into a 500 (or a cut connection when the
// response has already begun).
func (c *conn) runHandler(ctx *Ctx) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == ErrAbortHandler {
			ctx.res.keepAlive = false
			ctx.res.err = ErrAbortHandler
			return
		}
		c.srv.logger().Error("panic serving request", "method", ctx.Method(), "path", ctx.Path(),
			"remote", c.remoteAddr(), "panic", v, "stack", string(debug.Stack()))
		if ctx.res.committed {
			ctx.res.keepAlive = false
			ctx.res.err = ErrAbortHandler
			return
		}
		ctx.res.reset(c, ctx.res.head, ctx.res.minor, ctx.res.keepAlive)
		ctx.Error(&HTTPError{Code: StatusInternalServerError, Layer: LayerController, Err: panicError{v, debug.Stack()}})
	}()
	h := c.srv.Handler
	if h == nil {
		h = func(c *Ctx) error { return ErrNotFound }
	}
	if err := h(ctx); err != nil {
		ctx.Error(err)
	}
}

// readHead reads until a whole request head has parsed into c.ctx.head.
// It reports false when the connection should close: end of stream,
// timeout, shutdown, or a protocol error (already answered).
func (c *conn) readHead() bool {
	guarded := false
	for {
		n, err := http1.Parse(c.rbuf[c.r:c.w], c.lim, &c.ctx.head)
		if err == nil {
			c.r += n
			return true
		}
		if err != http1.ErrNeedMore {
			pe, ok := err.(*http1.ProtocolError)
			if !ok {
				pe = &http1.ProtocolError{Status: StatusBadRequest, Reason: err.Error()}
			}
			c.cannedError(*pe)
			return false
		}
		// Need more: make room, flush what earlier requests produced
		// (the client may wait for it), then block on the socket.
		c.makeRoom()
		if c.flush() != nil {
			return false
		}
		if !guarded {
			// The slowloris guard: the rest of the head must arrive
			// within ReadHeaderTimeout, whether its first bytes came
			// after a wait or behind the previous request (pipelined).
			// A head that arrived whole never needs the timer.
			c.setReadDeadline(time.Now().Add(orDefault(c.srv.ReadHeaderTimeout, DefaultReadHeaderTimeout)))
			guarded = true
		}
		n, err = c.nc.Read(c.rbuf[c.w:])
		c.w += n
		if err != nil {
			if isTimeout(err) {
				c.srv.logger().Warn("read header timeout; closing connection", "remote", c.remoteAddr(), "buffered", c.w-c.r)
				c.cannedError(http1.ProtocolError{Status: StatusRequestTimeout, Reason: "request head not received in time"})
			} else if c.w > c.r {
				c.srv.logger().Debug("connection closed inside a request head", "remote", c.remoteAddr(), "err", err)
			}
			return false
		}
	}
}

// idleGrace is how long a connection waits for its next request on the
// goroutine that served the last one. A goroutine's stack grows while it
// serves a request and does not shrink while it waits, so a connection
// idle for longer moves to a fresh goroutine with a minimal stack: ten
// thousand idle keep-alive connections then cost a few KiB each. Busy
// connections, whose next request comes within the grace, never move.
const idleGrace = 10 * time.Millisecond

type waitResult uint8

const (
	waitGot  waitResult = iota // a byte arrived: read the head
	waitPark                   // still idle after idleGrace: continue on a fresh goroutine
	waitEnd                    // end of stream, timeout, shutdown: close
)

// waitFirstByte waits between requests, in two phases. First, for
// idleGrace, on this goroutine and straight into the read buffer: a busy
// client's next request comes within moments, and costs one read. A
// connection still idle then gives its buffers and Ctx back to the pools
// and moves to a fresh goroutine (waitPark), which waits with a one-byte
// read: an idle connection holds no buffer, only its socket, the conn
// struct and a small stack.
func (c *conn) waitFirstByte() waitResult {
	limit := orDefault(c.srv.IdleTimeout, DefaultIdleTimeout)
	if c.served == 0 {
		limit = orDefault(c.srv.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	}
	if !c.parked {
		// One reading of the clock serves both the write deadline of
		// this flush and the start of the idle wait.
		c.idleSince = time.Now()
		if c.flushAt(c.idleSince) != nil {
			return waitEnd
		}
		if !c.state.CompareAndSwap(stateActive, stateIdle) || c.srv.shuttingDown() {
			return waitEnd
		}
		if limit > idleGrace {
			return c.waitBriefly()
		}
		c.release()
	}
	c.parked = false
	c.setReadDeadline(c.idleSince.Add(limit))
	n, err := c.nc.Read(c.one[:])
	if !c.woke(n, err) {
		return waitEnd
	}
	c.acquire()
	c.rbuf[0] = c.one[0]
	c.r, c.w = 0, 1
	return waitGot
}

// waitBriefly is the first phase of waitFirstByte.
func (c *conn) waitBriefly() waitResult {
	if len(c.rbuf) != readBufSize {
		c.release() // hand back a buffer one large head made grow
	}
	c.acquire()
	c.r, c.w = 0, 0
	// The grace need not be exact, and moving a timer for every request
	// costs more than the rest of reading one: keep a deadline set for an
	// earlier request while it is still at least half the grace away.
	if left := c.readDead.Sub(c.idleSince); left < idleGrace/2 || left > idleGrace {
		c.setReadDeadline(c.idleSince.Add(idleGrace))
	}
	n, err := c.nc.Read(c.rbuf)
	if n == 0 && isTimeout(err) {
		c.release()
		c.parked = true // still stateIdle: Shutdown may close it
		return waitPark
	}
	if !c.woke(n, err) {
		return waitEnd
	}
	c.w = n
	return waitGot
}

// woke reports whether the read that ended an idle wait brought a
// request: some bytes, and no Shutdown that closed the connection first.
func (c *conn) woke(n int, err error) bool {
	if !c.state.CompareAndSwap(stateIdle, stateActive) {
		return false // Shutdown closed us while idle
	}
	if n == 0 {
		if err != nil && !errors.Is(err, io.EOF) && !isTimeout(err) && !errors.Is(err, net.ErrClosed) {
			c.srv.logger().Debug("idle connection read failed", "remote", c.remoteAddr(), "err", err)
		}
		return false
	}
	return true
}

// makeRoom ensures rbuf has free space after w, first by moving unread
// bytes to the front, then by growing the buffer up to a little past the
// header limit (the parser answers 431 beyond it).
func (c *conn) makeRoom() {
	if c.w < len(c.rbuf) {
		return
	}
	if c.r > 0 {
		c.w = copy(c.rbuf, c.rbuf[c.r:c.w])
		c.r = 0
		return
	}
	size := min(2*len(c.rbuf), c.lim.MaxHeaderBytes+readBufSize)
	if size <= len(c.rbuf) {
		size = len(c.rbuf) + readBufSize
	}
	nb := make([]byte, size)
	copy(nb, c.rbuf[:c.w])
	c.rbuf = nb
}

func (c *conn) acquire() {
	if c.rbuf == nil {
		c.rbufp = readBufPool.Get().(*[]byte)
		c.rbuf = *c.rbufp
	}
	if c.wbuf == nil {
		c.wbufp = writeBufPool.Get().(*[]byte)
		c.wbuf = (*c.wbufp)[:0]
	}
	if c.ctx == nil {
		c.ctx = ctxPool.Get().(*Ctx)
	}
}

// release returns buffers and the Ctx to their pools. Only buffers of the
// standard size are pooled, so one large request does not pin memory.
func (c *conn) release() {
	// The pools hold *[]byte, and the pointer we got is handed back:
	// putting a fresh &slice would allocate on every idle period.
	if c.rbuf != nil && c.r == c.w {
		if len(c.rbuf) == readBufSize {
			readBufPool.Put(c.rbufp) // not grown: still the pooled array
		}
		c.rbuf, c.rbufp, c.r, c.w = nil, nil, 0, 0
	}
	if c.wbuf != nil && len(c.wbuf) == 0 {
		if cap(c.wbuf) <= 64<<10 {
			*c.wbufp = c.wbuf
			writeBufPool.Put(c.wbufp)
		}
		c.wbuf, c.wbufp = nil, nil
	}
	if c.ctx != nil {
		c.ctx.clear()
		ctxPool.Put(c.ctx)
		c.ctx = nil
	}
}

// write appends p to the output, sending large writes straight to the
// socket together with what is pending, in one writev.
func (c *conn) write(p []byte) error {
	if len(p) < 2048 {
		c.wbuf = append(c.wbuf, p...)
		if len(c.wbuf) >= wbufFlushSize {
			return c.flush()
		}
		return nil
	}
	c.setWriteDeadline(time.Now())
	bufs := net.Buffers{c.wbuf, p}
	_, err := bufs.WriteTo(c.nc)
	c.wbuf = c.wbuf[:0]
	return err
}

// flush writes the pending output to the socket.
func (c *conn) flush() error {
	if len(c.wbuf) == 0 {
		return nil
	}
	return c.flushAt(time.Now())
}

// flushAt is flush for a caller that has just read the clock.
func (c *conn) flushAt(now time.Time) error {
	if len(c.wbuf) == 0 {
		return nil
	}
	c.setWriteDeadline(now)
	_, err := c.nc.Write(c.wbuf)
	c.wbuf = c.wbuf[:0]
	if err != nil {
		c.srv.logger().Debug("write failed; closing connection", "remote", c.remoteAddr(), "err", err)
	}
	return err
}

// setReadDeadline moves the socket's read deadline and remembers it, so
// that waitBriefly can tell when the one already set will do.
func (c *conn) setReadDeadline(t time.Time) {
	c.readDead = t
	c.nc.SetReadDeadline(t)
}

// setWriteDeadline bounds each write by WriteTimeout: a client that stops
// reading cannot hold the goroutine forever. The deadline is moved at most
// every second, since a timer update is not free.
func (c *conn) setWriteDeadline(now time.Time) {
	d := orDefault(c.srv.WriteTimeout, DefaultWriteTimeout)
	if c.writeDead.Sub(now) < d-time.Second {
		c.writeDead = now.Add(d)
		c.nc.SetWriteDeadline(c.writeDead)
	}
}

// cannedError answers a request that never reached a handler: a protocol
// error, a body over the limit, a head that timed out. The connection
// closes after it (RFC 9112 §9.6), because the byte stream can no longer be
// trusted to hold a request boundary where we think.
func (c *conn) cannedError(pe http1.ProtocolError) {
	c.linger = true // the rest of the request is unread
	c.srv.logger().Warn("protocol error", "status", pe.Status, "reason", pe.Reason, "remote", c.remoteAddr())
	body := strconv.Itoa(pe.Status) + " " + StatusText(pe.Status) + ": " + pe.Reason + "\n"
	c.wbuf = appendStatusLine(c.wbuf, pe.Status)
	c.wbuf = append(c.wbuf, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: "...)
	c.wbuf = strconv.AppendInt(c.wbuf, int64(len(body)), 10)
	c.wbuf = append(c.wbuf, "\r\n"...)
	c.wbuf = appendDate(c.wbuf)
	if name := c.srv.serverName(); name != "" {
		c.wbuf = appendField(c.wbuf, "Server", name)
	}
	c.wbuf = append(c.wbuf, "Connection: close\r\n\r\n"...)
	c.wbuf = append(c.wbuf, body...)
	c.flush()
}

// close flushes and closes the socket. When request bytes may be unread
// (a refused request, a body the handler left, pipelined requests after a
// close), it first half-closes and briefly reads what the client still
// sends, so that those bytes do not make the kernel answer with a reset
// that destroys the response in flight (the "lingering close" of RFC 9112
// §9.6).
func (c *conn) close() {
	if c.state.Swap(stateClosed) == stateClosed {
		return
	}
	if c.wbuf != nil {
		c.flush()
	}
	// Only when request bytes may still be on their way: after a clean
	// exchange there is nothing to drain, and a plain close is cheaper.
	if tc, ok := c.nc.(interface{ CloseWrite() error }); ok && (c.linger || c.r < c.w) {
		if tc.CloseWrite() == nil {
			c.setReadDeadline(time.Now().Add(500 * time.Millisecond))
			var sink [512]byte
			for range 64 {
				if _, err := c.nc.Read(sink[:]); err != nil {
					break
				}
			}
		}
	}
	c.nc.Close()
}

// closeIfIdle closes the connection if it waits between requests, for
// Shutdown. It reports whether it did.
func (c *conn) closeIfIdle() bool {
	if c.state.CompareAndSwap(stateIdle, stateClosed) {
		c.nc.Close()
		return true
	}
	return false
}

// abort closes the socket at once and cancels the requests' contexts.
func (c *conn) abort() {
	c.mu.Lock()
	c.aborted = true
	if c.cancel != nil {
		c.cancel()
	}
	c.mu.Unlock()
	c.nc.Close()
}

func isTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded)
}

// bgRead watches a connection while its handler runs, the way net/http
// does: a one-byte read that returns EOF means the client went away, and
// the request's context is cancelled. It starts only when a handler asked
// for the context and the body has been read (the handler owns reads
// until then), and it is stopped by moving the read deadline to the past.
type bgRead struct {
	running bool
	done    chan struct{}
	got     bool // the read returned a byte: the start of the next request
	err     error
}

func (b *bgRead) start(c *conn, cancel context.CancelFunc) {
	if b.running || c.r != c.w || c.hijacked {
		// Pipelined bytes are already buffered: the client is there.
		return
	}
	b.running, b.got, b.err = true, false, nil
	b.done = make(chan struct{})
	c.setReadDeadline(time.Time{})
	go func() {
		defer close(b.done)
		n, err := c.nc.Read(c.one[:])
		b.got = n == 1
		if err != nil && !isTimeout(err) {
			b.err = err
			cancel()
		}
	}()
}

func (b *bgRead) stop(c *conn) {
	if !b.running {
		return
	}
	c.setReadDeadline(aLongTimeAgo)
	<-b.done
	b.running = false
	c.setReadDeadline(time.Time{})
	if b.got {
		// Nothing was buffered when the read started, so the byte is
		// the whole of the unread input.
		c.rbuf[0] = c.one[0]
		c.r, c.w = 0, 1
	}
	if b.err != nil {
		c.ctx.bgClosed = true
	}
}

// ErrAbortHandler is a sentinel panic value that ends the response and the
// connection without logging a stack trace.
var ErrAbortHandler = errors.New("groundup: abort handler")
