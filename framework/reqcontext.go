package framework

import (
	"context"
	"sync/atomic"
)

// The request's context.Context: made on first use, cancelled when the
// client goes away or the server gives up, replaceable by middleware, and
// safe to keep after the request (it then stops answering FromContext).

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
			c.conn.startWatch(cancel)
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
