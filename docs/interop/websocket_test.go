package interop

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	coder "github.com/coder/websocket"
	"github.com/gorilla/websocket"
	"github.com/groundup-go/groundup/framework"
)

// serve runs app on a loopback listener until the test ends.
func serve(t *testing.T, app *framework.App) (string, *framework.Server) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &framework.Server{Handler: app.Serve}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		if err := <-done; !errors.Is(err, framework.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String(), srv
}

// gorilla/websocket's echo server, wrapped, dialled by its own client.
func TestGorillaWebSocketThroughWrapHTTP(t *testing.T) {
	up := websocket.Upgrader{}
	app := framework.New()
	app.GET("/ws", framework.WrapHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		for {
			kind, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			if err := ws.WriteMessage(kind, msg); err != nil {
				return
			}
		}
	})))
	addr, _ := serve(t, app)
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	ws, res, err := d.Dial("ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, res)
	}
	defer ws.Close()
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for _, msg := range []string{"hello", "world"} {
		if err := ws.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		_, got, err := ws.ReadMessage()
		if err != nil || string(got) != msg {
			t.Fatalf("echo %q: got %q, %v", msg, got, err)
		}
	}
}

// coder/websocket calls WriteHeader(101) before Hijack; the 101 must go
// out at Hijack for its handshake to complete.
func TestCoderWebSocketThroughWrapHTTP(t *testing.T) {
	app := framework.New()
	app.GET("/ws", framework.WrapHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := coder.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		ctx := context.Background()
		for {
			kind, msg, err := ws.Read(ctx)
			if err != nil {
				return
			}
			if err := ws.Write(ctx, kind, msg); err != nil {
				return
			}
		}
	})))
	addr, _ := serve(t, app)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, res, err := coder.Dial(ctx, "ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, res)
	}
	defer ws.CloseNow()
	for _, msg := range []string{"hello", "world"} {
		if err := ws.Write(ctx, coder.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		_, got, err := ws.Read(ctx)
		if err != nil || string(got) != msg {
			t.Fatalf("echo %q: got %q, %v", msg, got, err)
		}
	}
	ws.Close(coder.StatusNormalClosure, "")
}
