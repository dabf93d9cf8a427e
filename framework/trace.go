package framework

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/groundup-go/groundup/framework/http1"
)

// Tracing: one request followed across every layer. When a Server has a
// TraceStore, each connection carries a tracer, and the layers report to
// it through one-line hooks of the form
//
//	if cn.trace != nil { cn.trace.read(...) }
//
// so that with tracing off nothing is allocated and the only cost is a
// nil check. The tracer builds a Trace per request: the socket reads that
// brought it, the parser's decision, the body, the router, each
// middleware, the handler, the view, the response framing, the socket
// writes, and why the connection was kept or closed. A finished Trace is
// published to the store once the bytes of its response have been
// written, and never changes after that.

// Trace layers, in the order a request meets them.
const (
	TraceSocket     = "socket"
	TraceParser     = "parser"
	TraceBody       = "body"
	TraceRouter     = "router"
	TraceMiddleware = "middleware"
	TraceHandler    = "handler"
	TraceView       = "view"
	TraceResponse   = "response"
	TraceConnection = "connection"
)

// TraceEvent is one thing that happened to a request in one layer.
type TraceEvent struct {
	At     time.Duration // since the trace began
	Layer  string        // one of the Trace layer constants
	What   string        // one line: "read 78 bytes", "GET /x HTTP/1.1"
	Rule   string        // the rule that decided, when one did ("RFC 9112 §6.1")
	Name   string        // the middleware or view involved, if any
	Detail []string      // the parsed meaning, one item a line
	Bytes  []byte        // raw bytes, capped and masked
	Left   int           // raw bytes left out of Bytes by the cap
	Dur    time.Duration // for a middleware: from entering to leaving
}

// Trace is the record of one request. It is complete and read-only once
// it is in a TraceStore.
type Trace struct {
	ID     string
	Start  time.Time
	Remote string
	Method string
	Target string
	Status int    // the response status; 0 if none was sent
	Closed string // why the connection closed after it; "" if kept open
	Events []TraceEvent

	size    int  // bytes held, for the store's bound
	raw     int  // raw bytes held, for the per-trace cap
	skip    bool // the trace pages' own requests are not kept
	respond bool // the response has begun: writes belong to it
}

// Layer returns the events of one layer, in order.
func (t *Trace) Layer(layer string) []TraceEvent {
	var out []TraceEvent
	for _, e := range t.Events {
		if e.Layer == layer {
			out = append(out, e)
		}
	}
	return out
}

// Find returns the first event of layer whose What, Rule, Name or Detail
// contains substr, and whether there is one: a test asserts with it that
// "the parser refused this with rule X" or "middleware Y added header Z".
func (t *Trace) Find(layer, substr string) (TraceEvent, bool) {
	for _, e := range t.Events {
		if e.Layer != layer {
			continue
		}
		if strings.Contains(e.What, substr) || strings.Contains(e.Rule, substr) || strings.Contains(e.Name, substr) {
			return e, true
		}
		for _, d := range e.Detail {
			if strings.Contains(d, substr) {
				return e, true
			}
		}
	}
	return TraceEvent{}, false
}

// String renders the trace as text, with timings: what a failed test
// prints.
func (t *Trace) String() string { return t.Text(true) }

// Per-trace bounds.
const (
	traceEventBytes = 2048     // raw bytes kept per event
	traceRawBytes   = 32 << 10 // raw bytes kept per trace
	traceMaxEvents  = 512      // events kept per trace
)

// tracer follows the requests of one connection. Only the connection's
// goroutine uses it.
type tracer struct {
	store  *TraceStore
	remote string
	cur    *Trace   // the request being read or served
	done   []*Trace // answered, waiting for their bytes to leave
	last   int      // bytes of the latest read
	stack  []mwFrame
	body   int64 // body bytes recorded so far (cur)
	coding int   // chunked coding bytes recorded so far (cur)
}

func newTracer(s *TraceStore, nc net.Conn) *tracer {
	if s == nil {
		return nil
	}
	return &tracer{store: s, remote: nc.RemoteAddr().String()}
}

// begin starts the trace of the next request if none is open.
func (tr *tracer) begin() *Trace {
	if tr.cur == nil {
		tr.cur = &Trace{ID: tr.store.nextID(), Start: time.Now(), Remote: tr.remote}
		tr.stack = tr.stack[:0]
		tr.body, tr.coding = 0, 0
	}
	return tr.cur
}

// add appends an event to t, stamping it and holding its bytes to the
// caps, masked.
func (tr *tracer) add(t *Trace, e TraceEvent, raw []byte) {
	if len(t.Events) >= traceMaxEvents {
		return
	}
	e.At = time.Since(t.Start)
	if raw != nil {
		keep := min(len(raw), traceEventBytes, max(0, traceRawBytes-t.raw))
		e.Bytes = maskRaw(raw[:keep])
		e.Left = len(raw) - keep
		t.raw += keep
	}
	t.size += 96 + len(e.What) + len(e.Rule) + len(e.Name) + len(e.Bytes)
	for _, d := range e.Detail {
		t.size += 16 + len(d)
	}
	t.Events = append(t.Events, e)
}

func (tr *tracer) event(layer, what string) {
	tr.add(tr.begin(), TraceEvent{Layer: layer, What: what}, nil)
}

// read records a socket read that brought bytes of a request.
func (tr *tracer) read(p []byte) {
	tr.last = len(p)
	tr.add(tr.begin(), TraceEvent{Layer: TraceSocket, What: "read " + strconv.Itoa(len(p)) + " bytes"}, p)
}

// parsed records a head that parsed: it spans buf[r-n:r] of the read
// buffer, whose bytes end at w.
func (tr *tracer) parsed(h *http1.Head, r, w int) {
	t := tr.cur
	if t == nil || len(t.Layer(TraceSocket)) == 0 {
		t = tr.begin()
		tr.add(t, TraceEvent{Layer: TraceSocket, What: "no read: the head was already buffered behind the previous request (pipelined)"}, nil)
	} else if i := lastEvent(t, TraceSocket); i >= 0 && w > r && w-r < tr.last {
		e := &t.Events[i]
		e.Detail = append(e.Detail, "the head ends at byte "+strconv.Itoa(tr.last-(w-r))+" of this read")
	}
	t.Method, t.Target = h.Method, h.Target
	e := TraceEvent{Layer: TraceParser, What: h.Method + " " + h.Target + " " + h.Proto()}
	e.Detail = append(e.Detail, "head: "+strconv.Itoa(len(h.Raw))+" bytes, "+strconv.Itoa(len(h.Fields))+" fields")
	for _, f := range h.Fields {
		e.Detail = append(e.Detail, "field "+f.Name+": "+maskValue(f.Name, f.Value))
	}
	how, rule := h.Framing()
	if h.ContentLength >= 0 {
		how += " " + strconv.FormatInt(h.ContentLength, 10)
	}
	e.Detail = append(e.Detail, "body framing: "+how+" ("+rule+")")
	keep, prule := h.Persistence()
	persist := "close"
	if keep {
		persist = "keep-alive"
	}
	e.Detail = append(e.Detail, "persistence: "+persist+" ("+prule+")")
	if h.Expect100 {
		e.Detail = append(e.Detail, "Expect: 100-continue: the client waits for 100 before sending the body")
	}
	if w > r {
		e.Detail = append(e.Detail, strconv.Itoa(w-r)+" bytes buffered after the head (its body, or a pipelined neighbour)")
	}
	tr.add(t, e, nil)
	if strings.HasPrefix(h.Path, tracePrefix) {
		t.skip = true
	}
}

func lastEvent(t *Trace, layer string) int {
	for i := len(t.Events) - 1; i >= 0; i-- {
		if t.Events[i].Layer == layer {
			return i
		}
	}
	return -1
}

// refused records a canned answer: a protocol error, or a body or a head
// the server would not wait for.
func (tr *tracer) refused(pe *http1.ProtocolError) {
	t := tr.begin()
	if t.Method == "" {
		t.Method, t.Target = requestLine(t)
	}
	t.Status = pe.Status
	tr.add(t, TraceEvent{Layer: TraceParser, What: "refused: " + strconv.Itoa(pe.Status) + " " + StatusText(pe.Status) + ": " + pe.Reason, Rule: pe.Rule()}, nil)
	t.respond = true
}

// requestLine reads the method and target of a refused request from the
// first bytes read, as sent: the parser keeps nothing of a head it
// refuses.
func requestLine(t *Trace) (method, target string) {
	for _, e := range t.Events {
		if e.Layer != TraceSocket || len(e.Bytes) == 0 {
			continue
		}
		line, _, _ := strings.Cut(string(e.Bytes), "\n")
		if f := strings.Fields(line); len(f) == 3 && len(f[0]) < 20 {
			return f[0], f[1]
		}
		break
	}
	return "?", "(no request line)"
}

// sentContinue records the interim 100 Continue; the write that carries
// it belongs to this request's response.
func (tr *tracer) sentContinue() {
	tr.event(TraceBody, "sent 100 Continue: the handler read the body, so the client may send it")
	tr.cur.respond = true
}

// bodyRead records one read of the request body by the handler (or the
// drain after it).
func (tr *tracer) bodyRead(b *body, n int) {
	if n == 0 && !b.done {
		return
	}
	tr.body += int64(n)
	what := "read " + strconv.Itoa(n) + " body bytes (" + strconv.FormatInt(b.n, 10) + " so far, limit " + strconv.FormatInt(b.limit, 10) + ")"
	if b.done {
		what += "; body complete"
	}
	tr.add(tr.begin(), TraceEvent{Layer: TraceBody, What: what}, nil)
}

// chunked records bytes of the chunked coding as the decoder consumed
// them, with the chunk sizes and trailers they hold.
func (tr *tracer) chunked(coding []byte, done bool) {
	if len(coding) == 0 {
		return
	}
	e := TraceEvent{Layer: TraceBody, What: "decoded " + strconv.Itoa(len(coding)) + " bytes of chunked coding"}
	e.Detail = chunkNotes(coding)
	if done {
		e.Detail = append(e.Detail, "last chunk and trailer section read")
	}
	tr.add(tr.begin(), e, coding)
}

// route records the router's decision, as App.Explain reports it.
func (tr *tracer) route(ex Explanation) {
	e := TraceEvent{Layer: TraceRouter, What: ex.Result()}
	for _, s := range ex.Steps {
		if s.Tree >= 0 {
			e.Detail = append(e.Detail, "tree "+strconv.Itoa(s.Tree)+": "+s.Text)
		} else {
			e.Detail = append(e.Detail, s.Text)
		}
	}
	if ex.Route != nil {
		e.Name = ex.Route.HandlerName()
	}
	tr.add(tr.begin(), e, nil)
}

// returned records the handler chain's result.
func (tr *tracer) returned(c *Ctx, err error) {
	if err == nil {
		tr.event(TraceHandler, "returned nil")
		return
	}
	tr.add(tr.begin(), TraceEvent{Layer: TraceHandler, What: "returned an error: " + err.Error(),
		Detail: []string{"layer: " + string(layerOf(c, err)), "status: " + strconv.Itoa(StatusCode(err))}}, nil)
}

// panicked records a recovered panic and its stack.
func (tr *tracer) panicked(v any, stack []byte) {
	e := TraceEvent{Layer: TraceHandler, What: fmt.Sprintf("panicked: %v", v)}
	lines := strings.Split(strings.TrimSpace(string(stack)), "\n")
	if len(lines) > 40 {
		lines = append(lines[:40], "… "+strconv.Itoa(len(lines)-40)+" more lines")
	}
	e.Detail = lines
	tr.add(tr.begin(), e, nil)
}

// view records a rendered component and the bytes it wrote.
func (tr *tracer) view(component any, n int64) {
	name := trimClosure(funcName(component))
	if name == "" {
		name = fmt.Sprintf("%T", component)
	}
	tr.add(tr.begin(), TraceEvent{Layer: TraceView, Name: name, What: "rendered " + name + ": " + strconv.FormatInt(n, 10) + " bytes"}, nil)
}

// framed records the response framing decision, made when the head is
// written.
func (tr *tracer) framed(r *response, code int, rule *framingRule) {
	t := tr.begin()
	t.Status = code
	t.respond = true
	how := [...]string{framingNone: "no body", framingLength: "Content-Length", framingDeclared: "the handler's Content-Length",
		framingChunked: "chunked", framingClose: "until the connection closes"}[rule.choose]
	e := TraceEvent{Layer: TraceResponse, What: strconv.Itoa(code) + " " + StatusText(code) + ", body framed by " + how, Rule: rule.reason}
	for _, f := range r.header.Fields() {
		e.Detail = append(e.Detail, "field "+f.Name+": "+maskValue(f.Name, f.Value))
	}
	tr.add(t, e, nil)
}

// wrote records a write to the socket. Its bytes belong to every
// answered request still waiting, and to the current one once its
// response has begun; those answered are then published.
func (tr *tracer) wrote(p []byte) {
	var owners []*Trace
	owners = append(owners, tr.done...)
	if tr.cur != nil && tr.cur.respond {
		owners = append(owners, tr.cur)
	}
	what := "wrote " + strconv.Itoa(len(p)) + " bytes"
	if len(owners) > 1 {
		what += " in one write with the responses to " + strconv.Itoa(len(owners)-1) + " pipelined neighbour(s)"
	}
	for _, t := range owners {
		tr.add(t, TraceEvent{Layer: TraceSocket, What: what}, p)
	}
	tr.publish()
}

// finished records the end of a request: the connection is kept for the
// next or closes, and why.
func (tr *tracer) finished(c *Ctx, closeReason string) {
	t := tr.begin()
	if t.Status == 0 {
		t.Status = c.res.statusCode()
	}
	if closeReason == "" {
		tr.add(t, TraceEvent{Layer: TraceConnection, What: "kept open for the next request (keep-alive)"}, nil)
	} else {
		t.Closed = closeReason
		tr.add(t, TraceEvent{Layer: TraceConnection, What: "closing after the response: " + closeReason}, nil)
	}
	tr.done = append(tr.done, t)
	tr.cur = nil
}

// ended publishes what is left when the connection ends.
func (tr *tracer) ended(closeReason string) {
	if t := tr.cur; t != nil && t.Method != "" {
		if t.Closed == "" && closeReason != "" {
			t.Closed = closeReason
			tr.add(t, TraceEvent{Layer: TraceConnection, What: "closed: " + closeReason}, nil)
		}
		tr.done = append(tr.done, t)
	}
	tr.cur = nil
	tr.publish()
}

func (tr *tracer) publish() {
	for _, t := range tr.done {
		if !t.skip {
			tr.store.add(t)
		}
	}
	clear(tr.done)
	tr.done = tr.done[:0]
}

// current returns the trace of the request being served.
func (tr *tracer) current() *Trace {
	if tr == nil {
		return nil
	}
	return tr.cur
}

// tracer returns the connection's tracer, nil when tracing is off.
func (c *Ctx) tracer() *tracer {
	if c.conn == nil {
		return nil
	}
	return c.conn.trace
}

// Trace returns the trace of this request, or nil when tracing is off.
// It is still being written while the request is served.
func (c *Ctx) Trace() *Trace { return c.tracer().current() }

// TraceID returns the ID of this request's trace, "" when tracing is off.
func (c *Ctx) TraceID() string {
	if t := c.Trace(); t != nil {
		return t.ID
	}
	return ""
}

// errNoTrace is returned by a trace page for an unknown ID.
var errNoTrace = errors.New("no such trace")
