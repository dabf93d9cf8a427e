package framework

import (
	"html"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// The trace pages: /_groundup/requests lists the kept traces, and
// /_groundup/requests/{id} shows one as a timeline, each event beside its
// raw bytes in a hex and ASCII view. They are answered only in dev mode
// with App.Traces set, and only to loopback clients unless the store
// allows others; otherwise 404. The HTML has no inline script or style:
// its stylesheet is served at /_groundup/trace.css, so the pages pass a
// strict Content-Security-Policy.

const tracePrefix = "/_groundup/"

// tracedHandler is the route's handler with each of its middleware
// traced, built the first time a traced request needs it.
func (r *Route) tracedHandler() Handler {
	r.tracedOnce.Do(func() { r.traced = traceChain(controllerLayer(r.action), r.mw) })
	return r.traced
}

// serveTraced serves a request when tracing is on or the trace pages may
// be asked for.
func (a *App) serveTraced(c *Ctx) error {
	// The error pages' stylesheet shares the prefix but is for everyone:
	// the router serves it (see errorcss.go).
	if a.Traces != nil && strings.HasPrefix(c.path, tracePrefix) && c.path != ErrorCSSPath {
		if t := c.Trace(); t != nil {
			t.skip = true // browsing traces should not push them out
		}
		return a.tracePages(c)
	}
	if c.tracer() == nil {
		return a.handler(c)
	}
	a.tracedOnce.Do(func() {
		inner := traceChain(a.dispatch, a.mw)
		a.traced = func(c *Ctx) error {
			c.layer = LayerMiddleware
			err := inner(c)
			if tr := c.tracer(); tr != nil {
				tr.returned(c, err)
			}
			return err
		}
	})
	return a.traced(c)
}

// traceAllowed reports whether c may see the trace pages.
func (a *App) traceAllowed(c *Ctx) bool {
	if !a.Dev || a.Traces == nil {
		return false
	}
	if a.Traces.AllowRemote {
		return true
	}
	host, _, err := net.SplitHostPort(c.RemoteAddr())
	if err != nil {
		return false
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

func (a *App) tracePages(c *Ctx) error {
	if !a.traceAllowed(c) {
		return ErrNotFound
	}
	if c.method != "GET" && c.method != "HEAD" {
		c.Header().Set("Allow", "GET, HEAD")
		return ErrMethodNotAllowed
	}
	c.Header().Set("Cache-Control", "no-store")
	c.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	c.Header().Set("X-Content-Type-Options", "nosniff")
	switch p := c.path; {
	case p == tracePrefix+"trace.css":
		c.Header().Set("Content-Type", "text/css; charset=utf-8")
		return c.Blob(StatusOK, "text/css; charset=utf-8", []byte(traceCSS))
	case p == tracePrefix+"requests" || p == tracePrefix+"requests/":
		return c.HTML(StatusOK, traceListHTML(a.Traces.List()))
	case strings.HasPrefix(p, tracePrefix+"requests/"):
		t := a.Traces.Get(strings.TrimPrefix(p, tracePrefix+"requests/"))
		if t == nil {
			return &HTTPError{Code: StatusNotFound, Message: "no such trace: it may have been pushed out by newer ones", Err: errNoTrace}
		}
		return c.HTML(StatusOK, traceHTML(t))
	}
	return ErrNotFound
}

var esc = html.EscapeString

func pageHead(title string) string {
	return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">" +
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
		"<title>" + esc(title) + "</title><link rel=\"stylesheet\" href=\"" + tracePrefix + "trace.css\"></head><body>"
}

func traceListHTML(ts []*Trace) string {
	var b strings.Builder
	b.WriteString(pageHead("Recent requests"))
	b.WriteString("<main><h1>Recent requests</h1><p class=\"note\">Newest first. Each trace follows one request from the socket to the socket.</p>")
	if len(ts) == 0 {
		b.WriteString("<p>No request traced yet.</p>")
	}
	b.WriteString("<ol class=\"list\">")
	for _, t := range ts {
		b.WriteString("<li><a href=\"" + tracePrefix + "requests/" + esc(t.ID) + "\"><span class=\"status s" + strconv.Itoa(t.Status/100) + "\">" +
			strconv.Itoa(t.Status) + "</span> <code>" + esc(t.Method) + " " + esc(t.Target) + "</code></a> <span class=\"note\">#" + esc(t.ID) + " " +
			esc(t.Start.Format(time.TimeOnly)) + " · " + strconv.Itoa(len(t.Events)) + " events</span></li>")
	}
	b.WriteString("</ol></main></body></html>\n")
	return b.String()
}

func traceHTML(t *Trace) string {
	var b strings.Builder
	b.WriteString(pageHead("Trace " + t.ID + ": " + t.Method + " " + t.Target))
	b.WriteString("<main><p><a href=\"" + tracePrefix + "requests\">← recent requests</a></p>")
	b.WriteString("<h1><code>" + esc(t.Method+" "+t.Target) + "</code> → " + strconv.Itoa(t.Status) + "</h1>")
	b.WriteString("<p class=\"note\">Trace #" + esc(t.ID) + " from " + esc(t.Remote) + " at " + esc(t.Start.Format(time.RFC3339Nano)))
	if t.Closed != "" {
		b.WriteString("; the connection closed after it: " + esc(t.Closed))
	}
	b.WriteString("</p><nav class=\"layers\">")
	for _, l := range []string{TraceSocket, TraceParser, TraceBody, TraceRouter, TraceMiddleware, TraceHandler, TraceView, TraceResponse, TraceConnection} {
		if n := len(t.Layer(l)); n > 0 {
			b.WriteString("<span class=\"tag l-" + l + "\">" + l + " " + strconv.Itoa(n) + "</span> ")
		}
	}
	b.WriteString("</nav><ol class=\"timeline\">")
	for _, e := range t.Events {
		b.WriteString("<li class=\"ev l-" + e.Layer + "\" data-layer=\"" + e.Layer + "\"><div class=\"meaning\"><p><span class=\"at\">+" + esc(fmtDur(e.At)) +
			"</span> <span class=\"tag l-" + e.Layer + "\">" + e.Layer + "</span> " + esc(e.What))
		if e.Dur > 0 {
			b.WriteString(" <span class=\"note\">(" + esc(fmtDur(e.Dur)) + ")</span>")
		}
		b.WriteString("</p>")
		if e.Rule != "" {
			b.WriteString("<p class=\"rule\">rule: " + esc(e.Rule) + "</p>")
		}
		if len(e.Detail) > 0 {
			b.WriteString("<ul>")
			for _, d := range e.Detail {
				b.WriteString("<li>" + esc(d) + "</li>")
			}
			b.WriteString("</ul>")
		}
		b.WriteString("</div>")
		if len(e.Bytes) > 0 {
			b.WriteString("<pre class=\"hex\">" + esc(hexView(e.Bytes)))
			if e.Left > 0 {
				b.WriteString("\n… " + strconv.Itoa(e.Left) + " more bytes not kept")
			}
			b.WriteString("</pre>")
		}
		b.WriteString("</li>")
	}
	b.WriteString("</ol></main></body></html>\n")
	return b.String()
}

// hexView lays bytes out 16 a line: offset, hex, then ASCII with '.' for
// anything unprintable.
func hexView(p []byte) string {
	const digits = "0123456789abcdef"
	var b strings.Builder
	for off := 0; off < len(p); off += 16 {
		line := p[off:min(off+16, len(p))]
		o := strconv.FormatInt(int64(off), 16)
		b.WriteString(strings.Repeat("0", max(0, 4-len(o))) + o + "  ")
		for i := range 16 {
			if i < len(line) {
				b.WriteByte(digits[line[i]>>4])
				b.WriteByte(digits[line[i]&15])
			} else {
				b.WriteString("  ")
			}
			b.WriteByte(' ')
			if i == 7 {
				b.WriteByte(' ')
			}
		}
		b.WriteString(" ")
		for _, c := range line {
			if c >= 0x20 && c < 0x7f {
				b.WriteByte(c)
			} else {
				b.WriteByte('.')
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

const traceCSS = `*{box-sizing:border-box}
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
main{max-width:76rem;margin:0 auto;padding:1rem}
h1{font-size:1.3rem;overflow-wrap:anywhere}
code,pre{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace}
.note{color:#666;font-size:.9em}
.list{padding-left:1.2rem}.list li{margin:.3rem 0;overflow-wrap:anywhere}
.status{font-weight:600}.s2{color:#176b2c}.s3{color:#1f4fa8}.s4{color:#9a5b00}.s5{color:#b00020}
.layers{display:flex;flex-wrap:wrap;gap:.3rem;margin:.5rem 0 1rem}
.tag{display:inline-block;padding:0 .4rem;border-radius:.3rem;font-size:.8em;font-weight:600;background:#e5e5ea}
.timeline{list-style:none;padding:0;margin:0}
.ev{display:grid;grid-template-columns:minmax(0,1fr);gap:.5rem;padding:.6rem;margin:0 0 .5rem;background:#fff;border:1px solid #ddd;border-left:4px solid #999;border-radius:.3rem}
.ev p{margin:0;overflow-wrap:anywhere}.ev ul{margin:.3rem 0 0;padding-left:1.2rem;font-size:.9em;overflow-wrap:anywhere}
.at{color:#666;font-size:.85em;font-variant-numeric:tabular-nums}
.rule{font-size:.9em;color:#5a3e00}
.hex{margin:0;padding:.5rem;background:#f2f2f7;overflow-x:auto;max-height:24rem}
@media (min-width:60rem){.ev{grid-template-columns:minmax(0,1fr) minmax(0,34rem)}}
.l-socket{border-left-color:#8e8e93}.tag.l-socket{background:#e5e5ea}
.l-parser{border-left-color:#0a84ff}.tag.l-parser{background:#d6e9ff}
.l-body{border-left-color:#5e5ce6}.tag.l-body{background:#e3e2ff}
.l-router{border-left-color:#30b0c7}.tag.l-router{background:#d5f1f6}
.l-middleware{border-left-color:#ff9f0a}.tag.l-middleware{background:#ffedd0}
.l-handler{border-left-color:#34c759}.tag.l-handler{background:#d9f5e0}
.l-view{border-left-color:#af52de}.tag.l-view{background:#f1dff9}
.l-response{border-left-color:#ff375f}.tag.l-response{background:#ffdbe2}
.l-connection{border-left-color:#636366}.tag.l-connection{background:#dcdce0}
`
