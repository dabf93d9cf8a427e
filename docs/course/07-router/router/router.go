// Package router is exercise 7 of the groundup course: a request router
// with path parameters, 404, 405 with Allow, HEAD falling back to GET,
// OPTIONS, and the trailing-slash redirect. Read
// docs/course/07-router/README.md, then replace the bodies below until
// `GROUNDUP_COURSE=mine go test ./docs/course/07-router/...` passes.
package router

// Result is the router's decision for one request.
type Result struct {
	Status   int               // 200 when a route answers; 204 for OPTIONS; 404, 405, or a redirect (301, 308)
	Route    string            // the pattern of the route that answers, "" if none
	Params   map[string]string // the route's parameters, decoded; nil or empty if none
	Allow    string            // for 405 and OPTIONS: the allowed methods, sorted, ", "-separated
	Location string            // for a redirect: where to
}

// Router maps a method and a path to a route. Add the fields you need.
type Router struct {
}

// New returns an empty router.
func New() *Router {
	return &Router{}
}

// Handle registers pattern under method. A pattern is a path whose
// segments may be a parameter, ":name" (one segment), or, last, a
// catch-all, "*name" (the rest of the path, with its leading '/').
func (r *Router) Handle(method, pattern string) {
}

// Lookup decides what answers method on target (a request-target: path,
// maybe a query; the path percent-encoded).
func (r *Router) Lookup(method, target string) Result {
	return Result{}
}
