package framework_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

func routerApp() *framework.App {
	app := framework.New()
	ok := func(name string) framework.Handler {
		return func(c *framework.Ctx) error {
			return c.String(200, name+" "+strings.Join(paramValues(c), ","))
		}
	}
	app.GET("/", ok("root"))
	app.GET("/users", ok("users.index"))
	app.POST("/users", ok("users.create"))
	app.GET("/users/:id", ok("users.show")).Name("user")
	app.PUT("/users/:id", ok("users.update"))
	app.GET("/docs/", ok("docs"))
	app.GET("/files/*path", ok("files")).Name("file")
	app.Handle("OPTIONS", "/custom", ok("custom-options"))
	app.POST("/custom", ok("custom"))
	return app
}

func paramValues(c *framework.Ctx) []string { return framework.ParamPairs(c) }

func TestRouterTable(t *testing.T) {
	app := routerApp()
	tests := []struct {
		method, target string
		status         int
		body           string // prefix of the body; "" for none
		header         map[string]string
	}{
		// hits
		{"GET", "/", 200, "root", nil},
		{"GET", "/users", 200, "users.index", nil},
		{"POST", "/users", 200, "users.create", nil},
		{"GET", "/users/42", 200, "users.show id=42", nil},
		{"GET", "/users/42?tab=x", 200, "users.show id=42", nil},
		{"GET", "/users/a%20b", 200, "users.show id=a b", nil},
		// The path is decoded before routing, so %2F is a slash.
		{"GET", "/users/a%2Fb", 404, "", nil},
		{"GET", "/files/a/b.txt", 200, "files path=/a/b.txt", nil},
		// HEAD falls back to GET, with the length of the GET body
		{"HEAD", "/users/42", 200, "", map[string]string{"Content-Length": "16"}},
		// trailing slash: 301 for GET and HEAD, 308 for the rest
		{"GET", "/users/", 301, "", map[string]string{"Location": "/users"}},
		{"HEAD", "/users/", 301, "", map[string]string{"Location": "/users"}},
		{"POST", "/users/", 308, "", map[string]string{"Location": "/users"}},
		{"GET", "/docs", 301, "", map[string]string{"Location": "/docs/"}},
		{"GET", "/users/?a=1", 301, "", map[string]string{"Location": "/users?a=1"}},
		// clean path
		{"GET", "/users/../users/7", 301, "", map[string]string{"Location": "/users/7"}},
		{"GET", "//users", 301, "", map[string]string{"Location": "/users"}},
		{"GET", "/./users", 301, "", map[string]string{"Location": "/users"}},
		{"PUT", "/x/../users/7", 308, "", map[string]string{"Location": "/users/7"}},
		// dot segments are resolved before a catch-all can take them
		{"GET", "/files/./a/b.txt", 301, "", map[string]string{"Location": "/files/a/b.txt"}},
		{"GET", "/files/a/../b.txt", 301, "", map[string]string{"Location": "/files/b.txt"}},
		{"HEAD", "/files/a/.", 301, "", map[string]string{"Location": "/files/a/"}},
		{"PUT", "/users/./7", 308, "", map[string]string{"Location": "/users/7"}},
		// a clean form without a route leaves the path to the match
		{"GET", "/files/../x", 200, "files path=/../x", nil},
		{"GET", "/files/.hidden/..x", 200, "files path=/.hidden/..x", nil},
		// no open redirect from a doubled slash
		{"GET", "//evil.example/", 404, "", nil},
		// 405 with Allow
		{"DELETE", "/users/1", 405, "", map[string]string{"Allow": "GET, HEAD, OPTIONS, PUT"}},
		{"PATCH", "/users", 405, "", map[string]string{"Allow": "GET, HEAD, OPTIONS, POST"}},
		{"GET", "/custom", 405, "", map[string]string{"Allow": "OPTIONS, POST"}},
		// automatic OPTIONS, and a route of its own
		{"OPTIONS", "/users/1", 204, "", map[string]string{"Allow": "GET, HEAD, OPTIONS, PUT"}},
		{"OPTIONS", "/custom", 200, "custom-options", nil},
		{"OPTIONS", "*", 204, "", map[string]string{"Allow": "DELETE, GET, HEAD, OPTIONS, POST, PUT"[len("DELETE, "):]}},
		// misses
		{"GET", "/nope", 404, "", nil},
		{"OPTIONS", "/nope", 404, "", nil},
		{"GET", "/users/%zz", 400, "", nil},
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
			if tt.body != "" && !strings.HasPrefix(string(res.Body), tt.body) {
				t.Errorf("body %q, want prefix %q", res.Body, tt.body)
			}
			if tt.method == "HEAD" && len(res.Body) != 0 {
				t.Errorf("HEAD response has a body")
			}
			for k, v := range tt.header {
				if got := res.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

// TestRouterDotSegmentsExplained checks that Explain reports the
// dot-segment redirect that dispatch sends, for catch-all and other routes.
func TestRouterDotSegmentsExplained(t *testing.T) {
	app := routerApp()
	for _, target := range []string{"/files/./a", "/files/x/../a", "/users/./7", "/./files/a", "/files/%2e/a", "/files/../nope"} {
		res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", target))
		e := app.Explain("GET", target)
		if res.Status == 200 {
			if e.Route == nil || e.Status != 0 {
				t.Errorf("%s: dispatch ran a route, Explain says %s", target, e.Result())
			}
			continue
		}
		if res.Status != e.Status || res.Get("Location") != e.Location {
			t.Errorf("%s: dispatch %d to %q, Explain %s", target, res.Status, res.Get("Location"), e.Result())
		}
	}
}

func TestRouterCustomMissHandlers(t *testing.T) {
	app := routerApp()
	app.NotFound = func(c *framework.Ctx) error { return c.String(404, "custom 404") }
	app.MethodNotAllowed = func(c *framework.Ctx) error { return c.String(405, "custom 405") }
	if res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/missing")); string(res.Body) != "custom 404" {
		t.Errorf("not found: %s", res.Raw)
	}
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("DELETE", "/users"))
	if string(res.Body) != "custom 405" || res.Get("Allow") != "GET, HEAD, OPTIONS, POST" {
		t.Errorf("method not allowed: %s", res.Raw)
	}
}

func TestRouterRedirectsCanBeTurnedOff(t *testing.T) {
	app := routerApp()
	app.RedirectTrailingSlash = false
	app.RedirectCleanPath = false
	for _, target := range []string{"/users/", "/./users"} {
		if res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", target)); res.Status != 404 {
			t.Errorf("%s: %d, want 404", target, res.Status)
		}
	}
}

func TestRegistrationPanicsNameThePattern(t *testing.T) {
	tests := []struct {
		name     string
		register func(*framework.App)
		want     string
	}{
		{"duplicate", func(a *framework.App) { a.GET("/a", okHandler); a.GET("/a", okHandler) }, "GET /a"},
		{"no slash", func(a *framework.App) { a.GET("a", okHandler) }, "GET a"},
		{"conflict", func(a *framework.App) { a.GET("/u/:id", okHandler); a.GET("/u/:name", okHandler) }, "/u/:name"},
		{"bad method", func(a *framework.App) { a.Handle("GE T", "/x", okHandler) }, "GE T"},
		{"duplicate name", func(a *framework.App) { a.GET("/a", okHandler).Name("n"); a.GET("/b", okHandler).Name("n") }, "duplicate route name n"},
		{"nil handler", func(a *framework.App) { a.GET("/a", nil) }, "/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				v := recover()
				if v == nil || !strings.Contains(fmt.Sprint(v), tt.want) {
					t.Errorf("panic %v, want one naming %q", v, tt.want)
				}
			}()
			tt.register(framework.New())
		})
	}
}

func okHandler(c *framework.Ctx) error { return c.NoContent(204) }

func TestURLBuilding(t *testing.T) {
	app := routerApp()
	tests := []struct {
		name   string
		params []string
		want   string
		err    bool
	}{
		{"user", []string{"42"}, "/users/42", false},
		{"user", []string{"a b/c?"}, "/users/a%20b%2Fc%3F", false},
		{"file", []string{"dir/my file.txt"}, "/files/dir/my%20file.txt", false},
		{"user", nil, "", true},
		{"user", []string{"1", "2"}, "", true},
		{"user", []string{""}, "", true},
		{"missing", nil, "", true},
	}
	for _, tt := range tests {
		got, err := app.URL(tt.name, tt.params...)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("URL(%q, %q) = %q, %v; want %q, err=%v", tt.name, tt.params, got, err, tt.want, tt.err)
		}
	}
}

func TestGroupsAndMiddlewareOrder(t *testing.T) {
	var trace []string
	mark := func(name string) framework.Middleware {
		return func(next framework.Handler) framework.Handler {
			return func(c *framework.Ctx) error {
				trace = append(trace, name+">")
				err := next(c)
				trace = append(trace, "<"+name)
				return err
			}
		}
	}
	app := framework.New()
	app.Use(mark("app"))
	api := app.Group("/api", mark("api"))
	v1 := api.Group("/v1", mark("v1"))
	v1.GET("/ping", func(c *framework.Ctx) error { trace = append(trace, "handler"); return c.String(200, "pong") }, mark("route"))
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/api/v1/ping"))
	if string(res.Body) != "pong" {
		t.Fatalf("%s", res.Raw)
	}
	want := "app> api> v1> route> handler <route <v1 <api <app"
	if got := strings.Join(trace, " "); got != want {
		t.Errorf("order %q, want %q", got, want)
	}
	// App middleware runs for misses too.
	trace = nil
	frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/nowhere"))
	if strings.Join(trace, " ") != "app> <app" {
		t.Errorf("miss trace %v", trace)
	}
	if got := app.Routes(); len(got) != 1 || got[0].Method != "GET" || got[0].Path != "/api/v1/ping" || got[0].RouteName() != "" {
		t.Errorf("Routes() = %v", got)
	}
}

func TestErrorHandlingByAcceptAndMode(t *testing.T) {
	app := framework.New()
	app.GET("/fail", func(c *framework.Ctx) error { return errors.New("db password is hunter2") })
	app.GET("/teapot", func(c *framework.Ctx) error { return framework.NewError(418, "short and stout") })
	app.GET("/panic", func(c *framework.Ctx) error { panic("kaboom") })

	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/fail"))
	if res.Status != 500 || strings.Contains(string(res.Body), "hunter2") || res.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("production 500 leaks or is not HTML:\n%s", res.Raw)
	}
	res = frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/teapot").Set("Accept", "application/json"))
	if res.Status != 418 || string(res.Body) != `{"error":"short and stout","status":418}`+"\n" {
		t.Errorf("JSON error:\n%s", res.Raw)
	}
	app.Dev = true
	res = frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/fail"))
	if !strings.Contains(string(res.Body), "controller layer") || !strings.Contains(string(res.Body), "hunter2") {
		t.Errorf("dev page does not name the layer or the error:\n%s", res.Body)
	}
	res = frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/panic"))
	if res.Status != 500 || !strings.Contains(string(res.Body), "kaboom") || !strings.Contains(string(res.Body), "goroutine") {
		t.Errorf("dev panic page lacks the stack:\n%s", res.Body)
	}
	res = frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/missing").Set("Accept", "application/json"))
	if !strings.Contains(string(res.Body), `"layer":"router"`) {
		t.Errorf("dev JSON 404 does not name the router:\n%s", res.Body)
	}
}

func TestContextAccessors(t *testing.T) {
	app := framework.New()
	app.POST("/things/:id", func(c *framework.Ctx) error {
		var in struct {
			Name string `json:"name"`
		}
		if err := c.BindJSON(&in); err != nil {
			return err
		}
		c.Set("k", "v")
		return c.JSON(201, map[string]string{
			"id": c.Param("id"), "q": c.Query("q"), "name": in.Name, "ua": c.RequestHeader("user-agent"),
			"method": c.Method(), "path": c.Path(), "proto": c.Proto(), "host": c.Host(), "v": c.Value("k").(string),
		})
	})
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("POST", "/things/7?q=a+b").Set("User-Agent", "ua/1").WithJSON(map[string]string{"name": "x"}))
	want := `{"host":"example.com","id":"7","method":"POST","name":"x","path":"/things/7","proto":"HTTP/1.1","q":"a b","ua":"ua/1","v":"v"}` + "\n"
	if res.Status != 201 || string(res.Body) != want {
		t.Errorf("got %d %s", res.Status, res.Body)
	}
	bad := []struct {
		name, ct, body string
		status         int
		msg            string
	}{
		{"syntax", "application/json", `{"name":`, 400, "body ends early"},
		{"unknown field", "application/json", `{"nam":"x"}`, 400, `unknown field \"nam\"`},
		{"type", "application/json", `{"name":3}`, 400, `field \"name\" must be a string, not number`},
		{"not an object", "application/json", `[1]`, 400, `body must be an object, not array`},
		{"two values", "application/json", `{"name":"a"}{}`, 400, "single JSON value"},
		{"empty", "application/json", ``, 400, "empty body"},
		{"content type", "text/plain", `{"name":"x"}`, 415, "application/json"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			res := frameworktest.Test(app.Serve, frameworktest.NewRequest("POST", "/things/1").Set("Accept", "application/json").WithBody(tt.ct, []byte(tt.body)))
			if res.Status != tt.status || !strings.Contains(string(res.Body), tt.msg) {
				t.Errorf("got %d %s, want %d with %q", res.Status, res.Body, tt.status, tt.msg)
			}
		})
	}
}

func TestFormsAndMultipart(t *testing.T) {
	app := framework.New()
	app.POST("/form", func(c *framework.Ctx) error {
		if _, err := c.Form(); err != nil {
			return err
		}
		return c.String(200, c.FormValue("a")+"|"+c.FormValue("b"))
	})
	app.POST("/upload", func(c *framework.Ctx) error {
		fh, err := c.FormFile("file")
		if err != nil {
			return err
		}
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		return c.String(200, c.FormValue("title")+":"+fh.Filename+":"+string(b))
	})
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("POST", "/form").WithForm(map[string][]string{"a": {"1 2"}, "b": {"<x>"}}))
	if string(res.Body) != "1 2|<x>" {
		t.Errorf("form: %s", res.Raw)
	}
	res = frameworktest.Test(app.Serve, frameworktest.NewRequest("POST", "/upload").WithMultipart(map[string][]string{"title": {"t"}}, frameworktest.File{Field: "file", Name: "a.txt", Content: []byte("content")}))
	if string(res.Body) != "t:a.txt:content" {
		t.Errorf("multipart: %s", res.Raw)
	}
	bad := []struct {
		name   string
		req    *frameworktest.Request
		status int
	}{
		{"malformed urlencoded", frameworktest.NewRequest("POST", "/form").WithBody("application/x-www-form-urlencoded", []byte("a=%zz")), 400},
		{"no boundary", frameworktest.NewRequest("POST", "/form").WithBody("multipart/form-data", []byte("x")), 400},
		{"broken multipart", frameworktest.NewRequest("POST", "/form").WithBody("multipart/form-data; boundary=zz", []byte("--zz\r\nbroken")), 400},
		{"missing file", frameworktest.NewRequest("POST", "/upload").WithMultipart(map[string][]string{"title": {"t"}}), 400},
		{"bad content type", frameworktest.NewRequest("POST", "/form").WithBody("multipart/form-data; boundary=\"", []byte("x")), 400},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if res := frameworktest.Test(app.Serve, tt.req); res.Status != tt.status {
				t.Errorf("got %d, want %d:\n%s", res.Status, tt.status, res.Raw)
			}
		})
	}
	// An upload over the body limit is a 413.
	srv := &framework.Server{Handler: app.Serve, MaxBodyBytes: 100, Logger: testLogger}
	req := frameworktest.NewRequest("POST", "/upload").WithMultipart(nil, frameworktest.File{Field: "file", Name: "big.bin", Content: make([]byte, 1000)})
	out, _ := frameworktest.ParseResponses(frameworktest.ServeBytes(srv, req.Bytes()), false)
	if len(out) != 1 || out[0].Status != 413 {
		t.Errorf("oversized upload: %v", out)
	}
}

func TestServeBytesPipelined(t *testing.T) {
	app := routerApp()
	raw := "GET /users/1 HTTP/1.1\r\nHost: a\r\n\r\nGET /users/2 HTTP/1.1\r\nHost: a\r\n\r\n"
	res, err := frameworktest.ParseResponses([]byte(frameworktest.Raw(app.Serve, raw)), false)
	if err != nil || len(res) != 2 || string(res[1].Body) != "users.show id=2" {
		t.Fatalf("%v %v", res, err)
	}
}

// TestPipelinedRequestsShareNothing: the Ctx is reused at once for a
// pipelined request, and must come to it empty.
func TestPipelinedRequestsShareNothing(t *testing.T) {
	app := framework.New()
	app.GET("/q", func(c *framework.Ctx) error {
		if c.Value("seen") != nil {
			return c.String(500, "value leaked")
		}
		c.Set("seen", true)
		return c.String(200, c.Query("x"))
	})
	app.POST("/f", func(c *framework.Ctx) error { return c.String(200, c.FormValue("x")) })
	raw := "GET /q?x=1 HTTP/1.1\r\nHost: a\r\n\r\nGET /q?x=2 HTTP/1.1\r\nHost: a\r\n\r\n" +
		"POST /f HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\nx=3" +
		"POST /f HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\nx=4"
	res, err := frameworktest.ParseResponses([]byte(frameworktest.Raw(app.Serve, raw)), false)
	if err != nil || len(res) != 4 {
		t.Fatalf("%v %v", res, err)
	}
	for i, want := range []string{"1", "2", "3", "4"} {
		if string(res[i].Body) != want {
			t.Errorf("response %d: %q, want %q", i, res[i].Body, want)
		}
	}
}

func TestCustomErrorHandlerStartsFromACleanResponse(t *testing.T) {
	app := framework.New()
	app.ErrorHandler = func(c *framework.Ctx, err error) { c.String(framework.StatusCode(err), "custom: "+err.Error()) }
	app.GET("/", func(c *framework.Ctx) error {
		c.Status(201)
		c.Header().Set("ETag", `"x"`)
		c.WriteString("half a page")
		return framework.NewError(409, "conflict")
	})
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/"))
	if res.Status != 409 || string(res.Body) != "custom: 409 conflict" || res.Header.Has("ETag") {
		t.Errorf("got %d %q %v", res.Status, res.Body, res.Header.Fields())
	}
}

func TestDevErrorPageSaysTheMessageOnce(t *testing.T) {
	app := framework.New()
	app.Dev = true
	app.GET("/", func(c *framework.Ctx) error { return framework.NewError(404, "no entry 9") })
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/").Set("Accept", "application/json"))
	if strings.Count(string(res.Body), "no entry 9") != 2 || !strings.Contains(string(res.Body), `"layer":"controller"`) {
		// once as the public message, once as the detail
		t.Errorf("%s", res.Body)
	}
}
