package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/groundup-go/groundup/docs/bench/page"
)

// Runner runs the benchmark and keeps track of the processes it starts.
type Runner struct {
	cfg     Config
	bin     string
	wrkDir  string
	scripts map[string]string // script kind (scriptOf) → wrk script path
	tmp     string

	mu    sync.Mutex
	procs map[*proc]struct{}
}

// proc is a started child process.
type proc struct {
	name   string
	addr   string // host:port it listens on
	cmd    *exec.Cmd
	done   chan struct{}
	stderr *tailBuffer
}

// prepare checks the tools and the servers before any load is sent.
func (r *Runner) prepare() error {
	for _, tool := range []string{"wrk", "taskset"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found: run.sh installs it (apt-get install wrk util-linux)", tool)
		}
	}
	for _, name := range append(slices.Clone(r.cfg.Servers), "idleconns") {
		if _, err := os.Stat(r.binPath(name)); err != nil {
			return fmt.Errorf("binary %s missing: %w", name, err)
		}
	}
	tmp, err := os.MkdirTemp("", "runbench-")
	if err != nil {
		return err
	}
	r.tmp = tmp
	report, err := os.ReadFile(filepath.Join(r.wrkDir, "report.lua"))
	if err != nil {
		return err
	}
	// wrk takes one script, so a scenario that needs one of its own gets
	// it and the report in one file.
	r.scripts = map[string]string{}
	for _, kind := range []string{"plain", "pipeline", "post"} {
		script := report
		if kind != "plain" {
			own, err := os.ReadFile(filepath.Join(r.wrkDir, kind+".lua"))
			if err != nil {
				return err
			}
			script = slices.Concat(own, []byte("\n"), report)
		}
		r.scripts[kind] = filepath.Join(tmp, kind+".lua")
		if err := os.WriteFile(r.scripts[kind], script, 0o644); err != nil {
			return err
		}
	}
	for _, name := range r.cfg.Servers {
		if err := r.checkServer(serverByName(name)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// checkServer starts s and checks that each endpoint it is loaded on
// answers what the others answer, so that the comparison is fair.
func (r *Runner) checkServer(s Server) error {
	p, err := r.startServer(context.Background(), s)
	if err != nil {
		return err
	}
	defer r.stop(p)
	var want bytes.Buffer
	if err := page.RenderStd(&want, page.Sample); err != nil {
		return err
	}
	bodies := map[string]struct{ body, ctype string }{
		"/plaintext":  {"Hello, World!", "text/plain; charset=utf-8"},
		"/json":       {`{"message":"Hello, World!"}` + "\n", "application/json; charset=utf-8"},
		"/user/bench": {"Hello, bench!", "text/plain; charset=utf-8"},
		"/page":       {want.String(), "text/html; charset=utf-8"},
		"/page-templ": {want.String(), "text/html; charset=utf-8"},
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for _, sc := range scenarios {
		path, ok := sc.Paths[s.Name]
		if !ok || !slices.Contains(r.cfg.Scenarios, sc.Name) {
			continue
		}
		if sc.Post > 0 {
			if err := checkEcho(client, p.addr+path, sc.Post, s.Name == "groundup-before"); err != nil {
				return err
			}
			continue
		}
		res, err := client.Get("http://" + p.addr + path)
		if err != nil {
			return err
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		w := bodies[path]
		if sc.Body > 0 {
			w.body, w.ctype = string(page.Bytes(sc.Body)), "application/octet-stream"
		}
		switch {
		case res.StatusCode != 200:
			return fmt.Errorf("GET %s: status %d", path, res.StatusCode)
		case string(body) != w.body:
			return fmt.Errorf("GET %s: body %.60q, want %.60q", path, body, w.body)
		case res.Header.Get("Content-Type") != w.ctype:
			return fmt.Errorf("GET %s: Content-Type %q, want %q", path, res.Header.Get("Content-Type"), w.ctype)
		case res.Header.Get("Server") == "" || res.Header.Get("Date") == "":
			return fmt.Errorf("GET %s: Server or Date header missing", path)
		case res.ContentLength != int64(len(body)) && !(s.Name == "groundup-before" && res.ContentLength == -1):
			// (An earlier groundup sent bodies over 64 KiB in chunks.)
			return fmt.Errorf("GET %s: no Content-Length", path)
		}
	}
	return nil
}

// checkEcho POSTs n bytes to url and checks that they come back whole,
// with their length (or chunked, when chunkedOK).
func checkEcho(client *http.Client, url string, n int, chunkedOK bool) error {
	sent := page.Bytes(n)
	res, err := client.Post("http://"+url, "application/octet-stream", bytes.NewReader(sent))
	if err != nil {
		return err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	switch {
	case err != nil:
		return err
	case res.StatusCode != 200:
		return fmt.Errorf("POST %s: status %d", url, res.StatusCode)
	case !bytes.Equal(body, sent):
		return fmt.Errorf("POST %s of %d bytes: %d bytes came back, not the same", url, n, len(body))
	case res.ContentLength != int64(n) && !(chunkedOK && res.ContentLength == -1):
		return fmt.Errorf("POST %s: no Content-Length", url)
	}
	return nil
}

// benchmark runs every round, scenario and server, and gathers the runs.
func (r *Runner) benchmark(ctx context.Context) *Results {
	res := &Results{Started: time.Now().UTC(), Config: r.cfg, Machine: r.machine()}
	rows := map[[2]string]*Row{}
	for _, sc := range scenarios {
		if !slices.Contains(r.cfg.Scenarios, sc.Name) {
			continue
		}
		for _, s := range servers {
			if _, ok := sc.Paths[s.Name]; ok && slices.Contains(r.cfg.Servers, s.Name) {
				row := &Row{Scenario: sc.Name, Title: sc.Title, Server: s.Name, Label: s.Label, Idle: sc.Idle}
				rows[[2]string{sc.Name, s.Name}] = row
				res.Rows = append(res.Rows, row)
			}
		}
	}
	total := len(res.Rows) * r.cfg.Rounds
	n := 0
loop:
	for round := 1; round <= r.cfg.Rounds; round++ {
		for _, sc := range scenarios {
			var order []string
			for _, name := range r.cfg.Servers {
				if rows[[2]string{sc.Name, name}] != nil {
					order = append(order, name)
				}
			}
			if len(order) == 0 {
				continue
			}
			k := (round - 1) % len(order)
			order = append(order[k:], order[:k]...)
			for _, name := range order {
				if ctx.Err() != nil {
					break loop
				}
				n++
				s := serverByName(name)
				var run Run
				var err error
				if sc.Idle {
					run, err = r.runIdle(ctx, s)
				} else {
					run, err = r.runLoad(ctx, sc, s)
				}
				run.Round = round
				if err != nil {
					run.Error = err.Error()
					slog.Error("run failed", "n", fmt.Sprintf("%d/%d", n, total), "scenario", sc.Name, "server", name, "err", err)
				} else {
					slog.Info("run", "n", fmt.Sprintf("%d/%d", n, total), "scenario", sc.Name, "server", name, "summary", run.brief(sc.Idle))
				}
				row := rows[[2]string{sc.Name, name}]
				row.Runs = append(row.Runs, run)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		res.Incomplete = true
		res.StopReason = "stopped: " + context.Cause(ctx).Error()
		if errors.Is(err, context.DeadlineExceeded) {
			res.StopReason = "BENCH_TIMEOUT reached"
		}
	}
	for _, row := range res.Rows {
		row.summarise()
	}
	res.Finished = time.Now().UTC()
	return res
}

// runLoad measures one scenario on a fresh server process.
func (r *Runner) runLoad(ctx context.Context, sc Scenario, s Server) (Run, error) {
	p, err := r.startServer(ctx, s)
	if err != nil {
		return Run{}, err
	}
	defer r.stop(p)
	pid := p.cmd.Process.Pid
	if r.cfg.Warmup > 0 {
		if _, err := r.wrk(ctx, sc, s, p.addr, time.Duration(r.cfg.Warmup)); err != nil {
			return Run{}, fmt.Errorf("warm-up: %w", err)
		}
	}
	cpu0, err := cpuTicks(pid)
	if err != nil {
		return Run{}, err
	}
	w, err := r.wrk(ctx, sc, s, p.addr, measuredDuration(sc, r.cfg))
	if err != nil {
		return Run{}, err
	}
	cpu1, err := cpuTicks(pid)
	if err != nil {
		return Run{}, err
	}
	hwm, err := procStatusKiB(pid, "VmHWM")
	if err != nil {
		return Run{}, err
	}
	if w.Requests == 0 {
		return Run{}, errors.New("wrk completed no request")
	}
	secs := float64(w.DurationUs) / 1e6
	cpuSecs := float64(cpu1-cpu0) / clockTicks
	return Run{
		Requests:    w.Requests,
		Seconds:     secs,
		RPS:         float64(w.Requests) / secs,
		P50Ms:       w.P50Us / 1000,
		P99Ms:       w.P99Us / 1000,
		CPUSeconds:  cpuSecs,
		CPUUsPerReq: cpuSecs * 1e6 / float64(w.Requests),
		PeakRSSKiB:  hwm,
		Errors:      w.ConnectErrors + w.ReadErrors + w.WriteErrors + w.StatusErrors + w.Timeouts,
		ErrorKinds:  w.errorKinds(),
	}, nil
}

// manyConns is the connection count from which a run lasts at least
// minManyConnsRun: every wrk run opens its connections afresh, and at
// 4,096 of them the first request of each (an accept, a new goroutine)
// would otherwise be several percent of a short run's requests, and its
// p99. Connection setup has a scenario of its own (Connection: close).
const (
	manyConns       = 1024
	minManyConnsRun = 10 * time.Second
)

// measuredDuration is how long the measured wrk run of sc lasts.
func measuredDuration(sc Scenario, cfg Config) time.Duration {
	d := time.Duration(cfg.Duration)
	if sc.Conns >= manyConns && d < minManyConnsRun {
		d = minManyConnsRun
	}
	return d
}

// wrkResult is the line report.lua prints.
type wrkResult struct {
	Requests      int64   `json:"requests"`
	DurationUs    int64   `json:"duration_us"`
	Bytes         int64   `json:"bytes"`
	ConnectErrors int64   `json:"connect_errors"`
	ReadErrors    int64   `json:"read_errors"`
	WriteErrors   int64   `json:"write_errors"`
	StatusErrors  int64   `json:"status_errors"`
	Timeouts      int64   `json:"timeouts"`
	P50Us         float64 `json:"p50_us"`
	P90Us         float64 `json:"p90_us"`
	P99Us         float64 `json:"p99_us"`
	MaxUs         float64 `json:"max_us"`
}

// errorKinds returns the non-zero error counts by kind, or nil.
func (w wrkResult) errorKinds() map[string]int64 {
	m := map[string]int64{}
	for k, v := range map[string]int64{"connect": w.ConnectErrors, "read": w.ReadErrors, "write": w.WriteErrors,
		"status": w.StatusErrors, "timeout": w.Timeouts} {
		if v > 0 {
			m[k] = v
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// wrk runs wrk, pinned to the load core, against s at addr for d.
func (r *Runner) wrk(ctx context.Context, sc Scenario, s Server, addr string, d time.Duration) (wrkResult, error) {
	secs := max(1, int(d.Round(time.Second)/time.Second))
	url := "http://" + addr + sc.Paths[s.Name]
	conns := r.cfg.Conns
	if sc.Conns > 0 {
		conns = sc.Conns
	}
	args := []string{"-c", r.cfg.LoadCPU, "wrk", "-t1", "-c" + strconv.Itoa(conns),
		"-d" + strconv.Itoa(secs) + "s", "--latency", "-s", r.scripts[scriptOf(sc)]}
	if sc.Close {
		args = append(args, "-H", "Connection: close")
	}
	if conns >= manyConns {
		// Thousands of connections take a while to open and to be
		// answered once each: wrk's default 2 s timeout would count
		// the slowest as errors.
		args = append(args, "--timeout", "10s")
	}
	args = append(args, url)
	switch {
	case sc.Pipeline:
		args = append(args, "--", strconv.Itoa(r.cfg.Pipeline))
	case sc.Post > 0:
		args = append(args, "--", strconv.Itoa(sc.Post))
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(secs)*time.Second+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "taskset", args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %w: %s", err, lastLines(out, 5))
	}
	for line := range strings.Lines(string(out)) {
		if j, ok := strings.CutPrefix(line, "WRK_RESULT "); ok {
			var w wrkResult
			if err := json.Unmarshal([]byte(j), &w); err != nil {
				return wrkResult{}, fmt.Errorf("wrk report: %w", err)
			}
			return w, nil
		}
	}
	return wrkResult{}, fmt.Errorf("wrk printed no report: %s", lastLines(out, 5))
}

// scriptOf names the wrk script a scenario runs with: pipeline.lua,
// post.lua, or report.lua alone ("plain").
func scriptOf(sc Scenario) string {
	switch {
	case sc.Pipeline:
		return "pipeline"
	case sc.Post > 0:
		return "post"
	}
	return "plain"
}

// runIdle opens cfg.IdleConns keep-alive connections to a fresh server,
// one request each, and measures how much the server's RSS grew.
func (r *Runner) runIdle(ctx context.Context, s Server) (Run, error) {
	p, err := r.startServer(ctx, s)
	if err != nil {
		return Run{}, err
	}
	defer r.stop(p)
	pid := p.cmd.Process.Pid
	// One request first, so that what every server sets up lazily on its
	// first request is in the baseline rather than in the per-connection
	// figure.
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	if res, err := client.Get("http://" + p.addr + "/plaintext"); err != nil {
		return Run{}, err
	} else {
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	time.Sleep(200 * time.Millisecond)
	before, err := procStatusKiB(pid, "VmRSS")
	if err != nil {
		return Run{}, err
	}

	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "taskset", "-c", r.cfg.LoadCPU, r.binPath("idleconns"),
		"-addr", p.addr, "-n", strconv.Itoa(r.cfg.IdleConns), "-path", "/plaintext")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = 2 * time.Second
	errBuf := &tailBuffer{max: 4096}
	cmd.Stderr = errBuf
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return Run{}, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Run{}, err
	}
	if err := cmd.Start(); err != nil {
		return Run{}, err
	}
	defer func() {
		stdin.Close() // tells idleconns to close its connections and exit
		cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return Run{}, fmt.Errorf("idleconns: %v: %s", err, errBuf)
	}
	var opened int
	var openSecs float64
	if _, err := fmt.Sscanf(line, "ready %d %g", &opened, &openSecs); err != nil {
		return Run{}, fmt.Errorf("idleconns said %q: %v", line, err)
	}
	if opened == 0 {
		return Run{}, fmt.Errorf("idleconns opened no connection: %s", errBuf)
	}
	select {
	case <-time.After(time.Duration(r.cfg.IdleSettle)):
	case <-ctx.Done():
		return Run{}, ctx.Err()
	}
	after, err := procStatusKiB(pid, "VmRSS")
	if err != nil {
		return Run{}, err
	}
	hwm, err := procStatusKiB(pid, "VmHWM")
	if err != nil {
		return Run{}, err
	}
	run := Run{
		Conns:        opened,
		OpenSeconds:  openSecs,
		RSSBeforeKiB: before,
		RSSAfterKiB:  after,
		KiBPerConn:   float64(after-before) / float64(opened),
		PeakRSSKiB:   hwm,
	}
	if opened < r.cfg.IdleConns {
		return run, fmt.Errorf("only %d of %d connections opened: %s", opened, r.cfg.IdleConns, strings.TrimSpace(errBuf.String()))
	}
	return run, nil
}

// startServer starts s on a free loopback port, pinned to the server
// core, and waits until it accepts connections.
func (r *Runner) startServer(ctx context.Context, s Server) (*proc, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("taskset", "-c", r.cfg.ServerCPU, r.binPath(s.Name), "-addr", addr)
	// A process group of its own, so that a Ctrl-C meant for the run does
	// not reach it before its CPU time is read; Pdeathsig so that it dies
	// with the runner even if the runner is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	p := &proc{name: s.Name, addr: addr, cmd: cmd, done: make(chan struct{}), stderr: &tailBuffer{max: 8192}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.procs == nil {
		r.procs = map[*proc]struct{}{}
	}
	r.procs[p] = struct{}{}
	r.mu.Unlock()
	go func() {
		cmd.Wait()
		close(p.done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return p, nil
		}
		select {
		case <-p.done:
			r.forget(p)
			return nil, fmt.Errorf("server exited: %s", strings.TrimSpace(p.stderr.String()))
		case <-ctx.Done():
			r.stop(p)
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			r.stop(p)
			return nil, fmt.Errorf("server did not listen on %s within 10s", addr)
		}
	}
}

// freeAddr returns a loopback address with a port nobody listens on.
// Ports are picked afresh for every server because other programs on a
// shared machine may hold any fixed one.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// stop ends p: SIGTERM, then SIGKILL if it lingers.
func (r *Runner) stop(p *proc) {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
	if s := strings.TrimSpace(p.stderr.String()); s != "" {
		slog.Warn("server wrote to stderr", "server", p.name, "stderr", lastLines([]byte(s), 5))
	}
	r.forget(p)
}

func (r *Runner) forget(p *proc) {
	r.mu.Lock()
	delete(r.procs, p)
	r.mu.Unlock()
}

// killAll kills every server still running, and removes the scripts.
func (r *Runner) killAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for p := range r.procs {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
	if r.tmp != "" {
		os.RemoveAll(r.tmp)
	}
}

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat;
// Linux fixes it at 100 on every architecture Go supports.
const clockTicks = 100

// cpuTicks returns the user plus system CPU time of a process, all
// threads included, in clock ticks.
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: split after it.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("unreadable /proc stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	// f[0] is field 3 (state), so utime (field 14) is f[11] and stime f[12].
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return ut + st, nil
}

// procStatusKiB reads a "kB" line such as VmRSS or VmHWM from
// /proc/PID/status.
func procStatusKiB(pid int, key string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("%s not in /proc/%d/status", key, pid)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
