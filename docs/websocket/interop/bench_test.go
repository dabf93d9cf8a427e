package interop

import (
	"log/slog"
	"net"
	"net/http"
	"testing"

	gorilla "github.com/gorilla/websocket"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/websocket"
)

// BenchmarkEcho measures a small-message echo, one message in flight,
// with the same gorilla client against two servers on 127.0.0.1: groundup
// on its own socket layer, and gorilla/websocket on net/http. ns/op is
// the round trip; allocs/op counts client and server together, the
// client's share being the same in both; msgs/s is messages echoed per
// second.
//
//	go test -run '^$' -bench Echo -benchmem
func BenchmarkEcho(b *testing.B) {
	msg := []byte("hello, this is a short message!!")
	b.Run("groundup", func(b *testing.B) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		app := framework.New()
		app.GET("/echo", func(c *framework.Ctx) error {
			ws, err := websocket.Upgrade(c, websocket.Options{})
			if err != nil {
				return err
			}
			for {
				op, m, err := ws.ReadMessage()
				if err != nil {
					return nil
				}
				if ws.WriteMessage(op, m) != nil {
					return nil
				}
			}
		})
		srv := &framework.Server{Handler: app.Serve, Logger: slog.New(slog.DiscardHandler)}
		go srv.Serve(ln)
		defer srv.Close()
		benchClient(b, "ws://"+ln.Addr().String()+"/echo", msg)
	})
	b.Run("gorilla-net-http", func(b *testing.B) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		up := gorilla.Upgrader{}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ws, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer ws.Close()
			for {
				op, m, err := ws.ReadMessage()
				if err != nil {
					return
				}
				if ws.WriteMessage(op, m) != nil {
					return
				}
			}
		})}
		go srv.Serve(ln)
		defer srv.Close()
		benchClient(b, "ws://"+ln.Addr().String()+"/echo", msg)
	})
}

func benchClient(b *testing.B, url string, msg []byte) {
	c, _, err := gorilla.DefaultDialer.Dial(url, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if err := c.WriteMessage(gorilla.TextMessage, msg); err != nil {
			b.Fatal(err)
		}
		if _, _, err := c.ReadMessage(); err != nil {
			b.Fatal(err)
		}
	}
	// One message echoed per iteration.
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
