package main

import (
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Results is everything a run found; it is written as results.json.
type Results struct {
	Started    time.Time `json:"started"`
	Finished   time.Time `json:"finished"`
	Incomplete bool      `json:"incomplete,omitempty"`
	StopReason string    `json:"stop_reason,omitempty"`
	Config     Config    `json:"config"`
	Machine    Machine   `json:"machine"`
	Rows       []*Row    `json:"rows"`
}

// Machine describes where the run happened.
type Machine struct {
	CPU      string            `json:"cpu"`
	CPUs     int               `json:"cpus"`
	Kernel   string            `json:"kernel"`
	Go       string            `json:"go"`
	Wrk      string            `json:"wrk"`
	Commit   string            `json:"commit,omitempty"`
	Versions map[string]string `json:"versions"`
}

// Row is one scenario on one server, over every round.
type Row struct {
	Scenario string          `json:"scenario"`
	Title    string          `json:"title"`
	Server   string          `json:"server"`
	Label    string          `json:"label"`
	Idle     bool            `json:"idle,omitempty"`
	Runs     []Run           `json:"runs"`
	Summary  map[string]Stat `json:"summary"`
}

// Run is one measurement. Load runs fill the first group of fields, idle
// runs the second.
type Run struct {
	Round int    `json:"round"`
	Error string `json:"error,omitempty"`

	Requests    int64   `json:"requests,omitempty"`
	Seconds     float64 `json:"seconds,omitempty"`
	RPS         float64 `json:"rps,omitempty"`
	P50Ms       float64 `json:"p50_ms,omitempty"`
	P99Ms       float64 `json:"p99_ms,omitempty"`
	CPUSeconds  float64 `json:"cpu_seconds,omitempty"`
	CPUUsPerReq float64 `json:"cpu_us_per_req,omitempty"`
	// Errors counts what wrk saw go wrong: connect, read and write
	// errors, non-2xx statuses and timeouts (ErrorKinds splits them).
	Errors     int64            `json:"errors,omitempty"`
	ErrorKinds map[string]int64 `json:"error_kinds,omitempty"`

	Conns        int     `json:"conns,omitempty"`
	OpenSeconds  float64 `json:"open_seconds,omitempty"`
	RSSBeforeKiB int64   `json:"rss_before_kib,omitempty"`
	RSSAfterKiB  int64   `json:"rss_after_kib,omitempty"`
	KiBPerConn   float64 `json:"kib_per_conn,omitempty"`

	PeakRSSKiB int64 `json:"peak_rss_kib"`
}

// brief is the one-line progress report of a run.
func (r Run) brief(idle bool) string {
	if idle {
		return fmt.Sprintf("%d conns, %.2f KiB/conn, RSS %d→%d KiB", r.Conns, r.KiBPerConn, r.RSSBeforeKiB, r.RSSAfterKiB)
	}
	return fmt.Sprintf("%.0f req/s, p99 %.2f ms, %.2f µs CPU/req, peak %d KiB, %d errors", r.RPS, r.P99Ms, r.CPUUsPerReq, r.PeakRSSKiB, r.Errors)
}

// Stat is the median and range of one figure over the rounds that
// succeeded.
type Stat struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	N      int     `json:"n"`
}

func statOf(v []float64) Stat {
	if len(v) == 0 {
		return Stat{}
	}
	s := slices.Sorted(slices.Values(v))
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Stat{Median: m, Min: s[0], Max: s[len(s)-1], N: len(s)}
}

// summarise fills Summary from the runs without an error.
func (row *Row) summarise() {
	figures := map[string]func(Run) float64{
		"peak_rss_kib": func(r Run) float64 { return float64(r.PeakRSSKiB) },
	}
	if row.Idle {
		figures["kib_per_conn"] = func(r Run) float64 { return r.KiBPerConn }
		figures["rss_before_kib"] = func(r Run) float64 { return float64(r.RSSBeforeKiB) }
		figures["rss_after_kib"] = func(r Run) float64 { return float64(r.RSSAfterKiB) }
		figures["conns"] = func(r Run) float64 { return float64(r.Conns) }
	} else {
		figures["rps"] = func(r Run) float64 { return r.RPS }
		figures["p50_ms"] = func(r Run) float64 { return r.P50Ms }
		figures["p99_ms"] = func(r Run) float64 { return r.P99Ms }
		figures["cpu_us_per_req"] = func(r Run) float64 { return r.CPUUsPerReq }
		figures["errors"] = func(r Run) float64 { return float64(r.Errors) }
	}
	row.Summary = map[string]Stat{}
	for name, f := range figures {
		var v []float64
		for _, r := range row.Runs {
			if r.Error == "" {
				v = append(v, f(r))
			}
		}
		row.Summary[name] = statOf(v)
	}
}

// find returns the row of scenario on server, or nil.
func (res *Results) find(scenario, server string) *Row {
	for _, row := range res.Rows {
		if row.Scenario == scenario && row.Server == server {
			return row
		}
	}
	return nil
}

// machine gathers what the results need to be reproduced.
func (r *Runner) machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), Versions: map[string]string{}}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				m.CPU = strings.TrimSpace(strings.TrimLeft(v, " \t:"))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = "Linux " + strings.TrimSpace(string(b))
	}
	// wrk -v prints its version, then usage, and exits 1.
	out, _ := exec.Command("wrk", "-v").CombinedOutput()
	if first, _, _ := strings.Cut(string(out), "\n"); first != "" {
		m.Wrk = strings.TrimSpace(strings.Split(first, "Copyright")[0])
	}
	if out, err := exec.Command("git", "describe", "--always", "--dirty").Output(); err == nil {
		m.Commit = strings.TrimSpace(string(out))
	}
	// The versions the servers were really built with.
	wanted := []string{"github.com/valyala/fasthttp", "github.com/fasthttp/router", "github.com/julienschmidt/httprouter", "github.com/a-h/templ"}
	for _, name := range r.cfg.Servers {
		info, err := buildinfo.ReadFile(r.binPath(name))
		if err != nil {
			continue
		}
		for _, d := range info.Deps {
			if slices.Contains(wanted, d.Path) {
				m.Versions[strings.TrimPrefix(d.Path, "github.com/")] = d.Version
			}
		}
	}
	return m
}

// writeResults writes results.json, results.md and results.svg to dir.
func writeResults(dir string, res *Results) error {
	j, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"results.json": append(j, '\n'),
		"results.md":   []byte(markdown(res)),
		"results.svg":  []byte(chart(res)),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
