package interop

import (
	"io"
	"log/slog"
	"net"
	"strconv"
	"testing"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/websocket"
)

// maxMessage lets the 16 MiB messages through.
const maxMessage = 32 << 20

// serve starts a groundup server on 127.0.0.1 with these routes and
// returns its address:
//
//	/echo          each message back whole (ReadMessage, WriteMessage)
//	/stream        each message back streamed (NextReader, NextWriter), so
//	               anything over 4 KiB goes out in fragments
//	/deflate       like /echo, with permessage-deflate offered
//	/close/:code   reads one message, then closes with :code and the
//	               message as the reason
func serve(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	opts := websocket.Options{MaxMessageSize: maxMessage, Subprotocols: []string{"echo"}}
	app := framework.New()
	app.GET("/echo", func(c *framework.Ctx) error {
		ws, err := websocket.Upgrade(c, opts)
		if err != nil {
			return err
		}
		for range 1 << 20 {
			op, msg, err := ws.ReadMessage()
			if err != nil {
				return nil
			}
			if ws.WriteMessage(op, msg) != nil {
				return nil
			}
		}
		return nil
	})
	app.GET("/deflate", func(c *framework.Ctx) error {
		o := opts
		o.Compression = true
		ws, err := websocket.Upgrade(c, o)
		if err != nil {
			return err
		}
		for range 1 << 20 {
			op, msg, err := ws.ReadMessage()
			if err != nil {
				return nil
			}
			if ws.WriteMessage(op, msg) != nil {
				return nil
			}
		}
		return nil
	})
	app.GET("/stream", func(c *framework.Ctx) error {
		ws, err := websocket.Upgrade(c, opts)
		if err != nil {
			return err
		}
		for range 1 << 20 {
			op, r, err := ws.NextReader()
			if err != nil {
				return nil
			}
			w, err := ws.NextWriter(op)
			if err != nil {
				return nil
			}
			if _, err := io.Copy(w, r); err != nil {
				return nil
			}
			if w.Close() != nil {
				return nil
			}
		}
		return nil
	})
	app.GET("/close/:code", func(c *framework.Ctx) error {
		code, _ := strconv.Atoi(c.Param("code"))
		ws, err := websocket.Upgrade(c, opts)
		if err != nil {
			return err
		}
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return nil
		}
		ws.Close(websocket.CloseCode(code), string(msg))
		return nil
	})
	srv := &framework.Server{Handler: app.Serve, Logger: slog.New(slog.DiscardHandler)}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// payload returns n bytes of printable ASCII, valid as text.
func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(i%26)
	}
	return b
}
