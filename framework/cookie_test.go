package framework_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework/http1"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

func TestCookieString(t *testing.T) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		ck   framework.Cookie
		want string // "" means refused
	}{
		{"plain", framework.Cookie{Name: "a", Value: "b"}, "a=b"},
		{"empty value", framework.Cookie{Name: "a"}, "a="},
		{"all attributes",
			framework.Cookie{Name: "id", Value: "42", Path: "/app", Domain: "example.com", Expires: exp, MaxAge: 60, Secure: true, HttpOnly: true, SameSite: framework.SameSiteStrict},
			"id=42; Path=/app; Domain=example.com; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Max-Age=60; HttpOnly; Secure; SameSite=Strict"},
		{"lax", framework.Cookie{Name: "a", Value: "b", SameSite: framework.SameSiteLax}, "a=b; SameSite=Lax"},
		{"none", framework.Cookie{Name: "a", Value: "b", Secure: true, SameSite: framework.SameSiteNone}, "a=b; Secure; SameSite=None"},
		{"negative max-age deletes", framework.Cookie{Name: "a", MaxAge: -1}, "a=; Max-Age=0"},
		{"expires before 1601 is left out", framework.Cookie{Name: "a", Value: "b", Expires: time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)}, "a=b"},
		{"leading dot of domain dropped", framework.Cookie{Name: "a", Value: "b", Domain: ".example.com"}, "a=b; Domain=example.com"},
		{"ipv4 domain", framework.Cookie{Name: "a", Value: "b", Domain: "127.0.0.1"}, "a=b; Domain=127.0.0.1"},
		{"space in value is quoted", framework.Cookie{Name: "a", Value: "hello world"}, `a="hello world"`},
		{"comma in value is quoted", framework.Cookie{Name: "a", Value: "x,y"}, `a="x,y"`},
		{"base64 value as is", framework.Cookie{Name: "a", Value: "YWJj+/=="}, "a=YWJj+/=="},
		{"__Host- done right", framework.Cookie{Name: "__Host-id", Value: "1", Path: "/", Secure: true}, "__Host-id=1; Path=/; Secure"},
		{"__Secure- done right", framework.Cookie{Name: "__Secure-id", Value: "1", Secure: true}, "__Secure-id=1; Secure"},

		{"empty name", framework.Cookie{Name: "", Value: "b"}, ""},
		{"space in name", framework.Cookie{Name: "a b", Value: "c"}, ""},
		{"semicolon in name", framework.Cookie{Name: "a;b", Value: "c"}, ""},
		{"equals in name", framework.Cookie{Name: "a=b", Value: "c"}, ""},
		{"non-ASCII name", framework.Cookie{Name: "ä", Value: "c"}, ""},
		{"quote in value", framework.Cookie{Name: "a", Value: `say "hi"`}, ""},
		{"semicolon in value", framework.Cookie{Name: "a", Value: "x; Domain=evil.com"}, ""},
		{"backslash in value", framework.Cookie{Name: "a", Value: `x\y`}, ""},
		{"CRLF in value", framework.Cookie{Name: "a", Value: "x\r\nSet-Cookie: evil=1"}, ""},
		{"non-ASCII value", framework.Cookie{Name: "a", Value: "café"}, ""},
		{"semicolon in path", framework.Cookie{Name: "a", Value: "b", Path: "/x;Secure"}, ""},
		{"newline in path", framework.Cookie{Name: "a", Value: "b", Path: "/x\n"}, ""},
		{"space in domain", framework.Cookie{Name: "a", Value: "b", Domain: "exa mple.com"}, ""},
		{"semicolon in domain", framework.Cookie{Name: "a", Value: "b", Domain: "example.com;x"}, ""},
		{"empty label in domain", framework.Cookie{Name: "a", Value: "b", Domain: "example..com"}, ""},
		{"__Host- without Secure", framework.Cookie{Name: "__Host-id", Value: "1", Path: "/"}, ""},
		{"__Host- with Domain", framework.Cookie{Name: "__host-id", Value: "1", Path: "/", Secure: true, Domain: "example.com"}, ""},
		{"__Secure- without Secure", framework.Cookie{Name: "__Secure-id", Value: "1"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.ck.String()
			if got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
			if got == "" {
				return
			}
			if !http1.ValidFieldValue(got) {
				t.Fatalf("String() = %q is not a valid field value", got)
			}
			// Oracle: net/http reads back what we wrote.
			hc, err := http.ParseSetCookie(got)
			if err != nil {
				t.Fatalf("net/http cannot parse %q: %v", got, err)
			}
			if hc.Name != tt.ck.Name || hc.Value != tt.ck.Value || hc.Path != tt.ck.Path ||
				hc.Secure != tt.ck.Secure || hc.HttpOnly != tt.ck.HttpOnly {
				t.Errorf("net/http read %+v back from %q", hc, got)
			}
		})
	}
}

func cookieCtx(lines ...string) *framework.Ctx {
	fields := []http1.Field{{Name: "Host", Value: "example.com"}}
	for _, l := range lines {
		fields = append(fields, http1.Field{Name: "Cookie", Value: l})
	}
	return framework.CtxWithHead(fields...)
}

func TestCtxCookieParsing(t *testing.T) {
	tests := []struct {
		name   string
		lines  []string
		lookup string
		want   string
		found  bool
		all    string // Cookies() as "n=v|n=v"
	}{
		{"single", []string{"a=1"}, "a", "1", true, "a=1"},
		{"several", []string{"a=1; b=2; c=3"}, "b", "2", true, "a=1|b=2|c=3"},
		{"several fields", []string{"a=1", "b=2"}, "b", "2", true, "a=1|b=2"},
		{"first wins", []string{"a=1; a=2"}, "a", "1", true, "a=1|a=2"},
		{"missing", []string{"a=1"}, "b", "", false, "a=1"},
		{"no Cookie field", nil, "a", "", false, ""},
		{"quoted value unquoted", []string{`a="x y"`}, "a", "x y", true, "a=x y"},
		{"empty value", []string{"a=; b=2"}, "a", "", true, "a=|b=2"},
		{"loose spacing", []string{" a = 1 ;b=2;  "}, "a", "1", true, "a=1|b=2"},
		{"name is case-sensitive", []string{"A=1"}, "a", "", false, "A=1"},
		{"value with '='", []string{"t=abc=="}, "t", "abc==", true, "t=abc=="},
		{"bad name skipped", []string{"a b=1; c=2"}, "c", "2", true, "c=2"},
		{"bad value skipped", []string{`a=x"y; c=2`}, "a", "", false, "c=2"},
		{"empty pairs skipped", []string{";;a=1;;"}, "a", "1", true, "a=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cookieCtx(tt.lines...)
			got, found := c.Cookie(tt.lookup)
			if got != tt.want || found != tt.found {
				t.Errorf("Cookie(%q) = %q, %v; want %q, %v", tt.lookup, got, found, tt.want, tt.found)
			}
			var all []string
			for _, ck := range c.Cookies() {
				all = append(all, ck.Name+"="+ck.Value)
			}
			if s := strings.Join(all, "|"); s != tt.all {
				t.Errorf("Cookies() = %q, want %q", s, tt.all)
			}
		})
	}
}

func TestCtxCookieLookupDoesNotAllocate(t *testing.T) {
	c := cookieCtx("theme=dark; session=abc.def; lang=en", "other=1")
	allocs := testing.AllocsPerRun(100, func() {
		if v, ok := c.Cookie("other"); !ok || v != "1" {
			t.Fatal("lookup failed")
		}
	})
	if allocs != 0 {
		t.Errorf("Cookie lookup allocates %v times, want 0", allocs)
	}
	allocs = testing.AllocsPerRun(100, func() {
		n := 0
		for v := range c.CookieValues("session") {
			n += len(v)
		}
		if n != len("abc.def") {
			t.Fatal("CookieValues missed the cookie")
		}
	})
	if allocs != 0 {
		t.Errorf("CookieValues allocates %v times, want 0", allocs)
	}
}

func TestSetAndDeleteCookie(t *testing.T) {
	app := framework.New()
	app.GET("/set", func(c *framework.Ctx) error {
		c.SetCookie(&framework.Cookie{Name: "theme", Value: "dark", Path: "/", HttpOnly: true})
		c.SetCookie(&framework.Cookie{Name: "greeting", Value: "hello world"})
		c.SetCookie(&framework.Cookie{Name: "bad", Value: "a;b"}) // refused, logged
		c.DeleteCookie("old", "/")
		c.DeleteCookie("__Host-x", "/")
		return c.String(200, "ok")
	})
	res, logs := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/set"))
	if res.Status != 200 {
		t.Fatalf("status %d", res.Status)
	}
	want := []string{
		"theme=dark; Path=/; HttpOnly",
		`greeting="hello world"`,
		"old=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0",
		"__Host-x=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Secure",
	}
	got := res.SetCookies()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Set-Cookie fields:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	line := logs.Find(t, "refused to send an invalid cookie")
	if line == nil || !strings.Contains(line["err"].(string), "bad") {
		t.Errorf("invalid cookie not logged with its name; log:\n%s", logs)
	}
}

func TestCookiesThroughNetHTTPClient(t *testing.T) {
	app := framework.New()
	app.GET("/set", func(c *framework.Ctx) error {
		c.SetCookie(&framework.Cookie{Name: "a", Value: "1", Path: "/"})
		c.SetCookie(&framework.Cookie{Name: "b", Value: "two words", Path: "/"})
		return c.NoContent(204)
	})
	app.GET("/read", func(c *framework.Ctx) error {
		a, _ := c.Cookie("a")
		b, _ := c.Cookie("b")
		return c.String(200, a+"|"+b)
	})
	addr, _ := frameworktest.Listen(t, app.Serve)
	base, client := "http://"+addr, jarClient(t)
	if _, err := client.Get(base + "/set"); err != nil {
		t.Fatal(err)
	}
	res, err := client.Get(base + "/read")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if string(body) != "1|two words" {
		t.Errorf("cookies read back as %q", body)
	}
}

// jarClient is net/http's client, the oracle, with a cookie jar; it does
// not follow redirects, and its idle connections close when the test ends.
func jarClient(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{
		Jar:           jar,
		Timeout:       5 * time.Second,
		Transport:     &http.Transport{},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	t.Cleanup(client.CloseIdleConnections)
	return client
}
