package framework

import (
	"errors"
	"fmt"
	"reflect"
)

// Middleware that declares where it belongs. A Middleware is a plain
// function, so what it needs is said by wrapping it: AppOnly for
// middleware that must run before routing, AnswersOptions for middleware
// that must also see the OPTIONS requests the router answers itself. The
// app checks the declarations when routes and groups are registered, so
// a misplaced middleware fails at start-up, not silently per request.

var errNoApp = errors.New("groundup: RedirectTo needs a request routed by an App")

// AppOnly declares that mw works only around the router, added with
// App.Use: it changes what the router sees (the method, the path), so on
// a group or route, where routing is already done, it would do nothing
// or the wrong thing. Putting it there panics at registration with name
// and why in the message. middleware.MethodOverride is one.
//
//go:noinline
func AppOnly(name, why string, mw Middleware) Middleware {
	return func(next Handler) Handler {
		if next == nil {
			// The registration check asks; see checkRouteMiddleware.
			panic(name + " must be added with App.Use, not on a group or route: " + why)
		}
		return mw(next)
	}
}

// AnswersOptions declares that mw also runs for the OPTIONS requests the
// router answers itself ("204 No Content" with Allow, for a path that
// has routes but no OPTIONS route), when it is on a group or route. The
// router runs the route's middleware that are so declared, in order,
// around its answer; the route that lends them is the one for the
// method a CORS preflight names in Access-Control-Request-Method, else
// the first of the path's methods in order. middleware.CORS is one, so
// that a group's CORS answers its preflights. Other middleware (an
// authentication check, say) do not run: a preflight carries no
// credentials. Middleware added with App.Use sees every request anyway.
//
//go:noinline
func AnswersOptions(mw Middleware) Middleware {
	return func(next Handler) Handler { return mw(next) }
}

var (
	appOnlyPC        = reflect.ValueOf(AppOnly("", "", nil)).Pointer()
	answersOptionsPC = reflect.ValueOf(AnswersOptions(nil)).Pointer()
)

// checkRouteMiddleware panics if one of mw, about to wrap a group's or a
// route's handlers (where), was declared AppOnly.
func checkRouteMiddleware(where string, mw []Middleware) {
	for i, m := range mw {
		if m == nil {
			panic(fmt.Sprintf("groundup: nil middleware #%d on %s", i+1, where))
		}
		if reflect.ValueOf(m).Pointer() != appOnlyPC {
			continue
		}
		func() {
			defer func() {
				if v := recover(); v != nil {
					panic(fmt.Sprintf("groundup: %v (on %s)", v, where))
				}
			}()
			m(nil)
		}()
	}
}

// optionsChain wraps the router's OPTIONS answer in those of mw declared
// AnswersOptions, or returns nil when there are none.
func optionsChain(mw []Middleware) Handler {
	var keep []Middleware
	for _, m := range mw {
		if reflect.ValueOf(m).Pointer() == answersOptionsPC {
			keep = append(keep, m)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	return chain(answerOptions, keep)
}

// answerOptions is the router's own OPTIONS answer: 204 with the Allow
// field dispatch has set.
func answerOptions(c *Ctx) error { return c.NoContent(StatusNoContent) }

// autoOptions answers an OPTIONS request for a path that has routes but
// no OPTIONS route: through the middleware of a route of the path that
// answer OPTIONS (see AnswersOptions), else with 204 and Allow alone.
func (a *App) autoOptions(c *Ctx, path, allow string) error {
	c.Header().Set("Allow", allow)
	if path == "*" {
		// "OPTIONS *" asks about the server, not a route (RFC 9110 §9.3.7).
		return c.NoContent(StatusNoContent)
	}
	methods := a.methods
	if m := c.RequestHeader("Access-Control-Request-Method"); m != "" {
		methods = append([]string{m}, methods...)
	}
	for _, m := range methods {
		if m == "OPTIONS" {
			continue
		}
		r, _ := a.match(&c.rw, m, path, nil)
		if r == nil {
			continue
		}
		if r.options == nil {
			break
		}
		c.layer = LayerMiddleware
		return r.options(c)
	}
	return c.NoContent(StatusNoContent)
}
