package session_test

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
	"github.com/groundup-go/groundup/framework/middleware"
	"github.com/groundup-go/groundup/framework/session"
)

// csrfApp mounts Sessions app-wide and CSRF on the HTML group, as the
// docs advise; /api is outside it.
func csrfApp(cfg session.CSRFConfig) *framework.App {
	app := framework.New()
	app.Use(middleware.Recover(), session.Sessions(sessionCfg()))
	html := app.Group("", session.CSRF(cfg))
	html.GET("/form", func(c *framework.Ctx) error {
		return c.Render(200, templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			io.WriteString(w, `<form method="post">`)
			if err := session.CSRFField(ctx).Render(ctx, w); err != nil {
				return err
			}
			_, err := io.WriteString(w, `</form>`)
			return err
		}))
	})
	html.GET("/token", func(c *framework.Ctx) error { return c.String(200, session.CSRFToken(c.Context())) })
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		html.Handle(m, "/submit", func(c *framework.Ctx) error { return c.String(200, "done") })
	}
	app.POST("/api", func(c *framework.Ctx) error { return c.String(200, "api") })
	return app
}

var csrfValueRE = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)

// csrfVisit fetches the form and returns the session cookie and token.
func csrfVisit(t *testing.T, app *framework.App) (cookie, token string) {
	t.Helper()
	res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/form"))
	m := csrfValueRE.FindSubmatch(res.Body)
	cookie = res.CookiePair(session.DefaultCookieName)
	if res.Status != 200 || m == nil || cookie == "" {
		t.Fatalf("form page: %d, cookie %q\n%s", res.Status, cookie, res.Body)
	}
	return cookie, string(m[2])
}

func TestCSRF(t *testing.T) {
	app := csrfApp(session.CSRFConfig{TrustedOrigins: []string{"https://admin.example.org"}})
	cookie, token := csrfVisit(t, app)
	_, otherToken := csrfVisit(t, app) // a second visitor's token

	const (
		badToken  = "CSRF token missing or invalid"
		badOrigin = "cross-origin request refused"
	)
	form := func(tok string) url.Values { return url.Values{"_csrf": {tok}, "x": {"1"}} }
	tests := []struct {
		name    string
		method  string
		path    string
		cookie  string
		token   string // sent in the form field
		header  map[string]string
		status  int
		message string
	}{
		{"GET passes without a token", "GET", "/token", "", "", nil, 200, ""},
		{"missing token", "POST", "/submit", cookie, "", nil, 403, badToken},
		{"wrong token", "POST", "/submit", cookie, otherToken, nil, 403, badToken},
		{"garbage token", "POST", "/submit", cookie, "abc", nil, 403, badToken},
		{"token without its session", "POST", "/submit", "", token, nil, 403, badToken},
		{"good form token", "POST", "/submit", cookie, token, nil, 200, ""},
		{"good header token", "POST", "/submit", cookie, "", map[string]string{"X-CSRF-Token": token}, 200, ""},
		{"DELETE with header token", "DELETE", "/submit", cookie, "", map[string]string{"X-CSRF-Token": token}, 200, ""},
		{"PUT without token", "PUT", "/submit", cookie, "", nil, 403, badToken},
		{"PATCH without token", "PATCH", "/submit", cookie, "", nil, 403, badToken},
		{"same Origin", "POST", "/submit", cookie, token, map[string]string{"Origin": "http://example.com"}, 200, ""},
		{"same Origin, default port", "POST", "/submit", cookie, token, map[string]string{"Origin": "http://example.com:80"}, 200, ""},
		{"cross Origin", "POST", "/submit", cookie, token, map[string]string{"Origin": "https://evil.example"}, 403, badOrigin},
		{"Origin on another port", "POST", "/submit", cookie, token, map[string]string{"Origin": "http://example.com:8080"}, 403, badOrigin},
		{"Origin null", "POST", "/submit", cookie, token, map[string]string{"Origin": "null"}, 403, badOrigin},
		{"trusted Origin", "POST", "/submit", cookie, token, map[string]string{"Origin": "https://admin.example.org", "Sec-Fetch-Site": "cross-site"}, 200, ""},
		{"trusted Origin still needs the token", "POST", "/submit", cookie, "", map[string]string{"Origin": "https://admin.example.org"}, 403, badToken},
		{"Sec-Fetch-Site cross-site", "POST", "/submit", cookie, token, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, badOrigin},
		{"Sec-Fetch-Site same-site", "POST", "/submit", cookie, token, map[string]string{"Sec-Fetch-Site": "same-site"}, 403, badOrigin},
		{"Sec-Fetch-Site same-origin", "POST", "/submit", cookie, token, map[string]string{"Sec-Fetch-Site": "same-origin"}, 200, ""},
		{"Sec-Fetch-Site none", "POST", "/submit", cookie, token, map[string]string{"Sec-Fetch-Site": "none"}, 200, ""},
		{"cross Referer", "POST", "/submit", cookie, token, map[string]string{"Referer": "https://evil.example/page"}, 403, badOrigin},
		{"same Referer", "POST", "/submit", cookie, token, map[string]string{"Referer": "http://example.com/form"}, 200, ""},
		{"cross-origin checked before the token", "POST", "/submit", cookie, "", map[string]string{"Origin": "https://evil.example"}, 403, badOrigin},
		{"JSON API outside the group", "POST", "/api", "", "", nil, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := frameworktest.NewRequest(tt.method, tt.path).Set("Accept", "application/json")
			if tt.method != "GET" {
				req.WithForm(form(tt.token))
			}
			if tt.cookie != "" {
				req.Set("Cookie", tt.cookie)
			}
			for k, v := range tt.header {
				req.Set(k, v)
			}
			res, logs := frameworktest.Do(app.Serve, req)
			if res.Status != tt.status {
				t.Fatalf("status %d, want %d\n%s\nlog:\n%s", res.Status, tt.status, res.Raw, logs)
			}
			if tt.message != "" {
				if !strings.Contains(string(res.Body), tt.message) {
					t.Errorf("body %s lacks %q", res.Body, tt.message)
				}
				if !strings.Contains(logs.String(), "CSRF: ") {
					t.Errorf("refusal not logged:\n%s", logs)
				}
			}
		})
	}
}

func TestCSRFTokensAreMaskedPerRender(t *testing.T) {
	app := csrfApp(session.CSRFConfig{})
	cookie, first := csrfVisit(t, app)
	res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/token").Set("Cookie", cookie))
	second := string(res.Body)
	if first == second || len(first) != len(second) {
		t.Fatalf("tokens %q and %q: want different masks of one secret", first, second)
	}
	if len(res.SetCookies()) != 0 {
		t.Errorf("a second token rewrote the session: %q", res.SetCookies())
	}
	for _, tok := range []string{first, second} {
		res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("POST", "/submit").Set("Cookie", cookie).WithForm(url.Values{"_csrf": {tok}}))
		if res.Status != 200 {
			t.Errorf("token %q refused: %d", tok, res.Status)
		}
	}
}

func TestCSRFFieldEscapesAndNamesTheField(t *testing.T) {
	app := csrfApp(session.CSRFConfig{FieldName: `a"b<c>`})
	res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/form"))
	if !strings.Contains(string(res.Body), `name="a&#34;b&lt;c&gt;" value="`) {
		t.Errorf("field name not escaped: %s", res.Body)
	}
	m := csrfValueRE.FindSubmatch(res.Body)
	if m == nil || len(m[2]) != 86 {
		t.Errorf("token value: %s", res.Body)
	}
}

func TestCSRFMisconfiguration(t *testing.T) {
	// CSRF without Sessions: every request panics with a clear message.
	app := framework.New()
	app.Use(middleware.Recover())
	app.GET("/", func(c *framework.Ctx) error { return c.NoContent(204) }, session.CSRF(session.CSRFConfig{}))
	res, logs := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/"))
	if res.Status != 500 || !strings.Contains(logs.String(), "CSRF needs the Sessions middleware") {
		t.Errorf("status %d, log:\n%s", res.Status, logs)
	}

	// CSRFField without a session fails the render.
	app = framework.New()
	app.GET("/", func(c *framework.Ctx) error { return c.Render(200, session.CSRFField(c.Context())) })
	res, _ = frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/"))
	if res.Status != 500 || strings.Contains(string(res.Body), "<input") {
		t.Errorf("CSRFField without a session: %d %s", res.Status, res.Body)
	}
	if session.CSRFToken(context.Background()) != "" {
		t.Error("CSRFToken outside a request is not empty")
	}

	for _, bad := range []string{"example.com", "ftp://example.com", "https://example.com/path", "https://"} {
		func() {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "TrustedOrigins") {
					t.Errorf("TrustedOrigins %q: panic %v", bad, v)
				}
			}()
			session.CSRF(session.CSRFConfig{TrustedOrigins: []string{bad}})
		}()
	}
}

func TestCSRFWithNetHTTPClient(t *testing.T) {
	addr, _ := frameworktest.Listen(t, csrfApp(session.CSRFConfig{}).Serve)
	base, client := "http://"+addr, jarClient(t)
	_, body, _ := getBody(t, client, base+"/form")
	m := csrfValueRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no token in %q", body)
	}
	res, err := client.PostForm(base+"/submit", url.Values{"_csrf": {m[2]}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("good token over a real socket: %d", res.StatusCode)
	}
	res, err = client.PostForm(base+"/submit", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 {
		t.Errorf("missing token over a real socket: %d", res.StatusCode)
	}
}

func TestCSRFExpired(t *testing.T) {
	expired := func(c *framework.Ctx) error {
		return c.Render(framework.StatusForbidden, templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			io.WriteString(w, "expired, kept "+c.FormValue("text")+" ")
			return session.CSRFField(ctx).Render(ctx, w)
		}))
	}
	tests := []struct {
		name   string
		token  func(c *frameworktest.Client) string
		origin string
		status int
		body   string
	}{
		{"no token", func(*frameworktest.Client) string { return "" }, "", 403, "expired, kept hi "},
		{"a token of another session", func(*frameworktest.Client) string { return "x" }, "", 403, "expired, kept hi "},
		{"the session's token", func(c *frameworktest.Client) string { return c.CSRFToken() }, "", 200, "done"},
		{"cross-origin never reaches Expired", func(*frameworktest.Client) string { return "" }, "https://evil.example", 403, "cross-origin request refused"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := frameworktest.NewClient(csrfApp(session.CSRFConfig{Expired: expired}).Serve)
			c.Get("/form")
			req := frameworktest.NewRequest("POST", "/submit").WithForm(url.Values{"_csrf": {tc.token(c)}, "text": {"hi"}})
			if tc.origin != "" {
				req.Set("Origin", tc.origin)
			}
			res := c.Do(req)
			if res.Status != tc.status || !strings.Contains(string(res.Body), tc.body) {
				t.Fatalf("%d %q, want %d %q", res.Status, res.Body, tc.status, tc.body)
			}
			if res.Status == 403 && tc.origin == "" {
				// The form shown again carries a token that now posts.
				if !strings.Contains(string(res.Body), `name="_csrf"`) {
					t.Fatalf("no fresh token in %q", res.Body)
				}
				if again := c.PostForm("/submit", url.Values{"text": {"hi"}}); again.Status != 200 {
					t.Errorf("second send: %d", again.Status)
				}
			}
		})
	}
}
