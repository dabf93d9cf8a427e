package middleware_test

import (
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
	"github.com/groundup-go/groundup/framework/middleware"
)

// corsApps builds the same API three ways: CORS on the app, on the group,
// on the route. Only /api/items has it in the group and route cases.
func corsApps() map[string]*framework.App {
	cfg := middleware.CORSConfig{
		AllowOrigins:     []string{"https://app.example"},
		AllowMethods:     []string{"GET", "POST", "DELETE"},
		AllowHeaders:     []string{"X-Token"},
		ExposeHeaders:    []string{"X-Total"},
		AllowCredentials: true,
		MaxAge:           10 * time.Minute,
	}
	list := func(c *framework.Ctx) error { return c.String(200, "list") }
	del := func(c *framework.Ctx) error { return c.NoContent(204) }
	refuse := func(next framework.Handler) framework.Handler { // an auth check: never sees a preflight
		return func(c *framework.Ctx) error {
			if c.RequestHeader("X-Token") != "ok" {
				return framework.NewError(401, "who are you?")
			}
			return next(c)
		}
	}
	apps := map[string]*framework.App{}

	a := framework.New()
	a.Use(middleware.CORS(cfg))
	a.GET("/api/items", list, refuse)
	a.DELETE("/api/items", del, refuse)
	apps["app"] = a

	g := framework.New()
	api := g.Group("/api", middleware.CORS(cfg), refuse)
	api.GET("/items", list)
	api.DELETE("/items", del)
	apps["group"] = g

	r := framework.New()
	r.GET("/api/items", list, middleware.CORS(cfg), refuse)
	r.DELETE("/api/items", del, middleware.CORS(cfg), refuse)
	apps["route"] = r
	return apps
}

func TestCORS(t *testing.T) {
	type want struct {
		status                               int
		allowOrigin, allowMethods, allowHdrs string
		credentials, maxAge, expose, allow   string
	}
	cases := []struct {
		name   string
		method string
		fields []string
		want   want
	}{
		{"preflight", "OPTIONS", []string{"Origin", "https://app.example", "Access-Control-Request-Method", "DELETE", "Access-Control-Request-Headers", "x-token"},
			want{204, "https://app.example", "GET, POST, DELETE", "x-token", "true", "600", "", ""}},
		{"preflight from another origin", "OPTIONS", []string{"Origin", "https://evil.example", "Access-Control-Request-Method", "DELETE"},
			want{204, "", "", "", "", "", "", ""}},
		{"preflight for a method not allowed", "OPTIONS", []string{"Origin", "https://app.example", "Access-Control-Request-Method", "PUT"},
			want{204, "", "", "", "", "", "", ""}},
		{"preflight for a header not allowed", "OPTIONS", []string{"Origin", "https://app.example", "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "x-other"},
			want{204, "", "", "", "", "", "", ""}},
		// Without Access-Control-Request-Method an OPTIONS is an actual
		// request: the router's answer, with the actual request's fields.
		{"plain OPTIONS is no preflight", "OPTIONS", []string{"Origin", "https://app.example"},
			want{204, "https://app.example", "", "", "true", "", "X-Total", "DELETE, GET, HEAD, OPTIONS"}},
		{"actual request", "GET", []string{"Origin", "https://app.example", "X-Token", "ok"},
			want{200, "https://app.example", "", "", "true", "", "X-Total", ""}},
		{"actual request refused by auth still says CORS", "GET", []string{"Origin", "https://app.example"},
			want{401, "https://app.example", "", "", "true", "", "X-Total", ""}},
		{"actual request from another origin", "GET", []string{"Origin", "https://evil.example", "X-Token", "ok"},
			want{200, "", "", "", "", "", "", ""}},
		{"same-origin request", "GET", []string{"X-Token", "ok"},
			want{200, "", "", "", "", "", "", ""}},
	}
	for level, app := range corsApps() {
		for _, tc := range cases {
			t.Run(level+"/"+tc.name, func(t *testing.T) {
				req := frameworktest.NewRequest(tc.method, "/api/items").Set("Accept", "application/json")
				for i := 0; i < len(tc.fields); i += 2 {
					req.Set(tc.fields[i], tc.fields[i+1])
				}
				res := frameworktest.Test(app.Serve, req)
				h := &res.Header
				got := want{res.Status, h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Methods"),
					h.Get("Access-Control-Allow-Headers"), h.Get("Access-Control-Allow-Credentials"),
					h.Get("Access-Control-Max-Age"), h.Get("Access-Control-Expose-Headers"), ""}
				if tc.want.allow != "" {
					got.allow = h.Get("Allow")
				}
				if got != tc.want {
					t.Errorf("got  %+v\nwant %+v\n%s", got, tc.want, res.Raw)
				}
				if _, origin := fieldValue(tc.fields, "Origin"); origin && !strings.Contains(varyOf(res), "Origin") {
					t.Errorf("no Vary: Origin\n%s", res.Raw)
				}
			})
		}
	}
}

func fieldValue(fields []string, name string) (string, bool) {
	for i := 0; i < len(fields); i += 2 {
		if fields[i] == name {
			return fields[i+1], true
		}
	}
	return "", false
}

func varyOf(res *frameworktest.Response) string {
	var vs []string
	for _, f := range res.Header.Fields() {
		if strings.EqualFold(f.Name, "Vary") {
			vs = append(vs, f.Value)
		}
	}
	return strings.Join(vs, ", ")
}

func TestCORSAnyOrigin(t *testing.T) {
	app := framework.New()
	app.Use(middleware.CORS(middleware.CORSConfig{AllowOrigins: []string{"*"}, AllowHeaders: []string{"*"}}))
	app.POST("/x", func(c *framework.Ctx) error { return c.String(200, "ok") })
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("OPTIONS", "/x").
		Set("Origin", "https://any.example").Set("Access-Control-Request-Method", "POST").
		Set("Access-Control-Request-Headers", "x-a, x-b"))
	if res.Header.Get("Access-Control-Allow-Origin") != "*" || res.Header.Get("Access-Control-Allow-Headers") != "x-a, x-b" {
		t.Errorf("%s", res.Raw)
	}
}

func TestCORSConfigPanics(t *testing.T) {
	cases := map[string]middleware.CORSConfig{
		"credentials with *":         {AllowOrigins: []string{"*"}, AllowCredentials: true},
		"header * with credentials":  {AllowOrigins: []string{"https://a.example"}, AllowHeaders: []string{"*"}, AllowCredentials: true},
		"an origin with a path":      {AllowOrigins: []string{"https://a.example/app"}},
		"an origin without a scheme": {AllowOrigins: []string{"a.example"}},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(v.(string), "CORSConfig") {
					t.Errorf("panic %v", v)
				}
			}()
			middleware.CORS(cfg)
		})
	}
}
