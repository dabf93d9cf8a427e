package framework

import (
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
)

// Errors flow one way: a handler returns an error, and one ErrorHandler
// turns it into a response. A typed *HTTPError carries its status and a
// message that is safe to show; any other error is a 500 whose details go
// only to the log.

// Layer names the part of the pipeline where a request failed. Dev-mode
// error pages show it.
type Layer string

// The layers, in pipeline order.
const (
	LayerServer     Layer = "server"
	LayerRouter     Layer = "router"
	LayerMiddleware Layer = "middleware"
	LayerController Layer = "controller"
	LayerView       Layer = "view"
)

// HTTPError is an error with an HTTP status. Message is shown to the
// client; Err, if any, is logged but never shown outside dev mode.
type HTTPError struct {
	Code    int
	Message string
	Err     error
	Layer   Layer // where it happened, if known
}

// NewError returns an *HTTPError with the status code and public message.
func NewError(code int, message string) *HTTPError {
	return &HTTPError{Code: code, Message: message}
}

// Error implements error.
func (e *HTTPError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = StatusText(e.Code)
	}
	if e.Err != nil {
		return strconv.Itoa(e.Code) + " " + msg + ": " + e.Err.Error()
	}
	return strconv.Itoa(e.Code) + " " + msg
}

// Unwrap returns the wrapped error.
func (e *HTTPError) Unwrap() error { return e.Err }

// StatusCode returns the HTTP status.
func (e *HTTPError) StatusCode() int { return e.Code }

// Sentinel errors for the router's answers.
var (
	ErrNotFound         = &HTTPError{Code: StatusNotFound, Message: "Not Found", Layer: LayerRouter}
	ErrMethodNotAllowed = &HTTPError{Code: StatusMethodNotAllowed, Message: "Method Not Allowed", Layer: LayerRouter}
	errHijackCommitted  = errors.New("groundup: cannot hijack after the response has started")
)

// ErrCommitted is returned by the methods that change a response, such
// as Ctx.ReplaceBody, once its head has been sent (or the connection
// hijacked): what the client has seen cannot be taken back.
var ErrCommitted = errors.New("groundup: the response has already started")

// StatusCoder is implemented by errors that know their HTTP status.
type StatusCoder interface{ StatusCode() int }

// StatusCode returns the HTTP status for err: the code of the first error
// in its chain that has one, else 500.
func StatusCode(err error) int {
	var sc StatusCoder
	if errors.As(err, &sc) {
		if code := sc.StatusCode(); code >= 400 && code <= 599 {
			return code
		}
	}
	return StatusInternalServerError
}

// PublicMessage returns what a client may be told about err: the Message
// of the first *HTTPError in its chain when its status is below 500 and
// the message is not empty, else the status text of StatusCode(err).
// Internal details (a 5xx's message, any wrapped error) never leave the
// server. DefaultErrorHandler answers with it; an app's own ErrorHandler
// should too.
func PublicMessage(err error) string {
	var he *HTTPError
	if errors.As(err, &he) && he.Code < 500 && he.Message != "" {
		return he.Message
	}
	return StatusText(StatusCode(err))
}

func layerOf(c *Ctx, err error) Layer {
	var le layerError
	if errors.As(err, &le) {
		return le.layer
	}
	var he *HTTPError
	if errors.As(err, &he) && he.Layer != "" {
		return he.Layer
	}
	return c.layer
}

// layerError marks where an error came from without changing what it
// says: its message, status and chain are the wrapped error's.
type layerError struct {
	error
	layer Layer
}

func (e layerError) Unwrap() error { return e.error }

// PanicError carries a recovered panic value and the stack of the
// panicking goroutine to the error handler: middleware.Recover and the
// server wrap it in a 500 *HTTPError, DefaultErrorHandler shows Stack on
// dev pages, and session.Sessions uses it to tell a panic from an error.
// Find it in an error chain with errors.As and a PanicError value.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // from runtime/debug.Stack, taken where it was recovered
}

// Error returns "panic: " and the value.
func (p PanicError) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// ErrorHandler turns an error returned by a handler into a response.
type ErrorHandler func(c *Ctx, err error)

// Error hands err to the app's ErrorHandler (DefaultErrorHandler when
// none is set). If the response has already started, it can only be cut
// short: the error is logged and the connection closed after it.
func (c *Ctx) Error(err error) {
	if err == nil {
		return
	}
	if c.res.committed || c.res.hijacked {
		if c.res.hijacked {
			return
		}
		c.Logger().Error("error after the response started; closing connection",
			"method", c.Method(), "path", c.Path(), "err", err)
		c.conn.closeAfter("error after the response started")
		return
	}
	// Whatever the handler began (a status, a half-built body) gives way
	// to the error's answer, whichever handler writes it.
	c.ResetResponse()
	if c.app != nil && c.app.ErrorHandler != nil {
		c.app.ErrorHandler(c, err)
		return
	}
	DefaultErrorHandler(c, err)
}

// bodyFields describe a body; ResetResponse drops them with it.
var bodyFields = []string{"Content-Type", "Content-Length", "Content-Encoding",
	"Content-Disposition", "ETag", "Last-Modified"}

// ResetResponse discards what the handler has written so far: the
// buffered body, the status, and the header fields that describe the body
// (Content-Type, Content-Length, Content-Encoding, Content-Disposition,
// ETag, Last-Modified), so that an error handler can answer afresh. Other
// fields stay: Allow for a 405, Content-Range for a 416, Vary, Set-Cookie. Once the
// head has been sent nothing can be taken back: it reports false and does
// nothing.
func (c *Ctx) ResetResponse() bool {
	if c.res.committed {
		return false
	}
	c.res.discardBody()
	c.res.status = 0
	for _, name := range bodyFields {
		c.res.header.Del(name)
	}
	return true
}

// DefaultErrorHandler logs err (at error level for 5xx, debug below) and
// answers with its status: JSON when PrefersJSON says so, HTML
// otherwise. Both list a FieldErrors in the chain field by field: under
// "fields" in JSON, as a list in HTML. Outside dev mode nothing internal is shown; in dev mode the
// page names the layer that failed, the error chain and the stack.
func DefaultErrorHandler(c *Ctx, err error) {
	code := StatusCode(err)
	layer := layerOf(c, err)
	log := c.Logger()
	if code >= 500 {
		log.Error("request failed", "method", c.Method(), "path", c.Path(), "status", code, "layer", layer, "err", err)
	} else {
		log.Debug("request refused", "method", c.Method(), "path", c.Path(), "status", code, "layer", layer, "err", err)
	}
	dev := c.app != nil && c.app.Dev
	msg := PublicMessage(err)

	c.ResetResponse()
	c.Header().Set("Cache-Control", "no-store")

	if PrefersJSON(c) {
		out := struct {
			Error  string      `json:"error"`
			Status int         `json:"status"`
			Fields FieldErrors `json:"fields,omitempty"`
			Layer  Layer       `json:"layer,omitempty"`
			Detail string      `json:"detail,omitempty"`
		}{Error: msg, Status: code}
		errors.As(err, &out.Fields)
		if dev {
			out.Layer, out.Detail = layer, err.Error()
		}
		c.JSON(code, out)
		return
	}
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
	b.WriteString(strconv.Itoa(code))
	b.WriteString(" ")
	b.WriteString(html.EscapeString(StatusText(code)))
	b.WriteString("</title>" + errorStyle(c) + "</head><body><h1>")
	b.WriteString(strconv.Itoa(code))
	b.WriteString(" ")
	b.WriteString(html.EscapeString(StatusText(code)))
	b.WriteString("</h1><p>")
	b.WriteString(html.EscapeString(msg))
	b.WriteString("</p>")
	var fields FieldErrors
	if errors.As(err, &fields) && len(fields) > 0 {
		b.WriteString(`<ul class="field-errors">`)
		for _, name := range fields.Fields() {
			b.WriteString("<li><strong>" + html.EscapeString(name) + "</strong>: " + html.EscapeString(fields[name]) + "</li>")
		}
		b.WriteString("</ul>")
	}
	if dev {
		b.WriteString("<h2>Failed in the " + html.EscapeString(string(layer)) + " layer</h2><p>" +
			html.EscapeString(c.Method()+" "+c.Target()) + "</p><pre>" + html.EscapeString(err.Error()) + "</pre>")
		var pe PanicError
		if errors.As(err, &pe) {
			b.WriteString("<h2>Stack</h2><pre>" + html.EscapeString(string(pe.Stack)) + "</pre>")
		}
	}
	if dev && c.TraceID() != "" {
		b.WriteString(`<p><a href="/_groundup/requests/` + html.EscapeString(c.TraceID()) + `">This request's trace, layer by layer</a></p>`)
	}
	if dev {
		// A router miss: what the router tried, and the nearest routes.
		b.WriteString(routerHTML(c, code))
	}
	b.WriteString("</body></html>\n")
	c.HTML(code, b.String())
}
