package framework_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// Connection behaviour seen from a client on a real socket: what the loop
// answers, when it closes, and what it tells the client. The helpers
// (startServer, exchange, echoApp) are in server_test.go.

func TestExpectContinue(t *testing.T) {
	addr, _, _ := startServer(t, echoApp().Serve)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(nc, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
	br := bufio.NewReader(nc)
	line, _ := br.ReadString('\n')
	blank, _ := br.ReadString('\n')
	if line != "HTTP/1.1 100 Continue\r\n" || blank != "\r\n" {
		t.Fatalf("got %q %q before sending the body, want 100 Continue", line, blank)
	}
	io.WriteString(nc, "ping")
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if string(b) != "ping" {
		t.Errorf("body %q", b)
	}

	// A handler that answers without reading gets no 100 sent, and the
	// connection closes since the client's next bytes are unknowable.
	out := exchange(t, addr, "POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
	if strings.Contains(out, "100 Continue") || !strings.Contains(out, "405 Method Not Allowed") || !strings.Contains(out, "Connection: close") {
		t.Errorf("unread expect body:\n%s", out)
	}
	// HTTP/1.0 clients never get a 100 (RFC 9110 §10.1.1).
	out = exchange(t, addr, "POST /echo HTTP/1.0\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nok")
	if strings.Contains(out, "100 Continue") || !strings.HasSuffix(out, "\r\n\r\nok") {
		t.Errorf("1.0 expect:\n%s", out)
	}
}

func TestHeadAndHTTP10(t *testing.T) {
	addr, _, _ := startServer(t, echoApp().Serve)
	out := exchange(t, addr, "HEAD /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.Contains(out, "Content-Length: 13\r\n") || !strings.HasSuffix(out, "\r\n\r\n") {
		t.Errorf("HEAD:\n%s", out)
	}
	// 1.0 without keep-alive: the server closes after the response.
	out = exchange(t, addr, "GET /hello HTTP/1.0\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 200 OK\r\n") || !strings.Contains(out, "Connection: close\r\n") || !strings.HasSuffix(out, "Hello, World!") {
		t.Errorf("1.0:\n%s", out)
	}
	// 1.0 with keep-alive: two responses on one connection.
	out = exchange(t, addr, "GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /hello HTTP/1.0\r\n\r\n")
	if strings.Count(out, "Hello, World!") != 2 || !strings.Contains(out, "Connection: keep-alive\r\n") {
		t.Errorf("1.0 keep-alive:\n%s", out)
	}
	// A streamed 1.0 response is close-delimited: no chunked coding.
	out = exchange(t, addr, "GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	if strings.Contains(out, "chunked") || !strings.Contains(out, "Connection: close") || !strings.HasSuffix(out, "part 2\n") {
		t.Errorf("1.0 stream:\n%s", out)
	}
}

func TestConnectionClose(t *testing.T) {
	addr, _, _ := startServer(t, echoApp().Serve)
	// Requests after the one that asked to close are never answered.
	out := exchange(t, addr, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
	if strings.Count(out, "HTTP/1.1 200") != 1 || !strings.Contains(out, "Connection: close\r\n") {
		t.Errorf("close:\n%s", out)
	}
	// The handler can close too.
	app := framework.New()
	app.GET("/", func(c *framework.Ctx) error { c.Header().Set("Connection", "close"); return c.String(200, "bye") })
	addr2, _, _ := startServer(t, app.Serve)
	out = exchange(t, addr2, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if strings.Count(out, "bye") != 1 {
		t.Errorf("handler close:\n%s", out)
	}
}

func TestProtocolErrorStatuses(t *testing.T) {
	addr, _, logs := startServer(t, echoApp().Serve, func(s *framework.Server) {
		s.MaxBodyBytes = 10
		s.MaxURIBytes = 100
		s.MaxHeaderBytes = 1024
	})
	tests := []struct {
		name, req string
		status    int
	}{
		{"garbage", "HELLO\r\n\r\n", 400},
		{"missing host", "GET /hello HTTP/1.1\r\n\r\n", 400},
		{"body too large", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n01234567890", 413},
		{"chunked too large", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n01234567890\r\n0\r\n\r\n", 413},
		{"uri too long", "GET /" + strings.Repeat("a", 200) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
		{"expectation", "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 1\r\n\r\nx", 417},
		{"header too large", "GET /hello HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("b", 2000) + "\r\n\r\n", 431},
		{"unknown coding", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
		{"version", "GET /hello HTTP/2.0\r\nHost: x\r\n\r\n", 505},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := exchange(t, addr, tt.req)
			want := fmt.Sprintf("HTTP/1.1 %d ", tt.status)
			if !strings.HasPrefix(out, want) {
				t.Fatalf("got:\n%s\nwant status %d", out, tt.status)
			}
			if !strings.Contains(out, "Connection: close\r\n") || !strings.Contains(out, "Date: ") {
				t.Errorf("missing Connection: close or Date:\n%s", out)
			}
		})
	}
	if !strings.Contains(logs.String(), "protocol error") {
		t.Errorf("protocol errors were not logged:\n%s", logs)
	}
}

func TestSmuggledRequestIsNeverAnswered(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	app := echoApp()
	app.GET("/admin", func(c *framework.Ctx) error {
		mu.Lock()
		seen = append(seen, c.Path())
		mu.Unlock()
		return c.String(200, "secret")
	})
	addr, _, _ := startServer(t, app.Serve)
	// CL.TE: a front end trusting Content-Length would forward the
	// whole thing as one request; a back end trusting chunked would see
	// a second request, GET /admin. We refuse the message outright.
	smuggle := "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 37\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"0\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n"
	out := exchange(t, addr, smuggle)
	if !strings.HasPrefix(out, "HTTP/1.1 400 ") || strings.Count(out, "HTTP/1.1") != 1 || strings.Contains(out, "secret") {
		t.Errorf("smuggling attempt answered:\n%s", out)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 0 {
		t.Errorf("smuggled request reached a handler: %v", seen)
	}
}

func TestSlowlorisIsCutWhileOthersAreServed(t *testing.T) {
	addr, _, logs := startServer(t, echoApp().Serve, func(s *framework.Server) { s.ReadHeaderTimeout = 300 * time.Millisecond })
	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	slow.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(slow, "GET /hello HTTP/1.1\r\nHost: x\r\n")
	start := time.Now()
	// Dribble a header line now and then, never finishing the head.
	go func() {
		for range 10 {
			time.Sleep(100 * time.Millisecond)
			if _, err := io.WriteString(slow, "X-A: b\r\n"); err != nil {
				return
			}
		}
	}()
	// Meanwhile another client is served at once.
	res, err := http.Get("http://" + addr + "/hello")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("other client: %v %v", res, err)
	}
	res.Body.Close()
	out, _ := io.ReadAll(slow)
	if !strings.HasPrefix(string(out), "HTTP/1.1 408 ") {
		t.Errorf("slow client got %q, want a 408 and close", out)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("slow client held the connection for %v", elapsed)
	}
	if !strings.Contains(logs.String(), "read header timeout") {
		t.Errorf("timeout not logged:\n%s", logs)
	}
}

func TestPanicsAndRefusedHeaders(t *testing.T) {
	addr, _, logs := startServer(t, echoApp().Serve)
	out := exchange(t, addr, "GET /panic HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 500 ") || strings.Contains(out, "boom") {
		t.Errorf("panic:\n%s", out)
	}
	// After the head went out, a panic can only cut the connection: the
	// chunked body never gets its last chunk.
	out = exchange(t, addr, "GET /panic-late HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 200 ") || strings.HasSuffix(out, "0\r\n\r\n") {
		t.Errorf("late panic:\n%s", out)
	}
	// ErrAbortHandler cuts the connection without a response.
	if out = exchange(t, addr, "GET /abort HTTP/1.1\r\nHost: x\r\n\r\n"); out != "" {
		t.Errorf("aborted handler sent:\n%s", out)
	}
	out = exchange(t, addr, "GET /split HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 500 ") || strings.Contains(out, "evil") {
		t.Errorf("response splitting:\n%s", out)
	}
	for _, want := range []string{"panic serving request", "boom", "goroutine", "refused response header field"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

func TestClientGoneCancelsContext(t *testing.T) {
	cancelled := make(chan struct{})
	app := framework.New()
	app.GET("/wait", func(c *framework.Ctx) error {
		select {
		case <-c.Context().Done():
			close(cancelled)
		case <-time.After(5 * time.Second):
		}
		return nil
	})
	addr, _, _ := startServer(t, app.Serve)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(nc, "GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(50 * time.Millisecond)
	nc.Close()
	select {
	case <-cancelled:
	case <-time.After(3 * time.Second):
		t.Fatal("the request context was not cancelled when the client left")
	}
}

// TestUnreadBodyIsDrainedOrClosed checks that the next request starts at
// the right byte when a handler ignores the body.
func TestUnreadBodyIsDrainedOrClosed(t *testing.T) {
	addr, _, _ := startServer(t, echoApp().Serve, func(s *framework.Server) { s.MaxDrainBytes = 8 })
	// Small unread body: drained, the connection serves the next request.
	out := exchange(t, addr, "POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcdGET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if strings.Count(out, "HTTP/1.1 ") != 2 || !strings.Contains(out, "Hello, World!") {
		t.Errorf("drain:\n%s", out)
	}
	// Larger than MaxDrainBytes: the connection closes after the answer.
	out = exchange(t, addr, "POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n01234567890123456789GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
	if strings.Count(out, "HTTP/1.1 ") != 1 || !strings.Contains(out, "Connection: close") {
		t.Errorf("no drain:\n%s", out)
	}
}

func TestIdleAndBodyTimeouts(t *testing.T) {
	addr, _, _ := startServer(t, echoApp().Serve, func(s *framework.Server) {
		s.IdleTimeout = 200 * time.Millisecond
		s.ReadTimeout = 200 * time.Millisecond
	})
	// Idle: after one response the server waits IdleTimeout, then closes.
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(nc, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
	start := time.Now()
	out, _ := io.ReadAll(nc)
	if !strings.Contains(string(out), "Hello, World!") || time.Since(start) > 3*time.Second {
		t.Errorf("idle connection: %q after %v", out, time.Since(start))
	}
	// Body: a body that stops arriving gets a 408 once ReadTimeout passes.
	got := exchange(t, addr, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
	if !strings.HasPrefix(got, "HTTP/1.1 408 ") || !strings.Contains(got, "Connection: close") {
		t.Errorf("stalled body:\n%s", got)
	}
}

func TestWriteErrorEndsTheConnection(t *testing.T) {
	errs := make(chan error, 1)
	app := framework.New()
	app.GET("/big", func(c *framework.Ctx) error {
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for range 1000 { // 64 MiB: far more than socket buffers hold
			if _, err := c.Write(chunk); err != nil {
				errs <- err
				return err
			}
		}
		errs <- nil
		return nil
	})
	addr, _, _ := startServer(t, app.Serve, func(s *framework.Server) { s.WriteTimeout = 300 * time.Millisecond })
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(nc, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
	// Never read: the server's writes block, then time out.
	select {
	case err := <-errs:
		if err == nil {
			t.Fatal("a client that never reads took 64 MiB")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the handler's write never failed")
	}
	nc.Close()
}

func TestPipelinedSlowHeadIsCut(t *testing.T) {
	addr, _, _ := startServer(t, echoApp().Serve, func(s *framework.Server) { s.ReadHeaderTimeout = 300 * time.Millisecond })
	start := time.Now()
	// The "G" of a next head arrives behind the first request and never
	// goes on: the header timeout must still apply to it.
	out := exchange(t, addr, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nG")
	if !strings.Contains(out, "Hello, World!") || !strings.Contains(out, "HTTP/1.1 408 ") {
		t.Errorf("pipelined partial head:\n%s", out)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("held for %v", time.Since(start))
	}
}

func TestConnectionHeaderIsTheServers(t *testing.T) {
	app := framework.New()
	app.GET("/", func(c *framework.Ctx) error {
		c.Header().Set("Connection", "keep-alive, Upgrade")
		return c.String(200, "x")
	})
	out := frameworktest.Raw(app.Serve, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	if strings.Count(out, "Connection:") != 1 || !strings.Contains(out, "Connection: keep-alive\r\n") {
		t.Errorf("one Connection field expected:\n%s", out)
	}
}

func TestStatusCodesOutsideTheRangeBecome500(t *testing.T) {
	app := framework.New()
	app.GET("/", func(c *framework.Ctx) error { return c.String(600, "x") })
	if res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/")); res.Status != 500 {
		t.Errorf("status 600 sent as %d", res.Status)
	}
}

func TestResponseFramingRules(t *testing.T) {
	app := framework.New()
	var overErr error
	app.GET("/204", func(c *framework.Ctx) error {
		c.Header().Set("Content-Length", "5")
		return c.NoContent(204)
	})
	app.GET("/declared", func(c *framework.Ctx) error {
		c.Header().Set("Content-Length", "3")
		c.WriteString("abc")
		_, overErr = c.WriteString("d")
		return nil
	})
	srv := &framework.Server{Handler: app.Serve, ServerName: "-", Logger: testLogger}
	out := string(frameworktest.ServeBytes(srv, []byte("GET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /declared HTTP/1.1\r\nHost: x\r\n\r\n")))
	res, err := frameworktest.ParseResponses([]byte(out), false)
	if err != nil || len(res) != 2 {
		t.Fatalf("%v\n%s", err, out)
	}
	if res[0].Status != 204 || res[0].Header.Has("Content-Length") {
		t.Errorf("204 carries Content-Length:\n%s", res[0].Raw)
	}
	if strings.Contains(out, "Server:") {
		t.Errorf(`ServerName "-" still sends Server:\n%s`, out)
	}
	if string(res[1].Body) != "abc" || !errors.Is(overErr, framework.ErrContentLength) {
		t.Errorf("write past the declared length: body %q, err %v", res[1].Body, overErr)
	}
}

// TestServeConnCountsForShutdown: a connection handed to ServeConn is one
// of the server's: Shutdown finds its request in flight, and when its
// context is already done, aborts it and reports the context's error.
func TestServeConnCountsForShutdown(t *testing.T) {
	started := make(chan struct{})
	srv := &framework.Server{Logger: testLogger, Handler: func(c *framework.Ctx) error {
		close(started)
		<-c.Context().Done() // until Shutdown aborts the connection
		return nil
	}}
	client, server := net.Pipe()
	defer client.Close()
	served := make(chan struct{})
	go func() {
		srv.ServeConn(context.Background(), server)
		close(served)
	}()
	go io.WriteString(client, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := srv.Shutdown(ctx); err != context.Canceled {
		t.Errorf("Shutdown with a ServeConn request in flight: %v, want context.Canceled", err)
	}
	<-served
}

// TestServeConnAfterClose: a connection handed over after Close is closed
// at once, unanswered.
func TestServeConnAfterClose(t *testing.T) {
	srv := &framework.Server{Logger: testLogger, Handler: func(c *framework.Ctx) error { return c.String(200, "x") }}
	srv.Close()
	client, server := net.Pipe()
	defer client.Close()
	srv.ServeConn(context.Background(), server)
	if n, err := client.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("read from a connection served after Close: %d, %v; want 0, EOF", n, err)
	}
}

// TestCloseReasonIsLogged: the first reason to close a connection is the
// one logged, at debug level, when it closes.
func TestCloseReasonIsLogged(t *testing.T) {
	tests := []struct {
		name, req string
		handler   framework.Handler
		reason    string
	}{
		{"client asked", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
			func(c *framework.Ctx) error { return c.String(200, "x") }, "the request asked to close"},
		{"client asked first, handler too", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
			func(c *framework.Ctx) error { c.Header().Set("Connection", "close"); return c.String(200, "x") }, "the request asked to close"},
		{"handler", "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
			func(c *framework.Ctx) error { c.Header().Set("Connection", "close"); return c.String(200, "x") }, "handler sent Connection: close"},
		{"HTTP/1.0 stream", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
			func(c *framework.Ctx) error { c.WriteString("x"); return c.Flush() }, "body delimited by the end of the connection"},
		{"protocol error", "GET / HTTP/1.1\r\n\r\n", nil, "protocol error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &logBuffer{}
			srv := &framework.Server{Handler: tt.handler, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
			frameworktest.ServeBytes(srv, []byte(tt.req))
			if want := `msg="closing connection"`; !strings.Contains(logs.String(), want) {
				t.Fatalf("no %s in the log:\n%s", want, logs)
			}
			if want := "reason=" + strconv.Quote(tt.reason); !strings.Contains(logs.String(), want) {
				t.Errorf("want %s in the log:\n%s", want, logs)
			}
		})
	}
}

// A WriteTimeout under a second still gives every write its full time:
// the deadline an earlier response set, long passed, must not fail the
// next one.
func TestShortWriteTimeoutKeepsAlive(t *testing.T) {
	addr, _, _ := startServer(t, echoApp().Serve, func(s *framework.Server) { s.WriteTimeout = 100 * time.Millisecond })
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	br := bufio.NewReader(nc)
	for i := range 3 {
		if i > 0 {
			time.Sleep(250 * time.Millisecond) // past the last deadline
		}
		io.WriteString(nc, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
		nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("request %d: status %d", i+1, res.StatusCode)
		}
	}
}
