package framework_test

import (
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

func TestErrorFormat(t *testing.T) {
	app := framework.New()
	fail := func(c *framework.Ctx) error { return framework.NewError(framework.StatusConflict, "taken") }
	app.GET("/page", fail)
	app.GET("/one", fail).API()
	api := app.Group("/api").API()
	api.GET("/items", fail)
	api.Group("/v2").GET("/items", fail)

	cases := []struct {
		name, target, accept, contentType string
		json                              bool
	}{
		{"browser", "/page", "text/html,application/xhtml+xml,*/*;q=0.8", "", false},
		{"no Accept", "/page", "", "", false},
		{"curl's */*", "/page", "*/*", "", true},
		{"Accept JSON", "/page", "application/json", "", true},
		{"Accept +json", "/page", "application/problem+json", "", true},
		{"JSON body, no Accept", "/page", "", "application/json", true},
		{"JSON body, browser", "/page", "text/html", "application/json", false},
		{"API route, browser", "/one", "text/html", "", true},
		{"API group, browser", "/api/items", "text/html", "", true},
		{"nested group of an API", "/api/v2/items", "text/html", "", true},
		{"miss under an API group", "/api/nope", "text/html", "", true},
		{"the API prefix itself", "/api", "text/html", "", true},
		{"a path that only starts alike", "/apiary", "text/html", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := frameworktest.NewRequest("GET", tc.target)
			if tc.accept != "" {
				req.Set("Accept", tc.accept)
			}
			if tc.contentType != "" {
				req.Set("Content-Type", tc.contentType)
			}
			res := frameworktest.Test(app.Serve, req)
			gotJSON := strings.HasPrefix(res.Header.Get("Content-Type"), "application/json")
			if gotJSON != tc.json {
				t.Errorf("JSON = %v, want %v (%d %s)", gotJSON, tc.json, res.Status, res.Body)
			}
		})
	}
}
