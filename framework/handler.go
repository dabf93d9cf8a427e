package framework

import "errors"

// The handler model, whole: a Handler answers a request, a Middleware
// wraps a Handler with code that runs before and after it, and a chain
// is middleware applied last to first, so that the first listed runs
// first. App.Use, Group and a route's own middleware are all chains.
// The stock middleware is built on it from outside the package, in
// framework/middleware and framework/session.

// Handler answers a request. A returned error goes to the ErrorHandler.
type Handler func(c *Ctx) error

// Middleware wraps a Handler with behaviour before and after it.
type Middleware func(next Handler) Handler

// chain wraps h in mw, so that mw[0] runs first.
func chain(h Handler, mw []Middleware) Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// chainLayer is chain for app-wide middleware: it marks the request as in
// the middleware layer until the router takes over.
func chainLayer(h Handler, mw []Middleware) Handler {
	if len(mw) == 0 {
		return h // the router marks its own layer
	}
	inner := chain(h, mw)
	return func(c *Ctx) error {
		c.layer = LayerMiddleware
		return inner(c)
	}
}

// controllerLayer marks errors and panics from the handler itself as the
// controller layer's, for dev error pages.
func controllerLayer(h Handler) Handler {
	return func(c *Ctx) error {
		prev := c.layer
		c.layer = LayerController
		err := h(c)
		if err != nil {
			var he *HTTPError
			if !errors.As(err, &he) || he.Layer == "" {
				err = layerError{err, LayerController}
			}
		} else {
			c.layer = prev
		}
		return err
	}
}
