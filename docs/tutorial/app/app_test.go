package main

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework/frameworktest"
)

// newClient returns a test client for a fresh app: it keeps cookies and
// the form's CSRF token between requests, as a browser does.
func newClient(t *testing.T) *frameworktest.Client {
	logs := &frameworktest.Logs{}
	app := newApp(logs.Logger(), bytes.Repeat([]byte("k"), 32))
	c := frameworktest.NewClient(app.Serve)
	c.Logs, c.TB = logs, t // a 5xx shows the server's log in the test output
	return c
}

func TestAddTodo(t *testing.T) {
	c := newClient(t)
	c.FollowRedirects = true

	tests := []struct {
		title  string
		status int
		want   string
	}{
		{"Buy milk", 200, "Added “Buy milk”."},
		{"   ", 422, "Say what there is to do."},
		{strings.Repeat("x", 101), 422, "Keep it under 100 characters."},
	}
	for _, tc := range tests {
		res := c.Submit("/", "/todos", url.Values{"title": {tc.title}})
		if res.Status != tc.status || !strings.Contains(string(res.Body), tc.want) {
			t.Errorf("title %q: %d, want %d with %q", tc.title, res.Status, tc.status, tc.want)
		}
	}
	if res := c.Get("/"); !strings.Contains(string(res.Body), "<li>Buy milk</li>") {
		t.Errorf("the list lacks the todo:\n%s", res.Body)
	}
}

func TestFormNeedsItsToken(t *testing.T) {
	c := newClient(t) // has fetched no page, so holds no token
	if res := c.PostForm("/todos", url.Values{"title": {"Forged"}}); res.Status != 403 {
		t.Errorf("post without a token: %d, want 403", res.Status)
	}
}

func TestAPI(t *testing.T) {
	c := newClient(t)
	tests := []struct {
		body   string
		status int
		want   string
	}{
		{`{"title": "Write docs"}`, 201, `{"id":1,"title":"Write docs"}`},
		{`{"title": ""}`, 422, `{"error":"invalid input: title: Say what there is to do.","fields":{"title":"Say what there is to do."},"status":422}`},
		{`{"titel": "typo"}`, 400, `{"error":"invalid JSON: unknown field \"titel\"","status":400}`},
	}
	for _, tc := range tests {
		res := c.Do(frameworktest.NewRequest("POST", "/api/todos").WithBody("application/json", []byte(tc.body)))
		if got := strings.TrimSpace(string(res.Body)); res.Status != tc.status || got != tc.want {
			t.Errorf("POST %s: %d %s, want %d %s", tc.body, res.Status, got, tc.status, tc.want)
		}
	}
	if res := c.Get("/api/todos"); strings.TrimSpace(string(res.Body)) != `[{"id":1,"title":"Write docs"}]` {
		t.Errorf("GET /api/todos: %s", res.Body)
	}
}
