package framework_test

import (
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// staticApp has routes without parameters beside every kind of route
// the trees decide: a catch-all and a parameter at the same position (in
// other trees), a trailing-slash pair, routes of one method only.
func staticApp() *framework.App {
	app := framework.New()
	for _, r := range [][2]string{
		{"GET", "/plaintext"},
		{"GET", "/docs/"},
		{"GET", "/files/*path"},
		{"GET", "/files/readme"}, // static beside the catch-all: another tree
		{"GET", "/user/:name"},
		{"GET", "/user/new"}, // static beside the parameter: another tree
		{"POST", "/form"},
		{"HEAD", "/probe"},
		{"GET", "/café"},
	} {
		app.Handle(r[0], r[1], patternHandler)
	}
	return app
}

// TestStaticTable checks what the static table answers, and that what
// it leaves to the trees is answered as before: each row's response, and
// whether Explain says the table decided.
func TestStaticTable(t *testing.T) {
	app := staticApp()
	tests := []struct {
		method, target string
		status         int
		want           string // the pattern and parameters, or the Location or Allow
		table          bool   // Explain names the static table
	}{
		{"GET", "/plaintext", 200, "/plaintext", true},
		{"GET", "/plaintext?a=1", 200, "/plaintext", true},
		{"GET", "/caf%C3%A9", 200, "/café", true}, // the decoded path is looked up
		{"HEAD", "/plaintext", 200, "/plaintext", true},
		{"HEAD", "/probe", 200, "/probe", true},
		{"GET", "/files/readme", 200, "/files/readme", true},
		{"GET", "/files/other", 200, `/files/*path with path="/other"`, false},
		{"GET", "/user/new", 200, "/user/new", true},
		{"GET", "/user/ada", 200, `/user/:name with name="ada"`, false},
		{"POST", "/form", 200, "/form", true},
		// In the table, but not under this method: the trees answer.
		// (The app has a HEAD route, so Allow lists HEAD only where
		// it has one: see App.allowed.)
		{"POST", "/plaintext", 405, "GET, OPTIONS", false},
		{"DELETE", "/plaintext", 405, "GET, OPTIONS", false},
		{"GET", "/form", 405, "OPTIONS, POST", false},
		{"GET", "/probe", 405, "HEAD, OPTIONS", false},
		{"OPTIONS", "/plaintext", 204, "GET, OPTIONS", false},
		// Not in the table: a trailing slash, a case, a clean form.
		{"GET", "/plaintext/", 301, "/plaintext", false},
		{"POST", "/form/", 308, "/form", false},
		{"GET", "/docs", 301, "/docs/", false},
		{"GET", "/PLAINTEXT", 404, "", false},
		{"GET", "//plaintext", 301, "/plaintext", false},
		{"GET", "/x/../plaintext", 301, "/plaintext", false},
		{"GET", "/", 404, "", false},
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
			got := ""
			switch {
			case res.Status == 200 && tt.method != "HEAD":
				got = string(res.Body)
			case res.Status == 200:
				got = tt.want // no body to compare
			case res.Get("Location") != "":
				got = res.Get("Location")
			default:
				got = res.Get("Allow")
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			agree(t, app, tt.method, tt.target, res)
			e := app.Explain(tt.method, tt.target)
			if table := strings.Contains(e.String(), "static table"); table != tt.table {
				t.Errorf("Explain names the static table: %v, want %v\n%s", table, tt.table, e)
			}
		})
	}
}

// TestStaticTableHeadBesideHeadParameter: a HEAD route with a parameter
// that matches the path comes before HEAD's fallback to a GET route
// without parameters, so the table leaves such a HEAD request to the
// trees.
func TestStaticTableHeadBesideHeadParameter(t *testing.T) {
	app := framework.New()
	app.GET("/a/b", patternHandler)
	app.GET("/c", patternHandler)
	app.Handle("HEAD", "/a/:x", patternHandler)
	for _, tt := range []struct {
		target, want string
	}{
		{"/a/b", "/a/:x"}, // the HEAD route, though GET /a/b is static
		{"/c", "/c"},      // no HEAD route matches: the GET route
	} {
		e := app.Explain("HEAD", tt.target)
		if e.Route == nil || e.Route.Path != tt.want {
			t.Errorf("HEAD %s: matched %v, want %s\n%s", tt.target, e.Route, tt.want, e)
		}
		res := frameworktest.Test(app.Serve, frameworktest.NewRequest("HEAD", tt.target))
		agree(t, app, "HEAD", tt.target, res)
	}
}

// TestStaticTableRoutesAddedLater: routes may still be registered after
// the app served a request, and the table holds them at once.
func TestStaticTableRoutesAddedLater(t *testing.T) {
	app := framework.New()
	app.GET("/first", patternHandler)
	serve := func(method, target string) *frameworktest.Response {
		t.Helper()
		res := frameworktest.Test(app.Serve, frameworktest.NewRequest(method, target))
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		return res
	}
	if res := serve("POST", "/first"); res.Status != 405 {
		t.Fatalf("POST /first before: %d, want 405", res.Status)
	}
	app.POST("/first", patternHandler)
	for i := range 40 { // enough to make the table grow
		app.GET("/later/"+strings.Repeat("x", i), patternHandler)
	}
	for _, target := range []string{"/first", "/later/", "/later/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"} {
		if res := serve("GET", target); res.Status != 200 || string(res.Body) != target {
			t.Errorf("GET %s: %d %q", target, res.Status, res.Body)
		}
	}
	if res := serve("POST", "/first"); res.Status != 200 {
		t.Errorf("POST /first after: %d, want 200", res.Status)
	}
}

// TestStaticTableLeavesRouterTargets: a route registered at the error
// pages' stylesheet does not take it from the framework, and a pattern
// with a dot segment is left to the trees, which redirect first to its
// clean form when that has a route, as before.
func TestStaticTableLeavesRouterTargets(t *testing.T) {
	app := framework.New()
	app.GET(framework.ErrorCSSPath, patternHandler)
	app.GET("/x/./y", patternHandler)
	app.GET("/x/y", patternHandler)
	app.GET("/p/./q", patternHandler)

	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", framework.ErrorCSSPath))
	if res.Status != 200 || !strings.HasPrefix(res.Get("Content-Type"), "text/css") {
		t.Errorf("GET %s: %d %s, want the framework's stylesheet", framework.ErrorCSSPath, res.Status, res.Get("Content-Type"))
	}
	res = frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/x/./y"))
	if res.Status != 301 || res.Get("Location") != "/x/y" {
		t.Errorf("GET /x/./y: %d to %q, want 301 to /x/y", res.Status, res.Get("Location"))
	}
	// No route for the clean form: the route matches as it stands.
	res = frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/p/./q"))
	if res.Status != 200 || string(res.Body) != "/p/./q" {
		t.Errorf("GET /p/./q: %d %q, want the route /p/./q", res.Status, res.Body)
	}
}
