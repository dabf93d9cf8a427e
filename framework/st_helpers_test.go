package framework_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// Shared helpers of the static, SSE, adapter and resource tests. Requests
// go through the real connection loop, parser and writer: in memory with
// Server.ServeBytes, or over a loopback socket with a real client.

// stServer is a Server on a loopback port, closed when the test ends.
type stServer struct {
	srv  *framework.Server
	addr string // host:port
	log  *stLog
}

// stStart serves h on 127.0.0.1:0.
func stStart(t *testing.T, h framework.Handler) *stServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lg := &stLog{}
	srv := &framework.Server{Handler: h, Logger: slog.New(lg)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return &stServer{srv: srv, addr: ln.Addr().String(), log: lg}
}

// URL returns the absolute URL of path on the server.
func (s *stServer) URL(path string) string { return "http://" + s.addr + path }

// stClient returns a net/http client whose idle connections are closed
// when the test ends, so that no goroutine outlives it.
func stClient(t *testing.T) *http.Client {
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{
		Transport: tr,
		Timeout:   10 * time.Second,
		// Redirects are part of what is tested: never follow them.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// stRawTCP sends raw request bytes on a new connection and returns every
// byte the server sends until it closes the connection. The request
// should ask for Connection: close.
func stRawTCP(t *testing.T, addr, raw string) []byte {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(nc, raw); err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(nc)
	if err != nil {
		t.Fatalf("reading response: %v (got %q)", err, out)
	}
	return out
}

// stReq builds raw request bytes: a request line, Host, the given fields
// ("Name: value"), and Connection: close.
func stReq(method, target string, fields ...string) string {
	var b strings.Builder
	b.WriteString(method + " " + target + " HTTP/1.1\r\nHost: example.com\r\n")
	for _, f := range fields {
		b.WriteString(f + "\r\n")
	}
	b.WriteString("Connection: close\r\n\r\n")
	return b.String()
}

// stTransport sends one raw request and returns the raw response bytes.
type stTransport struct {
	name string
	do   func(t *testing.T, h framework.Handler, raw string) []byte
}

// stTransports are the two ways a test can drive the real pipeline: in
// memory, and over a loopback socket.
var stTransports = []stTransport{
	{"memory", func(t *testing.T, h framework.Handler, raw string) []byte {
		return frameworktest.ServeBytes(&framework.Server{Handler: h, Logger: slog.New(slog.DiscardHandler)}, []byte(raw))
	}},
	{"tcp", func(t *testing.T, h framework.Handler, raw string) []byte {
		return stRawTCP(t, stStart(t, h).addr, raw)
	}},
}

// stParse parses the one response in out.
func stParse(t *testing.T, out []byte, head bool) *frameworktest.Response {
	t.Helper()
	res, err := frameworktest.ParseResponses(out, head)
	if err != nil || len(res) != 1 {
		t.Fatalf("want one response, got %d (err %v):\n%s", len(res), err, out)
	}
	return res[0]
}

// stLog is a slog.Handler that records every record, at every level.
type stLog struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (l *stLog) Enabled(context.Context, slog.Level) bool { return true }

func (l *stLog) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, r.Clone())
	return nil
}

func (l *stLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *stLog) WithGroup(string) slog.Handler      { return l }

// has reports whether a record at level has a message that contains msg.
func (l *stLog) has(level slog.Level, msg string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.recs {
		if r.Level == level && strings.Contains(r.Message, msg) {
			return true
		}
	}
	return false
}

// stReadLine reads one line from br with the deadline of the test's
// connection; it fails the test on error.
func stReadLine(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("reading line: %v (got %q)", err, line)
	}
	return line
}

// stWait fails the test unless ch is closed or receives within d.
func stWait[T any](t *testing.T, ch <-chan T, d time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatalf("timed out after %v waiting for %s", d, what)
	}
}
