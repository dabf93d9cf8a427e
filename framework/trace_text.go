package framework

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A trace as text: what Trace.String prints, and what the chapter and a
// failed test show. The HTML page is trace_page.go.

func fmtDur(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Microsecond), 'f', 1, 64) + "µs"
}

// quoteLines splits raw bytes at line ends and quotes each line as Go
// would, CRLF shown as \r\n.
func quoteLines(p []byte) []string {
	var out []string
	for len(p) > 0 {
		i := strings.IndexByte(string(p), '\n')
		line := p
		if i >= 0 {
			line, p = p[:i+1], p[i+1:]
		} else {
			p = nil
		}
		q := strconv.Quote(string(line))
		out = append(out, q[1:len(q)-1])
	}
	return out
}

// chunkNotes finds the chunk-size lines and trailer fields in raw chunked
// coding that starts at a chunk boundary (the usual case; a line split
// between two reads is reported where it can be read).
func chunkNotes(p []byte) []string {
	var out []string
	s := string(p)
	trailers := false
	for len(s) > 0 {
		line, rest, ok := strings.Cut(s, "\r\n")
		if !ok {
			break
		}
		if trailers {
			if line == "" {
				break
			}
			name, value, _ := strings.Cut(line, ":")
			out = append(out, "trailer "+name+": "+maskValue(name, strings.TrimSpace(value)))
			s = rest
			continue
		}
		sz, _, _ := strings.Cut(line, ";")
		u, err := strconv.ParseUint(strings.TrimSpace(sz), 16, 62)
		if err != nil {
			break
		}
		n := int64(u)
		if n == 0 {
			out = append(out, "last chunk (size 0), then the trailer section")
			trailers = true
			s = rest
			continue
		}
		out = append(out, "chunk of "+strconv.FormatInt(n, 10)+" bytes")
		if int64(len(rest)) < n+2 {
			break
		}
		s = rest[n+2:]
	}
	return out
}

// sensitive names the fields whose values a trace masks.
func sensitive(name string) bool {
	for _, s := range [...]string{"Cookie", "Set-Cookie", "Authorization", "Proxy-Authorization"} {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}

func maskValue(name, value string) string {
	if sensitive(name) {
		return maskedValue(value)
	}
	return value
}

// maskedValue keeps the names of cookies and the scheme of credentials,
// which help to read a trace, and hides what would let a reader log in.
func maskedValue(v string) string {
	if scheme, cred, ok := strings.Cut(strings.TrimSpace(v), " "); ok && cred != "" && !strings.ContainsAny(scheme, "=;") {
		return scheme + " ***" // Authorization: Basic ..., Bearer ...
	}
	var parts []string
	for p := range strings.SplitSeq(v, ";") {
		if name, _, ok := strings.Cut(p, "="); ok {
			parts = append(parts, name+"=***")
		} else {
			parts = append(parts, p)
		}
	}
	return strings.TrimSpace(strings.Join(parts, ";"))
}

// maskRaw copies p, with the values of sensitive field lines replaced by
// '*' byte for byte, so that offsets in the hex view stay true.
func maskRaw(p []byte) []byte {
	out := append([]byte(nil), p...)
	for i := 0; i < len(out); {
		end := i
		for end < len(out) && out[end] != '\n' {
			end++
		}
		line := out[i:end]
		if c := strings.IndexByte(string(line), ':'); c > 0 && sensitive(string(line[:c])) {
			for j := c + 1; j < len(line); j++ {
				if line[j] != ' ' && line[j] != '\r' {
					line[j] = '*'
				}
			}
		}
		i = end + 1
	}
	return out
}

// Text renders the trace as text, one event a paragraph, raw bytes as
// quoted lines. Without times the text is the same on every run, which
// is what the docs chapter quotes.
func (t *Trace) Text(times bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "trace %s: %s %s -> %d", t.ID, t.Method, t.Target, t.Status)
	if t.Closed != "" {
		fmt.Fprintf(&b, ", then closed (%s)", t.Closed)
	}
	b.WriteString("\n")
	for _, e := range t.Events {
		if times {
			fmt.Fprintf(&b, "%9s ", fmtDur(e.At))
		}
		fmt.Fprintf(&b, "%-10s %s", e.Layer, e.What)
		if e.Name != "" && !strings.Contains(e.What, e.Name) {
			b.WriteString(" [" + e.Name + "]")
		}
		if times && e.Dur > 0 {
			b.WriteString(" (" + fmtDur(e.Dur) + ")")
		}
		b.WriteString("\n")
		pad := "           "
		if times {
			pad += "          "
		}
		if e.Rule != "" {
			b.WriteString(pad + "rule: " + e.Rule + "\n")
		}
		for _, d := range e.Detail {
			b.WriteString(pad + d + "\n")
		}
		for _, line := range quoteLines(e.Bytes) {
			b.WriteString(pad + "| " + line + "\n")
		}
		if e.Left > 0 {
			b.WriteString(pad + "| … " + strconv.Itoa(e.Left) + " more bytes not kept\n")
		}
	}
	return b.String()
}
