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
		c.Header().Set("X-Bad", "a\r\nSet-Cookie: evil=1")
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
