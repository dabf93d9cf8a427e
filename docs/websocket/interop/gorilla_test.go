package interop

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func gorillaDial(t *testing.T, addr, path string) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{WriteBufferSize: 1024, Subprotocols: []string{"echo"}}
	c, resp, err := d.Dial("ws://"+addr+path, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	if resp.Header.Get("Sec-WebSocket-Protocol") != "echo" {
		t.Errorf("subprotocol %q", resp.Header.Get("Sec-WebSocket-Protocol"))
	}
	c.SetReadLimit(maxMessage)
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

func TestGorillaMessages(t *testing.T) {
	addr := serve(t)
	for _, path := range []string{"/echo", "/stream"} {
		c := gorillaDial(t, addr, path)
		cases := []struct {
			name string
			typ  int
			data []byte
		}{
			{"text", websocket.TextMessage, []byte("hello, κόσμε")},
			{"empty text", websocket.TextMessage, nil},
			{"binary", websocket.BinaryMessage, []byte{0, 1, 2, 0xfe, 0xff}},
			{"text 64 KiB", websocket.TextMessage, payload(64 << 10)},
			{"binary 16 MiB", websocket.BinaryMessage, payload(16 << 20)},
			{"text 16 MiB", websocket.TextMessage, payload(16 << 20)},
		}
		for _, tc := range cases {
			// Write while reading (see TestCoderMessages).
			wrote := make(chan error, 1)
			go func() { wrote <- c.WriteMessage(tc.typ, tc.data) }()
			typ, got, err := c.ReadMessage()
			if werr := <-wrote; werr != nil {
				t.Fatalf("%s %s: write: %v", path, tc.name, werr)
			}
			if err != nil || typ != tc.typ || !bytes.Equal(got, tc.data) {
				t.Fatalf("%s %s: got type %d, %d bytes, %v", path, tc.name, typ, len(got), err)
			}
		}
	}
}

// gorilla fragments a message written through NextWriter whenever its
// 1 KiB write buffer fills.
func TestGorillaFragmented(t *testing.T) {
	addr := serve(t)
	c := gorillaDial(t, addr, "/echo")
	w, err := c.NextWriter(websocket.TextMessage)
	if err != nil {
		t.Fatal(err)
	}
	want := payload(10 << 10)
	for i := 0; i < len(want); i += 700 {
		w.Write(want[i:min(i+700, len(want))])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, got, err := c.ReadMessage()
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, %v", len(got), err)
	}
}

func TestGorillaPing(t *testing.T) {
	addr := serve(t)
	c := gorillaDial(t, addr, "/echo")
	pong := make(chan string, 1)
	c.SetPongHandler(func(data string) error { pong <- data; return nil })
	if err := c.WriteControl(websocket.PingMessage, []byte("tick"), time.Now().Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	// The pong is read, and handled, on the way to the echo.
	c.WriteMessage(websocket.TextMessage, []byte("after ping"))
	if _, got, err := c.ReadMessage(); err != nil || string(got) != "after ping" {
		t.Fatalf("got %q, %v", got, err)
	}
	select {
	case data := <-pong:
		if data != "tick" {
			t.Fatalf("pong %q", data)
		}
	default:
		t.Fatal("no pong before the echo")
	}
}

func TestGorillaCloseCodes(t *testing.T) {
	addr := serve(t)
	// Client-initiated: the server echoes the code.
	for _, code := range []int{1000, 1001, 3000, 4999} {
		c := gorillaDial(t, addr, "/echo")
		c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, "bye"))
		_, _, err := c.ReadMessage()
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != code {
			t.Errorf("client close %d: got %v", code, err)
		}
	}
	// Server-initiated, with a reason.
	for _, code := range []int{1000, 1008, 1011, 4001} {
		c := gorillaDial(t, addr, "/close/"+itoa(code))
		c.WriteMessage(websocket.TextMessage, []byte("server says bye"))
		_, _, err := c.ReadMessage()
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != code || ce.Text != "server says bye" {
			t.Errorf("server close %d: got %v", code, err)
		}
	}
	// A bad code from the client: the server fails the connection with 1002.
	c := gorillaDial(t, addr, "/echo")
	c.WriteMessage(websocket.CloseMessage, []byte{0x03, 0xed}) // 1005 may not be sent
	_, _, err := c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseProtocolError {
		t.Errorf("bad close code: got %v", err)
	}
}

func itoa(n int) string {
	return string(rune('0'+n/1000)) + string(rune('0'+n/100%10)) + string(rune('0'+n/10%10)) + string(rune('0'+n%10))
}
