package framework

import "strings"

// Group is a set of routes under a common path prefix that share
// middleware. Groups nest.
type Group struct {
	app    *App
	prefix string
	mw     []Middleware
	api    bool // from API: every route answers errors in JSON
}

// Group returns a group of routes under prefix, wrapped by mw.
func (a *App) Group(prefix string, mw ...Middleware) *Group {
	checkRouteMiddleware("group "+prefix, mw)
	return &Group{app: a, prefix: strings.TrimSuffix(prefix, "/"), mw: mw}
}

// Group returns a nested group: its prefix and middleware come after the
// parent's.
func (g *Group) Group(prefix string, mw ...Middleware) *Group {
	checkRouteMiddleware("group "+g.prefix+prefix, mw)
	return &Group{app: g.app, prefix: g.prefix + strings.TrimSuffix(prefix, "/"), mw: append(g.mw[:len(g.mw):len(g.mw)], mw...), api: g.api}
}

// Use adds middleware to the group. It applies to the routes registered
// on the group after the call, as in Gin.
func (g *Group) Use(mw ...Middleware) {
	checkRouteMiddleware("group "+g.prefix, mw)
	g.mw = append(g.mw, mw...)
}

// Handle registers a route under the group's prefix with the group's
// middleware, then mw.
func (g *Group) Handle(method, path string, h Handler, mw ...Middleware) *Route {
	all := append(g.mw[:len(g.mw):len(g.mw)], mw...)
	r := g.app.Handle(method, g.prefix+path, h, all...)
	if g.api {
		r.api = true
	}
	return r
}

// GET registers a GET route in the group.
func (g *Group) GET(path string, h Handler, mw ...Middleware) *Route {
	return g.Handle("GET", path, h, mw...)
}

// POST registers a POST route in the group.
func (g *Group) POST(path string, h Handler, mw ...Middleware) *Route {
	return g.Handle("POST", path, h, mw...)
}

// PUT registers a PUT route in the group.
func (g *Group) PUT(path string, h Handler, mw ...Middleware) *Route {
	return g.Handle("PUT", path, h, mw...)
}

// PATCH registers a PATCH route in the group.
func (g *Group) PATCH(path string, h Handler, mw ...Middleware) *Route {
	return g.Handle("PATCH", path, h, mw...)
}

// DELETE registers a DELETE route in the group.
func (g *Group) DELETE(path string, h Handler, mw ...Middleware) *Route {
	return g.Handle("DELETE", path, h, mw...)
}
