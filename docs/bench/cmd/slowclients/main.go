// Command slowclients measures how a groundup server with its default
// limits cuts slow clients, while a normal client is still answered. It
// starts the server on 127.0.0.1 and runs, at once:
//
//   - -n slowloris clients, each sending one byte of a request head every
//     -every (the ReadHeaderTimeout guard cuts them);
//   - -n slow-body clients, each sending a complete head that declares a
//     1 KiB body, then one byte every -every (MinBodyRate cuts them);
//   - one normal client sending a request every 100 ms.
//
// It prints when each kind was cut (min, median, max from its first
// byte) and the normal client's answers and worst latency. The run ends
// within -limit (default 40 s) whatever happens.
//
//	cd docs/bench && go run ./cmd/slowclients -n 200 -every 10s
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
	"strings"
	"sync"
	"time"

	"github.com/groundup-go/groundup/framework"
)

func main() {
	n := flag.Int("n", 200, "slow clients of each kind")
	every := flag.Duration("every", 10*time.Second, "pause between a slow client's bytes")
	limit := flag.Duration("limit", 40*time.Second, "end of the run")
	flag.Parse()

	app := framework.New()
	app.GET("/hello", func(c *framework.Ctx) error { return c.String(200, "Hello, World!") })
	app.POST("/upload", func(c *framework.Ctx) error {
		b, err := io.ReadAll(c.Body())
		if err != nil {
			return err
		}
		return c.String(200, fmt.Sprint(len(b)))
	})
	srv := &framework.Server{Handler: app.Serve, MaxConnsPerClient: -1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go srv.Serve(ln)
	defer srv.Close()
	addr := ln.Addr().String()
	end := time.Now().Add(*limit)

	var wg sync.WaitGroup
	var mu sync.Mutex
	cuts := map[string][]time.Duration{}
	slow := func(kind, head string) {
		defer wg.Done()
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		defer nc.Close()
		nc.SetDeadline(end)
		start := time.Now()
		io.WriteString(nc, head)
		done := make(chan struct{})
		go func() { // the trickle: one byte per pause, until cut
			defer close(done)
			for time.Now().Before(end) {
				time.Sleep(*every)
				if _, err := nc.Write([]byte("x")); err != nil {
					return
				}
			}
		}()
		io.Copy(io.Discard, nc) // returns when the server closes
		if time.Now().Before(end) {
			mu.Lock()
			cuts[kind] = append(cuts[kind], time.Since(start))
			mu.Unlock()
		}
		nc.Close()
		<-done
	}
	for range *n {
		wg.Add(2)
		go slow("slowloris (head)", "GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: ")
		go slow("slow body", "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\nx")
	}

	// The normal client, meanwhile.
	var ok, failed int
	var worst time.Duration
	for time.Now().Before(end.Add(-time.Second)) {
		mu.Lock()
		all := len(cuts["slowloris (head)"]) + len(cuts["slow body"])
		mu.Unlock()
		if all == 2**n {
			break
		}
		t0 := time.Now()
		if get(addr) {
			ok++
			worst = max(worst, time.Since(t0))
		} else {
			failed++
		}
		time.Sleep(100 * time.Millisecond)
	}
	wg.Wait()
	for _, kind := range []string{"slowloris (head)", "slow body"} {
		d := cuts[kind]
		slices.Sort(d)
		if len(d) == 0 {
			fmt.Printf("%-17s cut: 0 of %d\n", kind, *n)
			continue
		}
		fmt.Printf("%-17s cut: %d of %d; after min %v, median %v, max %v\n", kind, len(d), *n,
			d[0].Round(time.Millisecond), d[len(d)/2].Round(time.Millisecond), d[len(d)-1].Round(time.Millisecond))
	}
	fmt.Printf("normal client: %d answered, %d failed, worst latency %v\n", ok, failed, worst.Round(time.Microsecond))
}

func get(addr string) bool {
	nc, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return false
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(2 * time.Second))
	io.WriteString(nc, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		return false
	}
	b, _ := io.ReadAll(res.Body)
	return strings.HasPrefix(string(b), "Hello")
}
