package framework

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/groundup-go/groundup/framework/http1"
	"github.com/julienschmidt/httprouter"
)

// Ctx is one request and its response: what a handler reads and writes.
//
// Ctx values are pooled and reused: a Ctx, and the strings it returns that
// are documented as "valid only during the request", must not be kept after
// the handler returns. Every string the Ctx returns from the request head
// is a substring of one immutable copy of the head, so those stay valid
// forever, even in a goroutine or a cache.
type Ctx struct {
	conn *conn
	head http1.Head
	body body
	res  response
	rw   routeWriter

	app    *App
	route  *Route
	method string // the request method, or the _method override
	path   string // percent-decoded path
	badEsc bool   // the path had a malformed %-escape
	params httprouter.Params
	query  url.Values
	form   formState
	values []ctxValue
	// valuesMu guards values: the context package reads them from its
	// own goroutines (a deadline's timer asks the parent's Value).
	valuesMu sync.Mutex
	layer    Layer
	remote   string // set by SetRemoteAddr; "" means the connection's peer

	watched *requestContext // from Context: cancelled when the client goes away
	light   *requestContext // from viewContext: no watch
	cancel  context.CancelFunc
	ctxs    []*requestContext // every context SetContext made, cut from c at clear
	det     *detached         // set on the copy a detached handler runs on (RunDetached)
}

type ctxValue struct {
	key any
	val any
}

// begin prepares the Ctx for the request whose head was just parsed.
func (c *Ctx) begin(cn *conn) {
	c.conn = cn
	c.rw.c = c
	c.method = c.head.Method
	c.path = c.head.Path
	c.badEsc = false
	if strings.IndexByte(c.path, '%') >= 0 {
		p, err := url.PathUnescape(c.path)
		if err != nil {
			c.badEsc = true
		} else {
			c.path = p
		}
	}
	c.res.reset(cn, &cn.env, c.method == "HEAD", c.head.Minor, c.path)
	c.body.reset(cn, &c.head, orDefault(cn.srv.MaxBodyBytes, DefaultMaxBodyBytes))
	c.layer = LayerServer
}

// clear drops every reference the Ctx holds before it goes back to the
// pool, so that a pooled Ctx pins no request data.
func (c *Ctx) clear() {
	if c.cancel != nil {
		c.cancel()
	}
	c.form.cleanup()
	c.head.Reset()
	c.conn, c.app, c.route = nil, nil, nil
	c.method, c.path = "", ""
	c.remote = ""
	c.params = nil
	c.query = nil
	if len(c.values) > 0 {
		// Set runs on this goroutine, so the length needs no lock; a
		// context's timer may still be reading the values.
		c.valuesMu.Lock()
		clear(c.values)
		c.values = c.values[:0]
		c.valuesMu.Unlock()
	}
	for _, r := range []*requestContext{c.watched, c.light} {
		if r != nil {
			r.c.Store(nil)
		}
	}
	for _, r := range c.ctxs {
		r.c.Store(nil)
	}
	clear(c.ctxs)
	c.ctxs = c.ctxs[:0]
	c.watched, c.light, c.cancel = nil, nil, nil
	c.res.header.reset()
	if cap(c.res.body) > MaxBufferedBody {
		c.res.body = nil // do not pool an outsized buffer
	}
	c.res.body = c.res.body[:0]
}

// ---- The request ----

// Method returns the request method, after any _method override.
func (c *Ctx) Method() string { return c.method }

// Path returns the percent-decoded request path, without the query.
func (c *Ctx) Path() string { return c.path }

// RawPath returns the path as sent, still percent-encoded.
func (c *Ctx) RawPath() string { return c.head.Path }

// Target returns the request-target exactly as sent: path and query.
func (c *Ctx) Target() string { return c.head.Target }

// RawQuery returns the query string as sent, without the '?'.
func (c *Ctx) RawQuery() string { return c.head.RawQuery }

// Host returns the Host header, or the authority of an absolute-form
// target.
func (c *Ctx) Host() string { return c.head.Host }

// Proto returns "HTTP/1.0" or "HTTP/1.1".
func (c *Ctx) Proto() string { return c.head.Proto() }

// RemoteAddr returns the client's address: the connection's peer as
// "ip:port", or what SetRemoteAddr set.
func (c *Ctx) RemoteAddr() string {
	if c.remote != "" {
		return c.remote
	}
	if c.det != nil {
		return c.det.remote
	}
	return c.conn.remoteAddr()
}

// SetRemoteAddr replaces what RemoteAddr returns for the rest of the
// request, for the middleware and handlers that run after the call. It
// is the extension point of a middleware that knows the client better
// than the socket does, such as middleware.RealIP behind a proxy; "" goes
// back to the connection's peer. Connection-level logs keep the peer.
func (c *Ctx) SetRemoteAddr(addr string) { c.remote = addr }

// RequestHeader returns the first value of a request header field, matched
// case-insensitively, or "".
func (c *Ctx) RequestHeader(name string) string { return c.head.Get(name) }

// RequestHeaders returns every request header field, in the order they
// came: for fields that repeat (Accept-Encoding on two lines, say) or a
// look at them all. Each name and value is a substring of the request's
// immutable head, valid forever; the slice itself is the request's own
// and must not be changed. RequestHeader is the way to read one field.
func (c *Ctx) RequestHeaders() []http1.Field { return c.head.Fields }

// Param returns the value of the named route parameter (":id" or
// "*path"), or "".
func (c *Ctx) Param(name string) string {
	for _, p := range c.params {
		if p.Key == name {
			return p.Value
		}
	}
	return ""
}

// Query returns the first value of the named query parameter, or "".
func (c *Ctx) Query(name string) string {
	return c.QueryValues().Get(name)
}

// QueryValues returns the parsed query string. Malformed pairs are
// skipped, as browsers and net/http do.
func (c *Ctx) QueryValues() url.Values {
	if c.query == nil {
		c.query, _ = url.ParseQuery(c.head.RawQuery)
		if c.query == nil {
			c.query = url.Values{}
		}
	}
	return c.query
}

// Body returns the request body as a stream. It is capped by the body
// limit (reads past it fail with ErrBodyTooLarge) and sends
// "100 Continue" on the first read when the client asked for it.
func (c *Ctx) Body() io.Reader { return c.bodyReader() }

// SetBodyLimit changes the body limit for this request; BodyLimit
// middleware uses it.
func (c *Ctx) SetBodyLimit(n int64) {
	if d := c.det; d != nil {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.state.Load() == detRunning {
			d.parent.SetBodyLimit(n)
		}
		return
	}
	c.body.limit = n
	if c.head.ContentLength > n && c.body.err == nil {
		c.body.fail(ErrBodyTooLarge)
	}
}

// Context returns the request's context. It is cancelled when the
// client goes away (the first call starts watching the connection for
// that), when the server is closed, or when its Shutdown gives up waiting.
// It carries the Ctx, so that views and services can reach the request
// through it (see FromContext), and it stays safe to use after the
// request ends: a database driver may still watch it from a goroutine.
// After the request, FromContext on it returns nil.
func (c *Ctx) Context() context.Context {
	if c.watched == nil {
		done, cancel := context.WithCancel(c.conn.context())
		c.watched, c.cancel = newRequestContext(done, c), cancel
		if c.body.done {
			c.conn.bg.start(c.conn, cancel)
		}
	}
	return c.watched
}

// SetContext replaces the request's context: from here on Context
// returns ctx, views render with it, and FromContext on it (or on
// anything derived from it) returns c. Middleware uses it to hand
// everything after it a context with a value, a deadline or a tracing
// span; derive ctx from c.Context() to keep the request's cancellation:
//
//	ctx, cancel := context.WithTimeout(c.Context(), 2*time.Second)
//	defer cancel()
//	c.SetContext(ctx)
//	return next(c)
//
// The context stays replaced for the rest of the request, outer
// middleware included. A nil ctx is ignored.
func (c *Ctx) SetContext(ctx context.Context) {
	if ctx == nil {
		return
	}
	if c.watched == nil && c.det == nil {
		c.Context() // start the watch, so that a derived ctx shares its cancellation
	}
	r := newRequestContext(ctx, c)
	if c.watched != nil && c.det == nil {
		c.ctxs = append(c.ctxs, c.watched)
	}
	c.watched = r
}

// viewContext is the context views render with: it carries the Ctx like
// Context does, but does not start the client-gone watch, which a page
// render does not need and would pay for on every request.
func (c *Ctx) viewContext() context.Context {
	if c.watched != nil {
		return c.watched
	}
	if c.light == nil {
		c.light = newRequestContext(c.conn.context(), c)
	}
	return c.light
}

// requestContext is a context.Context that also answers FromContext with
// its Ctx while the request lasts. The Ctx is pooled, so the link is cut
// when the request ends: a context kept longer (a goroutine's, a
// driver's) then behaves as its parent, and never reaches a Ctx that now
// serves another request.
type requestContext struct {
	context.Context
	c atomic.Pointer[Ctx]
}

func newRequestContext(parent context.Context, c *Ctx) *requestContext {
	r := &requestContext{Context: parent}
	r.c.Store(c)
	return r
}

// Value returns the Ctx for FromContext, then the request's values stored
// with Ctx.Set, then the parent's values.
func (r *requestContext) Value(key any) any {
	c := r.c.Load()
	if _, ok := key.(ctxKey); ok {
		if c == nil {
			return nil
		}
		return c
	}
	if c != nil {
		if v := c.Value(key); v != nil {
			return v
		}
	}
	return r.Context.Value(key)
}

type ctxKey struct{}

// FromContext returns the Ctx that a request context belongs to, or nil.
func FromContext(ctx context.Context) *Ctx {
	c, _ := ctx.Value(ctxKey{}).(*Ctx)
	return c
}

// Set stores a per-request value, for middleware to hand data to
// handlers and views.
func (c *Ctx) Set(key, val any) {
	c.valuesMu.Lock()
	defer c.valuesMu.Unlock()
	for i := range c.values {
		if c.values[i].key == key {
			c.values[i].val = val
			return
		}
	}
	c.values = append(c.values, ctxValue{key, val})
}

// Value returns a per-request value stored with Set, or nil.
func (c *Ctx) Value(key any) any {
	c.valuesMu.Lock()
	defer c.valuesMu.Unlock()
	for _, v := range c.values {
		if v.key == key {
			return v.val
		}
	}
	return nil
}

// Logger returns the server's logger, for handlers and middleware that
// log about the request.
func (c *Ctx) Logger() *slog.Logger {
	if c.det != nil {
		return c.det.logger
	}
	if c.conn != nil && c.conn.srv != nil {
		return c.conn.srv.logger()
	}
	return slog.Default()
}

// App returns the App that routed the request, or nil for a bare Server.
func (c *Ctx) App() *App { return c.app }

// Route returns the matched route, or nil before routing or on a miss.
func (c *Ctx) Route() *Route { return c.route }

// ---- Extension points for middleware ----
//
// What the stock middleware (framework/middleware, framework/session)
// needs beyond a handler's view of the request. Each keeps the response
// writer's invariants: none can change a response whose head has gone
// out, or make the framing disagree with the body.

// SetMethod changes the method the request is routed and handled as.
// It is meant for middleware added with App.Use, which runs before
// routing (middleware.MethodOverride turns a form's POST into a PUT,
// PATCH or DELETE); once the router has matched a route, a new method
// changes what Method reports but not which route runs. The request
// head, and so Head().Method, keeps the method as sent. An empty method
// is ignored.
func (c *Ctx) SetMethod(method string) {
	if method != "" {
		c.method = method
	}
}

// ContentLength returns the request body's declared length, the value
// of its Content-Length field, or -1 when it declared none (a chunked
// body, or no body).
func (c *Ctx) ContentLength() int64 { return c.head.ContentLength }

// Layer returns the layer the request is in: the server's until the
// app-wide middleware runs, then the middleware's, then the
// controller's. An error returned without a layer of its own is
// reported in this one (see HTTPError.Layer).
func (c *Ctx) Layer() Layer { return c.layer }

// BufferedBody returns the body bytes the handler has written that are
// still held by the writer, and true; or nil and false once the head has
// been sent (a Flush, or a body larger than MaxBufferedBody) or the
// connection hijacked, when the body can no longer change. The slice
// belongs to the writer: read it, do not keep it or write to it, and do
// not use it after the next write to the response. Middleware that
// transforms whole bodies (middleware.Gzip) reads it after the handler
// returns and puts the result back with ReplaceBody.
func (c *Ctx) BufferedBody() ([]byte, bool) {
	if c.res.committed || c.res.hijacked {
		return nil, false
	}
	return c.res.body, true
}

// ReplaceBody replaces the buffered body with a copy of p, as if the
// handler had written p alone; Written then reports len(p). The writer
// sends the new body with its own Content-Length, so any Content-Length
// field is removed. It fails, changing nothing, once the head has been
// sent or the connection hijacked (ErrCommitted), after a write error,
// when p is longer than MaxBufferedBody (which the writer would have
// streamed), or when p is not empty and the status allows no body
// (ErrBodyNotAllowed).
func (c *Ctx) ReplaceBody(p []byte) error {
	r := &c.res
	switch {
	case r.committed || r.hijacked:
		return ErrCommitted
	case r.err != nil:
		return r.err
	case len(p) > MaxBufferedBody:
		return errReplaceTooLarge
	case len(p) > 0 && !bodyAllowed(r.statusCode()):
		return ErrBodyNotAllowed
	}
	r.body = append(r.body[:0], p...)
	r.size = int64(len(p))
	r.header.Del("Content-Length")
	return nil
}

// errReplaceTooLarge is ReplaceBody's answer to a body the writer could
// not have buffered.
var errReplaceTooLarge = errors.New("groundup: ReplaceBody: body larger than MaxBufferedBody")

// ---- The response ----

// Status sets the response status code. It has no effect once the head
// has been sent.
func (c *Ctx) Status(code int) { c.res.writeHeader(code) }

// StatusCode returns the status sent, or to be sent (200 by default).
func (c *Ctx) StatusCode() int { return c.res.statusCode() }

// Header returns the response header, to change before the first write.
func (c *Ctx) Header() *Header { return &c.res.header }

// Write writes body bytes, buffering them until the buffer fills or Flush
// is called.
func (c *Ctx) Write(p []byte) (int, error) {
	if c.det != nil {
		return c.detachedWrite(p)
	}
	return c.res.Write(p)
}

// WriteString writes s as body bytes without converting it first.
func (c *Ctx) WriteString(s string) (int, error) {
	return c.Write(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// Flush sends the head, if not sent yet, and every buffered body byte to
// the client. After a Flush the body is streamed: chunked for HTTP/1.1,
// close-delimited for HTTP/1.0. Inside RenderStream, templ.Flush() in a
// component calls it.
func (c *Ctx) Flush() error {
	if c.det != nil {
		return ErrDetachedFlush
	}
	return c.res.flush()
}

// BeforeCommit registers fn to run just before the response head is
// written, whenever that happens: when the handler returns, at its first
// Flush, or when the body outgrows the buffer. Middleware use it for
// header fields that depend on what the handler did, such as a session
// cookie. fn may set header fields; it must not write the body.
func (c *Ctx) BeforeCommit(fn func()) {
	c.res.beforeCommit = append(c.res.beforeCommit, fn)
}

// Committed reports whether the response head has been sent.
func (c *Ctx) Committed() bool { return c.res.committed }

// Written returns the number of body bytes written so far.
func (c *Ctx) Written() int64 { return c.res.size }

// String sends a text/plain response.
func (c *Ctx) String(code int, s string) error {
	c.res.header.setKnown("Content-Type", "text/plain; charset=utf-8")
	return c.Blob(code, "", unsafe.Slice(unsafe.StringData(s), len(s)))
}

// HTML sends an HTML document held in a string.
func (c *Ctx) HTML(code int, html string) error {
	c.res.header.setKnown("Content-Type", "text/html; charset=utf-8")
	return c.Blob(code, "", unsafe.Slice(unsafe.StringData(html), len(html)))
}

// Blob sends b with the given content type; an empty one leaves the
// Content-Type field as it is.
func (c *Ctx) Blob(code int, contentType string, b []byte) error {
	if contentType != "" {
		c.res.header.Set("Content-Type", contentType)
	}
	c.res.writeHeader(code)
	if !bodyAllowed(code) {
		return nil
	}
	_, err := c.Write(b)
	return err
}

// NoContent sends a response with no body, usually 204.
func (c *Ctx) NoContent(code int) error {
	c.res.writeHeader(code)
	return nil
}

// Redirect sends a redirect to url with code, which must be a 3xx: use
// StatusSeeOther (303) after a form POST, so the browser follows with a
// GET.
func (c *Ctx) Redirect(code int, url string) error {
	if code < 300 || code > 399 {
		return &HTTPError{Code: StatusInternalServerError, Message: "bad redirect status", Layer: LayerController}
	}
	c.res.header.Set("Location", url)
	c.res.writeHeader(code)
	return nil
}

// Hijack takes the connection over from the server, for protocols such as
// WebSocket. It returns the socket and any bytes already read past the
// request head. The server writes nothing more and never closes the
// connection; the caller owns it. The response must not have been sent.
func (c *Ctx) Hijack() (netConn net.Conn, buffered []byte, err error) {
	if c.res.committed {
		return nil, nil, errHijackCommitted
	}
	if c.det != nil {
		return nil, nil, errHijackDetached
	}
	nc, buffered, err := c.conn.hijack()
	if err != nil {
		return nil, nil, err
	}
	c.res.hijacked = true
	c.res.err = ErrHijacked
	return nc, buffered, nil
}
