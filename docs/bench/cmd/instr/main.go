// Command instr counts the user-space instructions and the system calls
// each benchmark server spends per request, with valgrind's callgrind.
//
// Run from docs/bench:
//
//	go run ./cmd/instr                       # every server and scenario, twice
//	go run ./cmd/instr -check instr-baseline.json
//	go run ./cmd/instr -write-baseline instr-baseline.json
//
// Each server is built with CGO_ENABLED=0 and started under
// valgrind --tool=callgrind with GOMAXPROCS=1. For each scenario a fixed
// client opens -conns keep-alive connections, sends -warmup requests (one
// at a time, on each connection in turn, with -pause after each answer),
// zeroes the counters (callgrind_control -z), sends -n requests, and
// dumps the counters (callgrind_control -d). Instructions per request are
// the dump's Ir total over n. System calls are counted apart, on the
// server running natively: strace -f -c attaches after the warm-up and
// detaches after the n requests (see countSyscalls).
//
// -check runs groundup alone, twice, with the settings stored in the
// baseline file, and exits with status 1 when a scenario's lower count is
// more than the baseline's tolerance (3%) above its baseline; a scenario
// over it is measured a third time first. -write-baseline measures
// groundup (-runs times) and writes the lowest counts as the baseline.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/groundup-go/groundup/docs/bench/page"
)

// A server is one of the benchmark's servers, built from a package of
// this module.
type server struct {
	Name  string // key in the results
	Title string // column label
	Pkg   string
}

var allServers = []server{
	{"fasthttp", "fasthttp", "./cmd/fasthttp"},
	{"groundup", "groundup", "./cmd/groundup"},
	{"nethttp", "net/http", "./cmd/nethttp"},
	{"rawhttp", "raw socket", "./cmd/rawhttp"},
}

// echoSize is the size of the POST body in the echo scenario.
const echoSize = 4 << 10

// scenarios returns the requests the benchmark sends.
func scenarios() ([]scenario, error) {
	var pg bytes.Buffer
	if err := page.View(page.Sample).Render(context.Background(), &pg); err != nil {
		return nil, err
	}
	body := make([]byte, echoSize)
	for i := range body {
		body[i] = 'a' + byte(i%26)
	}
	plain := []byte("Hello, World!")
	text := "text/plain; charset=utf-8"
	return []scenario{
		{Name: "plaintext", Title: "`GET /plaintext`", Method: "GET", Path: "/plaintext", Pipeline: 1, Want: plain, WantType: text},
		{Name: "pipeline", Title: "`GET /plaintext`, 16 pipelined per write", Method: "GET", Path: "/plaintext", Pipeline: 16, Want: plain, WantType: text},
		{Name: "user", Title: "`GET /user/:name`", Method: "GET", Path: "/user/bench", Pipeline: 1, Want: []byte("Hello, bench!"), WantType: text},
		{Name: "json", Title: "`GET /json`", Method: "GET", Path: "/json", Pipeline: 1, Want: []byte("{\"message\":\"Hello, World!\"}\n"), WantType: "application/json; charset=utf-8"},
		{Name: "page", Title: "`GET /page`, templ", Method: "GET", Path: "/page",
			Paths:    map[string]string{"nethttp": "/page-templ", "fasthttp": "/page-templ"},
			Pipeline: 1, Want: pg.Bytes(), WantType: "text/html; charset=utf-8"},
		{Name: "echo", Title: "`POST /echo`, 4 KiB echoed", Method: "POST", Path: "/echo", Body: body, Pipeline: 1, Want: body, WantType: "application/octet-stream"},
	}, nil
}

// settings are what a measurement depends on besides the code.
type settings struct {
	Requests int `json:"requests"` // measured requests per scenario
	Warmup   int `json:"warmup"`   // requests sent before the counters are zeroed
	Conns    int `json:"conns"`    // keep-alive connections
	// Pause is the client's wait after each response (or pipelined batch).
	Pause time.Duration `json:"pause"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "instr:", err)
		os.Exit(1)
	}
}

func run() error {
	var set settings
	flag.IntVar(&set.Requests, "n", 10000, "measured requests per scenario")
	flag.IntVar(&set.Warmup, "warmup", 2000, "requests sent before the counters are zeroed")
	flag.IntVar(&set.Conns, "conns", 4, "keep-alive connections")
	flag.DurationVar(&set.Pause, "pause", 100*time.Microsecond, "client's wait after each response, so the server is idle when the next request comes")
	runs := flag.Int("runs", 2, "times to measure everything, to show the spread")
	serverList := flag.String("servers", "fasthttp,groundup,nethttp,rawhttp", "servers to measure")
	scenarioList := flag.String("scenarios", "plaintext,pipeline,user,json,page,echo", "scenarios to measure")
	out := flag.String("out", ".", "folder for instr-results.json and instr-results.md; empty writes none")
	check := flag.String("check", "", "measure groundup with this baseline file's settings and fail above its tolerance")
	writeBaseline := flag.String("write-baseline", "", "measure groundup and write its baseline to this file")
	tolerance := flag.Float64("tolerance", 0.03, "with -write-baseline: the allowed rise over the baseline")
	countSys := flag.Bool("syscalls", true, "also count system calls per request with strace, on the server running natively")
	timeout := flag.Duration("timeout", 60*time.Minute, "stop after this long")
	flag.StringVar(&profileDir, "profiles", "", "keep each callgrind dump in this folder, as SERVER-SCENARIO.callgrind, for callgrind_annotate (the last run's stays)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	if _, err := os.Stat("cmd/rawhttp"); err != nil {
		return errors.New("run it from docs/bench, the benchmark module")
	}
	if _, err := exec.LookPath("valgrind"); err != nil {
		return errors.New("valgrind is not installed (apt-get install valgrind)")
	}
	all, err := scenarios()
	if err != nil {
		return err
	}

	var base *baseline
	switch {
	case *check != "":
		if base, err = readBaseline(*check); err != nil {
			return err
		}
		set = base.Settings
		*serverList, *runs, *scenarioList = "groundup", 2, strings.Join(base.scenarioNames(), ",")
		*countSys = false
	case *writeBaseline != "":
		*serverList = "groundup"
		*countSys = false
	}
	if *countSys {
		if _, err := exec.LookPath("strace"); err != nil {
			return errors.New("strace is not installed (apt-get install strace), or run with -syscalls=false")
		}
	}
	servers, err := pick(allServers, *serverList, func(s server) string { return s.Name })
	if err != nil {
		return err
	}
	scens, err := pick(all, *scenarioList, func(s scenario) string { return s.Name })
	if err != nil {
		return err
	}
	// Every connection sends whole pipelined writes.
	for _, s := range scens {
		set.Requests = roundUp(set.Requests, set.Conns*s.Pipeline)
		set.Warmup = roundUp(set.Warmup, set.Conns*s.Pipeline)
	}

	dir, err := os.MkdirTemp("", "instr-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	started := time.Now()
	if err := build(ctx, dir, servers); err != nil {
		return err
	}
	res := &results{Settings: set, Env: environment(), Date: started.UTC().Format("2006-01-02 15:04 UTC")}
	for _, sv := range servers {
		res.Servers = append(res.Servers, serverInfo{sv.Name, sv.Title})
	}
	for _, s := range scens {
		res.Scenarios = append(res.Scenarios, scenarioInfo{s.Name, s.Title})
	}
	var extraEnv []string
	if v := os.Getenv("BENCH_BURN"); v != "" {
		extraEnv = append(extraEnv, "BENCH_BURN="+v)
	}
	for r := range *runs {
		for _, sv := range servers {
			ms, err := measure(ctx, dir, sv, scens, set, extraEnv)
			if err != nil {
				return fmt.Errorf("%s: %w", sv.Name, err)
			}
			if *countSys {
				if err := countSyscalls(ctx, dir, sv, scens, set, extraEnv, ms); err != nil {
					return fmt.Errorf("%s: syscalls: %w", sv.Name, err)
				}
			}
			for _, m := range ms {
				m.Run = r + 1
				res.Runs = append(res.Runs, m)
				fmt.Fprintf(os.Stderr, "run %d  %-9s %-10s %9.0f instr/req  %5.2f syscalls/req\n", m.Run, m.Server, m.Scenario, m.InstrPerReq, m.SyscallsPerReq)
			}
		}
	}
	res.Elapsed = time.Since(started).Round(time.Second).String()

	switch {
	case base != nil:
		// A scenario over the budget is measured once more, and the lowest
		// count kept: a real rise fails every time, a slow moment on a
		// busy machine rarely does.
		if over := base.over(res); len(over) > 0 {
			fmt.Fprintf(os.Stderr, "over the budget: %s; measuring again\n", strings.Join(over, ", "))
			again, err := pick(scens, strings.Join(over, ","), func(s scenario) string { return s.Name })
			if err != nil {
				return err
			}
			ms, err := measure(ctx, dir, servers[0], again, set, extraEnv)
			if err != nil {
				return err
			}
			for _, m := range ms {
				fmt.Fprintf(os.Stderr, "again  %-9s %-10s %9.0f instr/req\n", m.Server, m.Scenario, m.InstrPerReq)
				m.Run = *runs + 1
				res.Runs = append(res.Runs, m)
			}
		}
		return base.check(os.Stdout, res)
	case *writeBaseline != "":
		return writeBaselineFile(*writeBaseline, res, *tolerance)
	}
	fmt.Print(res.markdown())
	if *out != "" {
		return res.write(*out)
	}
	return nil
}

// profileDir is the -profiles folder.
var profileDir string

// measure starts the server under callgrind once and measures every
// scenario on it.
func measure(ctx context.Context, dir string, sv server, scens []scenario, set settings, extraEnv []string) ([]*measurement, error) {
	p, err := startCounted(ctx, filepath.Join(dir, filepath.Base(sv.Pkg)), dir, extraEnv)
	if err != nil {
		return nil, err
	}
	defer p.stop()
	if profileDir != "" {
		p.keep = filepath.Join(profileDir, "")
	}
	var ms []*measurement
	for _, s := range scens {
		m, err := measureOne(ctx, p, sv, s, set)
		if err != nil {
			return nil, fmt.Errorf("%s: %w\n%s", s.Name, err, tail(p.log.String()))
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// measureOne warms the scenario up on fresh connections, then counts n
// requests on the same connections.
func measureOne(ctx context.Context, p *counted, sv server, s scenario, set settings) (*measurement, error) {
	cl, err := dial(ctx, p.addr, sv.Name, s, set.Conns)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	if err := cl.run(ctx, set.Warmup, set.Pause); err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	if err := p.zero(ctx); err != nil {
		return nil, err
	}
	if err := cl.run(ctx, set.Requests, set.Pause); err != nil {
		return nil, err
	}
	totals, err := p.dump(ctx, sv.Name+"-"+s.Name)
	if err != nil {
		return nil, err
	}
	n := float64(set.Requests)
	return &measurement{
		Server:      sv.Name,
		Scenario:    s.Name,
		Requests:    set.Requests,
		Instr:       totals["Ir"],
		InstrPerReq: float64(totals["Ir"]) / n,
	}, nil
}

// build compiles the servers into dir with CGO_ENABLED=0: valgrind trips
// on the threads cgo starts.
func build(ctx context.Context, dir string, servers []server) error {
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	for _, s := range servers {
		args = append(args, s.Pkg)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	return nil
}

// pick returns the items named in the comma-separated list, in the
// order of all.
func pick[T any](all []T, list string, name func(T) string) ([]T, error) {
	want := strings.Split(list, ",")
	var out []T
	for _, it := range all {
		if slices.Contains(want, name(it)) {
			out = append(out, it)
		}
	}
	for _, w := range want {
		if !slices.ContainsFunc(all, func(it T) bool { return name(it) == w }) {
			return nil, fmt.Errorf("unknown name %q", w)
		}
	}
	return out, nil
}

func roundUp(n, m int) int {
	if n < m {
		return m
	}
	return (n + m - 1) / m * m
}
