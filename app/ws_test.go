package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework/frameworktest"
	"github.com/groundup-go/groundup/framework/websocket"
)

// wsClient is a minimal WebSocket client built from the framework's codec.
type wsClient struct {
	t   *testing.T
	nc  net.Conn
	br  *bufio.Reader
	dec websocket.Decoder
	buf []byte
}

// dialWS opens path on addr with the request's extra header lines and
// returns the client and the response head.
func dialWS(t *testing.T, addr, path, extra string) (*wsClient, string) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(nc, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n%s\r\n", path, addr, extra)
	c := &wsClient{t: t, nc: nc, br: bufio.NewReader(nc), dec: websocket.Decoder{Role: websocket.Client}}
	var head strings.Builder
	for range 100 {
		line, err := c.br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the response head: %v (so far %q)", err, head.String())
		}
		head.WriteString(line)
		if line == "\r\n" {
			break
		}
	}
	return c, head.String()
}

// send writes one masked client frame.
func (c *wsClient) send(op websocket.Opcode, payload []byte) {
	key := [4]byte{1, 2, 3, 4}
	b := websocket.AppendHeader(nil, websocket.Header{Fin: true, Opcode: op, Masked: true, Mask: key, Length: int64(len(payload))})
	n := len(b)
	b = append(b, payload...)
	websocket.MaskBytes(key, 0, b[n:])
	if _, err := c.nc.Write(b); err != nil {
		c.t.Fatal(err)
	}
}

// next reads one server frame.
func (c *wsClient) next() websocket.Frame {
	c.t.Helper()
	for range 1 << 16 {
		f, n, err := c.dec.Frame(c.buf)
		if err == nil {
			f.Payload = bytes.Clone(f.Payload)
			c.buf = c.buf[n:]
			return f
		}
		if err != websocket.ErrNeedMore {
			c.t.Fatalf("decoding a server frame: %v", err)
		}
		var tmp [4096]byte
		k, rerr := c.br.Read(tmp[:])
		c.buf = append(c.buf, tmp[:k]...)
		if k == 0 && rerr != nil {
			c.t.Fatalf("reading a server frame: %v", rerr)
		}
	}
	c.t.Fatal("no frame")
	return websocket.Frame{}
}

// serveApp runs the app on a loopback port.
func serveApp(t *testing.T) (*app, string) {
	t.Helper()
	logs := &frameworktest.Logs{}
	cfg := config{db: filepath.Join(t.TempDir(), "test.db"), sessionKeys: [][]byte{[]byte(testKey)}}
	a, err := newApp(context.Background(), cfg, logs.Logger())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go a.srv.Serve(ln)
	t.Cleanup(func() { a.srv.Close(); a.close() })
	return a, ln.Addr().String()
}

// The echo endpoint, through the app's whole middleware stack (gzip and
// sessions included), and a request that is not a handshake.
func TestWebSocketEcho(t *testing.T) {
	_, addr := serveApp(t)
	c, head := dialWS(t, addr, "/ws/echo", "Accept-Encoding: gzip\r\nOrigin: http://"+addr+"\r\n")
	if !strings.HasPrefix(head, "HTTP/1.1 101 ") || !strings.Contains(head, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") {
		t.Fatalf("handshake:\n%s", head)
	}
	for _, msg := range []string{"hello", strings.Repeat("x", 1000)} {
		c.send(websocket.OpText, []byte(msg))
		if f := c.next(); f.Opcode != websocket.OpText || string(f.Payload) != msg {
			t.Fatalf("echo of %.10q: %v %.10q", msg, f.Opcode, f.Payload)
		}
	}
	c.send(websocket.OpClose, websocket.AppendClosePayload(nil, websocket.CloseNormalClosure, ""))
	if f := c.next(); f.Opcode != websocket.OpClose {
		t.Fatalf("want the close answered, got %v", f.Opcode)
	}

	if _, head := dialWS(t, addr, "/ws/echo", "Origin: https://evil.example\r\n"); !strings.HasPrefix(head, "HTTP/1.1 403 ") {
		t.Errorf("a foreign origin: %s", head)
	}
}

// The live socket: the presence count, an entry posted through the API,
// and 1001 when the server shuts down.
func TestWebSocketLive(t *testing.T) {
	a, addr := serveApp(t)
	c, head := dialWS(t, addr, "/ws/entries", "")
	if !strings.HasPrefix(head, "HTTP/1.1 101 ") {
		t.Fatalf("handshake:\n%s", head)
	}
	type msg struct {
		Type    string `json:"type"`
		Here    int    `json:"here"`
		ID      int64  `json:"id"`
		Message string `json:"message"`
		URL     string `json:"url"`
	}
	read := func() msg {
		t.Helper()
		f := c.next()
		var m msg
		if err := json.Unmarshal(f.Payload, &m); err != nil {
			t.Fatalf("%s: %v", f.Payload, err)
		}
		return m
	}
	if m := read(); m.Type != "presence" || m.Here != 1 {
		t.Fatalf("first message %+v, want presence 1", m)
	}
	c2, _ := dialWS(t, addr, "/ws/entries", "")
	if m := read(); m.Type != "presence" || m.Here != 2 {
		t.Fatalf("after a second page: %+v, want presence 2", m)
	}
	c2.nc.Close()
	if m := read(); m.Type != "presence" || m.Here != 1 {
		t.Fatalf("after the second page left: %+v, want presence 1", m)
	}

	// Writing through the API takes an account's token.
	owner := frameworktest.NewClient(a.srv.Handler)
	signUp(t, owner, "Ada", "ada@example.com")
	token := newToken(t, owner, "ws")
	post, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer post.Close()
	body := `{"name": "Ada", "message": "over the socket"}`
	fmt.Fprintf(post, "POST /api/entries HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", addr, token, len(body), body)
	io.Copy(io.Discard, post)
	if m := read(); m.Type != "entry" || m.ID != 1 || m.Message != "over the socket" || m.URL != "/entries/1" {
		t.Fatalf("entry message %+v", m)
	}

	// A page that reconnects with ?since= gets what it missed.
	c3, _ := dialWS(t, addr, "/ws/entries?since=0", "")
	if f := c3.next(); !strings.Contains(string(f.Payload), `"over the socket"`) {
		t.Fatalf("a page reconnecting with since=0 first got %s", f.Payload)
	}
	if _, head := dialWS(t, addr, "/ws/entries?since=x", ""); !strings.HasPrefix(head, "HTTP/1.1 400 ") {
		t.Errorf("a bad since: %s", head)
	}

	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- a.srv.Shutdown(ctx)
	}()
	for range 10 {
		f := c.next()
		if f.Opcode != websocket.OpClose {
			continue
		}
		if code, _, _ := websocket.ParseClose(f.Payload); code != websocket.CloseGoingAway {
			t.Fatalf("close code %d, want 1001", code)
		}
		c.send(websocket.OpClose, websocket.AppendClosePayload(nil, websocket.CloseGoingAway, ""))
		c3.send(websocket.OpClose, websocket.AppendClosePayload(nil, websocket.CloseGoingAway, ""))
		break
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}
