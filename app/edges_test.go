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
