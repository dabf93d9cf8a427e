package framework_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// Helpers of the cookie tests (the middleware and session packages keep
// their own copies). Two ways to drive a request through the real
// pipeline:
//
//	mwDo      in memory, through ServeBytes: the exact bytes, no sockets
//	mwStart   a real Server on a loopback port, for net/http's client as
//	          the oracle (its cookie jar, its gzip decoding)

// mwLogs collects JSON log lines, safely across goroutines (logBuffer,
// from server_test.go), and decodes them.
type mwLogs struct{ logBuffer }

// lines decodes every JSON log line.
func (l *mwLogs) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		m := map[string]any{}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// find returns the first log line whose msg is msg, or nil.
func (l *mwLogs) find(t *testing.T, msg string) map[string]any {
	t.Helper()
	for _, m := range l.lines(t) {
		if m["msg"] == msg {
			return m
		}
	}
	return nil
}

// logger returns a debug-level JSON logger writing to l.
func (l *mwLogs) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// mwDo sends req through h in memory, logging to a fresh mwLogs.
func mwDo(t *testing.T, h framework.Handler, req *frameworktest.Request) (*frameworktest.Response, *mwLogs) {
	t.Helper()
	logs := &mwLogs{}
	out := frameworktest.ServeBytes((&framework.Server{Handler: h, Logger: logs.logger()}), req.Bytes())
	res, err := frameworktest.ParseResponses(out, req.Method == "HEAD")
	if err != nil || len(res) == 0 {
		return &frameworktest.Response{Raw: out, Err: errors.New("no response")}, logs
	}
	return res[0], logs
}

// mwStart serves h on a loopback port until the test ends and returns
// the base URL, a client with a cookie jar that does not follow
// redirects, and the server's log.
func mwStart(t *testing.T, h framework.Handler) (string, *http.Client, *mwLogs) {
	t.Helper()
	logs := &mwLogs{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &framework.Server{Handler: h, Logger: logs.logger()}
	done := make(chan struct{})
	go func() { srv.Serve(ln); close(done) }()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{
		Jar:           jar,
		Timeout:       5 * time.Second,
		Transport:     &http.Transport{},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	t.Cleanup(func() {
		client.CloseIdleConnections()
		srv.Close()
		<-done
	})
	return "http://" + ln.Addr().String(), client, logs
}

// mwSetCookies returns the response's Set-Cookie values.
func mwSetCookies(r *frameworktest.Response) []string {
	var out []string
	for _, f := range r.Header.Fields() {
		if strings.EqualFold(f.Name, "Set-Cookie") {
			out = append(out, f.Value)
		}
	}
	return out
}
