package framework_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// conflictApp holds every kind of conflict httprouter refuses in one
// tree: static beside parameter, parameters of different names at one
// position, static and parameter beside catch-all, and a catch-all beside
// its own root.
func conflictApp() *framework.App {
	app := framework.New()
	for _, r := range [][2]string{
		{"GET", "/entries"},
		{"GET", "/entries/new"}, // static first, then the parameter
		{"GET", "/entries/:id"},
		{"GET", "/entries/:id/edit"},
		{"PUT", "/entries/:id"},
		{"GET", "/entries/live"}, // parameter first, then the static
		{"GET", "/u/:id"},
		{"GET", "/u/:name/posts"}, // another name at the same position
		{"GET", "/files/*path"},
		{"GET", "/files/readme"},     // static beside catch-all
		{"GET", "/files/:dir/index"}, // parameter beside catch-all
		{"GET", "/src/*filepath"},
		{"GET", "/src/"}, // the catch-all's own root
		{"POST", "/u/:name/posts"},
		{"GET", "/:lang/about"}, // parameter beside every static first segment
	} {
		app.Handle(r[0], r[1], patternHandler)
	}
	return app
}

// patternHandler answers with the matched pattern and its parameters.
func patternHandler(c *framework.Ctx) error {
	return c.String(200, c.Route().Path+framework.MatchedParams(c))
}

func TestTreesConflicts(t *testing.T) {
	app := conflictApp()
	if got := framework.TreeCount(app); got < 2 {
		t.Fatalf("%d trees; conflicts need more than one", got)
	}
	tests := []struct {
		method, target string
		status         int
		want           string // the pattern and parameters, or the Location or Allow
	}{
		{"GET", "/entries/new", 200, "/entries/new"},
		{"GET", "/entries/7", 200, `/entries/:id with id="7"`},
		{"GET", "/entries/ne", 200, `/entries/:id with id="ne"`},
		{"GET", "/entries/newx", 200, `/entries/:id with id="newx"`},
		{"GET", "/entries/live", 200, "/entries/live"},
		{"GET", "/entries/new/edit", 200, `/entries/:id/edit with id="new"`},
		{"HEAD", "/entries/new", 200, ""},
		{"GET", "/u/7", 200, `/u/:id with id="7"`},
		{"GET", "/u/ada/posts", 200, `/u/:name/posts with name="ada"`},
		{"POST", "/u/ada/posts", 200, `/u/:name/posts with name="ada"`},
		{"GET", "/files/readme", 200, "/files/readme"},
		{"GET", "/files/readme2", 200, `/files/*path with path="/readme2"`},
		{"GET", "/files/docs/index", 200, `/files/:dir/index with dir="docs"`},
		{"GET", "/files/docs/other", 200, `/files/*path with path="/docs/other"`},
		{"GET", "/src/", 200, "/src/"},
		{"GET", "/src/a.go", 200, `/src/*filepath with filepath="/a.go"`},
		{"GET", "/en/about", 200, `/:lang/about with lang="en"`},
		// The first segment decides: "entries" is static, ":lang" is not.
		{"GET", "/entries/about", 200, `/entries/:id with id="about"`},
		// redirects consider every tree
		{"GET", "/entries/live/", 301, "/entries/live"},
		// "/entries/" is an inner node of the tree that holds "/entries":
		// httprouter's hint misses it, the router does not.
		{"GET", "/entries/", 301, "/entries"},
		{"GET", "/u/ada/posts/", 301, "/u/ada/posts"},
		{"POST", "/u/ada/posts/", 308, "/u/ada/posts"},
		{"GET", "/src", 301, "/src/"},
		{"GET", "/entries/../entries/new", 301, "/entries/new"},
		{"GET", "/x/../u/7", 301, "/u/7"},
		// 405 and OPTIONS list the methods of every tree
		{"DELETE", "/entries/new", 405, "GET, HEAD, OPTIONS, PUT"},
		{"DELETE", "/u/ada/posts", 405, "GET, HEAD, OPTIONS, POST"},
		{"POST", "/entries/live", 405, "GET, HEAD, OPTIONS, PUT"},
		{"OPTIONS", "/u/ada/posts", 204, "GET, HEAD, OPTIONS, POST"},
		{"PUT", "/u/7", 405, "GET, HEAD, OPTIONS"},
		// misses
		{"GET", "/u/7/edit", 404, ""},
		{"GET", "/nope/nope/nope", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			res := frameworktest.Test(app.Serve, frameworktest.NewRequest(tt.method, tt.target))
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if res.Status != tt.status {
				t.Fatalf("status %d, want %d\n%s", res.Status, tt.status, res.Raw)
			}
			var got string
			switch tt.status {
			case 200:
				got = string(res.Body)
			case 301, 308:
				got = res.Get("Location")
			case 204, 405:
				got = res.Get("Allow")
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			agree(t, app, tt.method, tt.target, res)
		})
	}
}

// agree checks that Explain describes what dispatch did.
func agree(t *testing.T, app *framework.App, method, target string, res *frameworktest.Response) {
	t.Helper()
	e := app.Explain(method, target)
	switch {
	case e.Route != nil:
		want := e.Route.Path
		for i, p := range e.Params {
			if i == 0 {
				want += " with "
			} else {
				want += ", "
			}
			want += fmt.Sprintf("%s=%q", p.Name, p.Value)
		}
		if res.Status != 200 || method != "HEAD" && string(res.Body) != want {
			t.Errorf("Explain matched %q; dispatch answered %d %q\n%s", want, res.Status, res.Body, e)
		}
	case res.Status != e.Status:
		t.Errorf("Explain says %d; dispatch answered %d\n%s", e.Status, res.Status, e)
	case e.Location != "" && res.Get("Location") != e.Location:
		t.Errorf("Explain redirects to %q; dispatch to %q", e.Location, res.Get("Location"))
	case e.Allow != res.Get("Allow"):
		t.Errorf("Explain allows %q; dispatch %q", e.Allow, res.Get("Allow"))
	}
}

func TestTreesNoConflictIsOneTree(t *testing.T) {
	if n := framework.TreeCount(routerApp()); n != 1 {
		t.Errorf("%d trees for routes without conflicts", n)
	}
	app := conflictApp()
	tree := map[string]int{}
	for _, r := range app.Routes() {
		tree[r.Method+" "+r.Path] = framework.RouteTree(r)
	}
	if tree["GET /entries/live"] == tree["GET /entries/:id"] || tree["GET /entries/new"] == tree["GET /entries/:id"] {
		t.Errorf("a static segment shares a tree with the parameter beside it: %v", tree)
	}
}

func TestTreesDuplicatesStillPanic(t *testing.T) {
	tests := []struct {
		name     string
		register func(*framework.App)
		want     string
	}{
		{"same param, other name", func(a *framework.App) { a.GET("/u/:id", okHandler); a.GET("/u/:name", okHandler) },
			"GET /u/:name: it matches the same paths as GET /u/:id"},
		{"catch-all, other name", func(a *framework.App) { a.GET("/f/*a", okHandler); a.GET("/f/*b", okHandler) }, "GET /f/*b"},
		{"same pattern", func(a *framework.App) { a.GET("/a", okHandler); a.GET("/a", okHandler) }, "GET /a"},
		{"bad pattern in a second tree", func(a *framework.App) { a.GET("/a/:id", okHandler); a.GET("/a/b/*x/y", okHandler) }, "catch-all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), tt.want) {
					t.Errorf("panic %v, want one naming %q", v, tt.want)
				}
			}()
			tt.register(framework.New())
		})
	}
}

func TestExplainSteps(t *testing.T) {
	app := conflictApp()
	app.Routes()[1].Name("entries.new")
	tests := []struct {
		method, target string
		want           []string // substrings of String(), in order
	}{
		{"GET", "/entries/new", []string{"(", "trees)", "static table: GET /entries/new matches a route without parameters", "so no tree is asked", "=> GET /entries/new (entries.new)"}},
		{"GET", "/entries/7", []string{`matches /entries/:id with id="7"`, `=> GET /entries/:id with id="7"`}},
		{"GET", "/entries/live", []string{"static table: GET /entries/live matches", "=> GET /entries/live"}},
		{"HEAD", "/entries/live", []string{"no HEAD route: HEAD falls back to GET", "static table: GET /entries/live matches", "=> GET /entries/live"}},
		// In the table under other methods only: the trees decide, 405.
		{"DELETE", "/entries/new", []string{"tree 0: DELETE /entries/new: no route", "405 with Allow: GET, HEAD, OPTIONS", "=> 405"}},
		{"GET", "/entries/about", []string{`matches /entries/:id with id="about"`, `matches /:lang/about with lang="entries"`, "/entries/:id is more specific than /:lang/about"}},
		{"HEAD", "/u/7", []string{"HEAD /u/7: no route", "HEAD falls back to GET", "GET /u/7: matches /u/:id"}},
		{"GET", "/entries/live/", []string{"trailing slash toggled, /entries/live: a route matches it", "=> 301 Moved Permanently to /entries/live"}},
		{"GET", "/x/../u/7", []string{"clean form of the path is /u/7", "=> 301"}},
		{"DELETE", "/u/ada/posts", []string{"405 with Allow: GET, HEAD, OPTIONS, POST", "=> 405 Method Not Allowed, Allow: GET, HEAD, OPTIONS, POST", "nearest routes:", "/u/:name/posts"}},
		{"GET", "/entries/7/edit/x", []string{"404", "nearest routes:", "GET     /entries/:id/edit"}},
		{"GET", "/a%zz", []string{"malformed percent-escape: 400", "=> 400 Bad Request"}},
		{"OPTIONS", "*", []string{"server as a whole", "=> 204 No Content, Allow: GET, HEAD, OPTIONS, POST, PUT"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			s := app.Explain(tt.method, tt.target).String()
			rest := s
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("no %q after the earlier parts in:\n%s", w, s)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestRouteListing(t *testing.T) {
	app := framework.New()
	mw := func(next framework.Handler) framework.Handler { return next }
	r := app.GET("/a/:id", okHandler, mw).Name("a")
	if r.RouteName() != "a" || r.HandlerName() != "framework_test.okHandler" {
		t.Errorf("name %q, handler %q", r.RouteName(), r.HandlerName())
	}
	if got := r.MiddlewareNames(); len(got) != 1 || got[0] != "framework_test.TestRouteListing" {
		t.Errorf("middleware %q", got)
	}
}

func TestDevPageExplainsRouterMisses(t *testing.T) {
	app := conflictApp()
	app.Dev = true
	tests := []struct {
		method, target string
		status         int
		want           []string
	}{
		{"GET", "/entries/7/edit/x", 404, []string{"What the router did", "no route under any method: 404", "Nearest routes", "<code>/entries/:id/edit</code>"}},
		{"DELETE", "/u/ada/posts", 405, []string{"What the router did", "Allow: GET, HEAD, OPTIONS, POST", "<code>/u/:name/posts</code>"}},
	}
	for _, tt := range tests {
		res := frameworktest.Test(app.Serve, frameworktest.NewRequest(tt.method, tt.target).Set("Accept", "text/html"))
		if res.Status != tt.status {
			t.Fatalf("%s %s: %d, want %d", tt.method, tt.target, res.Status, tt.status)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(res.Body), w) {
				t.Errorf("%s %s: the dev page lacks %q:\n%s", tt.method, tt.target, w, res.Body)
			}
		}
	}
	// Outside dev mode, and for a 404 a handler returns, nothing is told.
	app.Dev = false
	if res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/nope")); strings.Contains(string(res.Body), "router did") {
		t.Errorf("production page explains the router:\n%s", res.Body)
	}
	app.Dev = true
	app.GET("/gone", func(*framework.Ctx) error { return framework.ErrNotFound })
	if res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/gone")); res.Status != 404 || strings.Contains(string(res.Body), "router did") {
		t.Errorf("a handler's 404 explains the router:\n%s", res.Body)
	}
}
