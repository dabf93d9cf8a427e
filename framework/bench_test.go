package framework_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"

	"github.com/groundup-go/groundup/framework"
)

// Benchmarks of the whole in-process pipeline: parse, route, handler,
// response writer, with a connection that replays b.N requests and throws
// the responses away. allocs/op is per request.

// replayConn feeds the same request again and again, then reports EOF.
type replayConn struct {
	req  []byte
	left int // requests still to send
	pos  int
}

func (r *replayConn) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && r.left > 0 {
		m := copy(p[n:], r.req[r.pos:])
		n += m
		r.pos += m
		if r.pos == len(r.req) {
			r.pos = 0
			r.left--
		}
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

func (r *replayConn) Write(p []byte) (int, error)      { return len(p), nil }
func (r *replayConn) Close() error                     { return nil }
func (r *replayConn) LocalAddr() net.Addr              { return replayAddr }
func (r *replayConn) RemoteAddr() net.Addr             { return replayAddr }
func (r *replayConn) SetDeadline(time.Time) error      { return nil }
func (r *replayConn) SetReadDeadline(time.Time) error  { return nil }
func (r *replayConn) SetWriteDeadline(time.Time) error { return nil }

var replayAddr = &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1234}

func benchServe(b *testing.B, h framework.Handler, req string) {
	b.Helper()
	srv := &framework.Server{Handler: h, Logger: slog.New(slog.DiscardHandler)}
	b.ReportAllocs()
	b.SetBytes(int64(len(req)))
	b.ResetTimer()
	srv.ServeConn(context.Background(), &replayConn{req: []byte(req), left: b.N})
}

const browserHead = "GET %s HTTP/1.1\r\n" +
	"Host: localhost:8000\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.9\r\n" +
	"Accept-Encoding: gzip, deflate, br\r\n" +
	"Connection: keep-alive\r\n" +
	"Upgrade-Insecure-Requests: 1\r\n" +
	"Sec-Fetch-Dest: document\r\n" +
	"Sec-Fetch-Mode: navigate\r\n" +
	"Sec-Fetch-Site: none\r\n" +
	"Cookie: groundup_session=abc123; theme=dark\r\n\r\n"

func benchApp() *framework.App {
	app := framework.New()
	app.GET("/plaintext", func(c *framework.Ctx) error { return c.String(200, "Hello, World!") })
	app.GET("/user/:name", func(c *framework.Ctx) error { return c.String(200, "Hello, "+c.Param("name")+"!") })
	app.GET("/json", func(c *framework.Ctx) error { return c.JSON(200, map[string]string{"message": "Hello, World!"}) })
	app.GET("/page", func(c *framework.Ctx) error { return c.Render(200, benchPage) })
	return app
}

var benchPage = templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
	for i := range 10 {
		if _, err := io.WriteString(w, "<li>"+templ.EscapeString("row <"+strings.Repeat("x", i)+">")+"</li>"); err != nil {
			return err
		}
	}
	return nil
})

// BenchmarkPlaintext is the TechEmpower-style plaintext request: a tiny
// request, a static route, a 13-byte body.
func BenchmarkPlaintext(b *testing.B) {
	benchServe(b, benchApp().Serve, "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n")
}

// BenchmarkBrowserStaticRoute dispatches a static route with a full
// browser head: the one allocation is the head's string.
func BenchmarkBrowserStaticRoute(b *testing.B) {
	benchServe(b, benchApp().Serve, strings.Replace(browserHead, "%s", "/plaintext", 1))
}

// BenchmarkParamRoute adds httprouter's params slice and the handler's
// string concatenation.
func BenchmarkParamRoute(b *testing.B) {
	benchServe(b, benchApp().Serve, "GET /user/gopher HTTP/1.1\r\nHost: localhost\r\n\r\n")
}

func BenchmarkJSON(b *testing.B) {
	benchServe(b, benchApp().Serve, "GET /json HTTP/1.1\r\nHost: localhost\r\n\r\n")
}

func BenchmarkTemplRender(b *testing.B) {
	benchServe(b, benchApp().Serve, "GET /page HTTP/1.1\r\nHost: localhost\r\n\r\n")
}

func BenchmarkNotFound(b *testing.B) {
	benchServe(b, benchApp().Serve, "GET /missing HTTP/1.1\r\nHost: localhost\r\n\r\n")
}

// TestStaticDispatchAllocations holds the allocation budget: a static
// route through the whole framework costs the head's one string and
// nothing else.
func TestStaticDispatchAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation count")
	}
	for _, tt := range []struct {
		name, req string
		max       float64
	}{
		// A small head is copied into the Ctx's arena block, one
		// allocation for some 45 heads like this one.
		{"plaintext", "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n", 0.05},
		// This browser head (505 bytes) fits four to a block; one over
		// 512 bytes, with more cookies, gets an allocation of its own.
		{"browser head", strings.Replace(browserHead, "%s", "/plaintext", 1), 1},
	} {
		res := testing.Benchmark(func(b *testing.B) { benchServe(b, benchApp().Serve, tt.req) })
		// The 0.01 is the run's fixed costs (the conn, the first pool
		// fills, the Date line rebuilt once a second) spread over b.N.
		if got := float64(res.MemAllocs) / float64(res.N); got > tt.max+0.01 {
			t.Errorf("%s: %.2f allocs per request, want <= %v", tt.name, got, tt.max)
		}
	}
}

func TestReplayConnServesEveryRequest(t *testing.T) {
	var n int
	app := framework.New()
	app.GET("/", func(c *framework.Ctx) error { n++; return c.String(200, "x") })
	srv := &framework.Server{Handler: app.Serve, Logger: slog.New(slog.DiscardHandler)}
	srv.ServeConn(context.Background(), &replayConn{req: []byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), left: 1000})
	if n != 1000 {
		t.Errorf("served %d of 1000", n)
	}
}

var testLogger = slog.New(slog.DiscardHandler)
