package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clockSyscalls are left out of the syscall figure: the Go runtime's
// sysmon thread sleeps with nanosleep on a clock, so their number follows
// the length of the run, not the requests.
var clockSyscalls = map[string]bool{"nanosleep": true, "clock_nanosleep": true}

// countSyscalls measures the system calls of every scenario on the server
// running natively (not under valgrind) with GOMAXPROCS=1: after the
// warm-up, strace -f -c attaches to all of its threads, the client sends
// the measured requests, and strace detaches and prints its table.
func countSyscalls(ctx context.Context, dir string, sv server, scens []scenario, set settings, extraEnv []string, ms []*measurement) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	cmd := exec.Command(filepath.Join(dir, filepath.Base(sv.Pkg)), "-addr", addr)
	cmd.Env = append(append(os.Environ(), "GOMAXPROCS=1"), extraEnv...)
	log := new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return err
	}
	p := &counted{cmd: cmd, addr: addr, log: log}
	defer p.stop()
	if err := waitReady(ctx, addr, 10*time.Second); err != nil {
		return err
	}
	for i, s := range scens {
		counts, err := straceOne(ctx, p, dir, sv, s, set)
		if err != nil {
			return fmt.Errorf("%s: %w\n%s", s.Name, err, tail(log.String()))
		}
		m := ms[i]
		m.SyscallsByName = counts
		var total int64
		for name, n := range counts {
			if !clockSyscalls[name] {
				total += n
			}
		}
		m.Syscalls = total
		m.SyscallsPerReq = float64(total) / float64(set.Requests)
	}
	return nil
}

func straceOne(ctx context.Context, p *counted, dir string, sv server, s scenario, set settings) (map[string]int64, error) {
	cl, err := dial(ctx, p.addr, sv.Name, s, set.Conns)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	if err := cl.run(ctx, set.Warmup, set.Pause); err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	out := filepath.Join(dir, "strace.txt")
	st := exec.Command("strace", "-f", "-c", "-o", out, "-p", strconv.Itoa(p.cmd.Process.Pid))
	stderr, err := st.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := st.Start(); err != nil {
		return nil, fmt.Errorf("strace: %w", err)
	}
	// strace says "Process N attached with M threads" once it holds them all.
	attached := make(chan struct{})
	var msgs strings.Builder
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(stderr)
		once := sync.OnceFunc(func() { close(attached) })
		for sc.Scan() {
			msgs.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "attached") {
				once()
			}
		}
		once()
	}()
	select {
	case <-attached:
	case <-time.After(10 * time.Second):
		st.Process.Kill()
		st.Wait()
		return nil, fmt.Errorf("strace did not attach")
	}
	runErr := cl.run(ctx, set.Requests, set.Pause)
	st.Process.Signal(syscall.SIGINT)
	wg.Wait()
	waitErr := st.Wait() // strace ends by the SIGINT: its status says so
	if runErr != nil {
		return nil, runErr
	}
	f, err := os.Open(out)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	counts, err := parseStraceSummary(f)
	if err == nil && len(counts) == 0 {
		err = fmt.Errorf("empty summary (%v)\n%s", waitErr, msgs.String())
	}
	return counts, err
}

// parseStraceSummary reads the table strace -c prints: calls per syscall.
func parseStraceSummary(r io.Reader) (map[string]int64, error) {
	counts := map[string]int64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// % time, seconds, usecs/call, calls, [errors,] syscall
		if len(f) < 5 || f[0] == "%" || strings.HasPrefix(f[0], "-") {
			continue
		}
		name := f[len(f)-1]
		if name == "total" {
			continue
		}
		n, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("strace line %q: %w", sc.Text(), err)
		}
		counts[name] = n
	}
	return counts, sc.Err()
}
