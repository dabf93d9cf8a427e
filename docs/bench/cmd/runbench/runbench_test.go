package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStatOf(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want Stat
	}{
		{"none", nil, Stat{}},
		{"one", []float64{3}, Stat{3, 3, 3, 1}},
		{"odd", []float64{5, 1, 3}, Stat{3, 1, 5, 3}},
		{"even", []float64{4, 1, 2, 8}, Stat{3, 1, 8, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := statOf(tt.in); got != tt.want {
				t.Errorf("statOf(%v) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestCell(t *testing.T) {
	tests := []struct {
		s    Stat
		want string
	}{
		{Stat{}, "failed"},
		{Stat{1.5, 1.5, 1.5, 1}, "1.50"},
		{Stat{1.5, 1.2, 1.9, 3}, "1.50 (1.20–1.90)"},
		{Stat{1.501, 1.499, 1.502, 3}, "1.50"},
	}
	for _, tt := range tests {
		if got := cell(tt.s, "%.2f"); got != tt.want {
			t.Errorf("cell(%+v) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestNiceStep(t *testing.T) {
	tests := []struct{ raw, want float64 }{
		{0, 1}, {0.3, 0.5}, {1, 1}, {1.2, 2}, {3, 5}, {7, 10}, {42, 50}, {180, 200},
	}
	for _, tt := range tests {
		if got := niceStep(tt.raw); got != tt.want {
			t.Errorf("niceStep(%v) = %v, want %v", tt.raw, got, tt.want)
		}
	}
}

func TestCPUTicks(t *testing.T) {
	n, err := cpuTicks(os.Getpid())
	if err != nil || n < 0 {
		t.Fatalf("cpuTicks = %d, %v", n, err)
	}
	rss, err := procStatusKiB(os.Getpid(), "VmRSS")
	if err != nil || rss <= 0 {
		t.Fatalf("VmRSS = %d, %v", rss, err)
	}
	if _, err := procStatusKiB(os.Getpid(), "NoSuchKey"); err == nil {
		t.Error("a missing key gave no error")
	}
}

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
		check   func(Config) bool
	}{
		{"defaults", nil, "", func(c Config) bool {
			return c.Rounds == 3 && c.Duration == Duration(5*time.Second) && c.IdleConns == 10000 && len(c.Servers) == 3
		}},
		{"smoke", map[string]string{"BENCH_ROUNDS": "1", "BENCH_DURATION": "1s", "BENCH_IDLE_CONNS": "500", "BENCH_SERVERS": "groundup, fasthttp"}, "",
			func(c Config) bool { return c.Rounds == 1 && c.IdleConns == 500 && len(c.Servers) == 2 }},
		{"bad number", map[string]string{"BENCH_ROUNDS": "zero"}, "BENCH_ROUNDS", nil},
		{"bad server", map[string]string{"BENCH_SERVERS": "gin"}, `unknown "gin"`, nil},
		{"too short", map[string]string{"BENCH_DURATION": "500ms"}, "at least 1s", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"BENCH_ROUNDS", "BENCH_DURATION", "BENCH_IDLE_CONNS", "BENCH_SERVERS"} {
				t.Setenv(k, tt.env[k])
			}
			c, err := configFromEnv()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one about %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.check(c) {
				t.Fatalf("configFromEnv = %+v, %v", c, err)
			}
		})
	}
}

// TestWriteResults renders made-up results and checks the files.
func TestWriteResults(t *testing.T) {
	cfg, err := configFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	res := &Results{Config: cfg, Machine: Machine{CPU: "test", Versions: map[string]string{"valyala/fasthttp": "v1.78.0"}}}
	add := func(sc, server, label string, idle bool, runs ...Run) {
		row := &Row{Scenario: sc, Server: server, Label: label, Idle: idle, Runs: runs}
		row.summarise()
		res.Rows = append(res.Rows, row)
	}
	add("plaintext", "groundup", "groundup", false, Run{RPS: 100, CPUUsPerReq: 4}, Run{RPS: 120, CPUUsPerReq: 5})
	add("plaintext", "fasthttp", "fasthttp", false, Run{RPS: 100, CPUUsPerReq: 5}, Run{Error: "boom"})
	add("idle", "groundup", "groundup", true, Run{Conns: 10000, KiBPerConn: 3.5})
	add("plaintext", "groundup-before", "groundup before", false, Run{RPS: 90, CPUUsPerReq: 6, P99Ms: 2})
	dir := t.TempDir()
	if err := writeResults(dir, res); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "results.md"))
	for _, want := range []string{
		"| plaintext | groundup | 110 (100–120) |",
		"| 4.50 (4.00–5.00) |",
		"1 run(s) failed",
		"| groundup | 10000 | 3.50 |",
		"| plaintext keep-alive: CPU/req, groundup ÷ fasthttp | 0.90 | ≤ 1.00 | yes |",
		"| idle keep-alive: KiB per connection, groundup | 3.50 | ≤ 4.00 | yes |",
		"| pipelined: CPU/req, groundup ÷ fasthttp | n/a |",
		"| plaintext | 6.00 | 4.50 | 5.00 | 0.90× |",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("results.md lacks %q:\n%s", want, md)
		}
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "results.svg"))
	if err := xml.Unmarshal(svg, new(struct{})); err != nil {
		t.Errorf("results.svg is not well-formed XML: %v", err)
	}
	if !strings.Contains(string(svg), "10000 idle connections") {
		t.Error("results.svg lacks the idle panel")
	}

	// -render rebuilds the same tables from results.json.
	again := t.TempDir()
	if err := rerender(filepath.Join(dir, "results.json"), again); err != nil {
		t.Fatal(err)
	}
	md2, _ := os.ReadFile(filepath.Join(again, "results.md"))
	if string(md2) != string(md) {
		t.Errorf("re-rendered results.md differs:\n%s", md2)
	}
}
