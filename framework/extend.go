package framework

// Extension points for middleware: what the stock middleware
// (framework/middleware, framework/session) needs beyond a handler's view
// of the request. Each keeps the response writer's invariants: none can
// change a response whose head has gone out, or make the framing disagree
// with the body.

// SetMethod changes the method the request is routed and handled as.
// It is meant for middleware added with App.Use, which runs before
// routing (middleware.MethodOverride turns a form's POST into a PUT,
// PATCH or DELETE); once the router has matched a route, a new method
// changes what Method reports but not which route runs. The request
// head keeps the method as sent (the trace shows it). An empty method
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
