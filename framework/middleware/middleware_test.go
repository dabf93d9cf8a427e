package middleware_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
	"github.com/groundup-go/groundup/framework/middleware"
	"github.com/groundup-go/groundup/framework/session"
)

func TestLoggerFields(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		status float64
		level  string
		bytes  float64
	}{
		{"ok", "/ok", 200, "INFO", 5},
		{"handler error answered first", "/missing-thing", 404, "INFO", -1},
		{"router miss", "/nowhere", 404, "INFO", -1},
		{"server error", "/fail", 500, "ERROR", -1},
		// What went on the wire: a redirect whose Location was refused
		// went out as a 500; a connection cut before any head, as nothing.
		{"refused header", "/bad-redirect", 500, "ERROR", -1},
		{"cut before the head", "/abort", 0, "WARN", 0},
		{"cut after the head", "/abort-late", 200, "INFO", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqLogs := &frameworktest.Logs{}
			app := framework.New()
			app.Use(middleware.RequestID(), middleware.Logger(reqLogs.Logger()))
			app.GET("/ok", func(c *framework.Ctx) error { return c.String(200, "hello") })
			app.GET("/missing-thing", func(c *framework.Ctx) error { return framework.NewError(404, "no such thing") })
			app.GET("/fail", func(c *framework.Ctx) error { return errors.New("database on fire") })
			app.GET("/bad-redirect", func(c *framework.Ctx) error {
				return c.Redirect(301, "/next\r\nSet-Cookie: a=b")
			})
			app.GET("/abort", func(c *framework.Ctx) error { panic(framework.ErrAbortHandler) })
			app.GET("/abort-late", func(c *framework.Ctx) error {
				c.WriteString("hello")
				c.Flush()
				panic(framework.ErrAbortHandler)
			})
			res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", tt.path).Set("X-Request-ID", "req-123"))
			switch {
			case tt.path == "/abort-late":
				// The head and a chunk went out, the body never ended.
				if !bytes.HasPrefix(res.Raw, []byte("HTTP/1.1 200 OK")) {
					t.Fatalf("no head went out:\n%s", res.Raw)
				}
			case tt.status == 0:
				if res.Err == nil {
					t.Fatalf("a response went out for a cut connection:\n%s", res.Raw)
				}
			case float64(res.Status) != tt.status:
				t.Fatalf("status %d, want %v", res.Status, tt.status)
			}
			lines := reqLogs.Lines(t)
			if len(lines) != 1 {
				t.Fatalf("want one log line per request, got %d:\n%s", len(lines), reqLogs)
			}
			l := lines[0]
			for k, want := range map[string]any{
				"msg": "request", "method": "GET", "path": tt.path, "status": tt.status,
				"level": tt.level, "request_id": "req-123", "remote": "192.0.2.1:1234",
			} {
				if l[k] != want {
					t.Errorf("%s = %v, want %v", k, l[k], want)
				}
			}
			if tt.bytes >= 0 && l["bytes"] != tt.bytes {
				t.Errorf("bytes = %v, want %v", l["bytes"], tt.bytes)
			}
			if tt.bytes < 0 && l["bytes"] != float64(len(res.Body)) {
				t.Errorf("bytes = %v, but the error page has %d", l["bytes"], len(res.Body))
			}
			if _, ok := l["duration"].(float64); !ok {
				t.Errorf("duration missing: %v", l)
			}
		})
	}
}

func TestLoggerReturnsNilAfterAnsweringError(t *testing.T) {
	var seen error = errors.New("not called")
	outer := func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			seen = next(c)
			return seen
		}
	}
	app := framework.New()
	app.Use(outer, middleware.Logger(slog.New(slog.DiscardHandler)))
	app.GET("/", func(c *framework.Ctx) error { return framework.NewError(409, "conflict") })
	res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/"))
	if res.Status != 409 || seen != nil {
		t.Errorf("status %d, outer saw %v; want 409 and nil", res.Status, seen)
	}
}

func TestRecover(t *testing.T) {
	app := framework.New()
	app.Use(middleware.Recover())
	app.GET("/panic", func(c *framework.Ctx) error {
		c.Header().Set("X-Half-Built", "yes")
		c.SetCookie(&framework.Cookie{Name: "login", Value: "1"})
		c.WriteString("partial")
		panic("boom")
	})
	app.GET("/fine", func(c *framework.Ctx) error { return c.String(200, "fine") })

	res, logs := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/panic").Set("Accept", "application/json"))
	if res.Status != 500 {
		t.Fatalf("status %d, want 500", res.Status)
	}
	if res.Get("X-Half-Built") != "" || len(res.SetCookies()) != 0 || bytes.Contains(res.Body, []byte("partial")) {
		t.Errorf("the half-built response leaked:\n%s", res.Raw)
	}
	if bytes.Contains(res.Body, []byte("boom")) {
		t.Errorf("panic value shown outside dev mode: %s", res.Body)
	}
	l := logs.Find(t, "panic recovered")
	if l == nil || l["panic"] != "boom" || !strings.Contains(fmt.Sprint(l["stack"]), "middleware_test.go") {
		t.Errorf("panic not logged with its stack:\n%s", logs)
	}

	// The dev error page shows the stack through PanicError.
	app2 := framework.New()
	app2.Dev = true
	app2.Use(middleware.Recover())
	app2.GET("/panic", func(c *framework.Ctx) error { panic("dev boom") })
	res, _ = frameworktest.Do(app2.Serve, frameworktest.NewRequest("GET", "/panic"))
	if res.Status != 500 || !bytes.Contains(res.Body, []byte("<h2>Stack</h2>")) || !bytes.Contains(res.Body, []byte("dev boom")) {
		t.Errorf("dev page lacks the stack:\n%s", res.Body)
	}

	// ErrAbortHandler passes through Recover, to the server.
	func() {
		defer func() {
			if v := recover(); v != framework.ErrAbortHandler {
				t.Errorf("Recover turned ErrAbortHandler into %v", v)
			}
		}()
		middleware.Recover()(func(c *framework.Ctx) error { panic(framework.ErrAbortHandler) })(&framework.Ctx{})
	}()
	res, _ = frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/fine"))
	if res.Status != 200 {
		t.Errorf("status %d after no panic", res.Status)
	}
}

func TestRecoverInsideLoggerLogsThe500(t *testing.T) {
	reqLogs := &frameworktest.Logs{}
	app := framework.New()
	app.Use(middleware.Logger(reqLogs.Logger()), middleware.Recover())
	app.GET("/", func(c *framework.Ctx) error { panic("x") })
	res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/"))
	l := reqLogs.Find(t, "request")
	if res.Status != 500 || l == nil || l["status"] != float64(500) || l["level"] != "ERROR" {
		t.Errorf("status %d, log %v", res.Status, l)
	}
}

func TestRequestID(t *testing.T) {
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	tests := []struct {
		name     string
		incoming string
		keep     bool
	}{
		{"none sent", "", false},
		{"sane kept", "abc-123_XYZ.9", true},
		{"uuid kept", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", true},
		{"base64 kept", "q83vEjRWeJA+/w==", true},
		{"64 bytes kept", strings.Repeat("a", 64), true},
		{"65 bytes replaced", strings.Repeat("a", 65), false},
		{"space replaced", "abc def", false},
		{"quote replaced", `abc"def`, false},
		{"html replaced", "<script>", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stored string
			app := framework.New()
			app.Use(middleware.RequestID())
			app.GET("/", func(c *framework.Ctx) error {
				stored = middleware.RequestIDFrom(c)
				return c.NoContent(204)
			})
			req := frameworktest.NewRequest("GET", "/")
			if tt.incoming != "" {
				req.Set("X-Request-ID", tt.incoming)
			}
			res, _ := frameworktest.Do(app.Serve, req)
			got := res.Get("X-Request-ID")
			if got != stored {
				t.Errorf("header %q, stored %q", got, stored)
			}
			if tt.keep && got != tt.incoming {
				t.Errorf("id %q, want the incoming %q", got, tt.incoming)
			}
			if !tt.keep && !hex32.MatchString(got) {
				t.Errorf("generated id %q is not 16 random bytes in hex", got)
			}
		})
	}
	// Two generated ids differ.
	app := framework.New()
	app.Use(middleware.RequestID())
	app.GET("/", func(c *framework.Ctx) error { return c.NoContent(204) })
	a, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/"))
	b, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/"))
	if a.Get("X-Request-ID") == b.Get("X-Request-ID") {
		t.Error("two requests got the same generated id")
	}
	if middleware.RequestIDFrom(&framework.Ctx{}) != "" {
		t.Error("RequestIDFrom without the middleware is not empty")
	}
}

func TestBodyLimit(t *testing.T) {
	app := framework.New()
	app.POST("/small", func(c *framework.Ctx) error {
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(c.Body()); err != nil {
			return err
		}
		return c.String(200, fmt.Sprint(buf.Len()))
	}, middleware.BodyLimit(10))
	tests := []struct {
		name    string
		req     *frameworktest.Request
		status  int
		body    string
		chunked bool
	}{
		{"under the limit", frameworktest.NewRequest("POST", "/small").WithBody("text/plain", []byte("0123456789")), 200, "10", false},
		{"declared over the limit", frameworktest.NewRequest("POST", "/small").WithBody("text/plain", []byte("0123456789A")), 413, "", false},
		{"chunked over the limit", frameworktest.NewRequest("POST", "/small").Set("Transfer-Encoding", "chunked").
			WithBody("text/plain", []byte("6\r\n012345\r\n6\r\n6789AB\r\n0\r\n\r\n")), 413, "", true},
		{"chunked under the limit", frameworktest.NewRequest("POST", "/small").Set("Transfer-Encoding", "chunked").
			WithBody("text/plain", []byte("6\r\n012345\r\n0\r\n\r\n")), 200, "6", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.chunked {
				// Bytes would add a Content-Length; a chunked request has none.
				tt.req.Header.Set("Content-Length", "0")
				raw := strings.Replace(string(tt.req.Bytes()), "Content-Length: 0\r\n", "", 1)
				out := frameworktest.ServeBytes(&framework.Server{Handler: app.Serve, Logger: slog.New(slog.DiscardHandler)}, []byte(raw))
				rs, err := frameworktest.ParseResponses(out, false)
				if err != nil || len(rs) == 0 {
					t.Fatalf("no response: %v\n%s", err, out)
				}
				if rs[0].Status != tt.status || tt.body != "" && string(rs[0].Body) != tt.body {
					t.Fatalf("got %d %q, want %d %q", rs[0].Status, rs[0].Body, tt.status, tt.body)
				}
				return
			}
			res, _ := frameworktest.Do(app.Serve, tt.req)
			if res.Status != tt.status {
				t.Fatalf("status %d, want %d\n%s", res.Status, tt.status, res.Raw)
			}
			if tt.body != "" && string(res.Body) != tt.body {
				t.Errorf("body %q, want %q", res.Body, tt.body)
			}
		})
	}
}

func TestSecureHeaders(t *testing.T) {
	app := framework.New()
	app.Use(middleware.SecureHeaders())
	app.GET("/", func(c *framework.Ctx) error { return c.String(200, "hi") })
	app.GET("/custom", func(c *framework.Ctx) error {
		c.Header().Set("Content-Security-Policy", "default-src 'self' https://cdn.example.com")
		return c.String(200, "hi")
	})
	res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/"))
	secureHeaderDefaults := [...][2]string{
		{"X-Content-Type-Options", "nosniff"},
		{"X-Frame-Options", "DENY"},
		{"Referrer-Policy", "strict-origin-when-cross-origin"},
		{"Cross-Origin-Opener-Policy", "same-origin"},
		{"Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"},
	}
	for _, kv := range secureHeaderDefaults {
		if got := res.Get(kv[0]); got != kv[1] {
			t.Errorf("%s = %q, want %q", kv[0], got, kv[1])
		}
	}
	res, _ = frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/custom"))
	if got := res.Get("Content-Security-Policy"); got != "default-src 'self' https://cdn.example.com" {
		t.Errorf("handler's CSP replaced: %q", got)
	}
	res, _ = frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/missing"))
	if res.Status != 404 || res.Get("X-Frame-Options") != "DENY" {
		t.Errorf("error responses lack the headers: %d %q", res.Status, res.Get("X-Frame-Options"))
	}

	// A value set before SecureHeaders runs is kept.
	app2 := framework.New()
	app2.Use(func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error { c.Header().Set("X-Frame-Options", "SAMEORIGIN"); return next(c) }
	}, middleware.SecureHeaders())
	app2.GET("/", func(c *framework.Ctx) error { return c.NoContent(204) })
	res, _ = frameworktest.Do(app2.Serve, frameworktest.NewRequest("GET", "/"))
	if got := res.Header.Get("X-Frame-Options"); got != "SAMEORIGIN" || strings.Count(string(res.Raw), "X-Frame-Options") != 1 {
		t.Errorf("X-Frame-Options %q\n%s", got, res.Raw)
	}
}

func TestMethodOverride(t *testing.T) {
	app := framework.New()
	app.Use(middleware.MethodOverride())
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		app.Handle(m, "/items/1", func(c *framework.Ctx) error {
			return c.String(200, c.Method()+" "+c.FormValue("name"))
		})
	}
	form := func(vals ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(vals); i += 2 {
			v.Add(vals[i], vals[i+1])
		}
		return v
	}
	del := func() *frameworktest.Request {
		return frameworktest.NewRequest("POST", "/items/1").WithForm(form("_method", "DELETE"))
	}
	tests := []struct {
		name   string
		req    *frameworktest.Request
		status int
		body   string
	}{
		{"delete", frameworktest.NewRequest("POST", "/items/1").WithForm(form("_method", "DELETE")), 200, "DELETE "},
		{"lower-case put keeps other fields", frameworktest.NewRequest("POST", "/items/1").WithForm(form("_method", "put", "name", "x")), 200, "PUT x"},
		{"patch multipart", frameworktest.NewRequest("POST", "/items/1").WithMultipart(form("_method", "Patch", "name", "y")), 200, "PATCH y"},
		{"no _method", frameworktest.NewRequest("POST", "/items/1").WithForm(form("name", "z")), 200, "POST z"},
		{"invalid _method", frameworktest.NewRequest("POST", "/items/1").WithForm(form("_method", "GET")), 400, ""},
		{"unknown _method", frameworktest.NewRequest("POST", "/items/1").WithForm(form("_method", "TRACE")), 400, ""},
		{"empty _method", frameworktest.NewRequest("POST", "/items/1").WithForm(form("_method", "")), 400, ""},
		{"GET never overridden", frameworktest.NewRequest("GET", "/items/1?_method=DELETE"), 200, "GET "},
		{"PUT never overridden", frameworktest.NewRequest("PUT", "/items/1").WithForm(form("_method", "DELETE")), 200, "PUT "},
		{"JSON body not read", frameworktest.NewRequest("POST", "/items/1").WithBody("application/json", []byte(`{"_method":"DELETE"}`)), 200, "POST "},
		{"malformed form", frameworktest.NewRequest("POST", "/items/1").WithBody("multipart/form-data", []byte("x")), 400, ""},
		// A form on another site must not reach DELETE with the
		// visitor's cookies; this site's own forms still do.
		{"cross-site fetch metadata", del().Set("Sec-Fetch-Site", "cross-site"), 403, ""},
		{"same-site subdomain", del().Set("Sec-Fetch-Site", "same-site"), 403, ""},
		{"cross-site Origin", del().Set("Origin", "https://evil.example"), 403, ""},
		{"Origin null", del().Set("Origin", "null"), 403, ""},
		{"cross-site Referer", del().Set("Referer", "https://evil.example/form"), 403, ""},
		{"Origin wins over Referer", del().Set("Origin", "https://evil.example").Set("Referer", "http://example.com/"), 403, ""},
		{"same-origin fetch metadata", del().Set("Sec-Fetch-Site", "same-origin"), 200, "DELETE "},
		{"typed by the user", del().Set("Sec-Fetch-Site", "none"), 200, "DELETE "},
		{"same Origin", del().Set("Origin", "http://example.com"), 200, "DELETE "},
		{"same Origin, default port", del().Set("Origin", "https://example.com:443"), 200, "DELETE "},
		{"same Referer", del().Set("Referer", "http://example.com/items/1/edit"), 200, "DELETE "},
		{"cross-site POST without _method passes", frameworktest.NewRequest("POST", "/items/1").WithForm(form("name", "z")).Set("Origin", "https://evil.example"), 200, "POST z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := frameworktest.Do(app.Serve, tt.req.Set("Accept", "application/json"))
			if res.Status != tt.status {
				t.Fatalf("status %d, want %d\n%s", res.Status, tt.status, res.Raw)
			}
			if tt.body != "" && string(res.Body) != tt.body {
				t.Errorf("body %q, want %q", res.Body, tt.body)
			}
			if tt.status == 403 && !bytes.Contains(res.Body, []byte("cross-site request refused")) {
				t.Errorf("403 without a clear reason: %s", res.Body)
			}
			if tt.status == 400 && tt.name != "malformed form" && !bytes.Contains(res.Body, []byte("may only override to PUT, PATCH or DELETE")) {
				t.Errorf("400 without a clear reason: %s", res.Body)
			}
		})
	}
}

// sessionCfg is a session configuration for the chain below.
func sessionCfg() session.Config {
	return session.Config{Keys: [][]byte{testKey('a')}, MaxAge: time.Hour}
}

// TestRecommendedChain runs the chain the package doc recommends,
// to catch interactions between the pieces.
func TestRecommendedChain(t *testing.T) {
	reqLogs := &frameworktest.Logs{}
	app := framework.New()
	app.Use(middleware.RequestID(), middleware.SecureHeaders(), middleware.Logger(reqLogs.Logger()), middleware.Recover(), middleware.MethodOverride(), middleware.Gzip(middleware.GzipConfig{}), session.Sessions(sessionCfg()))
	app.GET("/page", func(c *framework.Ctx) error {
		session.From(c).Set("seen", "1")
		return c.HTML(200, gzipBody)
	})
	app.DELETE("/items/1", func(c *framework.Ctx) error { return c.String(200, "deleted") })
	app.GET("/panic", func(c *framework.Ctx) error { panic("boom") })

	res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/page").Set("Accept-Encoding", "gzip"))
	if res.Status != 200 || res.Get("Content-Encoding") != "gzip" || gunzip(t, res.Body) != gzipBody ||
		res.CookiePair(session.DefaultCookieName) == "" || res.Get("X-Frame-Options") != "DENY" || res.Get("X-Request-ID") == "" {
		t.Errorf("page:\n%s", res.Header.Fields())
	}
	res, _ = frameworktest.Do(app.Serve, frameworktest.NewRequest("POST", "/items/1").WithForm(url.Values{"_method": {"delete"}}))
	if string(res.Body) != "deleted" {
		t.Errorf("override: %d %s", res.Status, res.Body)
	}
	res, _ = frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/panic"))
	if res.Status != 500 || res.Get("X-Frame-Options") != "DENY" || res.Get("X-Request-ID") == "" {
		t.Errorf("panic page lost the outer headers:\n%s", res.Raw)
	}
	var statuses []float64
	for _, l := range reqLogs.Lines(t) {
		statuses = append(statuses, l["status"].(float64))
	}
	if fmt.Sprint(statuses) != "[200 200 500]" {
		t.Errorf("logged statuses %v", statuses)
	}
}

// testKey returns a 32-byte session key made of b.
func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }
