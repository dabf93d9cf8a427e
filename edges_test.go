package groundup_test

// End-to-end tests of the app's edges: attacks and corner cases that a
// trusted server must answer well. They use the helpers of
// framework_test.go.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestCrossSiteMethodOverride is the attack of a form on another site
// that POSTs _method=DELETE to the JSON API, whose DELETE route has no
// CSRF check: it must be refused, and the guestbook's own forms must
// still override.
func TestCrossSiteMethodOverride(t *testing.T) {
	app := startApp(t)
	c := newAPIClient(t, app.URL, "ada@example.com")
	c.postJSON("/api/entries", `{"name": "Ada", "message": "keep me"}`).expect(t, 201, "create")
	c.postJSON("/api/entries", `{"name": "Bob", "message": "delete me"}`).expect(t, 201, "create")
	before := app.dump()
	// From here on the browser's side: the author's session cookie, which
	// a forged form would carry too, and no token, which it would not.
	c.token = ""

	for _, hdr := range [][]string{
		{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"},
		{"Origin", "https://evil.example"},
		{"Referer", "https://evil.example/page"},
		{"Sec-Fetch-Site", "same-site"},
	} {
		body := strings.NewReader(url.Values{"_method": {"DELETE"}}.Encode())
		r := c.do("POST", "/api/entries/1", body, append([]string{"Content-Type", "application/x-www-form-urlencoded"}, hdr...)...)
		r.expect(t, 403, "a cross-site _method=DELETE "+strings.Join(hdr, " ")).mustContain(t, "refusal", "cross-site request refused")
	}
	if after := app.dump(); after != before {
		t.Fatalf("a cross-site form deleted an entry:\nbefore %s\nafter %s", before, after)
	}

	// The guestbook's own delete form: same origin, with its token.
	page := c.get("/entries/2").expect(t, 200, "GET /entries/2")
	body := strings.NewReader(url.Values{"_csrf": {csrfToken(t, page)}, "_method": {"DELETE"}}.Encode())
	c.do("POST", "/entries/2", body, "Content-Type", "application/x-www-form-urlencoded",
		"Origin", app.URL, "Sec-Fetch-Site", "same-origin").expect(t, 303, "a same-site delete form")
	c.get("/entries/2").expect(t, 404, "the entry the form deleted")
	c.get("/entries/1").expect(t, 200, "the entry the attack tried to delete")
}

// signSession forges a session cookie value with the app's test key, in
// the format of framework/session: base64url(payload) "." base64url(MAC).
func signSession(t *testing.T, payload string) string {
	t.Helper()
	key, err := hex.DecodeString(testSessionKey)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString([]byte(payload))
	m := hmac.New(sha256.New, key)
	m.Write([]byte("groundup_session|" + enc))
	return "groundup_session=" + enc + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// TestSessionEdges checks that per-visitor pages are never cached, and
// that the app's sessions end on the server.
func TestSessionEdges(t *testing.T) {
	app := startApp(t)
	c := newAPIClient(t, app.URL, "ada@example.com")
	c.token = "" // a browser: logged in by its session cookie

	// Pages with a session cookie, a CSRF token or a flash are private;
	// pages that never touch the session keep their own caching.
	for _, path := range []string{"/entries", "/entries/new", "/"} {
		r := c.get(path).expect(t, 200, path)
		if cc := r.Header.Get("Cache-Control"); cc != "private, no-store" {
			t.Errorf("%s: Cache-Control %q, want private, no-store", path, cc)
		}
	}
	r := c.postForm("/entries", url.Values{"name": {"x"}}).expect(t, 403, "a post without a token")
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("403 page: Cache-Control %q", cc)
	}
	if cc := c.get("/static/css/app.css").expect(t, 200, "a static file").Header.Get("Cache-Control"); strings.Contains(cc, "private") {
		t.Errorf("a static file is marked private: %q", cc)
	}

	// A flash in a fresh cookie shows, which proves the forgery is right;
	// the same cookie issued long ago, or idle past the timeout, does not.
	now := time.Now().Unix()
	flash := `{"f":[{"k":"info","m":"a message from the cookie"}],"iat":%d,"seen":%d}`
	tests := []struct {
		name      string
		iat, seen int64
		shows     bool
	}{
		{"fresh", now, now, true},
		{"signed in 1970", 1, 1, false},
		{"past the lifetime", now - 8*24*3600, now, false},
		{"idle past the timeout", now - 3600*13, now - 3600*13, false},
	}
	for _, tc := range tests {
		fresh := newClient(t, app.URL)
		page := fresh.get("/entries", "Cookie", signSession(t, fmt.Sprintf(flash, tc.iat, tc.seen))).expect(t, 200, tc.name)
		if got := strings.Contains(page.Body, "a message from the cookie"); got != tc.shows {
			t.Errorf("%s: flash shown %v, want %v", tc.name, got, tc.shows)
		}
	}
}
