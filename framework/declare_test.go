package framework_test

import (
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

func TestAppOnlyDeclared(t *testing.T) {
	rewrite := framework.AppOnly("Rewrite", "it changes the path before routing", func(next framework.Handler) framework.Handler { return next })
	defer func() {
		v, _ := recover().(string)
		want := "groundup: Rewrite must be added with App.Use, not on a group or route: it changes the path before routing (on GET /x)"
		if v != want {
			t.Errorf("panic %q\nwant  %q", v, want)
		}
	}()
	framework.New().GET("/x", func(c *framework.Ctx) error { return nil }, rewrite)
}

func TestAppOnlyOnTheApp(t *testing.T) {
	app := framework.New()
	app.Use(framework.AppOnly("Tag", "", func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error { c.Header().Set("X-Tag", "1"); return next(c) }
	}))
	app.GET("/x", func(c *framework.Ctx) error { return c.String(200, "ok") })
	if res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/x")); res.Header.Get("X-Tag") != "1" {
		t.Errorf("%s", res.Raw)
	}
}

// The router's automatic OPTIONS runs only the middleware declared
// AnswersOptions, of the route the preflight asks about.
func TestAnswersOptions(t *testing.T) {
	mark := func(v string) framework.Middleware {
		return func(next framework.Handler) framework.Handler {
			return func(c *framework.Ctx) error { c.Header().Add("X-Seen", v); return next(c) }
		}
	}
	app := framework.New()
	ok := func(c *framework.Ctx) error { return nil }
	app.GET("/x", ok, framework.AnswersOptions(mark("get-opts")), mark("get-plain"))
	app.POST("/x", ok, framework.AnswersOptions(mark("post-opts")))
	app.GET("/y", ok, mark("plain"))
	cases := []struct{ target, reqMethod, seen string }{
		{"/x", "", "get-opts"},
		{"/x", "POST", "post-opts"},
		{"/x", "GET", "get-opts"},
		{"/x", "PATCH", "get-opts"},
		{"/y", "", ""},
	}
	for _, tc := range cases {
		req := frameworktest.NewRequest("OPTIONS", tc.target)
		if tc.reqMethod != "" {
			req.Set("Access-Control-Request-Method", tc.reqMethod)
		}
		res := frameworktest.Test(app.Serve, req)
		if res.Status != 204 || res.Header.Get("X-Seen") != tc.seen || res.Header.Get("Allow") == "" {
			t.Errorf("%s %s: %d X-Seen %q, want %q\n%s", tc.target, tc.reqMethod, res.Status, res.Header.Get("X-Seen"), tc.seen, res.Raw)
		}
	}
}

func TestRedirectTo(t *testing.T) {
	app := framework.New()
	app.GET("/entries/:id", func(c *framework.Ctx) error { return nil }).Name("entries.show")
	app.POST("/go", func(c *framework.Ctx) error {
		return c.RedirectTo(framework.StatusSeeOther, "entries.show", c.Query("id"))
	})
	app.POST("/bad", func(c *framework.Ctx) error {
		return c.RedirectTo(framework.StatusSeeOther, "entries.shw", "1")
	})
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("POST", "/go?id=a%2Fb"))
	if res.Status != 303 || res.Header.Get("Location") != "/entries/a%2Fb" {
		t.Errorf("%s", res.Raw)
	}
	res = frameworktest.Test(app.Serve, frameworktest.NewRequest("POST", "/bad"))
	if res.Status != 500 || strings.Contains(string(res.Body), "entries.shw") {
		t.Errorf("a bad name is a 500 that shows nothing internal: %s", res.Raw)
	}
}
