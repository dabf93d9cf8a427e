//go:build linux && (amd64 || arm64 || 386 || arm || riscv64 || ppc64 || ppc64le || s390x || loong64)

package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
)

// soReusePort is SO_REUSEPORT from Linux's asm-generic/socket.h, which
// the architectures in this file's build line share. The frozen syscall
// package lacks it on amd64; golang.org/x/sys/unix has it everywhere.
const soReusePort = 0xf

// listenReusePort listens on addr with SO_REUSEPORT set. Every socket
// that sets it may listen on the same address and port, and the kernel
// spreads new connections among them by a hash of the client's address
// and port. Each instance of the app, in its own process, would call this
// with the same address and hand the listener to Server.Serve.
func listenReusePort(ctx context.Context, addr string) (net.Listener, error) {
	lc := net.ListenConfig{
		// Control runs after the socket is created and before it is bound,
		// which is when the option must be set.
		Control: func(network, address string, rc syscall.RawConn) error {
			var sockErr error
			err := rc.Control(func(fd uintptr) {
				sockErr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, soReusePort, 1)
			})
			return errors.Join(err, sockErr)
		},
	}
	return lc.Listen(ctx, "tcp", addr)
}

// TestReusePort runs two servers on one port of one host, with no proxy,
// and checks that new connections reach both.
func TestReusePort(t *testing.T) {
	first, err := listenReusePort(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := first.Addr().String()
	second, err := listenReusePort(context.Background(), addr)
	if err != nil {
		first.Close()
		t.Fatal(err)
	}
	for name, ln := range map[string]net.Listener{"a": first, "b": second} {
		srv := &framework.Server{Handler: newInstance(name).Serve, Logger: quiet}
		done := make(chan error, 1)
		go func() { done <- srv.Serve(ln) }()
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			srv.Shutdown(ctx)
			if err := <-done; !errors.Is(err, framework.ErrServerClosed) {
				t.Errorf("instance %s: Serve returned %v", name, err)
			}
		})
	}

	// A new connection per request, since the kernel picks the listener
	// per connection. All 20 landing on one of two is a 1 in 2^19 chance.
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	seen := map[string]int{}
	for range 20 {
		res, err := client.Get("http://" + addr + "/whoami")
		if err != nil {
			t.Fatal(err)
		}
		var w whoami
		err = json.NewDecoder(res.Body).Decode(&w)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		seen[w.Instance]++
	}
	if seen["a"] == 0 || seen["b"] == 0 {
		t.Errorf("20 connections went to %v, want some to each instance", seen)
	}
}
