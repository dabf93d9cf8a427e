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
	"net"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/groundup-go/groundup/app/controllers"
	"github.com/groundup-go/groundup/docs"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/middleware"
)

// config is everything run needs, from flags and environment variables.
type config struct {
	addr            string
	db              string
	dev             bool
	tlsCert         string
	tlsKey          string
	https           bool // users reach the app over HTTPS, here or at a proxy
	shutdownTimeout time.Duration
	sessionKeys     [][]byte // from GROUNDUP_SESSION_KEY; generated when empty
	routes          bool     // print the route table and exit
	explain         string   // print the router's decision for "METHOD /path" and exit
	// trustedProxies may report the client's address in X-Forwarded-For.
	trustedProxies []netip.Prefix
}

// parseConfig reads the flags in args[1:]. Each flag's default comes from
// its environment variable, so a flag beats the environment, which beats
// the built-in default.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var cfg config
	name := "app"
	if len(args) > 0 {
		name = args[0]
		args = args[1:]
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	dev, err := envBool(getenv, "GROUNDUP_DEV")
	if err != nil {
		return cfg, err
	}
	https, err := envBool(getenv, "GROUNDUP_HTTPS")
	if err != nil {
		return cfg, err
	}
	timeout, err := time.ParseDuration(env("GROUNDUP_SHUTDOWN_TIMEOUT", "10s"))
	if err != nil {
		return cfg, fmt.Errorf("GROUNDUP_SHUTDOWN_TIMEOUT: %w", err)
	}
	fs.StringVar(&cfg.addr, "addr", env("GROUNDUP_ADDR", "127.0.0.1:8000"), "TCP `address` to listen on (GROUNDUP_ADDR)")
	fs.StringVar(&cfg.db, "db", env("GROUNDUP_DB", "./data/groundup.db"), "the `database`: a SQLite file, created with its directory, or a postgres:// URL (GROUNDUP_DB)")
	fs.BoolVar(&cfg.dev, "dev", dev, "development mode: error pages show the failing layer and stack, docs are re-read on each request, debug logs, and every request traced at /_groundup/requests (GROUNDUP_DEV)")
	fs.StringVar(&cfg.tlsCert, "tls-cert", env("GROUNDUP_TLS_CERT", ""), "TLS certificate `file` (PEM); serve HTTPS with -tls-key (GROUNDUP_TLS_CERT)")
	fs.StringVar(&cfg.tlsKey, "tls-key", env("GROUNDUP_TLS_KEY", ""), "TLS private key `file` (PEM) (GROUNDUP_TLS_KEY)")
	fs.BoolVar(&cfg.https, "https", https, "users reach the app over HTTPS, also when TLS ends at a proxy in front: session cookies are marked Secure; implied by -tls-cert (GROUNDUP_HTTPS)")
	var trusted string
	fs.StringVar(&trusted, "trusted-proxies", env("GROUNDUP_TRUSTED_PROXIES", ""), "comma-separated `CIDRs` or addresses of the proxies in front (127.0.0.1 for nginx on this host), whose X-Forwarded-For gives the client's address to the logs and the app (GROUNDUP_TRUSTED_PROXIES)")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", timeout, "how long a graceful shutdown waits for requests in flight (GROUNDUP_SHUTDOWN_TIMEOUT)")
	fs.BoolVar(&cfg.routes, "routes", false, "print the route table (method, pattern, name, middleware, handler) and exit")
	fs.StringVar(&cfg.explain, "explain", "", "print the router's decision for a `request` such as \"GET /entries/7\" and exit")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s [flags]\n\ngroundup's example app. Set GROUNDUP_SESSION_KEY to 64 hex digits (32 random bytes;\nseveral keys comma-separated, newest first) to keep sessions across restarts.\n\nFlags:\n", name)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if (cfg.tlsCert == "") != (cfg.tlsKey == "") {
		return cfg, errors.New("-tls-cert and -tls-key go together")
	}
	if cfg.tlsCert != "" {
		cfg.https = true
	}
	if cfg.trustedProxies, err = middleware.ParseTrustedProxies(trusted); err != nil {
		return cfg, fmt.Errorf("-trusted-proxies: %w", err)
	}
	if cfg.shutdownTimeout <= 0 {
		return cfg, errors.New("-shutdown-timeout must be positive")
	}
	if raw := getenv("GROUNDUP_SESSION_KEY"); raw != "" {
		for i, part := range strings.Split(raw, ",") {
			key, err := hex.DecodeString(strings.TrimSpace(part))
			if err != nil || len(key) < 32 {
				return cfg, fmt.Errorf("GROUNDUP_SESSION_KEY: key %d must be at least 64 hex digits (32 bytes)", i+1)
			}
			cfg.sessionKeys = append(cfg.sessionKeys, key)
		}
	}
	return cfg, nil
}

// redact hides the password of a database URL, for the logs.
func redact(db string) string {
	if u, err := url.Parse(db); err == nil && u.User != nil {
		return u.Redacted()
	}
	return db
}

func envBool(getenv func(string) string, key string) (bool, error) {
	v := getenv(key)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s: %q is not a boolean (use 1, true, 0 or false)", key, v)
	}
	return b, nil
}

// run is the whole program: main only calls it, and tests call it with
// their own arguments, environment and output. It serves until ctx ends
// or the process gets SIGINT or SIGTERM, then shuts down gracefully:
// no new connections, idle ones closed, live streams ended, requests in
// flight given shutdown-timeout to finish.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if cfg.dev {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if cfg.routes || cfg.explain != "" {
		return describeRoutes(cfg, log, stdout)
	}

	if len(cfg.sessionKeys) == 0 {
		key := make([]byte, 32)
		rand.Read(key)
		cfg.sessionKeys = [][]byte{key}
		log.Warn("GROUNDUP_SESSION_KEY is not set: using a random session key; sessions reset on restart")
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	app, err := newApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer app.close()

	// The server listens itself, with the framework's TLS set-up when a
	// certificate is given; it reports the address it got (the port of
	// "127.0.0.1:0" is chosen by the system) as its accept loop starts.
	scheme := "http"
	if cfg.tlsCert != "" {
		scheme = "https"
	}
	app.srv.Addr = cfg.addr
	app.srv.BaseContext = func(ln net.Listener) context.Context {
		url := scheme + "://" + ln.Addr().String()
		log.Info("serving", "url", url, "db", redact(cfg.db), "dev", cfg.dev)
		fmt.Fprintf(stdout, "groundup is serving %s\n", url)
		return context.Background()
	}
	errc := make(chan error, 1)
	go func() {
		if cfg.tlsCert != "" {
			errc <- app.srv.ListenAndServeTLS(cfg.tlsCert, cfg.tlsKey)
			return
		}
		errc <- app.srv.ListenAndServe()
	}()

	select {
	case err := <-errc:
		// Listening failed, or loading the TLS certificate: Serve never
		// returns nil.
		if cfg.tlsCert != "" {
			return fmt.Errorf("serving with TLS on %s: %w", cfg.addr, err)
		}
		return err
	case <-ctx.Done():
	}
	// A second signal now kills the process the usual way.
	stop()
	log.Info("shutting down: finishing requests in flight", "timeout", cfg.shutdownTimeout)
	// Live streams would otherwise hold their connections until the
	// timeout: end them first.
	app.feed.Close()
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	err = app.srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, framework.ErrServerClosed) {
		log.Error("serve", "err", serr)
	}
	if err != nil {
		log.Warn("shutdown timed out: connections closed", "err", err)
		return nil
	}
	log.Info("stopped")
	return nil
}

// describeRoutes answers -routes and -explain: it builds the router with
// controllers that hold nothing (no database is opened), prints, and
// returns without serving.
func describeRoutes(cfg config, log *slog.Logger, stdout io.Writer) error {
	a := framework.New()
	if len(cfg.sessionKeys) == 0 {
		cfg.sessionKeys = [][]byte{make([]byte, 32)} // never signs anything here
	}
	routes(a, handlers{
		home:    &controllers.Home{},
		entries: &controllers.Entries{},
		api:     &controllers.API{},
		docs:    &controllers.Docs{Site: docs.NewSite(docs.FS, true)},
	}, cfg, log)
	if cfg.routes {
		if err := printRoutes(stdout, a); err != nil {
			return err
		}
	}
	if cfg.explain != "" {
		return explain(stdout, a, cfg.explain)
	}
	return nil
}
