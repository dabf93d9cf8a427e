package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A scenario is one kind of request, sent the same way to every server.
type scenario struct {
	Name     string // key in the results and the baseline
	Title    string // row label in the tables
	Method   string
	Path     string            // request target, unless Paths names one for the server
	Paths    map[string]string // per-server request target
	Body     []byte            // request body, sent with a Content-Length
	Pipeline int               // requests per write; 1 sends one and waits for its answer
	Want     []byte            // the response body every server must send
	WantType string            // its Content-Type
}

func (s scenario) path(server string) string {
	if p, ok := s.Paths[server]; ok {
		return p
	}
	return s.Path
}

// request returns the bytes of one request for the server.
func (s scenario) request(server string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n", s.Method, s.path(server))
	if s.Body != nil {
		fmt.Fprintf(&b, "Content-Type: application/octet-stream\r\nContent-Length: %d\r\n", len(s.Body))
	}
	b.WriteString("\r\n")
	b.Write(s.Body)
	return b.Bytes()
}

// ioTimeout bounds every read and write of the client; a server under
// valgrind is slow, but not this slow.
const ioTimeout = 60 * time.Second

// A client holds keep-alive connections to one server for one scenario,
// so that the warm-up and the measured requests use the same connections
// and no connection opens or closes while the counters run.
type client struct {
	s     scenario
	req   []byte // Pipeline copies of the request, sent in one write
	conns []net.Conn
	rs    []*bufio.Reader
}

// dial opens conns connections to addr for the scenario.
func dial(ctx context.Context, addr, server string, s scenario, conns int) (*client, error) {
	cl := &client{s: s, req: bytes.Repeat(s.request(server), s.Pipeline)}
	var d net.Dialer
	for range conns {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			cl.Close()
			return nil, err
		}
		cl.conns = append(cl.conns, c)
		cl.rs = append(cl.rs, bufio.NewReaderSize(c, 64<<10))
	}
	return cl, nil
}

// Close closes the connections.
func (cl *client) Close() {
	for _, c := range cl.conns {
		c.Close()
	}
}

// run sends n requests and checks every response: status 200, the
// expected Content-Type and body. One write (of Pipeline requests) is in
// flight at a time, and after its responses the client waits for pause
// before the next write, so that the server is back in its wait for input
// when the next request comes. The connections take the requests in turn,
// a quarter of them each (with 4): each sees its requests back to back,
// as a busy keep-alive connection does.
//
// Every request then takes the same path through the server, which keeps
// the count the same from run to run. With requests racing on several
// connections, how often a read finds data waiting, or a poll finds
// several connections ready, follows the load on the machine, and the
// count moves with it by 10% or more; sending to the connections in
// rotation instead puts each one's requests 4 round trips apart, which
// under valgrind on a busy machine can pass a server's idle timers. n must
// be a multiple of the connections times Pipeline.
func (cl *client) run(ctx context.Context, n int, pause time.Duration) error {
	s := cl.s
	writes := n / s.Pipeline
	for i := range writes {
		if err := ctx.Err(); err != nil {
			return err
		}
		k := i * len(cl.conns) / writes
		c, r := cl.conns[k], cl.rs[k]
		c.SetDeadline(time.Now().Add(ioTimeout))
		if _, err := c.Write(cl.req); err != nil {
			return err
		}
		for range s.Pipeline {
			if err := readResponse(r, s.WantType, s.Want); err != nil {
				return fmt.Errorf("%s %s: %w", s.Method, s.Path, err)
			}
		}
		if pause > 0 {
			// A plain nanosleep: the runtime's timers would round it up
			// to a millisecond.
			ts := syscall.NsecToTimespec(pause.Nanoseconds())
			syscall.Nanosleep(&ts, nil)
		}
	}
	return nil
}

// readResponse reads one response with a Content-Length body and checks
// it against the status 200, the content type and the body wanted.
func readResponse(r *bufio.Reader, wantType string, want []byte) error {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
		return fmt.Errorf("status line %q", strings.TrimSpace(string(line)))
	}
	length, ctype := -1, ""
	for {
		line, err = r.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return fmt.Errorf("header line %q", strings.TrimSpace(string(line)))
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			length, err = strconv.Atoi(string(value))
			if err != nil {
				return fmt.Errorf("Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Content-Type")):
			ctype = string(value)
		}
	}
	if length < 0 {
		return errors.New("no Content-Length")
	}
	if ctype != wantType {
		return fmt.Errorf("Content-Type %q, want %q", ctype, wantType)
	}
	if length != len(want) {
		return fmt.Errorf("body of %d bytes, want %d", length, len(want))
	}
	body, err := r.Peek(length)
	if err != nil {
		return err
	}
	if !bytes.Equal(body, want) {
		return fmt.Errorf("body %.40q differs from the one wanted, %.40q", body, want)
	}
	_, err = r.Discard(length)
	return err
}

// waitReady dials addr until it answers, for at most d.
func waitReady(ctx context.Context, addr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not listening after %s: %w", addr, d, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
