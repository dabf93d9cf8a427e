package framework_test

import (
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// TestErrorPageStyleAllowedByCSP checks that the error pages of an App
// carry no inline <style>, which style-src 'self' blocks, but link to a
// stylesheet the App serves from its own origin.
func TestErrorPageStyleAllowedByCSP(t *testing.T) {
	for _, dev := range []bool{true, false} {
		app := framework.New()
		app.Dev = dev
		app.GET("/", func(c *framework.Ctx) error { return c.String(200, "home") })
		page := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/nope"))
		body := string(page.Body)
		if page.Status != 404 || strings.Contains(body, "<style") || !strings.Contains(body, `<link rel="stylesheet" href="`+framework.ErrorCSSPath+`">`) {
			t.Errorf("dev %v: error page styled inline, or not linked:\n%s", dev, page.Raw)
		}
		for _, method := range []string{"GET", "HEAD"} {
			css := frameworktest.Test(app.Serve, frameworktest.NewRequest(method, framework.ErrorCSSPath))
			if css.Status != 200 || css.Get("Content-Type") != "text/css; charset=utf-8" || method == "GET" && !strings.Contains(string(css.Body), "font:16px") {
				t.Errorf("%s %s: %s", method, framework.ErrorCSSPath, css.Raw)
			}
			if e := app.Explain(method, framework.ErrorCSSPath); e.Status != 200 || e.Route != nil {
				t.Errorf("Explain %s: %s", method, e)
			}
		}
		if res := frameworktest.Test(app.Serve, frameworktest.NewRequest("POST", framework.ErrorCSSPath)); res.Status != 404 {
			t.Errorf("POST %s: %d", framework.ErrorCSSPath, res.Status)
		}
	}
	// A bare Handler has no App to serve the file: its page stays inline.
	page := frameworktest.Test(func(c *framework.Ctx) error { return framework.ErrNotFound }, frameworktest.NewRequest("GET", "/"))
	if !strings.Contains(string(page.Body), "<style>") {
		t.Errorf("a bare handler's error page lost its style:\n%s", page.Raw)
	}
}
