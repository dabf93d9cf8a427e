package framework

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/groundup-go/groundup/framework/http1"
)

// The connection loop: one goroutine runs it for each accepted socket.
//
//	┌──────────► wait for the first byte (idle.go: buffers back in their pools)
//	│              │
//	│            read until the head parses ──► protocol error: canned reply, close
//	│              │
//	│            frame the body, run the handler, finish the response
//	│              │
//	└── keep-alive ┘  otherwise flush, close
//
// Output is flushed to the socket only when the loop is about to block on a
// read: the responses to pipelined requests that are already buffered
// leave together in one write (output.go). While a handler runs, a watch
// may read the socket to notice a client that went away (watch.go).
//
// Whether the connection survives the response has one owner: closeAfter,
// which records the first reason to close. The loop reads the verdict once
// the response is finished.

const (
	stateActive int32 = iota // reading or serving a request
	stateIdle                // waiting for the first byte of the next request
	stateClosed
)

type conn struct {
	srv    *Server
	env    *serverEnv // the server's, shared by its connections
	nc     net.Conn
	remote string // formatted on first use (remoteAddr)
	parent context.Context

	rbuf  []byte // nil while idle; unread bytes are rbuf[r:w]
	rbufp *[]byte
	r, w  int
	wbuf  []byte // pending output; nil while idle
	wbufp *[]byte
	one   [1]byte

	state       atomic.Int32
	served      int // requests served on this connection
	ctx         *Ctx
	mu          sync.Mutex         // guards base, cancel and aborted against abort
	base        context.Context    // made on first use (context)
	cancel      context.CancelFunc // cancels base
	aborted     atomic.Bool        // set under mu too, so that context and abort agree
	hijacked    bool
	inHandler   bool          // the handler runs: a panic now is its (serveRequests)
	closeReason string        // why the connection closes after this response; "" keeps it open
	parked      bool          // idle on a fresh goroutine (see idleGrace)
	pace        idlePace      // the grace this connection has earned (idle.go)
	idleSince   monotime      // when the current wait between requests began
	linger      bool          // request bytes may be unread: drain them before closing
	bg          *bgRead       // the client-gone watch, while it runs (watch.go)
	client      string        // the client's IP, for MaxConnsPerClient
	stream      *EventStream  // the open event stream, stopped when the handler returns
	kept        *HijackedConn // a hijacked connection that keeps its slot (HijackConn)
	listed      bool          // on the server's parked list (guarded by srv.mu)
	older       *conn         // neighbours on the parked list (guarded by srv.mu)
	newer       *conn
	readDead    monotime // the read deadline last set
	writeDead   monotime
	trace       *tracer // nil unless the server traces requests (trace.go)
}

// serverEnv is what a connection and its responses need from their
// server, fixed when it starts serving (Server.init) and shared by its
// connections: the response writer never reaches the Server itself, and
// an idle connection does not carry a copy.
type serverEnv struct {
	lim        http1.Limits // the parser's limits, defaults filled in
	serverLine string       // "Server: <Server.Name>\r\n", or "" to send none
	log        *slog.Logger // where refused header fields are reported
	shut       *atomic.Bool // true once Shutdown or Close has begun
}

// newConn prepares a connection. Its context is made later, on first use
// (see context); a Close that comes first marks it aborted, so that the
// context is born cancelled.
func newConn(s *Server, nc net.Conn, parent context.Context) *conn {
	return &conn{srv: s, nc: nc, parent: parent, env: &s.env, trace: newTracer(s.Trace, nc)}
}

// context returns the connection's context, made on first use: most
// connections never need one, and an idle connection should not carry it.
// It is cancelled when the connection ends or is aborted.
func (cn *conn) context() context.Context {
	cn.mu.Lock()
	defer cn.mu.Unlock()
	if cn.base == nil {
		cn.base, cn.cancel = context.WithCancel(cn.parent)
		if cn.aborted.Load() {
			cn.cancel()
		}
	}
	return cn.base
}

// remoteAddr returns the client's address, formatted on first use.
func (cn *conn) remoteAddr() string {
	if cn.remote == "" {
		cn.remote = cn.nc.RemoteAddr().String()
	}
	return cn.remote
}

// serveParked runs the connection loop on a goroutine of its own: each
// time the connection parks, a fresh goroutine takes the wait over (see
// idleGrace).
func (cn *conn) serveParked() {
	if cn.serve() {
		go cn.serveParked()
	}
}

// serve runs the connection loop until the connection ends, or until it
// has stayed idle past idleGrace, when it reports true: the caller then
// calls serve again to go on waiting, from a fresh goroutine or its own.
func (cn *conn) serve() (parked bool) {
	if !cn.parked && !cn.handshake() {
		cn.end()
		return false
	}
	for {
		res, v, stack := cn.serveRequests()
		switch res {
		case loopParked:
			return true
		case loopEnded:
			cn.end()
			return false
		}
		// A handler panicked, and serveRequests recovered: answer for
		// it, complete its request, and go on with the next.
		c := cn.ctx
		cn.recovered(c, v, stack)
		if !cn.completeOne(c) {
			cn.end()
			return false
		}
	}
}

// loopResult is how serveRequests stopped.
type loopResult uint8

const (
	loopParked   loopResult = iota // idle past the grace: wait on a fresh goroutine
	loopEnded                      // the connection ends
	loopPanicked                   // a handler panicked
)

// serveRequests serves one request after another. A handler's panic
// unwinds to its deferred recover, which hands the value and the stack to
// serve: one recover for the whole run of requests, rather than one set up
// around every handler call. A panic outside a handler is the framework's
// own bug, and is not recovered.
func (cn *conn) serveRequests() (res loopResult, panicked any, stack []byte) {
	defer func() {
		if cn.inHandler {
			cn.inHandler = false
			panicked = recover()
			if panicked != nil && panicked != ErrAbortHandler {
				stack = debug.Stack()
			}
			res = loopPanicked
		}
	}()
	for {
		if cn.r == cn.w {
			switch cn.waitFirstByte() {
			case waitPark:
				return loopParked, nil, nil
			case waitEnd:
				return loopEnded, nil, nil
			}
		}
		if !cn.serveOne() {
			return loopEnded, nil, nil
		}
	}
}

// handshake completes a TLS handshake within ReadHeaderTimeout.
func (cn *conn) handshake() bool {
	tc, ok := cn.nc.(*tls.Conn)
	if !ok {
		return true
	}
	cn.nc.SetWriteDeadline(time.Now().Add(orDefault(cn.srv.ReadHeaderTimeout, DefaultReadHeaderTimeout)))
	cn.setReadDeadline(monoNow() + monotime(orDefault(cn.srv.ReadHeaderTimeout, DefaultReadHeaderTimeout)))
	if err := tc.HandshakeContext(cn.context()); err != nil {
		cn.srv.logger().Debug("TLS handshake failed", "remote", cn.remoteAddr(), "err", err)
		return false
	}
	cn.nc.SetWriteDeadline(time.Time{})
	cn.setReadDeadline(noDeadline)
	return true
}

// serveOne reads one request, answers it, and reports whether the
// connection stays open for another.
func (cn *conn) serveOne() bool {
	if !cn.readHead() {
		return false
	}
	c := cn.ctx
	h := &c.head
	if h.Close {
		cn.closeAfter("the request asked to close")
	}
	if cn.srv.shuttingDown() {
		cn.closeAfter("server shutting down")
	}
	c.begin(cn)

	// A declared body above the limit is refused before the handler
	// runs, with the connection closed so that the body is never read.
	if h.ContentLength > c.body.limit {
		cn.cannedError(http1.ProtocolError{Status: StatusRequestEntityTooLarge, Reason: "request body too large"})
		return false
	}
	// Without a body nothing is read until the next request, which sets
	// its own deadline: no timer to move.
	if h.ContentLength > 0 || h.Chunked {
		end := monoNow() + monotime(orDefault(cn.srv.ReadTimeout, DefaultReadTimeout))
		cn.setReadDeadline(end)
		c.body.pace(end, cn.srv.MinBodyRate, orDefault(cn.srv.MinBodyRateGrace, DefaultMinBodyRateGrace))
	}

	cn.runHandler(c)
	return cn.completeOne(c)
}

// completeOne finishes the request after its handler: the response, the
// body's unread rest, the Ctx. It reports whether the connection stays
// open for another.
func (cn *conn) completeOne(c *Ctx) bool {
	if cn.stream != nil {
		cn.stream.stop()
		cn.stream = nil
	}
	if cn.hijacked {
		return false
	}
	cn.stopWatch()
	c.body.discard(orDefault(cn.srv.MaxDrainBytes, DefaultMaxDrainBytes))
	// Draining the body's last byte starts the client-gone watch when the
	// handler asked for its context: stop it again, or its one-byte read
	// takes the first byte of the next request.
	cn.stopWatch()
	if !c.body.done {
		cn.linger = true // the client may still be sending the body
	}
	c.res.finish()
	cn.served++
	// The next request may already be buffered and reuse this Ctx at
	// once: nothing of this one (query, form, values, contexts) may leak
	// into it.
	if cn.trace != nil {
		cn.trace.finished(c, cn.closeReason)
	}
	c.clear()
	if cn.closeReason != "" {
		cn.linger = true // the client may have sent more: close in stages
		cn.flush()
		return false
	}
	return true
}

// closeAfter records that the connection closes once the current response
// is out, and why. It is the one place that decides: the first reason
// stands, the response announces "Connection: close" if its head is not
// sent yet, and the reason is logged at debug level when the connection
// closes.
func (cn *conn) closeAfter(reason string) {
	if cn.closeReason == "" {
		cn.closeReason = reason
	}
}

// runHandler calls the server's handler, turning a returned error into an
// error response. A panic unwinds to serveRequests, and serve answers it
// with recovered. The error handler is user code too: it runs under a
// recover of its own (answerError), so that a panic there ends in a plain
// 500 rather than in a crash.
func (cn *conn) runHandler(c *Ctx) {
	h := cn.srv.Handler
	if h == nil {
		h = func(c *Ctx) error { return ErrNotFound }
	}
	cn.inHandler = true
	err := h(c)
	cn.inHandler = false
	if err != nil {
		cn.answerError(c, err)
	}
}

// recovered answers for a handler that panicked with v: a 500, or a cut
// connection when the response has already begun.
func (cn *conn) recovered(c *Ctx, v any, stack []byte) {
	if v == ErrAbortHandler {
		cn.closeAfter("handler aborted")
		c.res.err = ErrAbortHandler
		return
	}
	if cn.trace != nil {
		cn.trace.panicked(v, stack)
	}
	cn.srv.logger().Error("panic serving request", "method", c.Method(), "path", c.Path(),
		"remote", cn.remoteAddr(), "panic", v, "stack", string(stack))
	if c.res.committed || c.res.hijacked {
		cn.closeAfter("handler panicked after the response began")
		c.res.err = ErrAbortHandler
		return
	}
	c.res.reset(cn, c.res.head, c.res.minor, c.path)
	cn.answerError(c, &HTTPError{Code: StatusInternalServerError, Layer: LayerController, Err: PanicError{Value: v, Stack: stack}})
}

// answerError hands err to the error handler under a recover. An error
// handler that panics leaves a plain 500 when the head is not sent yet,
// and a cut connection otherwise; either way the panic is logged.
func (cn *conn) answerError(c *Ctx, err error) {
	v, stack := callErrorHandler(c, err)
	if v == nil {
		return
	}
	cn.srv.logger().Error("panic in the error handler", "method", c.Method(), "path", c.Path(),
		"remote", cn.remoteAddr(), "err", err, "panic", v, "stack", string(stack))
	if c.res.committed || c.res.hijacked {
		cn.closeAfter("error handler panicked after the response began")
		c.res.err = ErrAbortHandler
		return
	}
	c.res.reset(cn, c.res.head, c.res.minor, c.path)
	c.res.plainError(StatusInternalServerError)
}

func callErrorHandler(c *Ctx, err error) (panicked any, stack []byte) {
	defer func() {
		if panicked = recover(); panicked != nil {
			stack = debug.Stack()
		}
	}()
	c.Error(err)
	return nil, nil
}

// readHead reads until a whole request head has parsed into cn.ctx.head.
// It reports false when the connection should close: end of stream,
// timeout, shutdown, or a protocol error (already answered).
func (cn *conn) readHead() bool {
	guarded := false
	for {
		n, err := cn.ctx.arena.Parse(cn.rbuf[cn.r:cn.w], cn.env.lim, &cn.ctx.head)
		if err == nil {
			cn.r += n
			if cn.trace != nil {
				cn.trace.parsed(&cn.ctx.head, cn.r, cn.w)
			}
			return true
		}
		if err != http1.ErrNeedMore {
			pe, ok := err.(*http1.ProtocolError)
			if !ok {
				pe = &http1.ProtocolError{Status: StatusBadRequest, Reason: err.Error()}
			}
			cn.cannedError(*pe)
			return false
		}
		// Need more: make room, flush what earlier requests produced
		// (the client may wait for it), then block on the socket.
		cn.makeRoom()
		if cn.flush() != nil {
			return false
		}
		if !guarded {
			// The slowloris guard: the rest of the head must arrive
			// within ReadHeaderTimeout, whether its first bytes came
			// after a wait or behind the previous request (pipelined).
			// A head that arrived whole never needs the timer.
			cn.setReadDeadline(monoNow() + monotime(orDefault(cn.srv.ReadHeaderTimeout, DefaultReadHeaderTimeout)))
			guarded = true
		}
		n, err = cn.nc.Read(cn.rbuf[cn.w:])
		cn.w += n
		if cn.trace != nil && n > 0 {
			cn.trace.read(cn.rbuf[cn.w-n : cn.w])
		}
		if err != nil {
			if isTimeout(err) {
				cn.srv.logger().Warn("read header timeout; closing connection", "remote", cn.remoteAddr(), "buffered", cn.w-cn.r)
				cn.cannedError(http1.ProtocolError{Status: StatusRequestTimeout, Reason: "request head not received in time"})
			} else if cn.w > cn.r {
				cn.srv.logger().Debug("connection closed inside a request head", "remote", cn.remoteAddr(), "err", err)
			}
			return false
		}
	}
}

// end closes the connection (unless it was hijacked) and tells the server.
func (cn *conn) end() {
	cn.mu.Lock()
	cn.aborted.Store(true) // a context made from now on starts cancelled
	if cn.cancel != nil {
		cn.cancel()
	}
	cn.mu.Unlock()
	if cn.closeReason != "" {
		if log := cn.srv.logger(); log.Enabled(context.Background(), slog.LevelDebug) {
			log.Debug("closing connection", "remote", cn.remoteAddr(), "reason", cn.closeReason)
		}
	}
	if cn.trace != nil {
		cn.trace.ended(cn.closeReason)
	}
	if !cn.hijacked {
		cn.close()
	}
	cn.release()
	if cn.kept == nil {
		cn.srv.forget(cn)
	} // else HijackedConn.Release forgets it
}

// ErrAbortHandler is a sentinel panic value that ends the response and the
// connection without logging a stack trace.
var ErrAbortHandler = errors.New("groundup: abort handler")
