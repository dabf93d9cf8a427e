package frameworktest

import (
	"net"
	"testing"

	"github.com/groundup-go/groundup/framework"
)

// Listen serves h on a loopback port until the test ends, for clients
// that need a real socket (a browser, net/http's client as an oracle),
// and returns the address, "127.0.0.1:port", and the server's log. The
// server closes in tb.Cleanup; close idle client connections in an
// earlier registered Cleanup, or before the test returns.
func Listen(tb testing.TB, h framework.Handler) (addr string, logs *Logs) {
	tb.Helper()
	logs = &Logs{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &framework.Server{Handler: h, Logger: logs.Logger()}
	done := make(chan struct{})
	go func() { srv.Serve(ln); close(done) }()
	tb.Cleanup(func() {
		srv.Close()
		<-done
	})
	return ln.Addr().String(), logs
}
