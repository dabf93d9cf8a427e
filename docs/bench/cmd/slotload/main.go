// Command slotload checks that a full server still answers new clients.
// It starts a groundup server on 127.0.0.1 with -maxconns slots, fills
// every slot with an idle keep-alive connection (each has had one answer),
// opens -streams silent event streams on top, then sends -probes requests
// on new connections, one after another, and prints how many were
// answered and their latency. Every step has a deadline: the run ends
// within about a minute whatever happens.
//
// Both ends run in this process: it needs two descriptors per connection
// (ulimit -n above 2 × maxconns + 500).
//
//	cd docs/bench && go run ./cmd/slotload -maxconns 9000 -streams 100 -probes 200
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/groundup-go/groundup/framework"
)

func main() {
	maxConns := flag.Int("maxconns", 9000, "the server's MaxConns, and the idle connections opened")
	streams := flag.Int("streams", 100, "silent event streams opened on top")
	probes := flag.Int("probes", 200, "new clients sent one request each")
	flag.Parse()

	app := framework.New()
	app.GET("/hello", func(c *framework.Ctx) error { return c.String(200, "Hello, World!") })
	app.GET("/events", func(c *framework.Ctx) error {
		es, err := c.EventStream()
		if err != nil {
			return err
		}
		<-es.Done()
		return nil
	})
	srv := &framework.Server{
		Handler: app.Serve, MaxConns: *maxConns,
		MaxConnsPerClient: -1, // every client here is 127.0.0.1
		Logger:            slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	addr := ln.Addr().String()
	deadline := time.Now().Add(45 * time.Second)

	// Fill every slot with an idle keep-alive connection.
	start := time.Now()
	idle := openMany(addr, *maxConns, "/hello", deadline)
	fmt.Printf("idle keep-alive connections: %d of %d opened in %v\n", len(idle), *maxConns, time.Since(start).Round(time.Millisecond))
	time.Sleep(200 * time.Millisecond) // past the idle grace: every one parked

	// Silent event streams: they read the head and then nothing.
	ev := openMany(addr, *streams, "/events", deadline)
	fmt.Printf("silent event streams: %d of %d open\n", len(ev), *streams)

	// New clients, one after another.
	var lat []time.Duration
	answered := 0
	for range *probes {
		t0 := time.Now()
		if probe(addr) {
			answered++
			lat = append(lat, time.Since(t0))
		}
	}
	slices.Sort(lat)
	fmt.Printf("new clients answered: %d of %d\n", answered, *probes)
	if len(lat) > 0 {
		fmt.Printf("latency: p50 %v, p99 %v, max %v\n", pct(lat, 50), pct(lat, 99), lat[len(lat)-1])
	}
	still := 0
	for _, nc := range idle {
		nc.SetReadDeadline(time.Now().Add(time.Millisecond))
		var b [1]byte
		if _, err := nc.Read(b[:]); err != nil && os.IsTimeout(err) {
			still++
		}
	}
	fmt.Printf("idle connections still open: %d (the %d oldest gave their slots up)\n", still, len(idle)-still)
	for _, nc := range append(idle, ev...) {
		nc.Close()
	}
}

// openMany opens n connections, 64 at a time, each sending GET path and
// reading the response head, and returns those that got one.
func openMany(addr string, n int, path string, deadline time.Time) []net.Conn {
	var mu sync.Mutex
	var out []net.Conn
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				return
			}
			nc.SetDeadline(deadline)
			io.WriteString(nc, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n")
			res, err := http.ReadResponse(bufio.NewReader(nc), nil)
			if err != nil || res.StatusCode != 200 {
				nc.Close()
				return
			}
			if path == "/hello" {
				io.Copy(io.Discard, res.Body)
			}
			mu.Lock()
			out = append(out, nc)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// probe sends one request on a new connection and reports whether it was
// answered within 5 s.
func probe(addr string) bool {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return false
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(nc, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		return false
	}
	b, err := io.ReadAll(res.Body)
	return err == nil && string(b) == "Hello, World!"
}

func pct(s []time.Duration, p int) time.Duration {
	return s[min(len(s)-1, len(s)*p/100)].Round(time.Microsecond)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
