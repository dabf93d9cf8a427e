package websocket_test

import (
	"fmt"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/websocket"
)

// The masked frame of RFC 6455 §5.7 that carries "Hello" from a client.
func ExampleDecoder_Frame() {
	in := []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}
	d := websocket.Decoder{Role: websocket.Server}
	f, n, err := d.Frame(in)
	fmt.Println(f.Opcode, f.Fin, string(f.Payload), n, err)

	// The same frame unmasked is refused: client frames must be masked.
	d = websocket.Decoder{Role: websocket.Server}
	_, _, err = d.Frame([]byte{0x81, 0x05, 'H', 'e', 'l', 'l', 'o'})
	fmt.Println(err)
	// Output:
	// text true Hello 11 <nil>
	// websocket: 1002 client frame is not masked (RFC 6455 §5.1)
}

// The server's answer to the sample key of RFC 6455 §1.3.
func ExampleAcceptKey() {
	fmt.Println(websocket.AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="))
	// Output: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
}

// What a server sends: an unmasked text frame.
func ExampleAppendFrame() {
	fmt.Printf("% x\n", websocket.AppendFrame(nil, websocket.OpText, true, []byte("Hello")))
	// Output: 81 05 48 65 6c 6c 6f
}

// An echo endpoint.
func ExampleUpgrade() {
	app := framework.New()
	app.GET("/ws/echo", func(c *framework.Ctx) error {
		ws, err := websocket.Upgrade(c, websocket.Options{})
		if err != nil {
			return err
		}
		defer ws.Close(websocket.CloseNormalClosure, "")
		for {
			op, msg, err := ws.ReadMessage()
			if err != nil {
				return nil
			}
			if err := ws.WriteMessage(op, msg); err != nil {
				return nil
			}
		}
	})
}
