package interop

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func coderDial(t *testing.T, ctx context.Context, addr, path string) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.Dial(ctx, "ws://"+addr+path, &websocket.DialOptions{Subprotocols: []string{"echo"}})
	if err != nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	if c.Subprotocol() != "echo" {
		t.Errorf("subprotocol %q", c.Subprotocol())
	}
	c.SetReadLimit(maxMessage)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func TestCoderMessages(t *testing.T) {
	addr := serve(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, path := range []string{"/echo", "/stream"} {
		c := coderDial(t, ctx, addr, path)
		cases := []struct {
			name string
			typ  websocket.MessageType
			data []byte
		}{
			{"text", websocket.MessageText, []byte("hello, κόσμε")},
			{"binary", websocket.MessageBinary, []byte{0, 1, 2, 0xfe, 0xff}},
			{"binary 16 MiB", websocket.MessageBinary, payload(16 << 20)},
			{"text 16 MiB", websocket.MessageText, payload(16 << 20)},
		}
		for _, tc := range cases {
			// Write while reading: /stream echoes as it reads, so a
			// client that wrote 16 MiB before reading would deadlock
			// with it once both sockets' buffers are full.
			wrote := make(chan error, 1)
			go func() { wrote <- c.Write(ctx, tc.typ, tc.data) }()
			typ, got, err := c.Read(ctx)
			if werr := <-wrote; werr != nil {
				t.Fatalf("%s %s: write: %v", path, tc.name, werr)
			}
			if err != nil || typ != tc.typ || !bytes.Equal(got, tc.data) {
				t.Fatalf("%s %s: got type %v, %d bytes, %v", path, tc.name, typ, len(got), err)
			}
		}
		if err := c.Close(websocket.StatusNormalClosure, ""); err != nil {
			t.Fatalf("%s close: %v", path, err)
		}
	}
}

// coder writes one frame per Write on a message writer.
func TestCoderFragmented(t *testing.T) {
	addr := serve(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := coderDial(t, ctx, addr, "/echo")
	w, err := c.Writer(ctx, websocket.MessageText)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte("κόσμε, split inside characters")
	for i := range want { // one byte per frame: every character is split
		w.Write(want[i : i+1])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, got, err := c.Read(ctx)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestCoderPing(t *testing.T) {
	addr := serve(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := coderDial(t, ctx, addr, "/echo")
	// coder's Ping waits for the pong, which a reader must read.
	read := make(chan error, 1)
	go func() {
		_, _, err := c.Read(ctx)
		read <- err
	}()
	for range 3 {
		if err := c.Ping(ctx); err != nil {
			t.Fatalf("ping: %v", err)
		}
	}
	c.Write(ctx, websocket.MessageText, []byte("x"))
	if err := <-read; err != nil {
		t.Fatal(err)
	}
}

func TestCoderCloseCodes(t *testing.T) {
	addr := serve(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, code := range []websocket.StatusCode{1000, 1001, 3000, 4999} {
		c := coderDial(t, ctx, addr, "/echo")
		if err := c.Close(code, "bye"); err != nil {
			t.Errorf("client close %d: %v", code, err)
		}
	}
	for _, code := range []websocket.StatusCode{1000, 1008, 1011, 4001} {
		c := coderDial(t, ctx, addr, "/close/"+itoa(int(code)))
		c.Write(ctx, websocket.MessageText, []byte("server says bye"))
		_, _, err := c.Read(ctx)
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != code || ce.Reason != "server says bye" {
			t.Errorf("server close %d: got %v", code, err)
		}
	}
}
