package router_test

import (
	"fmt"
	"maps"
	"testing"

	"github.com/groundup-go/groundup/docs/course/07-router/groundup"
	"github.com/groundup-go/groundup/docs/course/07-router/router"
	"github.com/groundup-go/groundup/docs/course/internal/mode"
	"github.com/groundup-go/groundup/docs/course/internal/teach"
)

// The steps run in source order; `go run ./docs/course` reports the first
// that fails.

type impl interface {
	Handle(method, pattern string)
	Lookup(method, target string) router.Result
}

// routes is the table every step registers.
var routes = [][2]string{
	{"GET", "/"},
	{"GET", "/about"},
	{"GET", "/users/:id"},
	{"DELETE", "/users/:id"},
	{"GET", "/users/:id/posts/:post"},
	{"POST", "/users"},
	{"POST", "/form"},
	{"GET", "/static/*filepath"},
}

func newRouter() impl {
	var r impl
	if mode.Reader() {
		r = router.New()
	} else {
		r = groundup.New()
	}
	for _, rt := range routes {
		r.Handle(rt[0], rt[1])
	}
	return r
}

const (
	chapter   = "docs/06-routing.md"
	tree      = chapter + "#the-radix-tree"
	lookup    = chapter + "#what-lookup-gives-us"
	head      = chapter + "#head-falls-back-to-get"
	redirects = chapter + "#redirects"
	options   = chapter + "#options"
	allow405  = chapter + "#405-and-allow"
	notFound  = chapter + "#404"
	decoding  = chapter + "#decoding-the-path-before-lookup"
)

type row struct {
	method, target string
	want           router.Result
	rule, read     string
}

func check(t *testing.T, rows []row) {
	t.Helper()
	r := newRouter()
	for _, c := range rows {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			got := safeLookup(r, c.method, c.target)
			if len(got.Params) == 0 {
				got.Params = nil
			}
			want := c.want
			if len(want.Params) == 0 {
				want.Params = nil
			}
			if got.Status != want.Status || got.Route != want.Route || !maps.Equal(got.Params, want.Params) || got.Allow != want.Allow || got.Location != want.Location {
				teach.Error(t, teach.Lesson{
					Sent: fmt.Sprintf("%s %s, with the routes %v", c.method, c.target, routes),
					Got:  fmt.Sprintf("%+v", got),
					Want: fmt.Sprintf("%+v", want),
					Rule: c.rule,
					Read: c.read,
				})
			}
		})
	}
}

// safeLookup calls Lookup, and reports a panic as a Result no test wants.
func safeLookup(r impl, method, target string) (res router.Result) {
	var err error
	defer func() {
		if err != nil {
			res = router.Result{Status: -1, Route: "(" + err.Error() + ")"}
		}
	}()
	defer teach.Recover(&err, "Lookup")
	return r.Lookup(method, target)
}

func ok(route string, params ...string) router.Result {
	p := map[string]string{}
	for i := 0; i+1 < len(params); i += 2 {
		p[params[i]] = params[i+1]
	}
	return router.Result{Status: 200, Route: route, Params: p}
}

func TestStep1_Static(t *testing.T) {
	check(t, []row{
		{"GET", "/", ok("/"), "a static pattern matches its path exactly", tree},
		{"GET", "/about", ok("/about"), "a static pattern matches its path exactly", tree},
		{"GET", "/nope", router.Result{Status: 404}, "RFC 9110 §15.5.5: no route under any method: 404", notFound},
		{"GET", "/aboutx", router.Result{Status: 404}, "a pattern matches whole segments, not prefixes", notFound},
	})
}

func TestStep2_Params(t *testing.T) {
	check(t, []row{
		{"GET", "/users/42", ok("/users/:id", "id", "42"), "\":id\" matches one whole segment, and names it", lookup},
		{"GET", "/users/42/posts/7", ok("/users/:id/posts/:post", "id", "42", "post", "7"), "each parameter takes one segment", lookup},
		{"GET", "/users/", router.Result{Status: 404}, "a parameter never matches an empty segment", lookup},
		{"GET", "/users/42/posts", router.Result{Status: 404}, "a pattern matches the whole path", lookup},
	})
}

func TestStep3_CatchAll(t *testing.T) {
	check(t, []row{
		{"GET", "/static/css/site.css", ok("/static/*filepath", "filepath", "/css/site.css"), "\"*name\" takes the rest of the path, with its leading '/' (httprouter's convention)", lookup},
		{"GET", "/static/a", ok("/static/*filepath", "filepath", "/a"), "one segment is a rest too", lookup},
	})
}

func TestStep4_Query(t *testing.T) {
	check(t, []row{
		{"GET", "/users/7?tab=posts", ok("/users/:id", "id", "7"), "RFC 9112 §3.2: origin-form = absolute-path [ \"?\" query ]; route on the path only", decoding},
		{"GET", "/about?", ok("/about"), "an empty query is still not part of the path", decoding},
	})
}

func TestStep5_MethodNotAllowed(t *testing.T) {
	check(t, []row{
		{"POST", "/about", router.Result{Status: 405, Allow: "GET, HEAD, OPTIONS"}, "RFC 9110 §15.5.6: the path exists under other methods: 405, and the server MUST send Allow listing them (HEAD comes with GET; OPTIONS is always answered). Sorted, \", \"-separated", allow405},
		{"PUT", "/users/7", router.Result{Status: 405, Allow: "DELETE, GET, HEAD, OPTIONS"}, "RFC 9110 §10.2.1: Allow lists every method the target supports: look the path up under each method", allow405},
		{"GET", "/users", router.Result{Status: 405, Allow: "OPTIONS, POST"}, "RFC 9110 §15.5.6: only POST is registered for /users", allow405},
	})
}

func TestStep6_HEAD(t *testing.T) {
	check(t, []row{
		{"HEAD", "/about", ok("/about"), "RFC 9110 §9.3.2: HEAD is GET without the body; a server answers HEAD wherever it answers GET", head},
		{"HEAD", "/users/9", ok("/users/:id", "id", "9"), "RFC 9110 §9.3.2: the GET route's parameters too", head},
		{"HEAD", "/nope", router.Result{Status: 404}, "no GET route: 404", head},
	})
}

func TestStep7_Options(t *testing.T) {
	check(t, []row{
		{"OPTIONS", "/about", router.Result{Status: 204, Allow: "GET, HEAD, OPTIONS"}, "RFC 9110 §9.3.7: OPTIONS asks what the target supports; answer with Allow and no content (204)", options},
		{"OPTIONS", "/users/7", router.Result{Status: 204, Allow: "DELETE, GET, HEAD, OPTIONS"}, "RFC 9110 §9.3.7", options},
		{"OPTIONS", "*", router.Result{Status: 204, Allow: "DELETE, GET, HEAD, OPTIONS, POST"}, "RFC 9110 §9.3.7: OPTIONS * asks about the server as a whole: every method it has a route for", options},
	})
}

func TestStep8_Decoding(t *testing.T) {
	check(t, []row{
		{"GET", "/users/a%20b", ok("/users/:id", "id", "a b"), "RFC 3986 §2.1: decode the path before matching, so a parameter holds the text the client meant", decoding},
		{"GET", "/users/%E2%9C%93", ok("/users/:id", "id", "✓"), "percent-encoded UTF-8 decodes to its characters", decoding},
		{"GET", "/%61bout", ok("/about"), "RFC 3986 §6.2.2.2: %61 is 'a': an encoded unreserved character is the same path", decoding},
	})
}

func TestStep9_Redirects(t *testing.T) {
	check(t, []row{
		{"GET", "/about/", router.Result{Status: 301, Location: "/about"}, "a path that matches with its trailing slash removed is redirected there: 301 for GET (browsers follow it, and caches may keep it)", redirects},
		{"POST", "/form/", router.Result{Status: 308, Location: "/form"}, "RFC 9110 §15.4.9: for any other method, 308 Permanent Redirect, which keeps the method and the body (a 301 lets a browser turn a POST into a GET)", redirects},
		{"GET", "/x/../about", router.Result{Status: 301, Location: "/about"}, "RFC 3986 §5.2.4: remove dot segments; a path that matches once cleaned is redirected to its clean form", redirects},
		{"GET", "//about", router.Result{Status: 301, Location: "/about"}, "repeated slashes clean to one; and the Location must never start with \"//\", which a browser reads as another host (open redirect)", chapter + "#the-open-redirect-guard"},
	})
}
