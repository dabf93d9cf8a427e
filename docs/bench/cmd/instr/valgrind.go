package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// serverEnv is the environment a server runs in under valgrind:
// GOMAXPROCS=1 keeps the count free of work stealing between Ps;
// asyncpreemptoff=1 stops the runtime's preemption signals, which valgrind
// delivers at different points from run to run; cpu.rdtscp=off makes the
// runtime read the clock with RDTSC, since valgrind 3.19 does not know
// RDTSCP and stops the program with SIGILL.
var serverEnv = []string{"GOMAXPROCS=1", "GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off"}

// A counted is one server process running under callgrind.
type counted struct {
	cmd  *exec.Cmd
	dir  string // where callgrind writes its dumps
	addr string
	log  *bytes.Buffer // valgrind's and the server's output, for errors
	keep string        // if set, a folder where dump keeps each dump, named for its scenario
}

// startCounted starts bin under callgrind on a free port of 127.0.0.1 and
// waits until it accepts connections. extraEnv is added to the
// environment.
func startCounted(ctx context.Context, bin, dir string, extraEnv []string) (*counted, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("valgrind", "--tool=callgrind",
		"--callgrind-out-file="+filepath.Join(dir, "cg.%p"),
		bin, "-addr", addr)
	cmd.Env = append(append(os.Environ(), serverEnv...), extraEnv...)
	log := new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("valgrind: %w", err)
	}
	p := &counted{cmd: cmd, dir: dir, addr: addr, log: log}
	if err := waitReady(ctx, addr, 60*time.Second); err != nil {
		p.stop()
		return nil, fmt.Errorf("%w\n%s", err, tail(log.String()))
	}
	return p, nil
}

// freeAddr returns a 127.0.0.1 address with a port nobody listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// control runs callgrind_control with the option (-z zeroes the counters,
// -d dumps them to a file and zeroes them) on the process.
func (p *counted) control(ctx context.Context, opt string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "callgrind_control", opt, strconv.Itoa(p.cmd.Process.Pid)).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("OK")) {
		return fmt.Errorf("callgrind_control %s: %v\n%s", opt, err, out)
	}
	return nil
}

// zero sets the counters to zero.
func (p *counted) zero(ctx context.Context) error { return p.control(ctx, "-z") }

// dump writes the counters since the last zero or dump, and returns their
// totals by event name (Ir: instructions).
func (p *counted) dump(ctx context.Context, name string) (map[string]int64, error) {
	if err := p.control(ctx, "-d"); err != nil {
		return nil, err
	}
	// Dumps are numbered cg.PID.1, cg.PID.2...; each is read and removed,
	// so at most one is there.
	pattern := filepath.Join(p.dir, fmt.Sprintf("cg.%d.*", p.cmd.Process.Pid))
	for range 100 {
		files, _ := filepath.Glob(pattern)
		if len(files) == 1 {
			f, err := os.Open(files[0])
			if err != nil {
				return nil, err
			}
			totals, err := parseTotals(f)
			f.Close()
			if err == nil {
				if p.keep != "" {
					err = os.Rename(files[0], filepath.Join(p.keep, name+".callgrind"))
				} else {
					err = os.Remove(files[0])
				}
				return totals, err
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil, fmt.Errorf("no complete callgrind dump matches %s", pattern)
}

// parseTotals reads the "events:" and "totals:" lines of a callgrind
// output file.
func parseTotals(r io.Reader) (map[string]int64, error) {
	var events, totals []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "events:"); ok {
			events = strings.Fields(rest)
		}
		if rest, ok := strings.CutPrefix(line, "totals:"); ok {
			totals = strings.Fields(rest)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if events == nil || totals == nil {
		return nil, errors.New("callgrind output without events or totals")
	}
	m := make(map[string]int64, len(events))
	for i, e := range events {
		if i >= len(totals) {
			m[e] = 0 // callgrind leaves trailing zero counts out
			continue
		}
		v, err := strconv.ParseInt(totals[i], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("totals: %w", err)
		}
		m[e] = v
	}
	return m, nil
}

// stop ends the server: SIGTERM, then SIGKILL after 5 seconds.
func (p *counted) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

// tail returns the last lines of a log.
func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}
