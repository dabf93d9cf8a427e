// Command runbench runs the load comparison of docs/bench: it starts each
// benchmark server pinned to one core, loads it with wrk pinned to
// another, and writes the medians to results.json, results.md and
// results.svg. run.sh builds the servers and calls it; see README.md.
//
// Every run gets a fresh server process, so that its peak RSS belongs to
// one scenario. Servers are interleaved: each round runs every scenario on
// every server, and the order of the servers turns by one each round, so
// that a slow minute on a shared machine does not land on one server only.
//
// Settings come from the environment (defaults in brackets):
//
//	BENCH_ROUNDS      rounds [3]
//	BENCH_DURATION    measured seconds of each wrk run [5s]
//	BENCH_WARMUP      unmeasured wrk run before each measured one [1s]
//	BENCH_CONNS       wrk connections, where a scenario does not fix them [64]
//	BENCH_PIPELINE    requests per write in the pipelined scenario [16]
//	BENCH_IDLE_CONNS  idle keep-alive connections [10000]
//	BENCH_IDLE_SETTLE wait before reading the RSS of idle connections [2s]
//	BENCH_SERVERS     servers to run [groundup,nethttp,fasthttp]
//	BENCH_SCENARIOS   scenarios to run [all of them]
//	BENCH_TIMEOUT     the whole run stops after this, keeping what it has [30m]
//	BENCH_SERVER_CPU  core of the servers [0]
//	BENCH_LOAD_CPU    core of wrk and the idle client [1]
//	BENCH_BEFORE      a groundup server binary built from an earlier commit:
//	                  it runs beside the others as "groundup before", for
//	                  before/after tables from interleaved rounds [none]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Server is one benchmark server.
type Server struct {
	Name  string // binary name in the -bin directory
	Label string // name in tables and charts
}

var servers = []Server{
	{"groundup", "groundup"},
	{"nethttp", "net/http"},
	{"fasthttp", "fasthttp"},
}

// Scenario is one kind of load.
type Scenario struct {
	Name  string
	Title string
	// Paths maps a server name to the path it is loaded on; a server that
	// is missing does not run the scenario.
	Paths    map[string]string
	Pipeline bool // send BENCH_PIPELINE requests per write
	Close    bool // Connection: close on every request
	Idle     bool // the idle-connection memory test instead of wrk
	Conns    int  // wrk connections, when not BENCH_CONNS
	Post     int  // POST a body of this many bytes (wrk/post.lua) instead of a GET
	Body     int  // the GET answers page.Bytes(Body), checked before the run
}

func allServers(path string) map[string]string {
	return map[string]string{"groundup": path, "nethttp": path, "fasthttp": path}
}

var scenarios = []Scenario{
	{Name: "plaintext-1", Title: "plaintext, 1 connection", Paths: allServers("/plaintext"), Conns: 1},
	{Name: "plaintext", Title: "plaintext, keep-alive", Paths: allServers("/plaintext")},
	{Name: "plaintext-512", Title: "plaintext, 512 connections", Paths: allServers("/plaintext"), Conns: 512},
	{Name: "plaintext-4096", Title: "plaintext, 4,096 connections", Paths: allServers("/plaintext"), Conns: 4096},
	{Name: "pipeline", Title: "plaintext, pipelined", Paths: allServers("/plaintext"), Pipeline: true},
	{Name: "close", Title: "plaintext, Connection: close", Paths: allServers("/plaintext"), Close: true},
	{Name: "user", Title: "/user/:name", Paths: allServers("/user/bench")},
	{Name: "json", Title: "/json", Paths: allServers("/json")},
	{Name: "page", Title: "/page (groundup: templ; others: html/template)", Paths: allServers("/page")},
	{Name: "page-templ", Title: "/page with templ", Paths: map[string]string{"nethttp": "/page-templ"}},
	{Name: "get-4k", Title: "GET, 4 KiB body", Paths: allServers("/bytes/4k"), Body: 4 << 10},
	{Name: "get-64k", Title: "GET, 64 KiB body", Paths: allServers("/bytes/64k"), Body: 64 << 10},
	{Name: "get-1m", Title: "GET, 1 MiB body", Paths: allServers("/bytes/1m"), Body: 1 << 20},
	{Name: "post-4k", Title: "POST 4 KiB, echoed", Paths: allServers("/echo"), Post: 4 << 10},
	{Name: "post-1m", Title: "POST 1 MiB, echoed", Paths: allServers("/echo"), Post: 1 << 20},
	{Name: "idle", Title: "idle keep-alive connections", Paths: allServers("/plaintext"), Idle: true},
}

// Config is the run's settings.
type Config struct {
	Rounds     int      `json:"rounds"`
	Duration   Duration `json:"duration"`
	Warmup     Duration `json:"warmup"`
	Conns      int      `json:"conns"`
	Pipeline   int      `json:"pipeline"`
	IdleConns  int      `json:"idle_conns"`
	IdleSettle Duration `json:"idle_settle"`
	Servers    []string `json:"servers"`
	Scenarios  []string `json:"scenarios"`
	Timeout    Duration `json:"timeout"`
	ServerCPU  string   `json:"server_cpu"`
	LoadCPU    string   `json:"load_cpu"`
}

// Duration is a time.Duration that reads as "5s" in JSON.
type Duration time.Duration

// MarshalText writes the duration as time.Duration.String does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText reads a duration such as "5s".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	*d = Duration(v)
	return err
}

func main() {
	bin := flag.String("bin", "", "directory holding the built groundup, nethttp, fasthttp and idleconns binaries")
	wrkDir := flag.String("wrk", "wrk", "directory holding pipeline.lua, post.lua and report.lua")
	out := flag.String("out", ".", "directory to write results.json, results.md and results.svg to")
	render := flag.String("render", "", "only rewrite results.md and results.svg in -out from this results.json")
	flag.Parse()
	if *render != "" {
		if err := rerender(*render, *out); err != nil {
			fmt.Fprintln(os.Stderr, "runbench:", err)
			os.Exit(1)
		}
		return
	}
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "runbench: -bin is required; use run.sh")
		os.Exit(2)
	}
	if err := run(*bin, *wrkDir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "runbench:", err)
		os.Exit(1)
	}
}

func run(bin, wrkDir, out string) error {
	if before := os.Getenv("BENCH_BEFORE"); before != "" {
		if err := addBefore(before); err != nil {
			return err
		}
	}
	cfg, err := configFromEnv()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, time.Duration(cfg.Timeout))
	defer cancel()

	r := &Runner{cfg: cfg, bin: bin, wrkDir: wrkDir}
	defer r.killAll() // whatever happens, no server outlives the run
	// A backstop in case something ignores the context: past the timeout
	// and a grace period, kill everything and leave.
	watchdog := time.AfterFunc(time.Duration(cfg.Timeout)+time.Minute, func() {
		slog.Error("runbench: still running a minute past BENCH_TIMEOUT; killing everything")
		r.killAll()
		os.Exit(3)
	})
	defer watchdog.Stop()
	if err := r.prepare(); err != nil {
		return err
	}
	res := r.benchmark(ctx)
	if err := writeResults(out, res); err != nil {
		return err
	}
	slog.Info("results written", "dir", out, "incomplete", res.Incomplete)
	if res.Incomplete {
		return errors.New("run cut short (" + res.StopReason + "); results hold what finished")
	}
	return nil
}

// rerender rewrites the tables and the chart from a results.json.
func rerender(jsonFile, out string) error {
	b, err := os.ReadFile(jsonFile)
	if err != nil {
		return err
	}
	var res Results
	if err := json.Unmarshal(b, &res); err != nil {
		return fmt.Errorf("%s: %w", jsonFile, err)
	}
	return writeResults(out, &res)
}

func configFromEnv() (Config, error) {
	cfg := Config{
		Rounds:     3,
		Duration:   Duration(5 * time.Second),
		Warmup:     Duration(time.Second),
		Conns:      64,
		Pipeline:   16,
		IdleConns:  10000,
		IdleSettle: Duration(2 * time.Second),
		Timeout:    Duration(30 * time.Minute),
		ServerCPU:  "0",
		LoadCPU:    "1",
	}
	for _, s := range servers {
		cfg.Servers = append(cfg.Servers, s.Name)
	}
	for _, s := range scenarios {
		cfg.Scenarios = append(cfg.Scenarios, s.Name)
	}
	var errs []error
	intVar := func(name string, p *int) {
		if v := os.Getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				errs = append(errs, fmt.Errorf("%s=%q: want a positive integer", name, v))
				return
			}
			*p = n
		}
	}
	durVar := func(name string, p *Duration) {
		if v := os.Getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				errs = append(errs, fmt.Errorf("%s=%q: want a duration such as 5s", name, v))
				return
			}
			*p = Duration(d)
		}
	}
	listVar := func(name string, p *[]string, known []string) {
		if v := os.Getenv(name); v != "" {
			var list []string
			for _, s := range strings.Split(v, ",") {
				s = strings.TrimSpace(s)
				if !slices.Contains(known, s) {
					errs = append(errs, fmt.Errorf("%s: unknown %q (known: %s)", name, s, strings.Join(known, ",")))
					continue
				}
				list = append(list, s)
			}
			*p = list
		}
	}
	intVar("BENCH_ROUNDS", &cfg.Rounds)
	durVar("BENCH_DURATION", &cfg.Duration)
	durVar("BENCH_WARMUP", &cfg.Warmup)
	intVar("BENCH_CONNS", &cfg.Conns)
	intVar("BENCH_PIPELINE", &cfg.Pipeline)
	intVar("BENCH_IDLE_CONNS", &cfg.IdleConns)
	durVar("BENCH_IDLE_SETTLE", &cfg.IdleSettle)
	listVar("BENCH_SERVERS", &cfg.Servers, slices.Clone(cfg.Servers))
	listVar("BENCH_SCENARIOS", &cfg.Scenarios, slices.Clone(cfg.Scenarios))
	durVar("BENCH_TIMEOUT", &cfg.Timeout)
	if v := os.Getenv("BENCH_SERVER_CPU"); v != "" {
		cfg.ServerCPU = v
	}
	if v := os.Getenv("BENCH_LOAD_CPU"); v != "" {
		cfg.LoadCPU = v
	}
	if time.Duration(cfg.Duration) < time.Second {
		errs = append(errs, errors.New("BENCH_DURATION must be at least 1s (wrk's resolution)"))
	}
	return cfg, errors.Join(errs...)
}

// serverByName returns the server called name.
func serverByName(name string) Server {
	for _, s := range servers {
		if s.Name == name {
			return s
		}
	}
	panic("runbench: unknown server " + name)
}

// beforeBin is the binary of the "groundup-before" server (BENCH_BEFORE).
var beforeBin string

// addBefore adds the groundup server built from an earlier commit, at
// path, to the servers: it is loaded on groundup's paths.
func addBefore(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err != nil {
		return fmt.Errorf("BENCH_BEFORE: %w", err)
	}
	beforeBin = abs
	servers = append(servers, Server{"groundup-before", "groundup before"})
	for i := range scenarios {
		if p, ok := scenarios[i].Paths["groundup"]; ok {
			scenarios[i].Paths["groundup-before"] = p
		}
	}
	return nil
}

// binPath returns the path of a built binary.
func (r *Runner) binPath(name string) string {
	if name == "groundup-before" {
		return beforeBin
	}
	return filepath.Join(r.bin, name)
}
