package session_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
	"github.com/groundup-go/groundup/framework/middleware"
	"github.com/groundup-go/groundup/framework/session"
)

// sessionApp serves a few routes over a session with cfg.
func sessionApp(cfg session.Config) *framework.App {
	app := framework.New()
	app.Use(session.Sessions(cfg))
	app.GET("/set", func(c *framework.Ctx) error {
		session.From(c).Set(c.Query("k"), c.Query("v"))
		return c.NoContent(204)
	})
	app.GET("/get", func(c *framework.Ctx) error {
		return c.String(200, session.From(c).Get(c.Query("k")))
	})
	app.GET("/delete", func(c *framework.Ctx) error {
		session.From(c).Delete(c.Query("k"))
		return c.NoContent(204)
	})
	app.GET("/clear", func(c *framework.Ctx) error {
		session.From(c).Clear()
		return c.NoContent(204)
	})
	app.GET("/relogin", func(c *framework.Ctx) error {
		s := session.From(c)
		s.Clear()
		s.Set("user", "bob")
		return c.NoContent(204)
	})
	app.POST("/save", func(c *framework.Ctx) error {
		session.From(c).AddFlash("success", "Saved "+c.FormValue("name")+".")
		return c.Redirect(framework.StatusSeeOther, "/page")
	})
	// The layout shows flashes in two places, as a header and a footer
	// might: both must see them.
	app.GET("/page", func(c *framework.Ctx) error {
		return c.Render(200, templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			for i := range 2 {
				fmt.Fprintf(w, "[%d]", i)
				for _, f := range session.Flashes(ctx) {
					fmt.Fprintf(w, " %s:%s", f.Kind, f.Message)
				}
			}
			fmt.Fprintf(w, " user=%s", session.Value(ctx, "user"))
			return nil
		}))
	})
	app.GET("/stream", func(c *framework.Ctx) error {
		c.WriteString("early")
		c.Flush()
		session.From(c).Set("late", "1")
		return nil
	})
	app.GET("/big", func(c *framework.Ctx) error {
		session.From(c).Set("big", strings.Repeat("x", 5000))
		return c.NoContent(204)
	})
	app.GET("/fail", func(c *framework.Ctx) error {
		session.From(c).AddFlash("error", "It failed.")
		return framework.NewError(422, "invalid")
	})
	return app
}

func sessionCfg(keys ...[]byte) session.Config {
	if len(keys) == 0 {
		keys = [][]byte{testKey('a')}
	}
	return session.Config{Keys: keys, MaxAge: time.Hour}
}

func getBody(t *testing.T, client *http.Client, u string) (int, string, *http.Response) {
	t.Helper()
	res, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res
}

func TestSessionRoundTripWithCookieJar(t *testing.T) {
	addr, _ := frameworktest.Listen(t, sessionApp(sessionCfg()).Serve)
	base, client := "http://"+addr, jarClient(t)
	_, _, res := getBody(t, client, base+"/set?k=user&v=ada")
	sc := res.Header.Get("Set-Cookie")
	for _, want := range []string{session.DefaultCookieName + "=", "Path=/", "Max-Age=3600", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(sc, want) {
			t.Errorf("Set-Cookie %q lacks %q", sc, want)
		}
	}
	if _, body, res := getBody(t, client, base+"/get?k=user"); body != "ada" || res.Header.Get("Set-Cookie") != "" {
		t.Errorf("read back %q; an unchanged session wrote %q", body, res.Header.Get("Set-Cookie"))
	}
	getBody(t, client, base+"/set?k=theme&v=dark")
	if _, body, _ := getBody(t, client, base+"/get?k=user"); body != "ada" {
		t.Errorf("first value lost after a second Set: %q", body)
	}
	getBody(t, client, base+"/delete?k=user")
	if _, body, _ := getBody(t, client, base+"/get?k=user"); body != "" {
		t.Errorf("deleted value still there: %q", body)
	}
	_, _, res = getBody(t, client, base+"/clear")
	if sc := res.Header.Get("Set-Cookie"); !strings.Contains(sc, "Max-Age=0") {
		t.Errorf("Clear did not delete the cookie: %q", sc)
	}
	u, _ := url.Parse(base)
	if n := len(client.Jar.Cookies(u)); n != 0 {
		t.Errorf("jar still holds %d cookies", n)
	}
}

func TestFlashShownOnce(t *testing.T) {
	addr, _ := frameworktest.Listen(t, sessionApp(sessionCfg()).Serve)
	base, client := "http://"+addr, jarClient(t)
	getBody(t, client, base+"/set?k=user&v=ada")
	res, err := client.PostForm(base+"/save", url.Values{"name": {"report"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 303 {
		t.Fatalf("status %d", res.StatusCode)
	}
	if _, body, _ := getBody(t, client, base+"/page"); body != "[0] success:Saved report.[1] success:Saved report. user=ada" {
		t.Errorf("first view: %q", body)
	}
	if _, body, _ := getBody(t, client, base+"/page"); body != "[0][1] user=ada" {
		t.Errorf("second view shows the flash again: %q", body)
	}
}

func TestSessionSavedWithErrorResponse(t *testing.T) {
	app := sessionApp(sessionCfg())
	res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/fail"))
	if res.Status != 422 || res.CookiePair(session.DefaultCookieName) == "" {
		t.Fatalf("status %d, cookie %q", res.Status, res.SetCookies())
	}
	res, _ = frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/page").Set("Cookie", res.CookiePair(session.DefaultCookieName)))
	if !strings.Contains(string(res.Body), "error:It failed.") {
		t.Errorf("flash from the failed request lost: %s", res.Body)
	}
}

// signedValue returns a cookie value as store st would write p.
func signedValue(t *testing.T, st *session.Store, p session.Payload) string {
	t.Helper()
	v, err := st.Encode(&p)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSessionDecodeRefusals(t *testing.T) {
	st := session.NewStore(sessionCfg())
	now := time.Now()
	good := signedValue(t, st, session.Payload{Values: map[string]string{"user": "ada"}, Issued: now.Unix()})
	enc, sig, _ := strings.Cut(good, ".")
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"v":{"user":"admin"},"iat":` + fmt.Sprint(now.Unix()) + `}`))
	other := session.NewStore(session.Config{Keys: [][]byte{testKey('a')}, CookieName: "other"})
	otherSig := flipChar(sig, 0)
	tests := []struct {
		name   string
		value  string
		reason string
	}{
		{"valid", good, ""},
		{"payload swapped", forged + "." + sig, "bad signature"},
		{"signature changed", enc + "." + otherSig, "bad signature"},
		{"signed for another cookie name", signedValue(t, other, session.Payload{Issued: now.Unix()}), "bad signature"},
		{"other key", signedValue(t, session.NewStore(sessionCfg(testKey('b'))), session.Payload{Issued: now.Unix()}), "bad signature"},
		{"no dot", enc + sig, "malformed"},
		{"empty", "", "malformed"},
		{"only signature", "." + sig, "malformed"},
		{"short signature", enc + "." + sig[:10], "malformed signature"},
		{"long signature", enc + "." + sig + "AAAA", "malformed signature"},
		{"signature not base64", enc + "." + strings.Repeat("!", len(sig)), "malformed signature"},
		{"oversized", strings.Repeat("a", 4097), "oversized"},
		{"expired", signedValue(t, st, session.Payload{Issued: now.Add(-2 * time.Hour).Unix()}), "expired: older than MaxAge"},
		{"signed in 1970", signedValue(t, st, session.Payload{Issued: 1}), "expired: older than the session lifetime"},
		{"past its lifetime, though seen", signedValue(t, st, session.Payload{Issued: now.Add(-15 * 24 * time.Hour).Unix(), Seen: now.Unix()}), "expired: older than the session lifetime"},
		{"seen before issued", signedValue(t, st, session.Payload{Issued: now.Unix(), Seen: now.Add(-time.Minute).Unix()}), "bad last-seen time"},
		{"seen in the future", signedValue(t, st, session.Payload{Issued: now.Unix(), Seen: now.Add(time.Hour).Unix()}), "bad last-seen time"},
		{"from the future", signedValue(t, st, session.Payload{Issued: now.Add(time.Hour).Unix()}), "bad issued-at time"},
		{"no issued-at", signedValue(t, st, session.Payload{}), "bad issued-at time"},
		{"signed garbage", func() string {
			e := base64.RawURLEncoding.EncodeToString([]byte("not json"))
			return e + "." + base64.RawURLEncoding.EncodeToString(st.Sign(e))
		}(), "malformed payload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _, reason := st.Decode(tt.value, now)
			if reason != tt.reason {
				t.Fatalf("reason %q, want %q", reason, tt.reason)
			}
			if reason == "" && p.Values["user"] != "ada" {
				t.Errorf("valid cookie decoded to %+v", p)
			}
		})
	}
}

// flipChar replaces s[i] by another base64url character.
func flipChar(s string, i int) string {
	r := byte('A')
	if s[i] == 'A' {
		r = 'B'
	}
	return s[:i] + string(r) + s[i+1:]
}

func TestSessionBadCookieGivesEmptySession(t *testing.T) {
	app := sessionApp(sessionCfg())
	st := session.NewStore(sessionCfg())
	good := signedValue(t, st, session.Payload{Values: map[string]string{"user": "ada"}, Issued: time.Now().Unix()})
	tampered := flipChar(good, 10)
	tests := []struct {
		name, cookie, want string
	}{
		{"good", good, "ada"},
		{"tampered", tampered, ""},
		{"garbage", "%%%", ""},
		{"second cookie of the name verifies", "junk; " + session.DefaultCookieName + "=" + good, "ada"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cookie := session.DefaultCookieName + "=" + tt.cookie
			res, logs := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/get?k=user").Set("Cookie", cookie))
			if res.Status != 200 || string(res.Body) != tt.want {
				t.Fatalf("got %d %q, want 200 %q", res.Status, res.Body, tt.want)
			}
			if tt.want == "" {
				if l := logs.Find(t, "ignoring session cookie"); l == nil || l["level"] != "DEBUG" {
					t.Errorf("no debug line for a bad cookie:\n%s", logs)
				}
			}
		})
	}
}

func TestSessionKeyRotation(t *testing.T) {
	oldKey, newKey := testKey('o'), testKey('n')
	before := sessionApp(sessionCfg(oldKey))
	res, _ := frameworktest.Do(before.Serve, frameworktest.NewRequest("GET", "/set?k=user&v=ada"))
	oldCookie := res.CookiePair(session.DefaultCookieName)

	// After rotation, the old key still verifies, and the session is
	// written back under the new key.
	after := sessionApp(sessionCfg(newKey, oldKey))
	res, _ = frameworktest.Do(after.Serve, frameworktest.NewRequest("GET", "/get?k=user").Set("Cookie", oldCookie))
	newCookie := res.CookiePair(session.DefaultCookieName)
	if string(res.Body) != "ada" || newCookie == "" || newCookie == oldCookie {
		t.Fatalf("old cookie: body %q, re-signed %q", res.Body, newCookie)
	}
	// The new cookie verifies under the new key alone; the old one does not.
	onlyNew := sessionApp(sessionCfg(newKey))
	res, _ = frameworktest.Do(onlyNew.Serve, frameworktest.NewRequest("GET", "/get?k=user").Set("Cookie", newCookie))
	if string(res.Body) != "ada" {
		t.Errorf("re-signed cookie not signed by the new key: %q", res.Body)
	}
	res, _ = frameworktest.Do(onlyNew.Serve, frameworktest.NewRequest("GET", "/get?k=user").Set("Cookie", oldCookie))
	if string(res.Body) != "" {
		t.Errorf("retired key still verifies: %q", res.Body)
	}
	// A cookie signed by the current key is not rewritten.
	res, _ = frameworktest.Do(after.Serve, frameworktest.NewRequest("GET", "/get?k=user").Set("Cookie", newCookie))
	if len(res.SetCookies()) != 0 {
		t.Errorf("current cookie rewritten: %q", res.SetCookies())
	}
}

func TestSessionExpiry(t *testing.T) {
	cfg := sessionCfg()
	st := session.NewStore(cfg)
	app := sessionApp(cfg)
	tests := []struct {
		age  time.Duration
		want string
	}{
		{0, "ada"},
		{59 * time.Minute, "ada"},
		{61 * time.Minute, ""},
		{48 * time.Hour, ""},
	}
	for _, tt := range tests {
		t.Run(tt.age.String(), func(t *testing.T) {
			v := signedValue(t, st, session.Payload{Values: map[string]string{"user": "ada"}, Issued: time.Now().Add(-tt.age).Unix()})
			res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/get?k=user").Set("Cookie", session.DefaultCookieName+"="+v))
			if string(res.Body) != tt.want {
				t.Errorf("session aged %v read %q, want %q", tt.age, res.Body, tt.want)
			}
		})
	}
	// A browser-session cookie (MaxAge 0) sends no Max-Age, and only
	// Lifetime and IdleTimeout expire it on the server.
	cfg.MaxAge = 0
	app = sessionApp(cfg)
	res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/set?k=a&v=b"))
	if sc := res.SetCookies(); len(sc) != 1 || strings.Contains(sc[0], "Max-Age") {
		t.Errorf("browser-session cookie: %q", sc)
	}
	v := signedValue(t, st, session.Payload{Values: map[string]string{"user": "ada"}, Issued: time.Now().Add(-20 * time.Hour).Unix()})
	res, _ = frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/get?k=user").Set("Cookie", session.DefaultCookieName+"="+v))
	if string(res.Body) != "ada" {
		t.Errorf("MaxAge 0 expired a session")
	}
}

// TestSessionLifetimeAndIdle checks the server-side expiry that the app
// configures: a session ends Lifetime after it began however active, and
// IdleTimeout after it was last seen; a read refreshes the last-seen time.
func TestSessionLifetimeAndIdle(t *testing.T) {
	cfg := session.Config{Keys: [][]byte{testKey('a')}, Lifetime: 8 * time.Hour, IdleTimeout: time.Hour}
	st := session.NewStore(cfg)
	app := sessionApp(cfg)
	now := time.Now()
	ago := func(d time.Duration) int64 { return now.Add(-d).Unix() }
	tests := []struct {
		name          string
		issued, seen  int64
		want          string
		wantRefreshed bool
	}{
		{"fresh", ago(0), 0, "ada", false},
		{"seen 10 minutes ago", ago(2 * time.Hour), ago(10 * time.Minute), "ada", false},
		{"seen 20 minutes ago: refreshed", ago(2 * time.Hour), ago(20 * time.Minute), "ada", true},
		{"idle 61 minutes", ago(2 * time.Hour), ago(61 * time.Minute), "", false},
		{"old cookie without seen, idle", ago(2 * time.Hour), 0, "", false},
		{"active but past the lifetime", ago(8*time.Hour + time.Minute), ago(time.Minute), "", false},
		{"signed in 1970", 1, 1, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := signedValue(t, st, session.Payload{Values: map[string]string{"user": "ada"}, Issued: tt.issued, Seen: tt.seen})
			res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/get?k=user").Set("Cookie", session.DefaultCookieName+"="+v))
			if string(res.Body) != tt.want {
				t.Fatalf("read %q, want %q", res.Body, tt.want)
			}
			sc := res.SetCookies()
			if tt.want == "" || !tt.wantRefreshed {
				if tt.want != "" && len(sc) != 0 {
					t.Errorf("a recently seen session was rewritten: %q", sc)
				}
				return
			}
			if len(sc) != 1 {
				t.Fatalf("last-seen not refreshed: %q", sc)
			}
			val := strings.TrimPrefix(strings.SplitN(sc[0], ";", 2)[0], session.DefaultCookieName+"=")
			p, _, reason := st.Decode(val, time.Now())
			if reason != "" || p.Issued != tt.issued || p.Seen < now.Unix() || p.Values["user"] != "ada" {
				t.Errorf("refreshed cookie: %+v, %q; want issued-at kept and seen now", p, reason)
			}
		})
	}
	// A new session starts at Clear: its issued-at is now.
	v := signedValue(t, st, session.Payload{Values: map[string]string{"user": "ada"}, Issued: ago(7 * time.Hour), Seen: ago(time.Minute)})
	res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/relogin").Set("Cookie", session.DefaultCookieName+"="+v))
	sc := res.SetCookies()
	if len(sc) != 1 {
		t.Fatalf("relogin set %q", sc)
	}
	p, _, _ := st.Decode(strings.TrimPrefix(strings.SplitN(sc[0], ";", 2)[0], session.DefaultCookieName+"="), time.Now())
	if p.Issued < now.Unix() || p.Values["user"] != "bob" {
		t.Errorf("after Clear the session kept its old issued-at: %+v", p)
	}
}

// TestSessionResponsesArePrivate checks that every response that read or
// wrote the session, and only those, is marked uncacheable.
func TestSessionResponsesArePrivate(t *testing.T) {
	cfg := sessionCfg()
	st := session.NewStore(cfg)
	app := sessionApp(cfg)
	app.GET("/public", func(c *framework.Ctx) error {
		c.Header().Set("Cache-Control", "public, max-age=60")
		return c.String(200, "hello "+session.From(c).Get("user"))
	})
	app.GET("/plain", func(c *framework.Ctx) error { return c.String(200, "no session here") })
	v := signedValue(t, st, session.Payload{Values: map[string]string{"user": "ada"}, Issued: time.Now().Unix()})
	cookie := session.DefaultCookieName + "=" + v
	tests := []struct {
		target, cookie, want string
	}{
		{"/get?k=user", cookie, session.CacheControl},
		{"/get?k=user", "", session.CacheControl},
		{"/set?k=a&v=b", "", session.CacheControl},
		{"/fail", "", session.CacheControl},
		{"/public", cookie, session.CacheControl},
		{"/plain", cookie, ""},
		{"/plain", "", ""},
	}
	for _, tt := range tests {
		req := frameworktest.NewRequest("GET", tt.target)
		if tt.cookie != "" {
			req.Set("Cookie", tt.cookie)
		}
		res, _ := frameworktest.Do(app.Serve, req)
		if got := res.Get("Cache-Control"); got != tt.want && !(tt.target == "/fail" && strings.Contains(got, "no-store")) {
			t.Errorf("%s (cookie %v): Cache-Control %q, want %q", tt.target, tt.cookie != "", got, tt.want)
		}
	}
}

func TestSessionCannotBeSaved(t *testing.T) {
	app := sessionApp(sessionCfg())
	res, logs := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/stream"))
	if len(res.SetCookies()) != 0 || logs.Find(t, "session changed after the response started; change not saved") == nil {
		t.Errorf("streamed change: cookies %q, log:\n%s", res.SetCookies(), logs)
	}
	res, logs = frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/big"))
	if len(res.SetCookies()) != 0 || logs.Find(t, "session too large for a cookie; not saved") == nil {
		t.Errorf("oversized session: cookies %q, log:\n%s", res.SetCookies(), logs)
	}
}

func TestSessionNotSavedAfterPanic(t *testing.T) {
	app := framework.New()
	app.Use(session.Sessions(sessionCfg()), middleware.Recover())
	app.GET("/", func(c *framework.Ctx) error {
		session.From(c).Set("user", "admin")
		panic("half-way")
	})
	res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/"))
	if res.Status != 500 || len(res.SetCookies()) != 0 {
		t.Errorf("status %d, cookies %q: a panicked request saved its session", res.Status, res.SetCookies())
	}
}

func TestSessionConfigPanics(t *testing.T) {
	tests := []struct {
		name string
		cfg  session.Config
		want string
	}{
		{"no keys", session.Config{}, "Keys is empty"},
		{"short key", session.Config{Keys: [][]byte{testKey('a'), []byte("short")}}, "Keys[1] is 5 bytes"},
		{"bad name", session.Config{Keys: [][]byte{testKey('a')}, CookieName: "my session"}, "not a token"},
		{"bad path", session.Config{Keys: [][]byte{testKey('a')}, Path: "/a;b"}, "invalid Path"},
		{"__Host- without Secure", session.Config{Keys: [][]byte{testKey('a')}, CookieName: "__Host-s"}, "__Host-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), tt.want) {
					t.Errorf("panic %v, want one mentioning %q", v, tt.want)
				}
			}()
			session.Sessions(tt.cfg)
		})
	}
}

func TestSessionHelpersWithoutMiddleware(t *testing.T) {
	if session.From(&framework.Ctx{}) != nil || session.From(nil) != nil {
		t.Error("From without the middleware is not nil")
	}
	if session.Flashes(context.Background()) != nil || session.Value(context.Background(), "x") != "" {
		t.Error("view helpers outside a request are not empty")
	}
	app := framework.New()
	app.GET("/", func(c *framework.Ctx) error {
		return c.String(200, fmt.Sprint(session.From(c) == nil, len(session.Flashes(c.Context())), session.Value(c.Context(), "k") == ""))
	})
	res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/"))
	if string(res.Body) != "true 0 true" {
		t.Errorf("got %q", res.Body)
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

// testKey returns a 32-byte session key made of b.
func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }
