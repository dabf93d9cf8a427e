package framework

import (
	"fmt"
	"html"
	"net/url"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// Explanation is the router's decision for one request, as data: the
// steps it took, and what it answers. App.Explain builds it through the
// same code as dispatch (see decide), so it says what a real request
// would get.
type Explanation struct {
	Method string
	Path   string // the decoded path that was looked up
	Trees  int    // how many httprouter trees the app has
	Steps  []ExplainStep

	// Status is what the router answers with: 0 when a route matched
	// (its handler answers), else 301 or 308 (redirect), 204 (OPTIONS),
	// 405, 404, 400 for a malformed path, or 200 for ErrorCSSPath.
	Status   int
	Route    *Route       // the route that matched, or nil
	Params   []RouteParam // its parameters, in pattern order
	Location string       // the redirect target, without the query
	Allow    string       // the Allow header of a 204 or 405
	Nearest  []*Route     // on a 404 or 405: the routes closest to the path
}

// ExplainStep is one step of an Explanation. Tree is the index of the
// httprouter tree asked, or -1 for a step outside the trees.
type ExplainStep struct {
	Tree int
	Text string
}

// RouteParam is one route parameter and its value.
type RouteParam struct {
	Name, Value string
}

func (e *Explanation) step(tree int, format string, args ...any) {
	e.Steps = append(e.Steps, ExplainStep{Tree: tree, Text: fmt.Sprintf(format, args...)})
}

// Explain returns the decision the router makes for a request of method
// to target (a path, with or without a query), without running any
// handler or middleware. App-wide middleware that rewrites the method
// (MethodOverride) runs before this decision in a real request.
func (a *App) Explain(method, target string) Explanation {
	path, _, _ := strings.Cut(target, "?")
	ex := &Explanation{Method: method, Path: path, Trees: len(a.trees)}
	if strings.IndexByte(path, '%') >= 0 {
		p, err := url.PathUnescape(path)
		if err != nil {
			ex.step(-1, "the path has a malformed percent-escape: 400")
			ex.Status = StatusBadRequest
			return *ex
		}
		ex.Path = p
	}
	var d decision
	a.decide(&d, &routeWriter{}, method, ex.Path, ex)
	switch d.outcome {
	case routeMatch:
		ex.Route = d.route
		for _, p := range d.params {
			ex.Params = append(ex.Params, RouteParam{Name: p.Key, Value: p.Value})
		}
	case routeRedirect:
		ex.Status, ex.Location = d.status, d.location
	case routeErrorCSS:
		ex.Status = StatusOK
	case routeOptions:
		ex.Status, ex.Allow = StatusNoContent, d.allow
	case routeNotAllowed:
		ex.Status, ex.Allow = StatusMethodNotAllowed, d.allow
		ex.Nearest = a.nearest(method, ex.Path)
	default:
		ex.Status = StatusNotFound
		ex.Nearest = a.nearest(method, ex.Path)
	}
	return *ex
}

// String renders the explanation as text, one step a line, as
// `go run ./app -explain "GET /entries/7"` prints it.
func (e Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%d %s)\n", e.Method, e.Path, e.Trees, plural(e.Trees, "tree", "trees"))
	for _, s := range e.Steps {
		if s.Tree >= 0 {
			fmt.Fprintf(&b, "  tree %d: %s\n", s.Tree, s.Text)
		} else {
			fmt.Fprintf(&b, "  %s\n", s.Text)
		}
	}
	b.WriteString("=> " + e.Result() + "\n")
	if len(e.Nearest) > 0 {
		b.WriteString("nearest routes:\n")
		for _, r := range e.Nearest {
			fmt.Fprintf(&b, "  %-7s %s\n", r.Method, r.Path)
		}
	}
	return b.String()
}

// Result is the decision in one line: the route and its parameters, or
// the status the router answers with.
func (e Explanation) Result() string {
	switch {
	case e.Route != nil:
		s := e.Route.Method + " " + e.Route.Path
		if e.Route.name != "" {
			s += " (" + e.Route.name + ")"
		}
		for i, p := range e.Params {
			if i == 0 {
				s += " with "
			} else {
				s += ", "
			}
			s += p.Name + "=" + strconv.Quote(p.Value)
		}
		return s
	case e.Location != "":
		return fmt.Sprintf("%d %s to %s", e.Status, StatusText(e.Status), e.Location)
	case e.Allow != "":
		return fmt.Sprintf("%d %s, Allow: %s", e.Status, StatusText(e.Status), e.Allow)
	}
	return fmt.Sprintf("%d %s", e.Status, StatusText(e.Status))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// maxNearest bounds the nearest routes an explanation lists.
const maxNearest = 5

// nearest returns the routes closest to path: those that accept the
// most leading segments of it, then those whose literal start shares the
// most characters with it, the method's own routes first among equals.
func (a *App) nearest(method, path string) []*Route {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	type scored struct {
		r     *Route
		score int
	}
	var list []scored
	for _, r := range a.routes {
		n, common := agreement(r.Path, segs), commonPrefix(path, staticPrefix(r.Path))
		if n == 0 && common < 2 {
			continue
		}
		score := 4 * (n<<16 + common)
		if r.Method == method || method == "HEAD" && r.Method == "GET" {
			score++
		}
		list = append(list, scored{r, score})
	}
	slices.SortStableFunc(list, func(x, y scored) int { return y.score - x.score })
	var out []*Route
	for i := 0; i < len(list) && i < maxNearest; i++ {
		out = append(out, list[i].r)
	}
	return out
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// agreement counts the leading segments of path that pattern accepts.
func agreement(pattern string, segs []string) int {
	pats := strings.Split(strings.Trim(pattern, "/"), "/")
	n := 0
	for i, p := range pats {
		if i >= len(segs) || segs[i] == "" {
			break
		}
		j := strings.IndexAny(p, ":*")
		switch {
		case j < 0 && p == segs[i]:
		case j >= 0 && p[j] == '*':
			return n + len(segs) - i
		case j >= 0 && strings.HasPrefix(segs[i], p[:j]):
		default:
			return n
		}
		n++
	}
	return n
}

// HandlerName returns the name of the route's handler function, as the
// runtime knows it, without the import path: "controllers.(*Entries).Show"
// for the method value entries.Show. An anonymous function is named
// after the function that holds it: "main.routes.func3".
func (r *Route) HandlerName() string {
	if r.actionName != "" {
		return r.actionName
	}
	return strings.TrimSuffix(funcName(r.action), "-fm")
}

// MiddlewareNames returns the names of the route's own middleware, in the
// order they run: "session.CSRF" for the func that CSRF returned.
// App-wide middleware (App.Use) is not included.
func (r *Route) MiddlewareNames() []string {
	out := make([]string, len(r.mw))
	for i, m := range r.mw {
		out[i] = trimClosure(funcName(m))
	}
	return out
}

// funcName names a func value by its code pointer, without the import
// path: "session.CSRF.func1".
func funcName(f any) string {
	v := reflect.ValueOf(f)
	if v.Kind() != reflect.Func || v.IsNil() {
		return ""
	}
	fn := runtime.FuncForPC(v.Pointer())
	if fn == nil {
		return "?"
	}
	name := fn.Name()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	// A method value (h.Authenticate) is named with a "-fm" suffix by
	// the runtime: the method's own name reads better.
	return strings.TrimSuffix(name, "-fm")
}

// trimClosure drops the ".func1" parts that name a closure after the
// function that returned it: "session.CSRF.func1" is "session.CSRF".
func trimClosure(name string) string {
	for {
		i := strings.LastIndex(name, ".func")
		if i < 0 || strings.Trim(name[i+len(".func"):], "0123456789") != "" {
			return name
		}
		name = name[:i]
	}
}

// methodName names the method name of ctrl as the runtime does:
// "controllers.(*Entries).Show".
func methodName(ctrl any, name string) string {
	t := reflect.TypeOf(ctrl)
	if t.Kind() == reflect.Pointer {
		return strings.Replace(t.Elem().String(), ".", ".(*", 1) + ")." + name
	}
	return t.String() + "." + name
}

// routerHTML is the dev-mode error page's router section for a 404 or 405
// that the router answered: the explanation and the nearest routes, as
// Symfony's routing panel shows them.
func routerHTML(c *Ctx, code int) string {
	if c.app == nil || c.route != nil || code != StatusNotFound && code != StatusMethodNotAllowed {
		return ""
	}
	e := c.app.Explain(c.Method(), c.RawPath())
	var b strings.Builder
	b.WriteString("<h2>What the router did</h2><pre>")
	b.WriteString(html.EscapeString(e.String()))
	b.WriteString("</pre>")
	if len(e.Nearest) > 0 {
		b.WriteString("<h2>Nearest routes</h2><table><tr><th>Method</th><th>Pattern</th><th>Name</th><th>Handler</th></tr>")
		for _, r := range e.Nearest {
			fmt.Fprintf(&b, "<tr><td>%s</td><td><code>%s</code></td><td>%s</td><td><code>%s</code></td></tr>",
				html.EscapeString(r.Method), html.EscapeString(r.Path), html.EscapeString(r.name), html.EscapeString(r.HandlerName()))
		}
		b.WriteString("</table>")
	}
	return b.String()
}
