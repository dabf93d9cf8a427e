// Command idleconns opens many keep-alive connections to a server, sends
// one request on each and reads its response, then holds every connection
// open and idle. It prints "ready N SECONDS" once N connections have been
// answered, and exits when its standard input closes or it is signalled,
// which closes the connections. cmd/runbench uses it to measure the
// memory a server spends per idle connection.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "server address")
	n := flag.Int("n", 10000, "connections to open")
	path := flag.String("path", "/plaintext", "path of the one request sent on each connection")
	workers := flag.Int("c", 64, "connections opened at once")
	timeout := flag.Duration("timeout", 90*time.Second, "give up opening connections after this long")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	openCtx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	req := []byte("GET " + *path + " HTTP/1.1\r\nHost: " + *addr + "\r\n\r\n")
	conns := make([]net.Conn, *n)
	var next atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	var wg sync.WaitGroup
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var d net.Dialer
			for openCtx.Err() == nil && firstErr.Load() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(conns) {
					return
				}
				c, err := open(openCtx, &d, *addr, req)
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	opened := 0
	for _, c := range conns {
		if c != nil {
			opened++
		}
	}
	if err, _ := firstErr.Load().(error); err != nil {
		fmt.Fprintf(os.Stderr, "idleconns: %d of %d opened: %v\n", opened, *n, err)
	}
	fmt.Printf("ready %d %.3f\n", opened, time.Since(start).Seconds())

	// Hold until told to stop: stdin closing or a signal.
	eof := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(eof)
	}()
	select {
	case <-eof:
	case <-ctx.Done():
	}
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
}

// open dials addr, sends req and reads one complete response, leaving the
// connection open and idle.
func open(ctx context.Context, d *net.Dialer, addr string, req []byte) (net.Conn, error) {
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.Write(req); err != nil {
		c.Close()
		return nil, err
	}
	res, err := http.ReadResponse(bufio.NewReaderSize(c, 1024), nil)
	if err != nil {
		c.Close()
		return nil, err
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", res.StatusCode)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	c.SetDeadline(time.Time{})
	return c, nil
}
