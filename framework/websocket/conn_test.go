package websocket

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
)

// serve runs an app with one WebSocket route on 127.0.0.1 and returns its
// address. handle runs on each upgraded connection.
func serve(t *testing.T, opts Options, handle func(*Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app := framework.New()
	app.GET("/ws", func(c *framework.Ctx) error {
		ws, err := Upgrade(c, opts)
		if err != nil {
			return err
		}
		handle(ws)
		return nil
	})
	srv := &framework.Server{Handler: app.Serve, Logger: slog.New(slog.DiscardHandler)}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// echo answers every message with itself until the connection ends.
func echo(ws *Conn) {
	for range 1 << 16 {
		op, msg, err := ws.ReadMessage()
		if err != nil {
			return
		}
		if ws.WriteMessage(op, msg) != nil {
			return
		}
	}
}

const sampleKey = "dGhlIHNhbXBsZSBub25jZQ==" // RFC 6455 §1.3

// rawClient is a client built from the codec, free to misbehave.
type rawClient struct {
	t   *testing.T
	nc  net.Conn
	br  *bufio.Reader
	dec Decoder
	buf []byte
}

// dial opens a connection and sends the handshake request with extra
// header lines; it returns the client and the response head.
func dial(t *testing.T, addr, extra string) (*rawClient, string) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET /ws HTTP/1.1\r\nHost: " + addr + "\r\n" + extra + "\r\n"
	if _, err := io.WriteString(nc, req); err != nil {
		t.Fatal(err)
	}
	c := &rawClient{t: t, nc: nc, br: bufio.NewReader(nc), dec: Decoder{Role: Client}}
	var head strings.Builder
	for range 100 {
		line, err := c.br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading response head: %v (so far %q)", err, head.String())
		}
		head.WriteString(line)
		if line == "\r\n" {
			break
		}
	}
	return c, head.String()
}

const goodHeaders = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + sampleKey + "\r\nSec-WebSocket-Version: 13\r\n"

func open(t *testing.T, addr string) *rawClient {
	c, head := dial(t, addr, goodHeaders)
	if !strings.HasPrefix(head, "HTTP/1.1 101 ") {
		t.Fatalf("handshake: %q", head)
	}
	return c
}

func (c *rawClient) send(frames ...[]byte) {
	if _, err := c.nc.Write(cat(frames...)); err != nil {
		c.t.Fatal(err)
	}
}

// next reads one server frame.
func (c *rawClient) next() (Frame, error) {
	for range 1 << 20 {
		f, n, err := c.dec.Frame(c.buf)
		if err == nil {
			f.Payload = bytes.Clone(f.Payload)
			c.buf = c.buf[n:]
			return f, nil
		}
		if err != ErrNeedMore {
			return f, err
		}
		var tmp [4096]byte
		k, rerr := c.br.Read(tmp[:])
		c.buf = append(c.buf, tmp[:k]...)
		if k == 0 && rerr != nil {
			return f, rerr
		}
	}
	return Frame{}, io.ErrNoProgress
}

// expectClose reads until the server's close frame and checks its code.
func (c *rawClient) expectClose(code CloseCode) {
	c.t.Helper()
	for range 100 {
		f, err := c.next()
		if err != nil {
			c.t.Fatalf("want close %d, got %v", code, err)
		}
		if f.Opcode == OpClose {
			got, reason, err := ParseClose(f.Payload)
			if err != nil || got != code {
				c.t.Fatalf("close: got %d %q (%v), want %d", got, reason, err, code)
			}
			return
		}
	}
	c.t.Fatal("no close frame")
}

func TestHandshake(t *testing.T) {
	addr := serve(t, Options{Subprotocols: []string{"chat.v2", "chat.v1"}, Origins: []string{"https://ok.example"}}, func(ws *Conn) {
		ws.WriteMessage(OpText, []byte("proto="+ws.Subprotocol()))
		ws.Close(CloseNormalClosure, "")
	})
	cases := []struct {
		name, headers, want string
	}{
		{"good", goodHeaders, "HTTP/1.1 101 "},
		{"tokens in lists, any case", "Upgrade: foo, WebSocket\r\nConnection: keep-alive, upgrade\r\nSec-WebSocket-Key: " + sampleKey + "\r\nSec-WebSocket-Version: 13\r\n", "HTTP/1.1 101 "},
		{"no Upgrade", "Connection: Upgrade\r\nSec-WebSocket-Key: " + sampleKey + "\r\nSec-WebSocket-Version: 13\r\n", "HTTP/1.1 400 "},
		{"no Connection upgrade", "Upgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Key: " + sampleKey + "\r\nSec-WebSocket-Version: 13\r\n", "HTTP/1.1 400 "},
		{"key of 15 bytes", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA\r\nSec-WebSocket-Version: 13\r\n", "HTTP/1.1 400 "},
		{"key not base64", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: not base64 at all!!!!!!\r\nSec-WebSocket-Version: 13\r\n", "HTTP/1.1 400 "},
		{"no key", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n", "HTTP/1.1 400 "},
		{"version 8", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + sampleKey + "\r\nSec-WebSocket-Version: 8\r\n", "HTTP/1.1 426 "},
		{"no version", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + sampleKey + "\r\n", "HTTP/1.1 426 "},
		{"foreign origin", goodHeaders + "Origin: https://evil.example\r\n", "HTTP/1.1 403 "},
		{"listed origin", goodHeaders + "Origin: https://ok.example\r\n", "HTTP/1.1 101 "},
		{"null origin", goodHeaders + "Origin: null\r\n", "HTTP/1.1 403 "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, head := dial(t, addr, tc.headers)
			if !strings.HasPrefix(head, tc.want) {
				t.Fatalf("got %q, want %q", head, tc.want)
			}
			if strings.HasPrefix(tc.want, "HTTP/1.1 426") && !strings.Contains(head, "Sec-WebSocket-Version: 13\r\n") {
				t.Errorf("426 without Sec-WebSocket-Version: %q", head)
			}
			if strings.HasPrefix(tc.want, "HTTP/1.1 101") && !strings.Contains(head, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") {
				t.Errorf("wrong accept key: %q", head)
			}
		})
	}

	// Same-origin is allowed without a list; a POST is refused.
	_, head := dial(t, addr, goodHeaders+"Origin: http://"+addr+"\r\n")
	if !strings.HasPrefix(head, "HTTP/1.1 101 ") {
		t.Errorf("same origin: %q", head)
	}

	// The server's first choice among the client's offers.
	c, head := dial(t, addr, goodHeaders+"Sec-WebSocket-Protocol: chat.v1, chat.v2\r\n")
	if !strings.Contains(head, "Sec-WebSocket-Protocol: chat.v2\r\n") {
		t.Errorf("subprotocol: %q", head)
	}
	if f, err := c.next(); err != nil || string(f.Payload) != "proto=chat.v2" {
		t.Errorf("got %q, %v", f.Payload, err)
	}
}

func TestAcceptKey(t *testing.T) {
	if got := AcceptKey(sampleKey); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatal(got)
	}
}

func TestEcho(t *testing.T) {
	addr := serve(t, Options{}, echo)
	c := open(t, addr)
	c.send(cf(true, 0, OpText, []byte("hello")))
	f, err := c.next()
	if err != nil || f.Opcode != OpText || string(f.Payload) != "hello" || f.Masked {
		t.Fatalf("got %+v %v", f, err)
	}
	// Fragments with a ping in between: the pong comes first.
	c.send(cf(false, 0, OpBinary, []byte{1, 2}), cf(true, 0, OpPing, []byte("are you there")), cf(true, 0, OpContinuation, []byte{3}))
	f, err = c.next()
	if err != nil || f.Opcode != OpPong || string(f.Payload) != "are you there" {
		t.Fatalf("want pong, got %+v %v", f, err)
	}
	f, err = c.next()
	if err != nil || f.Opcode != OpBinary || !bytes.Equal(f.Payload, []byte{1, 2, 3}) {
		t.Fatalf("got %+v %v", f, err)
	}
	// A close is answered with the same code, then the server hangs up.
	c.send(cf(true, 0, OpClose, AppendClosePayload(nil, 4000, "done")))
	c.expectClose(4000)
	if _, err := c.next(); err != io.EOF {
		t.Fatalf("after close: %v", err)
	}
}

// A misbehaving client gets the close code of the rule it broke.
func TestFailTheConnection(t *testing.T) {
	addr := serve(t, Options{MaxMessageSize: 1000, CloseTimeout: 2 * time.Second}, echo)
	cases := []struct {
		name   string
		frames [][]byte
		code   CloseCode
	}{
		{"unmasked frame", [][]byte{AppendFrame(nil, OpText, true, []byte("hi"))}, 1002},
		{"bad UTF-8 split across fragments", [][]byte{cf(false, 0, OpText, []byte("ok \xce")), cf(true, 0, OpContinuation, []byte("x"))}, 1007},
		{"oversized control frame", [][]byte{cf(true, 0, OpPing, make([]byte, 126))}, 1002},
		{"bad close code", [][]byte{cf(true, 0, OpClose, []byte{0x03, 0xed})}, 1002},
		{"reserved opcode", [][]byte{cf(true, 0, 0x5, nil)}, 1002},
		{"RSV without extension", [][]byte{cf(true, RSV1, OpText, []byte("x"))}, 1002},
		{"message too big", [][]byte{cf(true, 0, OpBinary, make([]byte, 1001))}, 1009},
		{"too big across fragments", [][]byte{cf(false, 0, OpBinary, make([]byte, 600)), cf(true, 0, OpContinuation, make([]byte, 600))}, 1009},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := open(t, addr)
			c.send(tc.frames...)
			c.expectClose(tc.code)
		})
	}
}

func TestServerClose(t *testing.T) {
	result := make(chan error, 1)
	addr := serve(t, Options{CloseTimeout: 5 * time.Second}, func(ws *Conn) {
		result <- ws.Close(CloseGoingAway, "bye")
	})
	c := open(t, addr)
	c.expectClose(CloseGoingAway)
	c.send(cf(true, 0, OpClose, AppendClosePayload(nil, CloseGoingAway, "")))
	if err := <-result; err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// A peer that never answers the close frame costs the close timeout,
// no more.
func TestServerCloseTimeout(t *testing.T) {
	result := make(chan error, 1)
	addr := serve(t, Options{CloseTimeout: 50 * time.Millisecond}, func(ws *Conn) {
		result <- ws.Close(CloseNormalClosure, "")
	})
	c := open(t, addr)
	c.expectClose(CloseNormalClosure)
	if err := <-result; err != ErrCloseTimeout {
		t.Fatalf("Close: %v", err)
	}
}

// Close from another goroutine while the handler reads.
func TestCloseWhileReading(t *testing.T) {
	readErr := make(chan error, 1)
	closeErr := make(chan error, 1)
	addr := serve(t, Options{}, func(ws *Conn) {
		go func() { closeErr <- ws.Close(CloseGoingAway, "shutting down") }()
		_, _, err := ws.ReadMessage()
		readErr <- err
	})
	c := open(t, addr)
	c.expectClose(CloseGoingAway)
	c.send(cf(true, 0, OpClose, AppendClosePayload(nil, CloseGoingAway, "")))
	var ce *CloseError
	if err := <-readErr; !errors.As(err, &ce) || ce.Code != CloseGoingAway {
		t.Fatalf("reader: %v", err)
	}
	if err := <-closeErr; err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// The heartbeat pings; a client that answers stays, one that goes silent
// is dropped.
func TestHeartbeat(t *testing.T) {
	readErr := make(chan error, 1)
	addr := serve(t, Options{PingInterval: 20 * time.Millisecond}, func(ws *Conn) {
		_, _, err := ws.ReadMessage()
		readErr <- err
	})
	c := open(t, addr)
	for range 3 {
		f, err := c.next()
		if err != nil || f.Opcode != OpPing {
			t.Fatalf("want ping, got %+v %v", f, err)
		}
		c.send(cf(true, 0, OpPong, f.Payload))
	}
	// Now silence.
	if err := <-readErr; !errors.Is(err, ErrPeerUnresponsive) {
		t.Fatalf("reader: %v", err)
	}
}

// Streaming: a message written through NextWriter in pieces arrives as
// fragments of the write buffer's size; one read through NextReader in
// small pieces.
func TestStreaming(t *testing.T) {
	addr := serve(t, Options{WriteBufferSize: 16}, func(ws *Conn) {
		op, r, err := ws.NextReader()
		if err != nil {
			return
		}
		w, _ := ws.NextWriter(op)
		var small [3]byte
		io.CopyBuffer(w, r, small[:])
		w.Close()
		ws.Close(CloseNormalClosure, "")
	})
	c := open(t, addr)
	msg := strings.Repeat("0123456789", 5)
	c.send(cf(false, 0, OpText, []byte(msg[:7])), cf(true, 0, OpContinuation, []byte(msg[7:])))
	var got []byte
	frames := 0
	for range 100 {
		f, err := c.next()
		if err != nil {
			t.Fatal(err)
		}
		frames++
		got = append(got, f.Payload...)
		if f.Fin {
			break
		}
	}
	if string(got) != msg || frames < 3 {
		t.Fatalf("got %q in %d frames", got, frames)
	}
}

// Shutdown sends 1001 and waits for the answer.
func TestShutdown(t *testing.T) {
	result := make(chan error, 1)
	addr := serve(t, Options{}, func(ws *Conn) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		result <- ws.Shutdown(ctx)
	})
	c := open(t, addr)
	c.expectClose(CloseGoingAway)
	c.send(cf(true, 0, OpClose, AppendClosePayload(nil, CloseGoingAway, "")))
	if err := <-result; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

// One message at a time: WriteMessage while a streamed message is open
// is refused rather than interleaved.
func TestWriterOpen(t *testing.T) {
	result := make(chan error, 1)
	addr := serve(t, Options{}, func(ws *Conn) {
		w, _ := ws.NextWriter(OpText)
		w.Write([]byte("a"))
		result <- ws.WriteMessage(OpText, []byte("b"))
		w.Close()
	})
	open(t, addr)
	if err := <-result; err != errWriterOpen {
		t.Fatalf("got %v", err)
	}
}
