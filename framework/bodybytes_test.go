package framework_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// bodyBytesApp answers POST /whole with what BodyBytes read; /half reads
// 3 bytes through Body first; /twice calls BodyBytes twice; /limit lowers
// the body limit to 8 first.
func bodyBytesApp() *framework.App {
	app := framework.New()
	app.POST("/whole", func(c *framework.Ctx) error {
		b, err := c.BodyBytes()
		if err != nil {
			return err
		}
		return c.Blob(200, "application/octet-stream", b)
	})
	app.POST("/half", func(c *framework.Ctx) error {
		var p [3]byte
		if _, err := io.ReadFull(c.Body(), p[:]); err != nil {
			return err
		}
		b, err := c.BodyBytes()
		if err != nil {
			return err
		}
		return c.String(200, string(p[:])+"|"+string(b))
	})
	app.POST("/twice", func(c *framework.Ctx) error {
		a, err1 := c.BodyBytes()
		b, err2 := c.BodyBytes()
		n, _ := c.Body().Read(make([]byte, 8))
		return c.String(200, fmt.Sprintf("%s %s %v %v %d", a, b, err1, err2, n))
	})
	app.POST("/detached", func(c *framework.Ctx) error {
		// A detached handler's bytes are its own, read through the
		// parent's body and its limit.
		_, err := c.RunDetached(c.Context(), func(k *framework.Ctx) error {
			b, err := k.BodyBytes()
			if err != nil {
				return err
			}
			return k.String(200, "detached "+string(b))
		})
		return err
	})
	app.POST("/limit", func(c *framework.Ctx) error {
		c.SetBodyLimit(8)
		b, err := c.BodyBytes()
		if err != nil {
			return err
		}
		return c.Blob(200, "application/octet-stream", b)
	})
	return app
}

func TestBodyBytes(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	chunks := func(parts ...string) string {
		var b strings.Builder
		for _, p := range parts {
			fmt.Fprintf(&b, "%x\r\n%s\r\n", len(p), p)
		}
		return b.String() + "0\r\n\r\n"
	}
	tests := []struct {
		name        string
		req         string
		status      string // the final status line's code
		body        string // the response body, when status is 200
		continue100 bool
	}{
		{"length", "POST /whole HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", "200", "hello", false},
		{"no body", "POST /whole HTTP/1.1\r\nHost: x\r\n\r\n", "200", "", false},
		{"chunked", "POST /whole HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks("hel", "lo, ", "world"), "200", "hello, world", false},
		{"chunked grows past 4 KiB", "POST /whole HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks(big[:3000], big[3000:9000], big[9000:70000]), "200", big[:70000], false},
		{"1 MiB by length", "POST /whole HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n" + big, "200", big, false},
		{"expect 100-continue", "POST /whole HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok", "200", "ok", true},
		{"rest after Body", "POST /half HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\nabcdefg", "200", "abc|defg", false},
		{"detached", "POST /detached HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", "200", "detached abc", false},
		{"second call", "POST /twice HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi", "200", "hi hi <nil> <nil> 0", false},
		{"declared over the limit", "POST /whole HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n", "413", "", false},
		{"declared over a lowered limit", "POST /limit HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n123456789", "413", "", false},
		{"at a lowered limit", "POST /limit HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n12345678", "200", "12345678", false},
		{"chunked over a lowered limit", "POST /limit HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks("12345", "6789"), "413", "", false},
		{"chunked at a lowered limit", "POST /limit HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks("12345", "678"), "200", "12345678", false},
		{"malformed chunk", "POST /whole HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", "400", "", false},
		{"ends early", "POST /whole HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nshort", "", "", false},
	}
	addr, _, _ := startServer(t, bodyBytesApp().Serve)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(10 * time.Second))
			go io.WriteString(nc, tt.req)
			if tt.name == "ends early" {
				// The client stops sending: the handler sees an error,
				// and nothing is answered before the connection closes.
				nc.(*net.TCPConn).CloseWrite()
				out, _ := io.ReadAll(nc)
				if !bytes.Contains(out, []byte("400")) && len(out) != 0 {
					t.Fatalf("got %q", out)
				}
				return
			}
			br := bufio.NewReader(nc)
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if tt.continue100 {
				if !strings.HasPrefix(line, "HTTP/1.1 100 ") {
					t.Fatalf("first line %q, want 100 Continue", line)
				}
				br.ReadString('\n') // the blank line after it
				if line, err = br.ReadString('\n'); err != nil {
					t.Fatal(err)
				}
			}
			if got := strings.Fields(line); len(got) < 2 || got[1] != tt.status {
				t.Fatalf("status line %q, want %s", line, tt.status)
			}
			if tt.status != "200" {
				return
			}
			body := readBody(t, br)
			if body != tt.body {
				t.Fatalf("body %d bytes %.40q, want %d bytes %.40q", len(body), body, len(tt.body), tt.body)
			}
		})
	}
}

// readBody reads the rest of a response head and its body, framed by
// Content-Length or chunked.
func readBody(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	length, chunked := -1, false
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == "\r\n" {
			break
		}
		k, v, _ := strings.Cut(strings.TrimSpace(line), ": ")
		switch strings.ToLower(k) {
		case "content-length":
			fmt.Sscan(v, &length)
		case "transfer-encoding":
			chunked = true
		}
	}
	if !chunked {
		b := make([]byte, max(length, 0))
		if _, err := io.ReadFull(br, b); err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	var out strings.Builder
	for {
		var n int
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		fmt.Sscanf(line, "%x", &n)
		if n == 0 {
			br.ReadString('\n')
			return out.String()
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(br, b); err != nil {
			t.Fatal(err)
		}
		out.Write(b[:n])
	}
}

// BodyBytes on a warm server allocates nothing: the buffer comes from a
// pool and goes back when the handler returns. A 4 KiB POST echoed costs
// the allocations of a GET with no body (the request head's one copy).
func TestBodyBytesAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("under -race sync.Pool drops a share of its items on purpose: allocation counts of pooled paths mean nothing")
	}
	app := bodyBytesApp()
	app.GET("/plain", func(c *framework.Ctx) error { return c.String(200, "Hello, World!") })
	perRequest := func(req string) float64 {
		srv := &framework.Server{Handler: app.Serve}
		conn := &replayConn{req: []byte(req)}
		run := func() {
			conn.left, conn.pos = 50, 0
			srv.ServeConn(t.Context(), conn)
		}
		run() // warm the pools
		return testing.AllocsPerRun(20, run) / 50
	}
	get := perRequest("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
	echo := perRequest("POST /whole HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n" + strings.Repeat("x", 4096))
	if echo > get+0.05 {
		t.Errorf("%.2f allocations per echoed POST, %.2f per GET", echo, get)
	}
}

// The handler of a form reads it through BodyBytes too: bounded by the
// body limit.
func TestFormOverBodyLimit(t *testing.T) {
	app := framework.New()
	app.POST("/f", func(c *framework.Ctx) error {
		c.SetBodyLimit(10)
		if _, err := c.Form(); err != nil {
			return err
		}
		return c.String(200, c.FormValue("a"))
	})
	for _, tt := range []struct {
		body   string
		status int
	}{
		{"a=12345", 200},
		{"a=12345678901", 413},
	} {
		req := frameworktest.NewRequest("POST", "/f").Set("Accept", "*/*").
			WithBody("application/x-www-form-urlencoded", []byte(tt.body))
		res := frameworktest.Test(app.Serve, req)
		if res.Status != tt.status {
			t.Errorf("%q: status %d, want %d", tt.body, res.Status, tt.status)
		}
	}
}

// A 4 KiB POST echoed through BodyBytes: allocs/op is per request.
func BenchmarkEchoBodyBytes4K(b *testing.B) {
	benchServe(b, bodyBytesApp().Serve, "POST /whole HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n"+strings.Repeat("x", 4096))
}

// A 1 MiB response: the head and the body leave in one writev, with no
// allocation for the vector.
func BenchmarkLargeResponse(b *testing.B) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	app := framework.New()
	app.GET("/big", func(c *framework.Ctx) error { return c.Blob(200, "application/octet-stream", big) })
	benchServe(b, app.Serve, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
}

// A body handed whole to Blob goes out with its length, however large:
// chunks are for bodies whose end the writer cannot know.
func TestLargeBlobSendsContentLength(t *testing.T) {
	big := strings.Repeat("x", 100000)
	app := framework.New()
	app.GET("/big", func(c *framework.Ctx) error { return c.Blob(200, "text/plain", []byte(big)) })
	app.GET("/own", func(c *framework.Ctx) error {
		c.Header().Set("Content-Length", "100000")
		return c.Blob(200, "text/plain", []byte(big))
	})
	addr, _, _ := startServer(t, app.Serve)
	for _, req := range []string{
		"GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		"HEAD /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		"GET /own HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	} {
		out := exchange(t, addr, req)
		head, body, _ := strings.Cut(out, "\r\n\r\n")
		if strings.Count(head, "Content-Length: 100000\r\n") != 1 || strings.Contains(head, "chunked") {
			t.Errorf("%q: head\n%s", req, head)
		}
		if want := len(big) * strings.Count(req, "GET"); len(body) != want {
			t.Errorf("%q: %d body bytes, want %d", req, len(body), want)
		}
	}
}

// The same 1 MiB response over a loopback TCP connection, where the head
// and the body leave in one writev: allocs/op counts the server's
// allocations per request (the client reads into one buffer), and is the
// request head's one copy.
func BenchmarkLargeResponseTCP(b *testing.B) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	app := framework.New()
	app.GET("/big", func(c *framework.Ctx) error { return c.Blob(200, "application/octet-stream", big) })
	srv := &framework.Server{Handler: app.Serve, Logger: slog.New(slog.DiscardHandler)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	req := []byte("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
	buf := make([]byte, 2<<20)
	roundTrip := func() {
		if _, err := nc.Write(req); err != nil {
			b.Fatal(err)
		}
		// Blob sends the length: read the head, then that many bytes.
		n, end := 0, -1
		for end < 0 || n < end+len(big) {
			m, err := nc.Read(buf[n:])
			if err != nil {
				b.Fatal(err)
			}
			n += m
			if end < 0 {
				if i := bytes.Index(buf[:n], []byte("\r\n\r\n")); i >= 0 {
					end = i + 4
				}
			}
		}
	}
	roundTrip()
	b.ReportAllocs()
	b.SetBytes(int64(len(big)))
	b.ResetTimer()
	for b.Loop() {
		roundTrip()
	}
}
