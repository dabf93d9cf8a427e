package main

import (
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// startServer runs serve on a free loopback port and returns its address.
// Cleanup closes the listener, waits for serve to return and checks that
// no goroutine outlives it.
func startServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0") // port 0: the kernel picks a free one
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- serve(ln) }()
	t.Cleanup(func() {
		ln.Close()
		if err := <-done; !errors.Is(err, net.ErrClosed) {
			t.Errorf("serve returned %v, want net.ErrClosed", err)
		}
		goleak.VerifyNone(t)
	})
	return ln.Addr().String()
}

func TestAsk(t *testing.T) {
	addr := startServer(t)
	tests := []struct {
		name, msg string
	}{
		{"the seed's question", "can you hear me?"},
		{"an empty line", ""},
		{"not ASCII", "m'entends-tu ? ✓"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ask(addr, tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			if got != "Yes" {
				t.Errorf("ask(%q) = %q, want %q", tt.msg, got, "Yes")
			}
		})
	}
}

// TestSilentClients checks that connections are served at the same time:
// clients that connect and say nothing must not delay one that asks. A
// server that handled one connection at a time would make ask wait for
// the silent clients' deadlines.
func TestSilentClients(t *testing.T) {
	addr := startServer(t)
	for range 3 {
		silent, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer silent.Close()
	}
	answered := make(chan error, 1)
	go func() {
		_, err := ask(addr, "can you hear me?")
		answered <- err
	}()
	select {
	case err := <-answered:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no answer within 2 s: the silent clients block the server")
	}
}

// TestManyClients asks from many goroutines at once; with -race it also
// checks that the handlers share no state.
func TestManyClients(t *testing.T) {
	addr := startServer(t)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range cap(errs) {
		wg.Go(func() {
			answer, err := ask(addr, "can you hear me?")
			if err == nil && answer != "Yes" {
				err = errors.New("answer " + answer)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// TestLineTooLong checks the read bound: a peer that sends more than
// maxLine bytes without a newline is hung up on, with no answer.
func TestLineTooLong(t *testing.T) {
	addr := startServer(t)
	_, err := ask(addr, strings.Repeat("x", maxLine))
	if err == nil {
		t.Fatal("ask succeeded; want the server to hang up")
	}
}

func TestAskNoServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nobody listens there any more
	if _, err := ask(addr, "can you hear me?"); err == nil {
		t.Fatal("ask succeeded with no server")
	}
}
