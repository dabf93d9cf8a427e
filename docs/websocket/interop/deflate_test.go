package interop

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	coder "github.com/coder/websocket"
	gorilla "github.com/gorilla/websocket"
)

// compressible returns n bytes of text that deflate shrinks.
func compressible(n int) []byte {
	return []byte(strings.Repeat("the quick brown fox jumps over the lazy dog. ", n/45+1)[:n])
}

// gorilla offers permessage-deflate without context takeover.
func TestGorillaDeflate(t *testing.T) {
	addr := serve(t)
	d := gorilla.Dialer{EnableCompression: true}
	c, resp, err := d.Dial("ws://"+addr+"/deflate", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); !strings.HasPrefix(ext, "permessage-deflate") {
		t.Fatalf("not negotiated: %q", ext)
	}
	c.SetReadLimit(maxMessage)
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	for _, msg := range [][]byte{[]byte("hello"), nil, compressible(100 << 10), payload(1 << 20)} {
		if err := c.WriteMessage(gorilla.TextMessage, msg); err != nil {
			t.Fatal(err)
		}
		_, got, err := c.ReadMessage()
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("got %d bytes, %v", len(got), err)
		}
	}
}

// coder offers either mode; with context takeover, each message may
// refer back to the ones before it.
func TestCoderDeflate(t *testing.T) {
	addr := serve(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, mode := range []coder.CompressionMode{coder.CompressionContextTakeover, coder.CompressionNoContextTakeover} {
		c, resp, err := coder.Dial(ctx, "ws://"+addr+"/deflate", &coder.DialOptions{CompressionMode: mode, CompressionThreshold: 1})
		if err != nil {
			t.Fatal(err)
		}
		if ext := resp.Header.Get("Sec-WebSocket-Extensions"); !strings.HasPrefix(ext, "permessage-deflate") {
			t.Fatalf("mode %v: not negotiated: %q", mode, ext)
		}
		c.SetReadLimit(maxMessage)
		for i, msg := range [][]byte{compressible(1000), compressible(1000), []byte("κόσμε"), compressible(200 << 10)} {
			if err := c.Write(ctx, coder.MessageText, msg); err != nil {
				t.Fatal(err)
			}
			_, got, err := c.Read(ctx)
			if err != nil || !bytes.Equal(got, msg) {
				t.Fatalf("mode %v message %d: got %d bytes, %v", mode, i, len(got), err)
			}
		}
		if err := c.Close(coder.StatusNormalClosure, ""); err != nil {
			t.Fatalf("mode %v: close: %v", mode, err)
		}
	}
}
