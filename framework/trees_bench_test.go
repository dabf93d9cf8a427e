package framework_test

import (
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework"
)

// The cost of several trees. BenchmarkRouteLookup times the router's
// decision alone (decide, as dispatch calls it), with no conflict (one
// tree) and with one conflicting route (two trees). The pipeline
// benchmarks below time whole requests through the same app.

func conflictBenchApp() *framework.App {
	app := benchApp()
	// "new" beside ":name": the one conflict, so a second tree.
	app.GET("/user/new", func(c *framework.Ctx) error { return c.String(200, "new user form") })
	return app
}

func BenchmarkRouteLookup(b *testing.B) {
	for _, bc := range []struct {
		name string
		app  *framework.App
		path string
	}{
		{"one tree/static", benchApp(), "/plaintext"},
		{"one tree/param", benchApp(), "/user/gopher"},
		{"two trees/static", conflictBenchApp(), "/plaintext"},
		{"two trees/param", conflictBenchApp(), "/user/gopher"},
		// The worst case: both trees match, the static one wins.
		{"two trees/both match", conflictBenchApp(), "/user/new"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !framework.RouteLookup(bc.app, bc.path) {
					b.Fatal("no match")
				}
			}
		})
	}
}

// BenchmarkParamRouteConflict is BenchmarkParamRoute with the conflicting
// route added.
func BenchmarkParamRouteConflict(b *testing.B) {
	benchServe(b, conflictBenchApp().Serve, "GET /user/gopher HTTP/1.1\r\nHost: localhost\r\n\r\n")
}

// BenchmarkStaticRouteConflict asks for the static route that beats the
// parameter beside it: both trees are asked.
func BenchmarkStaticRouteConflict(b *testing.B) {
	benchServe(b, conflictBenchApp().Serve, strings.Replace(browserHead, "%s", "/user/new", 1))
}
