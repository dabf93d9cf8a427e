package framework

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/julienschmidt/httprouter"
)

// Several trees: httprouter refuses a static segment beside a parameter
// under one method ("/entries/new" beside "/entries/:id"), and a
// parameter beside another of a different name ("/u/:id" beside
// "/u/:name/posts"). Each of its trees holds routes that never overlap,
// so it answers a lookup without backtracking. We keep that tree and add
// more of them: a route that conflicts with the routes of the first tree
// goes into the second, and so on. A path is then looked up in every tree
// that may hold it, and of the routes that match, the most specific wins,
// segment by segment: a static segment beats a parameter, a parameter
// beats a catch-all (the order echo uses).
//
// An app without conflicts has one tree, and pays one lookup, as plain
// httprouter does.

// routeTree is one httprouter tree and the routes in it.
type routeTree struct {
	router *httprouter.Router
	routes []*Route
	// prefix is the longest prefix that every route of the tree starts
	// with, before its first parameter. A path without it cannot match
	// here, so the tree is not asked.
	prefix string
}

// rank orders one segment of a pattern: lower is more specific.
const (
	rankStatic   = 0
	rankParam    = 1 << 20 // minus the length of the literal text before ':'
	rankCatchAll = 1 << 21
)

// shapeOf returns the pattern's ranks, one per segment, and its shape: the
// pattern without parameter names. Two routes of one method with the same
// shape match the same paths, so the second is a duplicate.
func shapeOf(pattern string) (ranks []int32, shape string) {
	var b strings.Builder
	for _, seg := range strings.Split(pattern, "/")[1:] {
		b.WriteByte('/')
		switch j := strings.IndexAny(seg, ":*"); {
		case j < 0:
			b.WriteString(seg)
			ranks = append(ranks, rankStatic)
		case seg[j] == '*':
			b.WriteString(seg[:j] + "*")
			ranks = append(ranks, rankCatchAll)
		default:
			b.WriteString(seg[:j] + ":")
			ranks = append(ranks, int32(rankParam-min(j, rankParam-1)))
		}
	}
	return ranks, b.String()
}

// beats reports whether r is more specific than o. Both match the same
// path: their segments are compared from the left, and the first that
// differs decides.
func (r *Route) beats(o *Route) bool {
	for i := 0; i < len(r.ranks) && i < len(o.ranks); i++ {
		if r.ranks[i] != o.ranks[i] {
			return r.ranks[i] < o.ranks[i]
		}
	}
	return false
}

// staticPrefix is the pattern up to its first parameter.
func staticPrefix(pattern string) string {
	if i := strings.IndexAny(pattern, ":*"); i >= 0 {
		return pattern[:i]
	}
	return pattern
}

// insert puts r into the first tree that takes it, or a new one. A
// pattern httprouter refuses on its own (a bad pattern) panics with
// httprouter's reason.
func (a *App) insert(r *Route) {
	// A scratch tree tells a bad pattern from a conflict: only a bad
	// pattern is refused by an empty tree.
	if reason := tryHandle(httprouter.New(), r); reason != "" {
		panic(fmt.Sprintf("groundup: cannot register %s %s: %s", r.Method, r.Path, reason))
	}
	key := r.Method + " " + r.shape
	if o := a.shapes[key]; o != nil {
		panic(fmt.Sprintf("groundup: cannot register %s %s: it matches the same paths as %s %s", r.Method, r.Path, o.Method, o.Path))
	}
	a.shapes[key] = r
	for i, t := range a.trees {
		if tryHandle(t.router, r) == "" {
			r.tree = i
			t.add(r)
			return
		}
		// A refused pattern may leave the tree half-changed: build it
		// again from its routes.
		t.router = httprouter.New()
		for _, o := range t.routes {
			tryHandle(t.router, o)
		}
	}
	t := &routeTree{router: httprouter.New()}
	r.tree = len(a.trees)
	tryHandle(t.router, r)
	t.add(r)
	a.trees = append(a.trees, t)
}

// addRest adds r to the rest tree (App.rest) unless the static table
// holds it. For a path the table does not hold under the method, the rest
// tree answers as the one tree would: every route of the tree that could
// match such a path is in it. With fewer nodes, a lookup walks less: for
// "/user/:name" beside a few static routes, its root is "/user/" instead
// of "/". A second tree ends it, for good: oneLookup is for one tree.
func (a *App) addRest(r *Route) {
	switch {
	case a.rest == nil: // ended
	case len(a.trees) > 1:
		a.rest = nil
	case !inStaticTable(r) && tryHandle(a.rest, r) != "":
		a.rest = nil // some of one tree's routes: never refused, but be safe
	}
}

func (t *routeTree) add(r *Route) {
	p := staticPrefix(r.Path)
	if len(t.routes) == 0 {
		t.prefix = p
	} else {
		t.prefix = t.prefix[:commonPrefix(p, t.prefix)]
	}
	t.routes = append(t.routes, r)
}

// tryHandle registers r's pattern in tree and returns httprouter's panic
// message, or "" when the tree took it.
func tryHandle(tree *httprouter.Router, r *Route) (reason string) {
	defer func() {
		if v := recover(); v != nil {
			reason = fmt.Sprint(v)
		}
	}()
	// The closure is how a Lookup result leads back to our route:
	// httprouter.Handle values cannot be compared or used as keys.
	tree.Handle(r.Method, r.Path, func(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
		w.(*routeWriter).hit = r
	})
	return ""
}

// match returns the most specific route of method for path across the
// trees, and its parameters. rw carries the hit out of httprouter's
// Handle; ex, when not nil, records each tree asked.
func (a *App) match(rw *routeWriter, method, path string, ex *Explanation) (*Route, httprouter.Params) {
	if len(a.trees) == 1 && ex == nil {
		return a.trees[0].lookup(rw, method, path) // no conflicts: one tree, one answer
	}
	return a.matchTrees(rw, method, path, ex)
}

// matchTrees is match across several trees, or with an explanation. It
// is apart from match so that match stays small enough to be inlined.
func (a *App) matchTrees(rw *routeWriter, method, path string, ex *Explanation) (*Route, httprouter.Params) {
	var best *Route
	var bestPs httprouter.Params
	for i, t := range a.trees {
		if best != nil && best.static {
			// A route without parameters is the most specific there is.
			if ex != nil {
				ex.step(i, "not asked: %s has no parameters, so nothing is more specific", best.Path)
			}
			break
		}
		if !strings.HasPrefix(path, t.prefix) {
			if ex != nil {
				ex.step(i, "not asked: every route in it starts with %q", t.prefix)
			}
			continue
		}
		r, ps := t.lookup(rw, method, path)
		if r == nil {
			if ex != nil {
				ex.step(i, "%s %s: no route", method, path)
			}
			continue
		}
		if ex != nil {
			ex.step(i, "%s %s: matches %s%s", method, path, r.Path, formatParams(ps))
		}
		if best == nil || r.beats(best) {
			if best != nil && ex != nil {
				ex.step(i, "%s is more specific than %s", r.Path, best.Path)
			}
			best, bestPs = r, ps
		} else if ex != nil {
			ex.step(i, "%s is more specific than %s", best.Path, r.Path)
		}
	}
	return best, bestPs
}

// lookup asks the tree's httprouter for method and path, and returns the
// route its Handle names.
func (t *routeTree) lookup(rw *routeWriter, method, path string) (*Route, httprouter.Params) {
	h, ps, _ := t.router.Lookup(method, path)
	if h == nil {
		return nil, nil
	}
	return rw.route(h, ps), ps
}

// has reports whether a route of method matches path in some tree.
func (a *App) has(method, path string) bool {
	for _, t := range a.trees {
		if h, _, _ := t.router.Lookup(method, path); h != nil {
			return true
		}
	}
	return false
}

// hinted reports whether some tree says that path with a trailing slash
// added might match (httprouter's tsr).
func (a *App) hinted(method, path string) bool {
	for _, t := range a.trees {
		if _, _, tsr := t.router.Lookup(method, path); tsr {
			return true
		}
	}
	return false
}

// found is has, with HEAD falling back to GET.
func (a *App) found(method, path string) bool {
	return a.has(method, path) || method == "HEAD" && a.has("GET", path)
}

func formatParams(ps httprouter.Params) string {
	if len(ps) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(" with ")
	for i, p := range ps {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s=%q", p.Key, p.Value)
	}
	return b.String()
}

// routeWriter exists only to carry a lookup's hit out of httprouter's
// Handle, whose signature wants an http.ResponseWriter. It is the one
// place the router touches a net/http type, and none of its methods is
// called by the router.
type routeWriter struct {
	c   *Ctx
	hit *Route
}

// route calls h, a handle that Lookup returned, and returns the route
// it names.
func (w *routeWriter) route(h httprouter.Handle, ps httprouter.Params) *Route {
	h(w, nil, ps)
	r := w.hit
	w.hit = nil
	return r
}

func (w *routeWriter) Header() http.Header         { return nil }
func (w *routeWriter) Write(p []byte) (int, error) { return w.c.Write(p) }
func (w *routeWriter) WriteHeader(code int)        { w.c.Status(code) }

// allowed lists the methods with a route for path, other than skip, as an
// Allow value: "GET, HEAD, OPTIONS, POST". Empty when none.
func (a *App) allowed(path, skip string) string {
	var list []string
	for _, m := range a.methods {
		if m == skip || m == "OPTIONS" {
			continue
		}
		if a.has(m, path) {
			list = append(list, m)
			if m == "GET" && skip != "HEAD" && !slices.Contains(a.methods, "HEAD") {
				list = append(list, "HEAD")
			}
		}
	}
	if len(list) == 0 {
		return ""
	}
	// OPTIONS is always allowed: the router answers it itself.
	list = append(list, "OPTIONS")
	slices.Sort(list)
	return strings.Join(slices.Compact(list), ", ")
}

func (a *App) allowAll() string {
	list := append([]string{"OPTIONS"}, a.methods...)
	if slices.Contains(list, "GET") {
		list = append(list, "HEAD")
	}
	slices.Sort(list)
	return strings.Join(slices.Compact(list), ", ")
}
