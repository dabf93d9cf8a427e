package framework

import (
	"github.com/a-h/templ"
)

// Views are templ components. Render writes the whole component into the
// response buffer first and only then sends status, headers and
// Content-Length, so a render error never leaves half a page on the wire:
// the error handler answers it cleanly instead. (A page larger than
// MaxBufferedBody is streamed once it outgrows the buffer.)

// Render renders component as an HTML response with status code.
func (c *Ctx) Render(code int, component templ.Component) error {
	c.res.header.setContentType(ctHTML)
	c.res.writeHeader(code)
	n := c.res.size
	if err := component.Render(c.viewContext(), c); err != nil {
		return c.renderFailed(err)
	}
	if tr := c.tracer(); tr != nil {
		tr.view(component, c.res.size-n)
	}
	return nil
}

// RenderStream renders component while sending it: every templ.Flush()
// in the component pushes what has been rendered so far to the client
// (chunked for HTTP/1.1). Use it for slow pages whose top should show
// early. A render error after the first flush can only cut the response
// short.
func (c *Ctx) RenderStream(code int, component templ.Component) error {
	c.res.header.setContentType(ctHTML)
	c.res.writeHeader(code)
	if err := c.Flush(); err != nil {
		return err
	}
	if err := component.Render(c.viewContext(), streamWriter{c}); err != nil {
		return c.renderFailed(err)
	}
	return nil
}

// RenderFragments renders only the named fragments of component (see
// templ.Fragment), for partial page updates such as htmx swaps.
func (c *Ctx) RenderFragments(code int, component templ.Component, ids ...any) error {
	c.res.header.setContentType(ctHTML)
	c.res.writeHeader(code)
	if err := templ.RenderFragments(c.viewContext(), c, component, ids...); err != nil {
		return c.renderFailed(err)
	}
	return nil
}

func (c *Ctx) renderFailed(err error) error {
	if !c.res.committed {
		c.res.discardBody()
	}
	c.layer = LayerView
	return &HTTPError{Code: StatusInternalServerError, Err: err, Layer: LayerView}
}

// streamWriter is the response writer with the Flush method templ looks
// for. It must be Flush() without a result: generated components wrap
// the writer in templ's buffer, which passes a flush on only to that
// (http.Flusher's) signature. A failed flush is kept as the response's
// error, and the next write returns it.
type streamWriter struct{ c *Ctx }

func (w streamWriter) Write(p []byte) (int, error) { return w.c.Write(p) }
func (w streamWriter) Flush()                      { w.c.Flush() }
