package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testApp builds the app in memory, with a fresh database, and returns
// its handler and its log.
func testApp(t *testing.T, dev bool) (framework.Handler, *lockedBuffer) {
	t.Helper()
	logs := &lockedBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := config{db: filepath.Join(t.TempDir(), "app.db"), dev: dev, sessionKeys: [][]byte{make([]byte, 32)}}
	a, err := newApp(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	return a.srv.Handler, logs
}

// TestDocsMarkdownRedirects checks the /docs/<x>.md redirects: a valid
// slug redirects, anything else is a 404, never a 500 or a Location that
// carries what the client smuggled into the slug.
func TestDocsMarkdownRedirects(t *testing.T) {
	h, logs := testApp(t, false)
	tests := []struct {
		target   string
		status   int
		location string
	}{
		{"/docs/01-sockets.md", 301, "/docs/01-sockets"},
		{"/docs/README.md", 301, "/docs"},
		{"/docs/x%0D%0ASet-Cookie:%20a=b.md", 404, ""},
		{"/docs/x%0A.md", 404, ""},
		{"/docs/x%3Fy=1.md", 404, ""},
		{"/docs/a%2Fb.md", 404, ""},
		{"/docs/..%5C.md", 404, ""},
		{"/docs/%E2%80%AE.md", 404, ""},
		{"/docs/.md", 404, ""},
	}
	for _, tt := range tests {
		res := frameworktest.Test(h, frameworktest.NewRequest("GET", tt.target))
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		if res.Status != tt.status || res.Get("Location") != tt.location {
			t.Errorf("%s: %d to %q, want %d to %q", tt.target, res.Status, res.Get("Location"), tt.status, tt.location)
		}
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("a docs redirect logged an error:\n%s", logs)
	}
}

// TestAPIRefusesInvalidUTF8 checks that the JSON API refuses text that is
// not UTF-8 with 422, as the form path does, instead of storing U+FFFD.
func TestAPIRefusesInvalidUTF8(t *testing.T) {
	h, _ := testApp(t, false)
	owner := frameworktest.NewClient(h)
	signUp(t, owner, "Ada", "ada@example.com")
	token := newToken(t, owner, "utf8")
	tests := []struct {
		name, body string
		status     int
		says       string
	}{
		{"an invalid byte", "{\"name\": \"Ada\xff\", \"message\": \"hi\"}", 422, "Name is not valid UTF-8 text."},
		{"a truncated sequence", "{\"name\": \"Ada\", \"message\": \"hi \xe2\x82\"}", 422, "Message is not valid UTF-8 text."},
		{"a lone high surrogate", `{"name": "Ada\ud800", "message": "hi"}`, 422, "Name is not valid UTF-8 text."},
		{"a lone low surrogate", `{"name": "Ada", "message": "\udc00 hi"}`, 422, "Message is not valid UTF-8 text."},
		{"a high surrogate before a letter", `{"name": "Ada\ud800\u0041", "message": "hi"}`, 422, "Name is not valid UTF-8 text."},
		{"a surrogate pair", `{"name": "Ada \ud83d\ude00", "message": "hi"}`, 201, "Ada 😀"},
		{"U+FFFD itself", `{"name": "Ada \ufffd", "message": "hi ` + "\uFFFD" + `"}`, 201, "Ada \uFFFD"},
		{"an escaped backslash before u", `{"name": "Ada \\ud800", "message": "hi"}`, 201, `Ada \\ud800`},
		{"a number for a name", `{"name": 5, "message": "hi"}`, 400, `must be a string, not number`},
		{"null", `{"name": null, "message": "hi"}`, 422, "Name is required."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := frameworktest.Test(h, frameworktest.NewRequest("POST", "/api/entries").
				WithBody("application/json", []byte(tt.body)).Set("Accept", "application/json").
				Set("Authorization", "Bearer "+token))
			if res.Status != tt.status || !strings.Contains(string(res.Body), tt.says) {
				t.Errorf("%d %s, want %d with %q", res.Status, res.Body, tt.status, tt.says)
			}
		})
	}
}

// TestDevErrorPageStyled checks that the dev error page is styled within
// the app's own Content-Security-Policy: no inline <style>, which
// style-src 'self' blocks, but a stylesheet from the app's origin.
func TestDevErrorPageStyled(t *testing.T) {
	h, _ := testApp(t, true)
	page := frameworktest.Test(h, frameworktest.NewRequest("GET", "/nowhere").Set("Accept", "text/html"))
	csp := page.Get("Content-Security-Policy")
	if page.Status != 404 || !strings.Contains(csp, "style-src 'self'") {
		t.Fatalf("%d, CSP %q", page.Status, csp)
	}
	if body := string(page.Body); strings.Contains(body, "<style") || !strings.Contains(body, `href="`+framework.ErrorCSSPath+`"`) {
		t.Errorf("the dev page styles itself inline, which its CSP blocks:\n%s", body)
	}
	css := frameworktest.Test(h, frameworktest.NewRequest("GET", framework.ErrorCSSPath))
	if css.Status != 200 || !strings.HasPrefix(css.Get("Content-Type"), "text/css") {
		t.Errorf("the stylesheet: %s", css.Raw)
	}
}
