package framework

import (
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
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

// newTestResponse returns a response on a connection that writes
// nowhere, as begin leaves it for a GET.
func newTestResponse(minor int, serverLine string) *response {
	cn := &conn{env: &serverEnv{serverLine: serverLine, shut: new(atomic.Bool), log: slog.New(slog.DiscardHandler)}}
	r := new(response)
	r.reset(cn, false, minor, "/")
	return r
}

// sendUsual writes exactly the bytes commit and writeBody write, for
// every response usualHead accepts.
func TestSendUsualMatchesCommit(t *testing.T) {
	startDateClock()
	defer stopDateClock()
	bodies := []string{"", "Hello, World!", strings.Repeat("x", 1500)}
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
									head := r.usualHead()
									if i == 0 {
										if want := statusLines[code] != ""; (head != "") != want {
											t.Fatalf("%s: usualHead %q, want a head: %v", name, head, want)
										}
										if head == "" {
											break
										}
										r.sendUsual(head)
									} else {
										r.commit(true)
										if err := r.writeBody(r.body); err != nil {
											t.Fatal(err)
										}
										r.body = r.body[:0]
									}
									out[i] = string(r.cn.wbuf)
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
		{"trace", func(r *response) { r.cn.trace = &tracer{} }},
	}
	for _, tt := range tests {
		r := newTestResponse(1, "")
		r.header.setContentType(ctJSON)
		if r.usualHead() == "" {
			t.Fatal("usualHead refuses the usual response")
		}
		r = newTestResponse(1, "")
		tt.do(r)
		if head := r.usualHead(); head != "" {
			t.Errorf("%s: usualHead %q, want none", tt.name, head)
		}
	}
}
