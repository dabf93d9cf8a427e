// Package groundup is exercise 8's reference: groundup's App and its
// middleware model (framework.Middleware, App.Use, route middleware) and
// middleware.Recover, behind the exercise's interface. Each of the
// exercise's middleware becomes a framework.Middleware that finds the
// exercise's Ctx on the framework's Ctx, so the order of the chain is
// groundup's own.
package groundup

import (
	"errors"
	"sync"

	"github.com/groundup-go/groundup/docs/course/08-middleware/chain"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
	"github.com/groundup-go/groundup/framework/middleware"
)

type ctxKey struct{}

// App is chain.App by framework.App.
type App struct {
	app *framework.App
	err error // what came out of the chain, for Serve
	ec  *chain.Ctx
}

// New returns an App whose error handler records the chain's error.
func New() *App {
	a := &App{app: framework.New()}
	a.app.ErrorHandler = func(c *framework.Ctx, err error) {
		a.err = err
		c.String(framework.StatusCode(err), "error")
	}
	// Outermost: hand the exercise's Ctx to everything inside.
	a.app.Use(func(next framework.Handler) framework.Handler {
		return func(fc *framework.Ctx) error {
			fc.Set(ctxKey{}, a.ec)
			return next(fc)
		}
	})
	return a
}

var (
	mu    sync.Mutex
	links = map[*chain.Ctx]*framework.Ctx{}
)

func exCtx(fc *framework.Ctx) *chain.Ctx { return fc.Value(ctxKey{}).(*chain.Ctx) }

// convert turns an exercise middleware into a framework one.
func convert(m chain.Middleware) framework.Middleware {
	return func(next framework.Handler) framework.Handler {
		return func(fc *framework.Ctx) error {
			ec := exCtx(fc)
			mu.Lock()
			links[ec] = fc
			mu.Unlock()
			return m(func(ec2 *chain.Ctx) error {
				fc.Set(ctxKey{}, ec2)
				return next(fc)
			})(ec)
		}
	}
}

func convertAll(mw []chain.Middleware) []framework.Middleware {
	out := make([]framework.Middleware, len(mw))
	for i, m := range mw {
		out[i] = convert(m)
	}
	return out
}

// Use is chain.App.Use by App.Use.
func (a *App) Use(mw ...chain.Middleware) { a.app.Use(convertAll(mw)...) }

// GET is chain.App.GET by App.GET with route middleware.
func (a *App) GET(path string, h chain.Handler, mw ...chain.Middleware) {
	a.app.GET(path, func(fc *framework.Ctx) error { return h(exCtx(fc)) }, convertAll(mw)...)
}

// Serve is chain.App.Serve by a request through App.Serve in memory.
func (a *App) Serve(c *chain.Ctx) error {
	a.ec, a.err = c, nil
	frameworktest.Test(a.app.Serve, frameworktest.NewRequest(c.Method, c.Path))
	mu.Lock()
	delete(links, c)
	mu.Unlock()
	err := a.err
	if errors.Is(err, framework.ErrNotFound) {
		return chain.ErrNotFound
	}
	return err
}

// Recover is chain.Recover by middleware.Recover: the exercise's next runs
// inside groundup's Recover, and a recovered framework.PanicError comes
// out as a *chain.PanicError.
func Recover() chain.Middleware {
	fr := middleware.Recover()
	return func(next chain.Handler) chain.Handler {
		return func(ec *chain.Ctx) error {
			mu.Lock()
			fc := links[ec]
			mu.Unlock()
			err := fr(func(*framework.Ctx) error { return next(ec) })(fc)
			var pe framework.PanicError
			if errors.As(err, &pe) {
				return &chain.PanicError{Value: pe.Value}
			}
			return err
		}
	}
}
