package framework_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// chapterTraces are the requests docs/14-one-request.md walks through.
// Each is served by traceApp with tracing on, and its traces are quoted
// in the chapter after a "<!-- trace: name -->" line.
var chapterTraces = []struct{ name, raw string }{
	{"get", "GET /hello/ada HTTP/1.1\r\nHost: example.com\r\nCookie: sid=abc123\r\n\r\n"},
	{"pipelined", "GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\nGET /hello/b HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"upload", "POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 11\r\n\r\n"},
	{"smuggling", "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"405", "DELETE /page HTTP/1.1\r\nHost: x\r\n\r\n"},
	{"panic", "GET /boom HTTP/1.1\r\nHost: x\r\n\r\n"},
}

var (
	dateLine  = regexp.MustCompile(`Date: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT`)
	traceMark = regexp.MustCompile("(?s)(<!-- trace: ([a-z0-9-]+) -->\n```text\n)(.*?)(```)")
)

// chapterText renders the traces of one request as the chapter quotes
// them: without timings, with a fixed Date, and with a panic's stack
// reduced to its first line (its paths and addresses change from machine
// to machine).
func chapterText(traces []*framework.Trace) string {
	var b strings.Builder
	for i, t := range traces {
		c := *t
		c.Events = append([]framework.TraceEvent(nil), t.Events...)
		for j, e := range c.Events {
			if strings.HasPrefix(e.What, "panicked") && len(e.Detail) > 1 {
				c.Events[j].Detail = []string{"goroutine …: the whole stack, on the trace page and in the log"}
			}
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(dateLine.ReplaceAllString(c.Text(false), "Date: Mon, 30 Nov 2026 12:00:00 GMT"))
	}
	return b.String()
}

// TestOneRequestChapter checks that the traces quoted in
// docs/14-one-request.md are what the framework records today. Run it
// with GROUNDUP_UPDATE_CHAPTER=1 to rewrite them after a change.
func TestOneRequestChapter(t *testing.T) {
	const path = "../docs/14-one-request.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, ct := range chapterTraces {
		_, traces := frameworktest.TraceRaw(traceApp().Serve, ct.raw)
		want[ct.name] = chapterText(traces)
	}
	seen := map[string]bool{}
	out := traceMark.ReplaceAllStringFunc(string(doc), func(m string) string {
		p := traceMark.FindStringSubmatch(m)
		name := p[2]
		seen[name] = true
		w, ok := want[name]
		if !ok {
			t.Errorf("%s quotes an unknown trace %q", path, name)
			return m
		}
		if p[3] != w {
			if os.Getenv("GROUNDUP_UPDATE_CHAPTER") == "" {
				t.Errorf("%s: the trace %q has drifted; run GROUNDUP_UPDATE_CHAPTER=1 go test ./framework/ -run TestOneRequestChapter\nrecorded now:\n%s", path, name, w)
			}
		}
		return p[1] + w + p[4]
	})
	for _, ct := range chapterTraces {
		if !seen[ct.name] {
			t.Errorf("%s does not quote the trace %q", path, ct.name)
		}
	}
	if os.Getenv("GROUNDUP_UPDATE_CHAPTER") != "" && out != string(doc) {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
