package main

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework/frameworktest"
)

// newTestClient builds the app on a fresh database and returns a client
// that talks to it in memory, as a browser would: cookies, CSRF tokens,
// and the server's log shown in the test output on a 5xx.
func newTestClient(t *testing.T, key string) *frameworktest.Client {
	t.Helper()
	logs := &frameworktest.Logs{}
	cfg := config{
		db:          filepath.Join(t.TempDir(), "test.db"),
		sessionKeys: [][]byte{[]byte(key)},
	}
	a, err := newApp(context.Background(), cfg, logs.Logger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	c := frameworktest.NewClient(a.srv.Handler)
	c.Server, c.Logs, c.TB = a.srv, logs, t
	return c
}

// testKey is the session key of the in-memory tests: 32 bytes.
const testKey = "0123456789abcdef0123456789abcdef"

func TestGuestbookInMemory(t *testing.T) {
	c := newTestClient(t, testKey)
	c.FollowRedirects = true

	// Posting before any page: no session, no token.
	if res := c.PostForm("/entries", url.Values{"name": {"Eve"}, "message": {"hi"}}); res.Status != 403 {
		t.Fatalf("post without a page: %d, want 403", res.Status)
	}

	// Writing needs an account: the form sends a visitor to log in.
	if res := c.Get("/entries/new"); res.URL != "/login?next=%2Fentries%2Fnew" {
		t.Fatalf("new entry, logged out: %d at %s, want the login page", res.Status, res.URL)
	}
	signUp(t, c, "Ada", "ada@example.com")

	res := c.Submit("/entries/new", "/entries", url.Values{"name": {"Ada"}, "message": {"Hello, Engine!"}})
	if res.Status != 200 || res.URL != "/entries" {
		t.Fatalf("create: %d at %s", res.Status, res.URL)
	}
	body := string(res.Body)
	for _, want := range []string{"Thank you, Ada.", "Hello, Engine!"} {
		if !strings.Contains(body, want) {
			t.Errorf("list after create lacks %q", want)
		}
	}
	// The flash shows once.
	if res := c.Get("/entries"); strings.Contains(string(res.Body), "Thank you, Ada.") {
		t.Error("the flash showed twice")
	}

	// A refused form keeps the input and says why, with 422.
	res = c.Submit("/entries/1/edit", "/entries/1", url.Values{"_method": {"PUT"}, "name": {""}, "message": {"Kept text"}})
	if res.Status != 422 || !strings.Contains(string(res.Body), "Name is required.") || !strings.Contains(string(res.Body), "Kept text") {
		t.Errorf("invalid edit: %d", res.Status)
	}
	res = c.PostForm("/entries/1", url.Values{"_method": {"PUT"}, "name": {"Ada"}, "message": {"Edited."}})
	if res.Status != 200 || res.URL != "/entries/1" || !strings.Contains(string(res.Body), "Edited.") {
		t.Errorf("edit: %d at %s", res.Status, res.URL)
	}

	res = c.Submit("/entries", "/entries/1", url.Values{"_method": {"DELETE"}})
	if res.Status != 200 || res.URL != "/entries" {
		t.Errorf("delete: %d at %s", res.Status, res.URL)
	}
	if res := c.Get("/entries/1"); res.Status != 404 {
		t.Errorf("deleted entry: %d, want 404", res.Status)
	}
}

func TestSessionSurvivesOnlyItsKey(t *testing.T) {
	c := newTestClient(t, testKey)
	signUp(t, c, "Ada", "ada@example.com")
	c.Get("/entries/new")
	if _, ok := c.Cookie("groundup_session"); !ok {
		t.Fatalf("no session cookie; jar holds %v", c.Cookies())
	}
	// A server restarted with another key cannot read the cookie: the
	// token the page gave no longer matches its session.
	other := newTestClient(t, strings.Repeat("k", 32))
	signUp(t, other, "Ada", "ada@example.com")
	form := url.Values{"_csrf": {c.CSRFToken()}, "name": {"Ada"}, "message": {"Kept words"}}
	res := other.PostForm("/entries", form)
	body := string(res.Body)
	if res.Status != 403 || !strings.Contains(body, "Your form expired, send it again.") || !strings.Contains(body, "Kept words") {
		t.Fatalf("post with a token of another key: %d, want 403 with the form and its input kept:\n%s", res.Status, body)
	}
	// The form shown again carries a fresh token: sending it again works.
	other.FollowRedirects = true
	form.Del("_csrf")
	if res := other.PostForm("/entries", form); res.Status != 200 || !strings.Contains(string(res.Body), "Kept words") {
		t.Errorf("second send: %d at %s", res.Status, res.URL)
	}
}

func TestExpiredEditAndDelete(t *testing.T) {
	c := newTestClient(t, testKey)
	c.FollowRedirects = true
	signUp(t, c, "Ada", "ada@example.com")
	c.Submit("/entries/new", "/entries", url.Values{"name": {"Ada"}, "message": {"First"}})
	c.ClearCookies() // the session ends; the open pages keep their old tokens
	res := c.PostForm("/entries/1", url.Values{"_method": {"PUT"}, "name": {"Ada"}, "message": {"Second"}})
	if res.Status != 403 || !strings.Contains(string(res.Body), "Second") || !strings.Contains(string(res.Body), "Your form expired") {
		t.Errorf("expired edit: %d", res.Status)
	}
	c.ClearCookies()
	res = c.PostForm("/entries/1", url.Values{"_method": {"DELETE"}})
	if res.Status != 403 || !strings.Contains(string(res.Body), "Your form expired") {
		t.Errorf("expired delete: %d", res.Status)
	}
	if res := c.Get("/entries/1"); res.Status != 200 || !strings.Contains(string(res.Body), "First") {
		t.Errorf("the entry changed: %d", res.Status)
	}
}
