package frameworktest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
	"github.com/groundup-go/groundup/framework/session"
)

func TestParseSetCookie(t *testing.T) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want framework.Cookie
		ok   bool
	}{
		{"a=1", framework.Cookie{Name: "a", Value: "1"}, true},
		{` b = "x y" ; Path=/p; Domain=.Example.com`, framework.Cookie{Name: "b", Value: "x y", Path: "/p", Domain: "example.com"}, true},
		{"c=; Max-Age=0", framework.Cookie{Name: "c", MaxAge: -1}, true},
		{"c=; max-age=-5", framework.Cookie{Name: "c", MaxAge: -1}, true},
		{"d=1; Max-Age=60; Expires=Wed, 02 Jan 2030 03:04:05 GMT", framework.Cookie{Name: "d", Value: "1", MaxAge: 60, Expires: exp}, true},
		{"e=1; Secure; HttpOnly; SameSite=Strict", framework.Cookie{Name: "e", Value: "1", Secure: true, HttpOnly: true, SameSite: framework.SameSiteStrict}, true},
		{"f=1; Path=relative; Max-Age=soon; Expires=never; Unknown", framework.Cookie{Name: "f", Value: "1"}, true},
		{"novalue", framework.Cookie{}, false},
		{"=1", framework.Cookie{}, false},
	}
	for _, tc := range tests {
		got, ok := frameworktest.ParseSetCookie(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseSetCookie(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// cookieApp sets and deletes cookies as the query says, and echoes the
// Cookie header it receives.
func cookieApp() *framework.App {
	app := framework.New()
	echo := func(c *framework.Ctx) error {
		for _, sc := range c.QueryValues()["set"] {
			c.Header().Add("Set-Cookie", sc)
		}
		return c.String(200, c.RequestHeader("Cookie"))
	}
	app.GET("/", echo)
	app.GET("/a/b", echo)
	app.GET("/a/b/c", echo)
	app.GET("/ab", echo)
	return app
}

func TestClientCookies(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		steps []string // targets, in order; the last one's Cookie header is checked
		want  string
	}{
		{"kept", []string{"/?set=a=1", "/"}, "a=1"},
		{"replaced", []string{"/?set=a=1", "/?set=a=2", "/"}, "a=2"},
		{"deleted by Max-Age=0", []string{"/?set=a=1", "/?set=a=;Max-Age=0", "/"}, ""},
		{"deleted by a past Expires", []string{"/?set=a=1", "/?set=a=;Expires=Thu, 01 Jan 1970 00:00:00 GMT", "/"}, ""},
		{"future Expires kept", []string{"/?set=a=1;Expires=Thu, 01 Jan 2099 00:00:00 GMT", "/"}, "a=1"},
		{"default path is the directory", []string{"/a/b?set=p=1", "/", "/a/b/c"}, "p=1"},
		{"default path not sent elsewhere", []string{"/a/b?set=p=1", "/"}, ""},
		{"path prefix is not a path match", []string{"/?set=p=1;Path=/a", "/ab"}, ""},
		{"longest path first", []string{"/?set=a=1;Path=/", "/?set=b=2;Path=/a/b", "/a/b/c"}, "b=2; a=1"},
		{"same name, two paths", []string{"/?set=a=1;Path=/", "/?set=a=2;Path=/a", "/a/b"}, "a=2; a=1"},
		{"Secure refused on http", []string{"/?set=s=1;Secure", "/"}, ""},
		{"another domain refused", []string{"/?set=d=1;Domain=other.org", "/"}, ""},
		{"own domain kept", []string{"/?set=d=1;Domain=example.com", "/"}, "d=1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := frameworktest.NewClient(cookieApp().Serve)
			c.Now = func() time.Time { return now }
			var res *frameworktest.Response
			for _, s := range tc.steps {
				path, q, _ := strings.Cut(s, "?")
				target := path
				if q != "" {
					target += "?set=" + url.QueryEscape(strings.TrimPrefix(q, "set="))
				}
				res = c.Get(target)
			}
			if res.Status != 200 || string(res.Body) != tc.want {
				t.Errorf("sent Cookie %q (status %d), want %q", res.Body, res.Status, tc.want)
			}
		})
	}
}

func TestClientCookieMaxAgeExpires(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c := frameworktest.NewClient(cookieApp().Serve)
	c.Now = func() time.Time { return now }
	c.Get("/?set=" + url.QueryEscape("m=1; Max-Age=60"))
	if v, ok := c.Cookie("m"); !ok || v != "1" {
		t.Fatalf("Cookie(m) = %q, %v", v, ok)
	}
	now = now.Add(59 * time.Second)
	if got := string(c.Get("/").Body); got != "m=1" {
		t.Errorf("before Max-Age: sent %q", got)
	}
	now = now.Add(time.Second)
	if got := string(c.Get("/").Body); got != "" {
		t.Errorf("at Max-Age: sent %q, want nothing", got)
	}
	if len(c.Cookies()) != 0 {
		t.Errorf("jar still holds %v", c.Cookies())
	}
}

func TestClientSecure(t *testing.T) {
	c := frameworktest.NewClient(cookieApp().Serve)
	c.Secure = true
	if got := string(c.Get("/?set=" + url.QueryEscape("s=1; Secure")).Body); got != "" {
		t.Errorf("first request sent %q", got)
	}
	if got := string(c.Get("/").Body); got != "s=1" {
		t.Errorf("over HTTPS sent %q, want s=1", got)
	}
	c.ClearCookies()
	c.SetCookie("h", "2")
	if got := string(c.Get("/").Body); got != "h=2" {
		t.Errorf("hand-set cookie: sent %q", got)
	}
}

func TestClientRedirects(t *testing.T) {
	app := framework.New()
	app.POST("/see-other", func(c *framework.Ctx) error { return c.Redirect(303, "/show") })
	app.POST("/temporary", func(c *framework.Ctx) error { return c.Redirect(307, "show") })
	app.GET("/show", func(c *framework.Ctx) error { return c.String(200, "GET show") })
	app.POST("/show", func(c *framework.Ctx) error { return c.String(200, "POST show "+c.FormValue("x")) })
	app.GET("/away", func(c *framework.Ctx) error { return c.Redirect(302, "https://other.example/") })
	app.GET("/loop", func(c *framework.Ctx) error { return c.Redirect(302, "/loop") })
	app.GET("/abs", func(c *framework.Ctx) error { return c.Redirect(301, "http://example.com/show?q=1#frag") })

	tests := []struct {
		method, target string
		follow         bool
		status         int
		url, body      string
	}{
		{"POST", "/see-other", false, 303, "/see-other", ""},
		{"POST", "/see-other", true, 200, "/show", "GET show"},
		{"POST", "/temporary", true, 200, "/show", "POST show 1"},
		{"GET", "/away", true, 302, "/away", ""},
		{"GET", "/loop", true, 302, "/loop", ""},
		{"GET", "/abs", true, 200, "/show?q=1", "GET show"},
	}
	for _, tc := range tests {
		c := frameworktest.NewClient(app.Serve)
		c.FollowRedirects = tc.follow
		req := frameworktest.NewRequest(tc.method, tc.target)
		if tc.method == "POST" {
			req.WithForm(url.Values{"x": {"1"}})
		}
		res := c.Do(req)
		if res.Status != tc.status || res.URL != tc.url || (tc.body != "" && string(res.Body) != tc.body) {
			t.Errorf("%s %s follow=%v: %d %s %q; want %d %s %q", tc.method, tc.target, tc.follow,
				res.Status, res.URL, res.Body, tc.status, tc.url, tc.body)
		}
	}
}

// csrfApp is a form behind Sessions and CSRF that answers with a flash.
func csrfApp() *framework.App {
	app := framework.New()
	app.Use(session.Sessions(session.Config{Keys: [][]byte{[]byte("use 32 random bytes, not this!!!")}}))
	pages := app.Group("", session.CSRF(session.CSRFConfig{}))
	pages.GET("/note", func(c *framework.Ctx) error {
		return c.Render(200, templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			for _, f := range session.Flashes(ctx) {
				io.WriteString(w, "<p>"+f.Message+"</p>")
			}
			io.WriteString(w, `<form method="post" action="/note"><input name="other" value="x">`)
			session.CSRFField(ctx).Render(ctx, w)
			_, err := io.WriteString(w, `<input name="text"></form>`)
			return err
		}))
	})
	pages.POST("/note", func(c *framework.Ctx) error {
		session.From(c).AddFlash("success", "Noted: "+c.FormValue("text"))
		return c.Redirect(303, "/note")
	})
	return app
}

func TestClientCSRF(t *testing.T) {
	c := frameworktest.NewClient(csrfApp().Serve)
	if res := c.PostForm("/note", url.Values{"text": {"hi"}}); res.Status != 403 {
		t.Fatalf("post before any page: %d, want 403", res.Status)
	}
	c.FollowRedirects = true
	res := c.Submit("/note", "/note", url.Values{"text": {"hi"}})
	if res.Status != 200 || !strings.Contains(string(res.Body), "<p>Noted: hi</p>") {
		t.Fatalf("submit: %d %s", res.Status, res.Body)
	}
	if c.CSRFToken() == "" {
		t.Error("no token kept")
	}
	// A token given by hand wins over the kept one.
	if res := c.PostForm("/note", url.Values{"_csrf": {"forged"}, "text": {"x"}}); res.Status != 403 {
		t.Errorf("forged token: %d, want 403", res.Status)
	}
	// The header route, as a script sends it.
	req := frameworktest.NewRequest("POST", "/note").Set("X-CSRF-Token", c.CSRFToken()).WithForm(url.Values{"text": {"js"}})
	if res := c.Do(req); res.Status != 200 || !strings.Contains(string(res.Body), "Noted: js") {
		t.Errorf("header token: %d %s", res.Status, res.Body)
	}
	if res := c.Submit("/missing", "/note", nil); res.Status != 404 {
		t.Errorf("submit from a missing page: %d, want the page's 404", res.Status)
	}
}

// recTB records what the client logs through a testing.TB.
type recTB struct {
	testing.TB
	logs []string
}

func (r *recTB) Helper()                    {}
func (r *recTB) Logf(f string, args ...any) { r.logs = append(r.logs, fmt.Sprintf(f, args...)) }

func TestClientShowsLogsOf5xx(t *testing.T) {
	app := framework.New()
	app.GET("/boom", func(c *framework.Ctx) error {
		c.Logger().Error("database is down", "table", "entries")
		return errors.New("query failed")
	})
	app.GET("/fine", func(c *framework.Ctx) error {
		c.Logger().Info("all good")
		return c.String(200, "ok")
	})
	tb := &recTB{TB: t}
	c := frameworktest.NewClient(app.Serve)
	c.TB = tb
	if res := c.Get("/fine"); res.Status != 200 || len(res.Log) != 1 || !strings.Contains(res.Log[0], "all good") {
		t.Errorf("/fine: %d, log %q", res.Status, res.Log)
	}
	if len(tb.logs) != 0 {
		t.Errorf("a 200 was reported: %q", tb.logs)
	}
	res := c.Get("/boom")
	if res.Status != 500 {
		t.Fatalf("/boom: %d", res.Status)
	}
	joined := strings.Join(res.Log, "\n")
	if !strings.Contains(joined, "database is down") || strings.Contains(joined, "all good") {
		t.Errorf("response log holds another request's lines or misses its own: %q", res.Log)
	}
	if len(tb.logs) != 1 || !strings.Contains(tb.logs[0], "GET /boom: 500") || !strings.Contains(tb.logs[0], "database is down") {
		t.Errorf("TB.Log got %q", tb.logs)
	}
	if c.Logs.Find(t, "all good") == nil {
		t.Error("client Logs lost the first request's line")
	}
}

func TestDo(t *testing.T) {
	app := framework.New()
	app.GET("/", func(c *framework.Ctx) error {
		c.Logger().Warn("careful", "n", 1)
		return c.String(200, "ok")
	})
	res, logs := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/"))
	if res.Status != 200 {
		t.Fatalf("status %d", res.Status)
	}
	if m := logs.Find(t, "careful"); m == nil || m["n"] != 1.0 || m["level"] != "WARN" {
		t.Errorf("log line %v", m)
	}
}

func TestResponseCookies(t *testing.T) {
	app := framework.New()
	app.GET("/", func(c *framework.Ctx) error {
		c.SetCookie(&framework.Cookie{Name: "a", Value: "1", Path: "/"})
		c.SetCookie(&framework.Cookie{Name: "ab", Value: "2", HttpOnly: true})
		return c.String(200, "ok")
	})
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/"))
	if got := res.SetCookies(); len(got) != 2 || got[0] != "a=1; Path=/" || got[1] != "ab=2; HttpOnly" {
		t.Errorf("SetCookies = %q", got)
	}
	for name, want := range map[string]string{"a": "a=1", "ab": "ab=2", "b": ""} {
		if got := res.CookiePair(name); got != want {
			t.Errorf("CookiePair(%q) = %q, want %q", name, got, want)
		}
	}
}
