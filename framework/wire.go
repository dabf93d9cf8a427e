package framework

import (
	"runtime/debug"
	"strings"
)

// What went on the wire, for the access log: the status a handler set
// is not always the status sent. A refused header field turns a 301 into
// a 500 when the head is written; a client that vanished gets nothing.

// SentStatus returns the status code of the response head that went out
// to the client: the handler's status, or 500 when a header field was
// refused (see Header.Set). It is 0 while the head is unsent, and stays 0
// when none was sent at all: a connection cut by the handler
// (ErrAbortHandler), or a client that went away before the head reached
// its socket (a reset connection). Read it from an AfterResponse hook,
// when it is final.
func (c *Ctx) SentStatus() int { return c.res.sent }

// AfterResponse registers fn to run once the response is complete: its
// head and body are in the connection's output, or the connection was
// cut. SentStatus and Written are then final, which is what an access
// log wants. The hooks run in order, still inside the request (c is
// valid), each under a recover that logs a panic. They do not run for a
// connection taken over by Hijack.
func (c *Ctx) AfterResponse(fn func()) {
	c.res.after = append(c.res.after, fn)
}

// markSent records the status of the head being written, unless the
// connection was cut: a head written to it goes nowhere.
//
// aborted is atomic rather than read under the connection's mutex: this
// runs for every response, and an uncontended lock is still two atomic
// operations more than a load.
func (r *response) markSent(code int) {
	if !r.cn.aborted.Load() {
		r.sent = code
	}
}

// runAfter runs the AfterResponse hooks once. headPending says the head
// was written by finish, so it is still in the output: when the
// connection closes after this response anyway, the output goes to the
// socket first (serveOne would flush it next), so that a hook learns
// whether the head got there at all.
func (r *response) runAfter(headPending bool) {
	if len(r.after) == 0 {
		return
	}
	if headPending && r.sent != 0 && r.cn.closeReason != "" && r.cn.flush() != nil {
		r.sent = 0 // the client is gone: nothing reached it
	}
	for i := 0; i < len(r.after); i++ { // a hook may add another
		func() {
			defer func() {
				if v := recover(); v != nil {
					r.env.log.Error("panic in an AfterResponse hook", "path", r.path, "panic", v, "stack", string(debug.Stack()))
				}
			}()
			r.after[i]()
		}()
	}
	clear(r.after)
	r.after = r.after[:0]
}

// keptOnRefusal are the fields a response keeps when a refused field
// turns it into a 500: the security headers and the request id, which
// say nothing about the body that was dropped.
var keptOnRefusal = []string{"X-Request-ID", "X-Content-Type-Options", "X-Frame-Options",
	"Content-Security-Policy", "Referrer-Policy", "Cross-Origin-Opener-Policy", "Strict-Transport-Security"}

// keepOnly drops every field but those named in keep, and the refusal.
func (h *Header) keepOnly(keep []string) {
	fields := h.fields[:0]
	for _, f := range h.fields {
		for _, k := range keep {
			if strings.EqualFold(f.Name, k) {
				fields = append(fields, f)
				break
			}
		}
	}
	clear(h.fields[len(fields):])
	h.fields = fields
	h.special = 0
	h.bad = ""
}
