package framework_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
)

// dialIdle opens a keep-alive connection, gets one answer on it, and
// leaves it idle.
func dialIdle(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(nc)
	get(t, nc, br)
	return nc, br
}

func get(t *testing.T, nc net.Conn, br *bufio.Reader) {
	t.Helper()
	io.WriteString(nc, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
}

// closed reports whether the server has closed nc (it reads EOF).
func closed(nc net.Conn) bool {
	nc.SetReadDeadline(time.Now().Add(2 * time.Second))
	var b [1]byte
	_, err := nc.Read(b[:])
	return err != nil
}

// With every slot taken, a new client is answered: the longest-idle
// keep-alive connection gives its slot up, and a connection in the middle
// of a request is never the one closed.
func TestMaxConnsEvictsLongestIdle(t *testing.T) {
	addr, _, logs := startServer(t, echoApp().Serve, func(s *framework.Server) { s.MaxConns = 3 })
	busy, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busy.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(busy, "GET /hello HTTP/1.1\r\n") // the head is not finished
	oldest, _ := dialIdle(t, addr)
	time.Sleep(30 * time.Millisecond) // past idleGrace: parked
	newer, newerBr := dialIdle(t, addr)
	time.Sleep(30 * time.Millisecond)

	// All three slots are taken; a fourth client is answered at once.
	out := exchange(t, addr, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.HasSuffix(out, "Hello, World!") {
		t.Fatalf("new client got:\n%s", out)
	}
	if !closed(oldest) {
		t.Error("the longest-idle connection is still open")
	}
	newer.SetDeadline(time.Now().Add(10 * time.Second))
	get(t, newer, newerBr) // the younger idle one was kept
	// The connection in the middle of its head was not touched.
	io.WriteString(busy, "Host: x\r\nConnection: close\r\n\r\n")
	rest, _ := io.ReadAll(busy)
	if !strings.HasSuffix(string(rest), "Hello, World!") {
		t.Errorf("connection mid-request got:\n%s", rest)
	}
	if !strings.Contains(logs.String(), "closing the longest-idle connection") {
		t.Error("eviction not logged")
	}
}

// MaxConnsPerClient: at the cap, the client's own idle connection makes
// room; with none idle, the new connection gets a 503.
func TestMaxConnsPerClient(t *testing.T) {
	addr, _, logs := startServer(t, echoApp().Serve, func(s *framework.Server) { s.MaxConnsPerClient = 2 })
	idle, _ := dialIdle(t, addr)
	time.Sleep(30 * time.Millisecond)
	busy, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	io.WriteString(busy, "GET /hello HTTP/1.1\r\n")
	time.Sleep(30 * time.Millisecond) // let the server count it

	if out := exchange(t, addr, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); !strings.HasSuffix(out, "Hello, World!") {
		t.Fatalf("third connection got:\n%s", out)
	}
	if !closed(idle) {
		t.Error("the client's idle connection is still open")
	}
	time.Sleep(50 * time.Millisecond) // the server forgets the two that closed
	// Now both of the client's connections are busy.
	busy2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer busy2.Close()
	io.WriteString(busy2, "GET /hello HTTP/1.1\r\n")
	time.Sleep(30 * time.Millisecond)
	if out := exchange(t, addr, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); !strings.Contains(out, "503 Service Unavailable") {
		t.Fatalf("connection over the cap got:\n%s\n%s", out, logs)
	}
}
