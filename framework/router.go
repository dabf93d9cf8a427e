package framework

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/groundup-go/groundup/framework/http1"
	"github.com/julienschmidt/httprouter"
)

// The router: httprouter's radix tree for matching, and our own behaviour
// around it. httprouter's ServeHTTP is not used (it wants net/http's
// request), so what it did on a miss is rebuilt here, in this order:
//
//	0. a path with a dot segment ("/static/./a.txt") redirects to its clean
//	   form when that has a route, before any match: a catch-all would
//	   otherwise take the dots literally
//	1. HEAD falls back to the GET route (the writer drops the body)
//	2. a path that is not clean ("/a/../b", "//b") redirects to its clean form
//	3. "/users/" ↔ "/users" redirects when only the other form has a route
//	4. OPTIONS answers 204 with Allow
//	5. a path that matches under other methods answers 405 with Allow
//	6. otherwise 404
//
// Redirects use 301 for GET and HEAD, and 308 for other methods, which
// keeps the method and body. Before all of it, the static table
// (routestatic.go) answers a path that a route without parameters has
// under the method: no route is more specific, and no step applies.

// App is a router plus the behaviour a web application expects around it:
// middleware, named routes, error handling. Its Serve method is the
// Handler a Server runs.
type App struct {
	// ErrorHandler answers every error a handler returns;
	// DefaultErrorHandler when nil.
	ErrorHandler ErrorHandler
	// NotFound and MethodNotAllowed, when set, answer router misses
	// instead of the ErrorHandler.
	NotFound         Handler
	MethodNotAllowed Handler
	// RedirectTrailingSlash and RedirectCleanPath enable the router's
	// redirects; New turns both on.
	RedirectTrailingSlash bool
	RedirectCleanPath     bool
	// Dev makes error pages show the failing layer and stack.
	Dev bool
	// Traces, in dev mode, is browsed at /_groundup/requests; the
	// app's Server records into it (see TraceStore).
	Traces *TraceStore

	trees []*routeTree // one, unless some routes conflict: see trees.go
	// static finds the routes without parameters by their path, before
	// the trees: see routestatic.go.
	static staticTable
	// rest holds the routes the static table does not hold, in one
	// httprouter tree, while the app has one tree: see oneLookup.
	rest *httprouter.Router
	// paramCatchAll: some pattern has a catch-all behind a parameter.
	paramCatchAll bool
	shapes        map[string]*Route
	routes        []*Route
	names         map[string]*Route
	methods       []string
	mw            []Middleware
	once          sync.Once
	handler       Handler
	tracedOnce    sync.Once
	traced        Handler // handler with every middleware traced

	apiPrefixes []string // from Group.API: errors under these answer in JSON
}

// Route is one registered route: Handle returns it, Routes lists it, and
// Ctx.Route names the one that matched. Its fields are read-only.
type Route struct {
	Method  string
	Path    string
	name    string
	app     *App
	handler Handler // the route's middleware chain around its handler
	api     bool    // from Route.API or Group.API: errors answer in JSON
	options Handler // the router's OPTIONS answer in mw declared AnswersOptions; nil if none

	action     Handler      // the handler alone, for listings
	actionName string       // its name, when the runtime's would mislead
	mw         []Middleware // the route's own middleware, for listings
	tree       int          // the httprouter tree that holds it
	ranks      []int32      // one per segment, for specificity: see beats
	shape      string       // the pattern without parameter names
	static     bool         // no parameter at all
	tracedOnce sync.Once
	traced     Handler // handler with every middleware traced (tracedHandler)
}

// New returns an App with the router's redirects on.
func New() *App {
	return &App{
		RedirectTrailingSlash: true,
		RedirectCleanPath:     true,
		names:                 map[string]*Route{},
		shapes:                map[string]*Route{},
		rest:                  httprouter.New(),
	}
}

// Use adds app-wide middleware. It wraps the router itself, so it runs for
// every request, including 404s, 405s and redirects, and it may change
// the method or path before routing (see MethodOverride). Use must be
// called before the app serves its first request.
func (a *App) Use(mw ...Middleware) {
	if a.handler != nil {
		panic("groundup: App.Use after the app started serving")
	}
	a.mw = append(a.mw, mw...)
}

// Handle registers h for method and path, wrapped by mw. The path uses
// httprouter's syntax: "/users/:id" for one segment, "/files/*path" for the
// rest. A bad or duplicate pattern panics, naming it.
func (a *App) Handle(method, path string, h Handler, mw ...Middleware) *Route {
	if !http1.IsToken(method) {
		panic(fmt.Sprintf("groundup: invalid method %q for path %q", method, path))
	}
	if h == nil {
		panic("groundup: nil handler for " + method + " " + path)
	}
	checkRouteMiddleware(method+" "+path, mw)
	r := &Route{Method: method, Path: path, app: a, handler: chain(controllerLayer(h), mw), action: h, mw: mw, options: optionsChain(mw)}
	r.ranks, r.shape = shapeOf(path)
	r.static = !strings.ContainsAny(path, ":*")
	if i := strings.IndexByte(path, '*'); i > 0 && strings.Contains(path[:i], ":") {
		a.paramCatchAll = true
	}
	a.insert(r)
	a.static.add(r)
	a.addRest(r)
	a.routes = append(a.routes, r)
	if !slices.Contains(a.methods, method) {
		a.methods = append(a.methods, method)
		slices.Sort(a.methods)
	}
	return r
}

// GET registers a GET route; it also answers HEAD.
func (a *App) GET(path string, h Handler, mw ...Middleware) *Route {
	return a.Handle("GET", path, h, mw...)
}

// POST registers a POST route.
func (a *App) POST(path string, h Handler, mw ...Middleware) *Route {
	return a.Handle("POST", path, h, mw...)
}

// PUT registers a PUT route.
func (a *App) PUT(path string, h Handler, mw ...Middleware) *Route {
	return a.Handle("PUT", path, h, mw...)
}

// PATCH registers a PATCH route.
func (a *App) PATCH(path string, h Handler, mw ...Middleware) *Route {
	return a.Handle("PATCH", path, h, mw...)
}

// DELETE registers a DELETE route.
func (a *App) DELETE(path string, h Handler, mw ...Middleware) *Route {
	return a.Handle("DELETE", path, h, mw...)
}

// Name gives the route a name for URL building. Names are unique; a
// duplicate panics.
func (r *Route) Name(name string) *Route {
	if _, dup := r.app.names[name]; dup {
		panic("groundup: duplicate route name " + name + " for " + r.Method + " " + r.Path)
	}
	r.name = name
	r.app.names[name] = r
	return r
}

// RouteName returns the route's name, or "" when it has none.
func (r *Route) RouteName() string { return r.name }

// Routes lists every route in registration order.
func (a *App) Routes() []*Route { return slices.Clone(a.routes) }

// URL builds the path of the named route, filling its parameters in order
// and escaping them: URL("entry", "42") for "/entries/:id" gives
// "/entries/42". A catch-all parameter keeps its slashes.
func (a *App) URL(name string, params ...string) (string, error) {
	r, ok := a.names[name]
	if !ok {
		return "", fmt.Errorf("groundup: no route named %q", name)
	}
	var b strings.Builder
	rest := r.Path
	used := 0
	for rest != "" {
		i := strings.IndexAny(rest, ":*")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		kind := rest[i]
		rest = rest[i+1:]
		end := strings.IndexByte(rest, '/')
		if end < 0 {
			end = len(rest)
		}
		key := rest[:end]
		rest = rest[end:]
		if used == len(params) {
			return "", fmt.Errorf("groundup: route %q needs a value for %q", name, key)
		}
		v := params[used]
		used++
		if kind == '*' {
			b.WriteString((&url.URL{Path: strings.TrimPrefix(v, "/")}).EscapedPath())
		} else {
			if v == "" {
				return "", fmt.Errorf("groundup: route %q: empty value for %q", name, key)
			}
			b.WriteString(url.PathEscape(v))
		}
	}
	if used != len(params) {
		return "", fmt.Errorf("groundup: route %q takes %d parameters, got %d", name, used, len(params))
	}
	return b.String(), nil
}

// URLFor builds the URL of a named route for a view, from the request
// context that templ passes to components. It returns "#" when the route
// does not exist or the parameters do not fit, and logs why, so that a bad
// link shows on the page instead of failing the render.
func URLFor(ctx context.Context, name string, params ...string) string {
	c := FromContext(ctx)
	if c == nil || c.app == nil {
		return "#"
	}
	u, err := c.app.URL(name, params...)
	if err != nil {
		c.Logger().Error("URLFor failed", "err", err)
		return "#"
	}
	return u
}

// Serve is the App's Handler: it runs the app-wide middleware around the
// router. Pass it to a Server.
func (a *App) Serve(c *Ctx) error {
	a.once.Do(func() { a.handler = chainLayer(a.dispatch, a.mw) })
	c.app = a
	if a.Traces != nil || c.tracer() != nil {
		return a.serveTraced(c)
	}
	if len(a.mw) == 0 {
		// No app-wide middleware: the chain is dispatch alone, and a
		// direct call saves the indirect one through the method value.
		return a.dispatch(c)
	}
	return a.handler(c)
}

// dispatch finds the route and runs it, or answers the miss. It acts on
// the decision of decide, which Explain shows; when decide's first lookup
// would hit, it makes that lookup itself and skips the rest.
func (a *App) dispatch(c *Ctx) error {
	c.layer = LayerRouter
	if c.badEsc {
		return &HTTPError{Code: StatusBadRequest, Message: "malformed percent-encoding in path", Layer: LayerRouter}
	}
	if tr := c.tracer(); tr != nil {
		tr.route(a.Explain(c.method, c.head.Target))
	} else {
		// Most requests are decided by decide's first lookup: the static
		// table or, in an app of one tree, that tree. Untraced, they are
		// answered here, without the rest of decide (a decision value,
		// explanation checks, several calls), and the tree asked is the
		// rest tree, which lacks the table's routes and so is walked
		// faster. The rest go through decide, which asks the table and
		// the tree again: only a miss (a redirect, 405 or 404) pays twice.
		if r := a.static.find(c.method, c.path); r != nil {
			c.route = r // no parameters: c.params stays nil
			c.layer = LayerMiddleware
			return r.handler(c)
		}
		if a.oneLookup(c.method, c.path) {
			if h, ps, _ := a.rest.Lookup(c.method, c.path); h != nil {
				r := c.rw.route(h, ps)
				c.route, c.params = r, ps
				c.layer = LayerMiddleware
				return r.handler(c)
			}
		}
	}
	var d decision
	a.decide(&d, &c.rw, c.method, c.path, nil)
	switch d.outcome {
	case routeMatch:
		return runRoute(c, d.route, d.params)
	case routeRedirect:
		to := d.location
		if q := c.head.RawQuery; q != "" {
			to += "?" + q
		}
		return c.Redirect(d.status, to)
	case routeOptions:
		return a.autoOptions(c, c.path, d.allow)
	case routeErrorCSS:
		return serveErrorCSS(c)
	case routeNotAllowed:
		c.Header().Set("Allow", d.allow)
		if a.MethodNotAllowed != nil {
			return a.MethodNotAllowed(c)
		}
		return ErrMethodNotAllowed
	}
	if a.NotFound != nil {
		return a.NotFound(c)
	}
	return ErrNotFound
}

// oneLookup reports whether decide would answer a request for method
// and path with one lookup in one tree, when that lookup hits: the app
// has one tree, and decide has nothing to check first (see decideSpecial
// and cleanTarget). The target "*" needs no test here: no pattern
// matches it, so its lookup misses.
func (a *App) oneLookup(method, path string) bool {
	return a.rest != nil && path != ErrorCSSPath &&
		!(a.RedirectCleanPath && method != "CONNECT" && hasDotSegment(path))
}

// runRoute runs the route that matched, with its parameters.
func runRoute(c *Ctx, r *Route, ps httprouter.Params) error {
	c.route, c.params = r, ps
	c.layer = LayerMiddleware // the route's own middleware, then the controller
	h := r.handler
	if c.tracer() != nil {
		h = r.tracedHandler()
	}
	return h(c)
}

// outcome is what the router does with a request.
type outcome uint8

const (
	routeNotFound   outcome = iota // 404
	routeMatch                     // run the route
	routeRedirect                  // 301 or 308 to location
	routeOptions                   // 204 with Allow
	routeNotAllowed                // 405 with Allow
	routeErrorCSS                  // the error pages' stylesheet
)

// decision is the router's answer for one method and decoded path.
type decision struct {
	outcome  outcome
	route    *Route
	params   httprouter.Params
	status   int    // of a redirect
	location string // of a redirect, escaped, without the query
	allow    string // of OPTIONS and 405
}

// decide is the router: it fills d, which starts zero. dispatch acts on
// its decision, and Explain reports it with the steps that led there (ex
// not nil), so the two cannot disagree. rw carries a hit out of
// httprouter's Handle.
func (a *App) decide(d *decision, rw *routeWriter, method, path string, ex *Explanation) {
	if a.decideStatic(d, method, path, ex) {
		return // a route without parameters, found by its exact path
	}
	if a.decideSpecial(d, method, path, ex) {
		return // "OPTIONS *", and the error pages' stylesheet
	}
	dotted := a.RedirectCleanPath && method != "CONNECT" && hasDotSegment(path)
	if dotted {
		// Before matching: "/static/./a.txt" matches "/static/*filepath"
		// as it stands, and the file server then refuses "./a.txt". A
		// browser or nginx would have resolved the dots (RFC 3986
		// §5.2.4), so the router sends the client to the path it meant.
		if to, ok := a.cleanTarget(method, path, ex); ok {
			*d = decision{outcome: routeRedirect, status: redirectCode(method), location: to}
			return
		}
	}
	if r, ps := a.match(rw, method, path, ex); r != nil {
		d.outcome, d.route, d.params = routeMatch, r, ps
		return
	}
	if method == "HEAD" {
		if ex != nil {
			ex.step(-1, "no HEAD route: HEAD falls back to GET")
		}
		if r, ps := a.match(rw, "GET", path, ex); r != nil {
			d.outcome, d.route, d.params = routeMatch, r, ps
			return
		}
	}
	if method != "CONNECT" {
		if to, ok := a.redirectTarget(method, path, !dotted, ex); ok {
			*d = decision{outcome: routeRedirect, status: redirectCode(method), location: to}
			return
		}
	}
	allow := a.allowed(path, method)
	if method == "OPTIONS" && allow != "" {
		if ex != nil {
			ex.step(-1, "no OPTIONS route: the router answers 204 with Allow: %s", allow)
		}
		d.outcome, d.allow = routeOptions, allow
		return
	}
	if allow != "" {
		if ex != nil {
			ex.step(-1, "other methods have a route for the path: 405 with Allow: %s", allow)
		}
		d.outcome, d.allow = routeNotAllowed, allow
		return
	}
	if ex != nil {
		ex.step(-1, "no route under any method: 404")
	}
	d.outcome = routeNotFound
}

// decideStatic is decide's first step: the static table. A route it
// finds is the most specific route there is, found by its exact path, and
// none of decide's other steps can apply to a path the table holds.
func (a *App) decideStatic(d *decision, method, path string, ex *Explanation) bool {
	r := a.static.find(method, path)
	if r == nil {
		return false
	}
	if ex != nil {
		if r.Method != method {
			ex.step(-1, "no HEAD route: HEAD falls back to GET")
		}
		ex.step(-1, "static table: %s %s matches a route without parameters, so no tree is asked", r.Method, path)
	}
	d.outcome, d.route = routeMatch, r
	return true
}

// decideSpecial answers the targets that are not a route's: "*" and the
// error pages' stylesheet.
func (a *App) decideSpecial(d *decision, method, path string, ex *Explanation) bool {
	if path == "*" {
		// "OPTIONS *" asks about the server as a whole (RFC 9110 §9.3.7).
		if ex != nil {
			ex.step(-1, "the target * asks about the server as a whole: every method is listed")
		}
		d.outcome, d.allow = routeOptions, a.allowAll()
		return true
	}
	if path == ErrorCSSPath && (method == "GET" || method == "HEAD") {
		if ex != nil {
			ex.step(-1, "%s is the error pages' stylesheet, which the framework serves", ErrorCSSPath)
		}
		d.outcome = routeErrorCSS
		return true
	}
	return false
}
