package main

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestParseTotals(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string]int64
		wantErr bool
	}{
		{"one event", "version: 1\nevents: Ir\nfn=main\n3 4\ntotals: 199303\n", map[string]int64{"Ir": 199303}, false},
		{"two events", "events: Ir sysCount\nsummary: 10 2\ntotals: 10 2\n", map[string]int64{"Ir": 10, "sysCount": 2}, false},
		{"trailing zero left out", "events: Ir sysCount\ntotals: 10\n", map[string]int64{"Ir": 10, "sysCount": 0}, false},
		{"no totals", "events: Ir\n", nil, true},
		{"not a number", "events: Ir\ntotals: x\n", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTotals(strings.NewReader(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %d, want %d", k, got[k], v)
				}
			}
		})
	}
}

func TestParseStraceSummary(t *testing.T) {
	in := `% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 44.67    0.005649         201        28           nanosleep
  1.87    0.000237          47         5         1 read
  1.79    0.000226          75         3           write
------ ----------- ----------- --------- --------- ----------------
100.00    0.012645         180        36         1 total
`
	got, err := parseStraceSummary(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"nanosleep": 28, "read": 5, "write": 3}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d", k, got[k], v)
		}
	}
}

func TestReadResponse(t *testing.T) {
	const ok = "HTTP/1.1 200 OK\r\nServer: x\r\ncontent-type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
	tests := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{"ok", ok, false},
		{"two in a row", ok + ok, false},
		{"status 404", strings.Replace(ok, "200 OK", "404 Not Found", 1), true},
		{"other body", strings.Replace(ok, "hello", "jello", 1), true},
		{"other type", strings.Replace(ok, "text/plain", "text/html", 1), true},
		{"no length", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhello", true},
		{"bad length", strings.Replace(ok, ": 5", ": five", 1), true},
		{"cut short", ok[:len(ok)-2], true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bufio.NewReader(strings.NewReader(tt.in))
			err := readResponse(r, "text/plain", []byte("hello"))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if tt.name == "two in a row" {
				if err := readResponse(r, "text/plain", []byte("hello")); err != nil {
					t.Fatalf("second response: %v", err)
				}
				if _, err := r.ReadByte(); err != io.EOF {
					t.Fatalf("left over input: %v", err)
				}
			}
		})
	}
}

func TestBaselineCheck(t *testing.T) {
	b := &baseline{Tolerance: 0.03, Instr: map[string]float64{"plaintext": 1000, "json": 2000}}
	tests := []struct {
		name     string
		measured map[string]float64
		wantOver bool
	}{
		{"equal", map[string]float64{"plaintext": 1000, "json": 2000}, false},
		{"just under the tolerance", map[string]float64{"plaintext": 1029, "json": 2000}, false},
		{"cheaper", map[string]float64{"plaintext": 500, "json": 1000}, false},
		{"over on one", map[string]float64{"plaintext": 1000, "json": 2070}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &results{}
			for name, v := range tt.measured {
				r.Runs = append(r.Runs, &measurement{Server: "groundup", Scenario: name, InstrPerReq: v})
			}
			err := b.check(io.Discard, r)
			if got := errors.Is(err, errOverBudget); got != tt.wantOver {
				t.Fatalf("err = %v, want over budget %v", err, tt.wantOver)
			}
		})
	}
}

func TestThousands(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {999.4, "999"}, {1000, "1,000"}, {123456.6, "123,457"}, {1234567, "1,234,567"},
	}
	for _, tt := range tests {
		if got := thousands(tt.in); got != tt.want {
			t.Errorf("thousands(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRoundUp(t *testing.T) {
	tests := []struct{ n, m, want int }{
		{4000, 64, 4032}, {4032, 64, 4032}, {1, 4, 4}, {0, 4, 4}, {20000, 4, 20000},
	}
	for _, tt := range tests {
		if got := roundUp(tt.n, tt.m); got != tt.want {
			t.Errorf("roundUp(%d, %d) = %d, want %d", tt.n, tt.m, got, tt.want)
		}
	}
}

func TestScenarioRequest(t *testing.T) {
	ss, err := scenarios()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		req := string(s.request("fasthttp"))
		if !strings.HasPrefix(req, s.Method+" "+s.path("fasthttp")+" HTTP/1.1\r\nHost: 127.0.0.1\r\n") {
			t.Errorf("%s: request %q", s.Name, req)
		}
		if s.Body != nil && !strings.Contains(req, "Content-Length: 4096\r\n\r\n") {
			t.Errorf("%s: no Content-Length in %q", s.Name, req[:80])
		}
	}
}
