// Package chain is exercise 8 of the groundup course: middleware as
// func(Handler) Handler, composed at app and route level, and a Recover
// middleware that turns a panic into an error. Read
// docs/course/08-middleware/README.md, then replace the bodies below until
// `GROUNDUP_COURSE=mine go test ./docs/course/08-middleware/...` passes.
package chain

import (
	"errors"
	"fmt"
)

// Ctx is one request, as small as the exercise needs.
type Ctx struct {
	Method, Path string
	Trace        []string       // middleware and handlers append to it; the tests read the order
	Values       map[string]any // per-request values, for middleware to hand data on
}

// Handler answers a request, or returns an error for the app to answer.
type Handler func(c *Ctx) error

// Middleware wraps a Handler: code before next runs on the way in, code
// after it on the way out.
type Middleware func(next Handler) Handler

// ErrNotFound is what Serve returns for a path with no route.
var ErrNotFound = errors.New("404 not found")

// ErrNotImplemented is what the untouched skeleton returns.
var ErrNotImplemented = errors.New("chain: not implemented")

// PanicError is what Recover returns for a panic: the value passed to
// panic.
type PanicError struct {
	Value any
}

func (p *PanicError) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// App holds GET routes and app-level middleware. Add the fields you need.
type App struct {
}

// New returns an empty App.
func New() *App {
	return &App{}
}

// Use adds app-level middleware, outermost first: Use(a, b) runs a, then
// b, then the route's own middleware, then the handler. It applies to
// every route, whenever registered.
func (a *App) Use(mw ...Middleware) {
}

// GET registers h for path, wrapped in mw (outermost first) inside the
// app-level middleware.
func (a *App) GET(path string, h Handler, mw ...Middleware) {
}

// Serve runs the chain for c.Method and c.Path and returns the error that
// comes out of it: ErrNotFound when no route has the path.
func (a *App) Serve(c *Ctx) error {
	return ErrNotImplemented
}

// Recover returns middleware that runs next and turns a panic inside it
// into a *PanicError, returned like any other error.
func Recover() Middleware {
	return func(next Handler) Handler {
		return func(c *Ctx) error { return ErrNotImplemented }
	}
}
