// Package groundup is exercise 7's reference: groundup's router (App's
// routes, on httprouter's tree), behind the exercise's interface. Each
// route answers with its pattern and parameters in response fields, and
// Lookup sends a real request through the in-memory pipeline.
package groundup

import (
	"net/url"
	"strings"

	"github.com/groundup-go/groundup/docs/course/07-router/router"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// Router is router.Router by framework.App.
type Router struct {
	app *framework.App
}

// New returns an App with its default redirects.
func New() *Router {
	return &Router{app: framework.New()}
}

// Handle is router.Router.Handle by App.Handle.
func (r *Router) Handle(method, pattern string) {
	r.app.Handle(method, pattern, func(c *framework.Ctx) error {
		params := url.Values{}
		for _, seg := range strings.Split(pattern, "/") {
			if seg != "" && (seg[0] == ':' || seg[0] == '*') {
				params.Set(seg[1:], c.Param(seg[1:]))
			}
		}
		c.Header().Set("X-Route", url.QueryEscape(pattern))
		c.Header().Set("X-Params", params.Encode())
		return c.NoContent(200)
	})
}

// Lookup is router.Router.Lookup by a request through App.Serve.
func (r *Router) Lookup(method, target string) router.Result {
	res := frameworktest.Test(r.app.Serve, frameworktest.NewRequest(method, target))
	out := router.Result{Status: res.Status, Allow: res.Get("Allow"), Location: res.Get("Location")}
	if route := res.Get("X-Route"); route != "" {
		out.Route, _ = url.QueryUnescape(route)
	}
	if q, err := url.ParseQuery(res.Get("X-Params")); err == nil && len(q) > 0 {
		out.Params = map[string]string{}
		for k := range q {
			out.Params[k] = q.Get(k)
		}
	}
	return out
}
