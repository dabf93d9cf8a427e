// Command app is the tutorial's todo list: go run ./app.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/groundup-go/groundup/framework"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run serves until ctx ends or the process gets SIGINT or SIGTERM, then
// shuts down gracefully: requests in flight get ten seconds to finish.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	flags := flag.NewFlagSet("app", flag.ContinueOnError)
	addr := flags.String("addr", "127.0.0.1:8080", "listen `address`")
	if err := flags.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	key, err := hex.DecodeString(getenv("TODO_SESSION_KEY"))
	if err != nil || len(key) < 32 {
		key = make([]byte, 32)
		rand.Read(key)
		log.Warn("TODO_SESSION_KEY is not 64 hex digits: using a random key; sessions reset on restart")
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &framework.Server{Addr: *addr, Handler: newApp(log, key).Serve, Logger: log}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("serving", "addr", *addr)

	select {
	case err := <-errc:
		return err // could not listen
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, framework.ErrServerClosed) {
		return err
	}
	return nil
}
