package interop

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework/websocket"
)

// A misbehaving client, written with the codec: each case breaks one rule
// and must get that rule's close code before the server hangs up.
func TestRawMisbehavingClient(t *testing.T) {
	addr := serve(t)
	key := [4]byte{1, 2, 3, 4}
	frame := func(fin bool, op websocket.Opcode, p []byte) []byte {
		b := websocket.AppendHeader(nil, websocket.Header{Fin: fin, Opcode: op, Masked: true, Mask: key, Length: int64(len(p))})
		n := len(b)
		b = append(b, p...)
		websocket.MaskBytes(key, 0, b[n:])
		return b
	}
	cases := []struct {
		name string
		send []byte
		code websocket.CloseCode
	}{
		{"unmasked frame", websocket.AppendFrame(nil, websocket.OpText, true, []byte("hello")), 1002},
		{"bad UTF-8 split across fragments", append(frame(false, websocket.OpText, []byte("caf\xc3")), frame(true, websocket.OpContinuation, []byte("("))...), 1007},
		{"oversized control frame", frame(true, websocket.OpPing, make([]byte, 126)), 1002},
		{"bad close code", frame(true, websocket.OpClose, []byte{0x03, 0xee}), 1002},
		{"close reason not UTF-8", frame(true, websocket.OpClose, []byte{0x03, 0xe8, 0xff}), 1007},
		{"continuation without a message", frame(true, websocket.OpContinuation, []byte("x")), 1002},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(10 * time.Second))
			io.WriteString(nc, "GET /echo HTTP/1.1\r\nHost: "+addr+"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
				"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
			br := bufio.NewReader(nc)
			status, _ := br.ReadString('\n')
			if !strings.HasPrefix(status, "HTTP/1.1 101 ") {
				t.Fatalf("handshake: %q", status)
			}
			for range 20 {
				if line, _ := br.ReadString('\n'); line == "\r\n" || line == "" {
					break
				}
			}
			nc.Write(tc.send)
			rest, _ := io.ReadAll(br) // the server closes after its close frame
			d := websocket.Decoder{Role: websocket.Client}
			f, _, err := d.Frame(bytes.Clone(rest))
			if err != nil || f.Opcode != websocket.OpClose {
				t.Fatalf("want a close frame, got % x (%v)", rest, err)
			}
			code, reason, err := websocket.ParseClose(f.Payload)
			if err != nil || code != tc.code {
				t.Fatalf("got close %d %q (%v), want %d", code, reason, err, tc.code)
			}
		})
	}
}
