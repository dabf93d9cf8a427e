package middleware

import (
	"context"
	"errors"
	"time"

	"github.com/groundup-go/groundup/framework"
)

// TimeoutConfig sets how Timeout answers.
type TimeoutConfig struct {
	// Status is the answer when the deadline passes first; 503 Service
	// Unavailable when 0.
	Status int
	// Message is that error's message, "the server took too long to
	// answer" when empty. As framework.PublicMessage rules, the client
	// sees it only with a status below 500; the log always has it.
	Message string
}

// Timeout gives the handlers after it d to answer. Their context (Ctx.Context,
// and so every database call that takes it) ends at the deadline. If they
// have not returned by then, the request is answered at once with
// cfg.Status (503 by default) through the error handler, and logged at
// warning level. So is a handler that returns the context's error after
// the deadline (context.DeadlineExceeded from a database call, say).
//
// The handlers run on a detached copy of the request (see
// framework.Ctx.RunDetached): a handler still running at the deadline
// writes into a response nobody reads, its writes fail with
// framework.ErrHandlerTimeout, and the connection's Ctx is never shared
// with it, so the next request on the connection is safe from it. Their
// response is held until they return, so a handler under Timeout cannot
// stream (Flush fails): put Timeout on the routes that answer in one
// piece, not on server-sent events.
//
// It works on the app, a group or a route: app.GET("/report", h,
// middleware.Timeout(2*time.Second, middleware.TimeoutConfig{})).
func Timeout(d time.Duration, cfg TimeoutConfig) framework.Middleware {
	if d <= 0 {
		panic("groundup: middleware.Timeout needs a positive duration")
	}
	if cfg.Status == 0 {
		cfg.Status = framework.StatusServiceUnavailable
	}
	if cfg.Message == "" {
		cfg.Message = "the server took too long to answer"
	}
	return func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			ctx, cancel := context.WithTimeoutCause(c.Context(), d, framework.ErrHandlerTimeout)
			defer cancel()
			finished, err := c.RunDetached(ctx, next)
			// A handler that gave up because of the deadline (a query
			// that returned the context's error) timed out too.
			if finished && !(err != nil && ctx.Err() != nil && (errors.Is(err, ctx.Err()) || errors.Is(err, context.Cause(ctx)))) {
				return err
			}
			c.Logger().Warn("handler timed out", "method", c.Method(), "path", c.Path(), "timeout", d,
				"request_id", RequestIDFrom(c))
			return &framework.HTTPError{Code: cfg.Status, Message: cfg.Message, Err: context.Cause(ctx),
				Layer: framework.LayerMiddleware}
		}
	}
}
