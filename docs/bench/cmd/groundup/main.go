// Command groundup is the groundup benchmark server. It uses the
// framework's public API as an application would, and serves the same
// endpoints as cmd/nethttp and cmd/fasthttp.
//
// With -cpuprofile or -memprofile it records a profile from start to
// SIGINT or SIGTERM, then writes it and exits:
//
//	groundup -addr 127.0.0.1:8080 -cpuprofile cpu.out -memprofile mem.out
//	# load it, then press Ctrl-C
//	go tool pprof -top groundup cpu.out
//	go tool pprof -sample_index=alloc_space -top groundup mem.out
//
// BENCH_BURN=n in the environment adds a middleware that spends about 7n
// instructions on every request: a deliberately slowed build, to check
// that the instruction budget (cmd/instr -check) catches it.
//
// -memprofilerate 1 records every allocation instead of a sample, which
// slows the server down but gives exact allocation counts per request.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"github.com/groundup-go/groundup/docs/bench/page"
	"github.com/groundup-go/groundup/framework"
)

type message struct {
	Message string `json:"message"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "groundup:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file on SIGINT or SIGTERM")
	memProfile := flag.String("memprofile", "", "write an allocation profile to this file on SIGINT or SIGTERM")
	memRate := flag.Int("memprofilerate", 0, "sample one allocation per this many bytes (1 records every allocation; 0 keeps Go's default of 512 KiB)")
	flag.Parse()
	if *memRate > 0 {
		runtime.MemProfileRate = *memRate
	}

	app := framework.New()
	if n, _ := strconv.Atoi(os.Getenv("BENCH_BURN")); n > 0 {
		// A deliberately slowed build, to show the instruction budget
		// (cmd/instr -check) failing. Unset, no middleware is added.
		app.Use(burn(n))
	}
	app.GET("/plaintext", func(c *framework.Ctx) error {
		return c.String(200, "Hello, World!")
	})
	app.GET("/json", func(c *framework.Ctx) error {
		return c.JSON(200, message{Message: "Hello, World!"})
	})
	app.GET("/user/:name", func(c *framework.Ctx) error {
		return c.String(200, "Hello, "+c.Param("name")+"!")
	})
	app.GET("/page", func(c *framework.Ctx) error {
		return c.Render(200, page.View(page.Sample))
	})
	for name, n := range page.Sizes {
		body := page.Bytes(n)
		app.GET("/bytes/"+name, func(c *framework.Ctx) error {
			return c.Blob(200, "application/octet-stream", body)
		})
	}
	app.POST("/echo", func(c *framework.Ctx) error {
		// BodyBytes: the whole body in a pooled buffer, valid until the
		// handler returns, bounded by the body limit.
		b, err := c.BodyBytes()
		if err != nil {
			return err
		}
		return c.Blob(200, "application/octet-stream", b)
	})

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := &framework.Server{Addr: *addr, Handler: app.Serve, MaxConns: 20000, MaxConnsPerClient: -1, Logger: logger}

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		// Stopped before the deferred Close, once serving has ended.
		defer pprof.StopCPUProfile()
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		slog.Warn("shutdown", "err", err)
	}
	if err := <-done; err != nil && !errors.Is(err, framework.ErrServerClosed) {
		return err
	}
	if *memProfile != "" {
		return writeHeapProfile(*memProfile)
	}
	return nil
}

// burnSink keeps the compiler from removing burn's loop.
var burnSink uint64

// burn returns a middleware that spends about 7n instructions on every
// request before calling the handler.
func burn(n int) framework.Middleware {
	return func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			x := burnSink
			for i := 0; i < n; i++ {
				x = x*31 + uint64(i)
			}
			burnSink = x
			return next(c)
		}
	}
}

// writeHeapProfile writes the heap profile, whose alloc_space and
// alloc_objects samples count every allocation since the start.
func writeHeapProfile(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	runtime.GC() // bring the in-use figures up to date
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
