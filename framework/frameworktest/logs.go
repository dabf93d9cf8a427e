package frameworktest

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/groundup-go/groundup/framework"
)

// Logs collects what a server logs, as JSON lines, safely across
// goroutines. Its Logger writes at debug level, so a test sees every
// line.
type Logs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p; it is the log handler's output.
func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything logged so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// len returns the number of bytes logged so far, to mark where a request
// starts.
func (l *Logs) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

// since returns the lines logged after mark.
func (l *Logs) since(mark int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := strings.TrimSpace(l.b.String()[mark:])
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// Logger returns a debug-level JSON logger writing to l.
func (l *Logs) Logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Lines decodes every log line; a line that is not JSON fails the test.
func (l *Logs) Lines(tb testing.TB) []map[string]any {
	tb.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		m := map[string]any{}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			tb.Fatalf("log line is not JSON: %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// Find returns the first log line whose msg is msg, decoded, or nil.
func (l *Logs) Find(tb testing.TB, msg string) map[string]any {
	tb.Helper()
	for _, m := range l.Lines(tb) {
		if m["msg"] == msg {
			return m
		}
	}
	return nil
}

// Do is Test with the server's log kept: it sends req through h in
// memory and returns the response and what the server logged meanwhile.
func Do(h framework.Handler, req *Request) (*Response, *Logs) {
	logs := &Logs{}
	out := ServeBytes(&framework.Server{Handler: h, Logger: logs.Logger()}, req.Bytes())
	res := parseOne(out, req.Method == "HEAD")
	res.Log = logs.since(0)
	return res, logs
}
