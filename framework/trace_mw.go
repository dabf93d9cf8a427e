package framework

import (
	"strconv"
	"strings"
	"time"

	"github.com/groundup-go/groundup/framework/http1"
)

// Middleware in a trace: each one entered and left, its duration, and
// what it changed in the response, recorded by wrapping the chain only
// when tracing is on.

// mwFrame is a middleware being traced: what the response looked like
// when it was entered and when it called next.
type mwFrame struct {
	name     string
	event    int // index of its "entered" event
	enter    time.Time
	atEnter  respSnap
	atNext   respSnap // when it called next
	fromNext respSnap // when next returned
	calls    bool
}

// respSnap is what a middleware may change about the response.
type respSnap struct {
	status int
	fields []http1.Field
	body   int
}

func snap(c *Ctx) respSnap {
	return respSnap{status: c.res.status, fields: append([]http1.Field(nil), c.res.header.Fields()...), body: len(c.res.body)}
}

// changes lists what differs between a and b.
func changes(a, b respSnap) []string {
	var out []string
	if a.status != b.status {
		out = append(out, "status "+strconv.Itoa(a.status)+" -> "+strconv.Itoa(b.status))
	}
	has := func(fs []http1.Field, f http1.Field) bool {
		for _, g := range fs {
			if strings.EqualFold(g.Name, f.Name) && g.Value == f.Value {
				return true
			}
		}
		return false
	}
	for _, f := range b.fields {
		if !has(a.fields, f) {
			out = append(out, "added header "+f.Name+": "+maskValue(f.Name, f.Value))
		}
	}
	for _, f := range a.fields {
		if !has(b.fields, f) {
			out = append(out, "removed header "+f.Name+": "+maskValue(f.Name, f.Value))
		}
	}
	if a.body != b.body {
		out = append(out, "body replaced: "+strconv.Itoa(a.body)+" -> "+strconv.Itoa(b.body)+" buffered bytes")
	}
	return out
}

// traceMiddleware wraps m so that a traced request records entering and
// leaving it, its duration and what it changed. An untraced request goes
// straight through; the wrapped chain is only built once tracing is on.
func traceMiddleware(name string, m Middleware) Middleware {
	return func(next Handler) Handler {
		inner := m(func(c *Ctx) error {
			tr := c.tracer()
			if tr == nil || len(tr.stack) == 0 {
				return next(c)
			}
			f := &tr.stack[len(tr.stack)-1]
			f.calls, f.atNext = true, snap(c)
			depth := len(tr.stack)
			err := next(c)
			if len(tr.stack) >= depth {
				tr.stack[depth-1].fromNext = snap(c)
			}
			return err
		})
		return func(c *Ctx) error {
			tr := c.tracer()
			if tr == nil {
				return inner(c)
			}
			t := tr.begin()
			tr.add(t, TraceEvent{Layer: TraceMiddleware, Name: name, What: "entered " + name}, nil)
			tr.stack = append(tr.stack, mwFrame{name: name, event: len(t.Events) - 1, enter: time.Now(), atEnter: snap(c)})
			err := inner(c)
			f := tr.stack[len(tr.stack)-1]
			tr.stack = tr.stack[:len(tr.stack)-1]
			var ch []string
			if f.calls {
				ch = append(changes(f.atEnter, f.atNext), changes(f.fromNext, snap(c))...)
			} else {
				ch = append([]string{"did not call next: answered itself"}, changes(f.atEnter, snap(c))...)
			}
			if err != nil {
				ch = append(ch, "returned error: "+err.Error())
			}
			tr.add(t, TraceEvent{Layer: TraceMiddleware, Name: name, What: "left " + name, Detail: ch, Dur: time.Since(f.enter)}, nil)
			return err
		}
	}
}

// traceChain is chain with every middleware traced.
func traceChain(h Handler, mw []Middleware) Handler {
	traced := make([]Middleware, len(mw))
	for i, m := range mw {
		traced[i] = traceMiddleware(trimClosure(funcName(m)), m)
	}
	return chain(h, traced)
}
