package framework

import (
	"errors"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The usual response's shortcut (usualHead, sendUsual) is only right
// where the framing table chooses Content-Length: for every status it
// covers, HTTP/1.0 and 1.1, an empty body or not.
func TestUsualHeadFraming(t *testing.T) {
	for i := range usualHeads {
		code := usualHeadsFirst + i
		for k := range usualHeads[i] {
			if usualHeads[i][k] == "" {
				continue
			}
			for _, minor := range []int{0, 1} {
				for _, n := range []int{0, 13} {
					rule := chooseFraming(framingFacts(code, false, minor, false, true, n))
					if rule.choose != framingLength || rule.close {
						t.Errorf("status %d, HTTP/1.%d, %d bytes: the table chooses %+v, the shortcut writes Content-Length", code, minor, n, *rule)
					}
				}
			}
		}
	}
}

// recordConn is a socket that keeps what is written to it.
type recordConn struct {
	net.Conn // nil: only the methods below are called
	out      []byte
}

func (c *recordConn) Write(p []byte) (int, error) {
	c.out = append(c.out, p...)
	return len(p), nil
}

func (c *recordConn) SetWriteDeadline(time.Time) error { return nil }

// holdDateClock starts the Date clock and keeps it from ticking until
// the test ends (its timer waits for the mutex), so that the two ways of
// writing a response compared see the same Date line.
func holdDateClock(t *testing.T) {
	startDateClock()
	dateClock.mu.Lock()
	t.Cleanup(func() {
		dateClock.mu.Unlock()
		stopDateClock()
	})
}

// newTestResponse returns a response on a connection that records what
// reaches its socket, as begin leaves it for a GET.
func newTestResponse(minor int, serverLine string) *response {
	cn := &conn{srv: &Server{}, nc: &recordConn{},
		env: &serverEnv{serverLine: serverLine, shut: new(atomic.Bool), log: slog.New(slog.DiscardHandler)}}
	r := new(response)
	r.reset(cn, false, minor, "/")
	return r
}

// sent returns every byte of r's connection: on its socket, then pending.
func sent(r *response) string {
	return string(r.cn.nc.(*recordConn).out) + string(r.cn.wbuf)
}

// sendUsual writes exactly the bytes commit and writeBody write, for
// every response usualHead accepts.
func TestSendUsualMatchesCommit(t *testing.T) {
	holdDateClock(t)
	var bodies []string
	for _, n := range []int{0, 1, 9, 10, 13, 99, 100, 999, 1000, 1500, 2047, 2048, 9999, 10000, 40000} {
		bodies = append(bodies, strings.Repeat("x", n))
	}
	codes := []int{200, 201, 299, 404, 500, 599}
	for _, code := range codes {
		for k := range ctCount {
			for _, minor := range []int{0, 1} {
				for _, closing := range []bool{false, true} {
					for _, shut := range []bool{false, true} {
						for _, server := range []string{"Server: groundup\r\n", ""} {
							for _, body := range bodies {
								name := strconv.Itoa(code) + " " + contentTypes[k] + " 1." + strconv.Itoa(minor) +
									" close=" + strconv.FormatBool(closing) + " shut=" + strconv.FormatBool(shut) +
									" server=" + strconv.Quote(server) + " body=" + strconv.Itoa(len(body))
								var out [2]string
								var state [2]string
								for i := range out {
									r := newTestResponse(minor, server)
									r.env.shut.Store(shut)
									if closing {
										r.cn.closeAfter("test")
									}
									if k != ctNone {
										r.header.setContentType(k)
									}
									r.writeHeader(code)
									r.Write([]byte(body))
									head, code := r.usualHead()
									if i == 0 {
										if want := statusLines[code] != ""; (head != "") != want {
											t.Fatalf("%s: usualHead %q, want a head: %v", name, head, want)
										}
										if head == "" {
											break
										}
										r.sendUsual(head, code)
									} else {
										r.commit(true)
										if err := r.writeBody(r.body); err != nil {
											t.Fatal(err)
										}
										r.body = r.body[:0]
									}
									out[i] = sent(r)
									state[i] = strconv.Itoa(r.sent) + " " + strconv.FormatInt(r.declared, 10) + " " +
										strconv.FormatBool(r.committed) + " " + r.cn.closeReason + " " + strconv.Itoa(len(r.body))
								}
								if out[0] != out[1] {
									t.Errorf("%s:\nsendUsual %q\ncommit    %q", name, out[0], out[1])
								}
								if state[0] != state[1] {
									t.Errorf("%s: sendUsual leaves %q, commit %q", name, state[0], state[1])
								}
							}
						}
					}
				}
			}
		}
	}
}

// usualHead refuses every response that is not the usual one.
func TestUsualHeadRefuses(t *testing.T) {
	startDateClock()
	defer stopDateClock()
	tests := []struct {
		name string
		do   func(r *response)
	}{
		{"HEAD", func(r *response) { r.head = true }},
		{"204", func(r *response) { r.writeHeader(StatusNoContent) }},
		{"304", func(r *response) { r.writeHeader(StatusNotModified) }},
		{"103", func(r *response) { r.writeHeader(103) }},
		{"another field", func(r *response) { r.header.Set("X-A", "b") }},
		{"a field before the type", func(r *response) {
			r.header.Set("X-A", "b")
			r.header.setContentType(ctText)
		}},
		{"the handler's own type", func(r *response) {
			r.header.Set("Content-Type", strings.Clone(contentTypes[ctText]))
		}},
		{"an empty type", func(r *response) { r.header.Set("Content-Type", "") }},
		{"a type changed in place", func(r *response) {
			r.header.setContentType(ctText)
			r.header.Fields()[0].Value = "text/csv"
		}},
		{"a field renamed in place", func(r *response) {
			r.header.setContentType(ctText)
			r.header.Fields()[0].Name = "X-Type"
		}},
		{"the type deleted and an empty one set", func(r *response) {
			r.header.setContentType(ctText)
			r.header.Del("Content-Type")
			r.header.Set("Content-Type", "")
		}},
		{"Date", func(r *response) { r.header.Set("Date", "x") }},
		{"Server", func(r *response) { r.header.Set("Server", "x") }},
		{"Connection", func(r *response) { r.header.Set("Connection", "close") }},
		{"Content-Length", func(r *response) { r.header.Set("Content-Length", "5") }},
		{"Transfer-Encoding", func(r *response) { r.header.Set("Transfer-Encoding", "gzip") }},
		{"refused field", func(r *response) { r.header.Set("X-Bad", "a\r\nb") }},
		{"hook", func(r *response) { r.beforeCommit = append(r.beforeCommit, func() {}) }},
		{"declared", func(r *response) { r.declared = 5 }},
		{"error", func(r *response) { r.err = errors.New("x") }},
		{"hijacked", func(r *response) { r.hijacked, r.err = true, ErrHijacked }},
		{"committed", func(r *response) { r.committed = true }},
		{"trace", func(r *response) { r.cn.trace = &tracer{} }},
	}
	for _, tt := range tests {
		r := newTestResponse(1, "")
		r.header.setContentType(ctJSON)
		if head, _ := r.usualHead(); head == "" {
			t.Fatal("usualHead refuses the usual response")
		}
		r = newTestResponse(1, "")
		tt.do(r)
		if head, _ := r.usualHead(); head != "" {
			t.Errorf("%s: usualHead %q, want none", tt.name, head)
		}
	}
}

// A response reused from request to request keeps its tail until the
// second turns or the server changes, and no digit of an earlier length
// leaks into a later one.
func TestSendUsualReused(t *testing.T) {
	holdDateClock(t)
	r := newTestResponse(1, "Server: a\r\n")
	envs := []*serverEnv{r.env, {serverLine: "Server: b\r\n", shut: new(atomic.Bool)}}
	for i, n := range []int{1234, 5, 13, 0, 777, 12000, 8} {
		if i == 3 {
			// The next second.
			dateClock.line.Store(makeDateLine(time.Now().Add(time.Hour)))
		}
		env := envs[0]
		if i >= 4 {
			env = envs[1] // another server from the fifth request on
		}
		r.cn.env = env
		r.cn.nc.(*recordConn).out = nil
		r.cn.wbuf = r.cn.wbuf[:0]
		r.reset(r.cn, false, 1, "/")
		r.header.setContentType(ctText)
		r.Write([]byte(strings.Repeat("y", n)))
		head, code := r.usualHead()
		if head == "" {
			t.Fatal("usualHead refused")
		}
		r.sendUsual(head, code)
		got := sent(r)

		s := newTestResponse(1, "")
		s.cn.env = env
		s.reset(s.cn, false, 1, "/")
		s.header.setContentType(ctText)
		s.Write([]byte(strings.Repeat("y", n)))
		s.commit(true)
		s.writeBody(s.body)
		if want := sent(s); got != want {
			t.Errorf("request %d, %d bytes:\ngot  %q\nwant %q", i, n, got, want)
		}
	}
}
