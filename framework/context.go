package framework

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
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
	conn  *conn
	head  http1.Head
	arena http1.Arena // where the heads of this Ctx's requests are copied (kept across requests)
	body  body
	res   response
	rw    routeWriter

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
	enc     *json.Encoder     // JSON's encoder, writing to this Ctx: kept across requests
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
	c.res.reset(cn, c.method == "HEAD", c.head.Minor, c.path)
	c.body.reset(cn, &c.head, orDefault(cn.srv.MaxBodyBytes, DefaultMaxBodyBytes))
	c.layer = LayerServer
}

// clear drops every reference the Ctx holds to the request it served, but
// the head: the next request's Parse overwrites it. recycle drops that too.
func (c *Ctx) clear() {
	if c.cancel != nil {
		c.cancel()
	}
	c.form.cleanup()
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
	if c.watched != nil {
		c.watched.c.Store(nil)
	}
	if c.light != nil {
		c.light.c.Store(nil)
	}
	if len(c.ctxs) > 0 {
		for _, r := range c.ctxs {
			r.c.Store(nil)
		}
		clear(c.ctxs)
		c.ctxs = c.ctxs[:0]
	}
	c.watched, c.light, c.cancel = nil, nil, nil
	c.res.header.reset()
	if cap(c.res.body) > MaxBufferedBody {
		c.res.body = nil // do not pool an outsized buffer
	}
	c.res.body = c.res.body[:0]
}

// recycle readies the Ctx for its pool, where it must pin no request
// data.
func (c *Ctx) recycle() {
	c.clear()
	c.head.Reset()
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
	if r := &c.res; r.buffers(len(p)) {
		// What r.Write does with bytes that fit, without the call: JSON
		// writes here, and a templ component many times a page.
		r.keep(p)
		return len(p), nil
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
	return c.send(code, ctText, unsafe.Slice(unsafe.StringData(s), len(s)))
}

// HTML sends an HTML document held in a string.
func (c *Ctx) HTML(code int, html string) error {
	return c.send(code, ctHTML, unsafe.Slice(unsafe.StringData(html), len(html)))
}

// Blob sends b with the given content type; an empty one leaves the
// Content-Type field as it is.
func (c *Ctx) Blob(code int, contentType string, b []byte) error {
	if contentType != "" {
		c.res.header.Set("Content-Type", contentType)
	}
	return c.send(code, ctNone, b)
}

// send is String, HTML and Blob: it sets the Content-Type k, one of the
// framework's own (ctNone leaves the field as it is), the status code,
// and writes b.
func (c *Ctx) send(code int, k contentType, b []byte) error {
	r := &c.res
	if k != ctNone {
		r.header.setContentType(k)
	}
	r.writeHeader(code)
	if !bodyAllowed(code) {
		return nil
	}
	if c.det != nil {
		_, err := c.detachedWrite(b)
		return err
	}
	if r.buffers(len(b)) {
		// What r.Write does with a body that fits, without the call.
		r.keep(b)
		return nil
	}
	if len(b) > MaxBufferedBody && !r.committed && len(r.body) == 0 && r.header.special&bitContentLength == 0 {
		r.declared = int64(len(b)) // the whole body is known: sent with its length, not in chunks
	}
	_, err := r.Write(b)
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
