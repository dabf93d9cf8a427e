package framework_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
)

func streamApp() *framework.App {
	app := framework.New()
	app.GET("/hello", func(c *framework.Ctx) error { return c.String(200, "Hello, World!") })
	app.GET("/events", func(c *framework.Ctx) error {
		es, err := c.EventStream()
		if err != nil {
			return err
		}
		<-es.Done()
		return nil
	})
	return app
}

// A silent event stream sends heartbeats, and ends at MaxStreamDuration.
func TestEventStreamHeartbeatAndMaxDuration(t *testing.T) {
	addr, _, _ := startServer(t, streamApp().Serve, func(s *framework.Server) {
		s.StreamHeartbeat = 10 * time.Millisecond
		s.MaxStreamDuration = 200 * time.Millisecond
	})
	out := exchange(t, addr, "GET /events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if n := strings.Count(out, ":\n\n"); n < 2 {
		t.Errorf("%d heartbeats in:\n%s", n, out)
	}
	// The stream ended by itself: the chunked body is complete.
	if !strings.HasSuffix(out, "0\r\n\r\n") {
		t.Errorf("stream did not end cleanly:\n%q", out)
	}
}

// MaxStreams: beyond it, a stream is refused with 503 while plain
// requests are still answered.
func TestMaxStreams(t *testing.T) {
	addr, _, _ := startServer(t, streamApp().Serve, func(s *framework.Server) { s.MaxStreams = 1 })
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(nc, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
	if line, _ := bufio.NewReader(nc).ReadString('\n'); !strings.Contains(line, "200") {
		t.Fatalf("first stream: %q", line)
	}
	if out := exchange(t, addr, "GET /events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); !strings.Contains(out, "503 Service Unavailable") {
		t.Errorf("second stream:\n%s", out)
	}
	if out := exchange(t, addr, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); !strings.HasSuffix(out, "Hello, World!") {
		t.Errorf("plain request:\n%s", out)
	}
}

// HijackConn keeps the connection's slot until Close, and tells the
// hijacker when Shutdown begins; Shutdown waits for the release.
func TestHijackConnKeepsSlotAndHearsShutdown(t *testing.T) {
	app := framework.New()
	app.GET("/hello", func(c *framework.Ctx) error { return c.String(200, "Hello, World!") })
	app.GET("/upgrade", func(c *framework.Ctx) error {
		hc, err := c.HijackConn()
		if err != nil {
			return err
		}
		io.WriteString(hc, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
		go func() {
			defer hc.Close()
			got := make(chan struct{})
			go func() {
				var b [1]byte
				hc.Read(b[:])
				close(got)
			}()
			select {
			case <-got:
				io.WriteString(hc, "bye on request")
			case <-hc.ShutdownNotify():
				io.WriteString(hc, "bye on shutdown")
			}
		}()
		return nil
	})
	addr, srv, _ := startServer(t, app.Serve, func(s *framework.Server) { s.MaxConns = 1 })

	up := func() (net.Conn, *bufio.Reader) {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(nc, "GET /upgrade HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(nc)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if line == "\r\n" {
				return nc, br
			}
		}
	}
	a, abr := up()
	defer a.Close()
	// The only slot is the upgraded connection's: a new client waits.
	answered := make(chan string, 1)
	go func() { answered <- exchange(t, addr, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") }()
	time.Sleep(100 * time.Millisecond)
	select {
	case out := <-answered:
		t.Fatalf("answered while the slot was held:\n%s", out)
	default:
	}
	io.WriteString(a, "x") // the hijacker closes, and the slot is free
	if rest, _ := io.ReadAll(abr); string(rest) != "bye on request" {
		t.Errorf("hijacked connection got %q", rest)
	}
	if out := <-answered; !strings.HasSuffix(out, "Hello, World!") {
		t.Fatalf("waiting client got:\n%s", out)
	}

	b, bbr := up()
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if rest, _ := io.ReadAll(bbr); string(rest) != "bye on shutdown" {
		t.Errorf("at shutdown the hijacked connection got %q", rest)
	}
}
