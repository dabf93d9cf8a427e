package websocket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
)

// The server's Shutdown reaches every upgraded connection: each gets a
// close frame with 1001 (going away), answers it, and Shutdown returns
// before its deadline because every connection gave its slot back.
func TestServerShutdownClosesEveryConnection(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app := framework.New()
	app.GET("/ws", func(c *framework.Ctx) error {
		ws, err := Upgrade(c, Options{})
		if err != nil {
			return err
		}
		echo(ws)
		return nil
	})
	srv := &framework.Server{Handler: app.Serve, Logger: slog.New(slog.DiscardHandler),
		MaxConnsPerClient: 2 * n, MaxStreams: 2 * n}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	addr := ln.Addr().String()

	clients := make([]*rawClient, 0, n)
	for range n {
		clients = append(clients, open(t, addr))
	}
	// Every connection is open and answering before the shutdown begins.
	for i, c := range clients {
		c.send(cf(true, 0, OpText, []byte("hi")))
		if f, err := c.next(); err != nil || string(f.Payload) != "hi" {
			t.Fatalf("client %d: echo %q, %v", i, f.Payload, err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(ctx) }()

	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- c.answerClose(i)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v (the connections did not all release their slots)", err)
	}
}

// answerClose reads until the server's close frame, checks that it is
// 1001, answers it, and waits for the server to close the socket.
func (c *rawClient) answerClose(i int) error {
	for range 100 {
		f, err := c.next()
		if err != nil {
			return fmt.Errorf("client %d: want close 1001, got %v", i, err)
		}
		if f.Opcode != OpClose {
			continue
		}
		code, _, err := ParseClose(f.Payload)
		if err != nil || code != CloseGoingAway {
			return fmt.Errorf("client %d: close %d (%v), want 1001", i, code, err)
		}
		if _, err := c.nc.Write(cf(true, 0, OpClose, AppendClosePayload(nil, code, ""))); err != nil {
			return fmt.Errorf("client %d: answering close: %v", i, err)
		}
		// The server closes TCP first (§7.1.1): the client reads EOF.
		if rest, err := io.ReadAll(c.br); err != nil && !errors.Is(err, net.ErrClosed) &&
			!strings.Contains(err.Error(), "reset") || len(rest) != 0 {
			return fmt.Errorf("client %d: after close: %q, %v", i, rest, err)
		}
		return nil
	}
	return fmt.Errorf("client %d: no close frame", i)
}
