package framework_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// End-to-end tests of the socket layer over real loopback connections.
// net/http's client is the oracle where a well-behaved client is needed;
// raw sockets where the exact bytes matter.

// logBuffer collects what the server logs, safely across goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServer serves h on a loopback port and stops the server when the
// test ends. configure may set limits before serving.
func startServer(t *testing.T, h framework.Handler, configure ...func(*framework.Server)) (string, *framework.Server, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	srv := &framework.Server{Handler: h, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	for _, f := range configure {
		f(srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; !errors.Is(err, framework.ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return ln.Addr().String(), srv, logs
}

// exchange writes raw to a new connection and returns everything the
// server sends until it closes the connection or the deadline passes.
func exchange(t *testing.T, addr, raw string) string {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(nc, raw); err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(nc)
	return string(out)
}

func echoApp() *framework.App {
	app := framework.New()
	app.GET("/hello", func(c *framework.Ctx) error { return c.String(200, "Hello, World!") })
	app.POST("/echo", func(c *framework.Ctx) error {
		b, err := io.ReadAll(c.Body())
		if err != nil {
			return err
		}
		return c.Blob(200, "application/octet-stream", b)
	})
	app.GET("/stream", func(c *framework.Ctx) error {
		for i := range 3 {
			fmt.Fprintf(c, "part %d\n", i)
			if err := c.Flush(); err != nil {
				return err
			}
		}
		return nil
	})
	app.GET("/panic", func(c *framework.Ctx) error { panic("boom") })
	app.GET("/panic-late", func(c *framework.Ctx) error {
		c.WriteString("started")
		c.Flush()
		panic("late boom")
	})
	app.GET("/abort", func(c *framework.Ctx) error {
		c.WriteString("never sent")
		panic(framework.ErrAbortHandler)
	})
	app.GET("/split", func(c *framework.Ctx) error {
		c.SetHeader("X-Bad", "a\r\nSet-Cookie: evil=1")
		return c.String(200, "should not be sent")
	})
	app.GET("/slow", func(c *framework.Ctx) error {
		time.Sleep(300 * time.Millisecond)
		return c.String(200, "slow done")
	})
	return app
}

func TestKeepAliveReuseWithNetHTTPClient(t *testing.T) {
	addr, _, _ := startServer(t, echoApp().Serve)
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	reused := 0
	for i := range 5 {
		req, _ := http.NewRequest("GET", "http://"+addr+"/hello", nil)
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotConn: func(info httptrace.GotConnInfo) {
				if info.Reused {
					reused++
				}
			},
		}))
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(body) != "Hello, World!" || res.StatusCode != 200 {
			t.Fatalf("request %d: %d %q", i, res.StatusCode, body)
		}
		if res.Header.Get("Date") == "" || res.Header.Get("Server") != "groundup" {
			t.Errorf("missing Date or Server: %v", res.Header)
		}
	}
	if reused != 4 {
		t.Errorf("reused the connection %d times, want 4", reused)
	}
}

func TestPipelinedResponsesInOrderInOneWrite(t *testing.T) {
	addr, _, _ := startServer(t, echoApp().Serve)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	req := "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n" +
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nsecond" +
		"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	// "second" is 6 bytes and Content-Length is 5: the sixth byte 'd'
	// would start the third request, so send the exact body instead.
	req = strings.Replace(req, "second", "secon", 1)
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(nc, req)
	// The three responses leave in one write: the first read returns all
	// of them (loopback delivers one write as one segment).
	buf := make([]byte, 64<<10)
	n, err := nc.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	res, err := frameworktest.ParseResponses(buf[:n], false)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 {
		t.Fatalf("first read held %d responses, want 3:\n%s", len(res), buf[:n])
	}
	want := []string{"Hello, World!", "secon", "Hello, World!"}
	for i, r := range res {
		if string(r.Body) != want[i] {
			t.Errorf("response %d body %q, want %q", i, r.Body, want[i])
		}
	}
	if res[2].Get("Connection") != "close" {
		t.Errorf("last response lacks Connection: close")
	}
}

func TestChunkedUploadAndFlushedDownload(t *testing.T) {
	addr, _, _ := startServer(t, echoApp().Serve)
	out := exchange(t, addr, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"+
		"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer-Field: x\r\n\r\n")
	if !strings.Contains(out, "Content-Length: 12\r\n") || !strings.HasSuffix(out, "\r\n\r\nhello, world") {
		t.Errorf("chunked upload echo:\n%s", out)
	}
	out = exchange(t, addr, "GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.Contains(out, "Transfer-Encoding: chunked\r\n") ||
		!strings.HasSuffix(out, "\r\n\r\n7\r\npart 0\n\r\n7\r\npart 1\n\r\n7\r\npart 2\n\r\n0\r\n\r\n") {
		t.Errorf("flushed download:\n%s", out)
	}
	// net/http's client decodes the same stream.
	res, err := http.Get("http://" + addr + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "part 0\npart 1\npart 2\n" {
		t.Errorf("net/http client read %q", b)
	}
}

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
	app.GET("/", func(c *framework.Ctx) error { c.SetHeader("Connection", "close"); return c.String(200, "bye") })
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

func TestGracefulShutdown(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := &framework.Server{Handler: echoApp().Serve, Logger: slog.New(slog.DiscardHandler)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	// An idle keep-alive connection, and a request in flight.
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	io.WriteString(idle, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
	idle.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(idle)
	if res, err := http.ReadResponse(br, nil); err != nil || res.StatusCode != 200 {
		t.Fatal(err)
	} else {
		io.ReadAll(res.Body)
	}

	slowDone := make(chan string, 1)
	go func() { slowDone <- exchange(t, addr, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n") }()
	time.Sleep(100 * time.Millisecond) // let /slow start

	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if out := <-slowDone; !strings.Contains(out, "slow done") || !strings.Contains(out, "Connection: close") {
		t.Errorf("in-flight request not finished cleanly:\n%s", out)
	}
	if err := <-served; !errors.Is(err, framework.ErrServerClosed) {
		t.Errorf("Serve returned %v", err)
	}
	// The idle connection was closed, and new connections are refused.
	if _, err := br.ReadByte(); err == nil {
		t.Error("idle connection still open after Shutdown")
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("new connection accepted after Shutdown")
	}
}

func TestShutdownDeadlineForcesClose(t *testing.T) {
	release := make(chan struct{})
	app := framework.New()
	app.GET("/hang", func(c *framework.Ctx) error {
		select {
		case <-c.Context().Done():
		case <-release:
		}
		return nil
	})
	defer close(release)
	addr, srv, _ := startServer(t, app.Serve)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	io.WriteString(nc, "GET /hang HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want DeadlineExceeded", err)
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

func TestTLS(t *testing.T) {
	cert := selfSignedCert(t)
	addr, _, _ := startServer(t, echoApp().Serve)
	_ = addr
	srv := &framework.Server{Handler: echoApp().Serve, Logger: slog.New(slog.DiscardHandler)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tln := tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}})
	go srv.Serve(tln)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	defer client.CloseIdleConnections()
	res, err := client.Get("https://" + ln.Addr().String() + "/hello")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "Hello, World!" || res.TLS == nil {
		t.Errorf("TLS response %q", b)
	}
}

func selfSignedCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestMaxConnsQueuesInsteadOfRefusing(t *testing.T) {
	addr, _, _ := startServer(t, echoApp().Serve, func(s *framework.Server) { s.MaxConns = 1 })
	first, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(first, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
	first.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(first)
	if _, err := http.ReadResponse(br, nil); err != nil {
		t.Fatal(err)
	}
	// The second client waits in the backlog until the first leaves.
	got := make(chan string, 1)
	go func() { got <- exchange(t, addr, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") }()
	select {
	case out := <-got:
		t.Fatalf("second connection served while at MaxConns:\n%s", out)
	case <-time.After(200 * time.Millisecond):
	}
	first.Close()
	if out := <-got; !strings.Contains(out, "Hello, World!") {
		t.Errorf("second client after the first left:\n%s", out)
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

// flakyListener fails Accept a few times, as a process out of file
// descriptors would, then behaves.
type flakyListener struct {
	net.Listener
	fails int
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if l.fails > 0 {
		l.fails--
		return nil, errors.New("accept: too many open files")
	}
	return l.Listener.Accept()
}

func TestAcceptErrorsBackOffAndRecover(t *testing.T) {
	logs := &logBuffer{}
	srv := &framework.Server{Handler: echoApp().Serve, Logger: slog.New(slog.NewTextHandler(logs, nil))}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(&flakyListener{Listener: ln, fails: 3})
	defer srv.Close()
	res, err := http.Get("http://" + ln.Addr().String() + "/hello")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if n := strings.Count(logs.String(), "accept failed; retrying"); n != 3 {
		t.Errorf("logged %d accept failures, want 3:\n%s", n, logs)
	}
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
		c.SetHeader("Connection", "keep-alive, Upgrade")
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
		c.SetHeader("Content-Length", "5")
		return c.NoContent(204)
	})
	app.GET("/declared", func(c *framework.Ctx) error {
		c.SetHeader("Content-Length", "3")
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
