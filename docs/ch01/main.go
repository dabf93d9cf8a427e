// Command ch01 is the first lesson of the groundup docs: two programs that
// talk over TCP with nothing but package net. Run it once as a server and
// once with -client; the client asks "can you hear me?" and the server
// answers "Yes". docs/01-sockets.md walks through it line by line.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

// maxLine bounds every read: a peer that never sends '\n' cannot make us
// buffer without end.
const maxLine = 1024

func main() {
	addr := flag.String("addr", "127.0.0.1:9000", "address to listen on, or to dial with -client")
	client := flag.Bool("client", false, "dial the server, ask, print the answer and exit")
	flag.Parse()

	if *client {
		answer, err := ask(*addr, "can you hear me?")
		if err != nil {
			slog.Error("ask failed", "err", err)
			os.Exit(1)
		}
		fmt.Println(answer)
		return
	}

	// Listen asks the kernel for a socket bound to addr, in the listening
	// state. From now on the kernel completes TCP handshakes for us and
	// queues the new connections until we Accept them.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		slog.Error("listen failed", "err", err)
		os.Exit(1)
	}
	slog.Info("listening", "addr", ln.Addr().String())
	slog.Error("server stopped", "err", serve(ln))
}

// serve accepts connections on ln until ln is closed, and handles each one
// in its own goroutine. It returns the error that stopped Accept (net.ErrClosed
// after ln.Close), once every connection it started has been handled.
func serve(ln net.Listener) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := ln.Accept() // blocks until a client has connected
		if err != nil {
			return err
		}
		// One goroutine per connection: while it blocks in Read, the
		// runtime parks it and this loop is free to Accept the next one.
		wg.Go(func() { handle(conn) })
	}
}

// handle reads one line from conn, answers "Yes" and closes it.
func handle(conn net.Conn) {
	defer conn.Close() // every socket we are given, we give back to the kernel
	// A client that connects and then says nothing must not hold this
	// goroutine forever: after the deadline, Read returns an error.
	conn.SetDeadline(time.Now().Add(10 * time.Second))

	// TCP carries a stream of bytes, not messages. Our protocol says a
	// message ends at '\n'; bufio collects reads until it sees one.
	msg, err := bufio.NewReader(io.LimitReader(conn, maxLine)).ReadString('\n')
	if err != nil {
		slog.Warn("no message", "remote", conn.RemoteAddr().String(), "err", err)
		return
	}
	slog.Info("heard", "remote", conn.RemoteAddr().String(), "msg", strings.TrimSuffix(msg, "\n"))
	if _, err := io.WriteString(conn, "Yes\n"); err != nil {
		slog.Warn("answer not sent", "remote", conn.RemoteAddr().String(), "err", err)
	}
}

// ask dials addr, sends msg as one line, and returns the line that comes
// back, without its '\n'.
func ask(addr, msg string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))

	if _, err := io.WriteString(conn, msg+"\n"); err != nil {
		return "", err
	}
	answer, err := bufio.NewReader(io.LimitReader(conn, maxLine)).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("reading the answer: %w", err)
	}
	return strings.TrimSuffix(answer, "\n"), nil
}
