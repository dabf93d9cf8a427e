package http1

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/textproto"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// This file checks the parser against net/http, the reference
// implementation the Go team has hardened for over a decade. The two must
// agree on every input, except in the cases listed in stricter and lenient
// below. Each listed case is a deliberate choice with an RFC behind it, and
// each predicate is written from the input and net/http's result, never from
// our own parser's answer, so a bug of ours cannot excuse itself.

// excuse is one documented reason for the two parsers to disagree.
type excuse struct {
	name  string
	why   string
	match func(c *fuzzCase) bool
}

// fuzzCase is one request as net/http saw it.
type fuzzCase struct {
	data   []byte        // the input without leading empty lines
	raw    []byte        // the head as net/http's line reader delimits it
	lines  []string      // its lines without line endings; lines[0] is the request line
	req    *http.Request // net/http's parse, if it succeeded
	fields [][2]string   // raw name/value pairs from lines[1:], split at the first colon
}

// stricter lists what we refuse although http.ReadRequest accepts it.
var stricter = []excuse{
	{"bare LF or bare CR", "RFC 9112 §2.2 only lets a recipient accept a bare LF; we refuse it (and a CR that does not end a line), so that we never disagree with a proxy about where a line ends",
		func(c *fuzzCase) bool {
			for i, b := range c.raw {
				if b == '\n' && (i == 0 || c.raw[i-1] != '\r') || b == '\r' && (i+1 == len(c.raw) || c.raw[i+1] != '\n') {
					return true
				}
			}
			return false
		}},
	{"obs-fold, or whitespace before the first field", "RFC 9112 §5.2: a server MUST either reject obs-fold with 400 or replace it; §2.2: whitespace after the request line MUST be rejected or skipped",
		func(c *fuzzCase) bool {
			return slices.ContainsFunc(c.lines[1:], func(l string) bool { return l != "" && (l[0] == ' ' || l[0] == '\t') })
		}},
	{"whitespace in or after a field name", "RFC 9110 §5.1: a field name is a token; RFC 9112 §5.1: whitespace before the colon MUST get 400 (net/http accepts such names and does not canonicalise them, go.dev/issue/34540)",
		func(c *fuzzCase) bool {
			return slices.ContainsFunc(c.fields, func(f [2]string) bool { return strings.ContainsAny(f[0], " \t") })
		}},
	{"HTTP version other than 1.0 and 1.1", "RFC 9110 §2.5 and §15.6.6: we serve HTTP/1.2+ as 1.1 and answer 505 to other majors; ReadRequest parses any HTTP/d.d and leaves the choice to the server",
		func(c *fuzzCase) bool { return c.req.Proto != "HTTP/1.0" && c.req.Proto != "HTTP/1.1" }},
	{"HTTP/1.1 without Host", "RFC 9112 §3.2: a server MUST answer 400 (net/http's server does; ReadRequest does not)",
		func(c *fuzzCase) bool { return c.req.ProtoMinor == 1 && !c.has("Host") }},
	{"Host that is not uri-host [ \":\" port ]", "RFC 9112 §3.2: a Host with an invalid value MUST get 400; we also refuse percent-encoded and IPvFuture hosts, and a port without a host",
		func(c *fuzzCase) bool { v, ok := c.first("Host"); return ok && !oracleHostOK(v, true) }},
	{"absolute-form authority that is empty, has userinfo, or is not uri-host [ \":\" port ]", "RFC 9110 §4.2.1: an empty host MUST be rejected; §4.2.4: userinfo SHOULD be treated as an error",
		func(c *fuzzCase) bool {
			u := c.req.RequestURI
			i := strings.Index(u, "://")
			if i < 0 || u[0] == '/' {
				return false
			}
			auth := u[i+3:]
			if j := strings.IndexAny(auth, "/?"); j >= 0 {
				auth = auth[:j]
			}
			return !oracleHostOK(auth, false)
		}},
	{"request-target with a byte outside visible ASCII, or a fragment", "RFC 9112 §3.2: the target is URI syntax (ASCII) and has no fragment; net/url keeps obs-text and '#' in the path",
		func(c *fuzzCase) bool {
			return strings.ContainsFunc(c.req.RequestURI, func(r rune) bool { return r < 0x21 || r > 0x7e || r == '#' })
		}},
	{"request-target in a form we do not serve", "RFC 9112 §3.2: we accept origin-form, http(s) absolute-form and OPTIONS *; net/url accepts any scheme, opaque URIs and '*' with any method",
		func(c *fuzzCase) bool {
			u := c.req.RequestURI
			if u == "" {
				return true // CONNECT with an empty authority gets this far in net/http
			}
			if u == "*" {
				return c.req.Method != "OPTIONS"
			}
			lu := strings.ToLower(u)
			return u[0] != '/' && !strings.HasPrefix(lu, "http://") && !strings.HasPrefix(lu, "https://")
		}},
	{"CONNECT", "RFC 9110 §9.3.6: we are not a proxy, so CONNECT gets 501",
		func(c *fuzzCase) bool { return c.req.Method == "CONNECT" }},
	{"Transfer-Encoding in HTTP/1.0", "RFC 9112 §6.1: the framing MUST be treated as faulty; net/http ignores the field instead (go.dev/issue/12785)",
		func(c *fuzzCase) bool { return c.req.ProtoMinor == 0 && c.has("Transfer-Encoding") }},
	{"Transfer-Encoding together with Content-Length", "RFC 9112 §6.1 allows rejecting it and §11.2 explains why we do: request smuggling",
		func(c *fuzzCase) bool { return c.has("Transfer-Encoding") && c.has("Content-Length") }},
	{"expectation other than 100-continue", "RFC 9110 §10.1.1: we answer 417 (net/http's server does too; ReadRequest does not look)",
		func(c *fuzzCase) bool {
			for _, f := range c.fields {
				if strings.EqualFold(strings.TrimSpace(f[0]), "Expect") {
					for _, e := range strings.Split(f[1], ",") {
						if e = strings.Trim(e, " \t"); e != "" && !strings.EqualFold(e, "100-continue") {
							return true
						}
					}
				}
			}
			return false
		}},
	{"over the default limits", "RFC 9110 §15.5.15 (414) and RFC 6585 §5 (431): ReadRequest has no limits of its own",
		func(c *fuzzCase) bool {
			return len(c.raw) > DefaultMaxHeaderBytes || len(c.req.RequestURI) > DefaultMaxURIBytes || len(c.fields) > DefaultMaxHeaderCount
		}},
}

// lenient lists what we accept although http.ReadRequest refuses it.
// (Leading empty lines, RFC 9112 §2.2, are the other case: the test strips
// them before it calls net/http, which would refuse them.)
var lenient = []excuse{
	{"Content-Length as a list of identical values", "RFC 9110 §8.6: a recipient MAY replace \"5, 5\" by the single value; net/http refuses the list",
		func(c *fuzzCase) bool {
			return slices.ContainsFunc(c.fields, func(f [2]string) bool {
				return strings.EqualFold(f[0], "Content-Length") && strings.Contains(f[1], ",")
			})
		}},
}

var (
	oracleRegName = regexp.MustCompile(`^[A-Za-z0-9\-._~!$&'()*+,;=]*$`)
	oraclePort    = regexp.MustCompile(`^[0-9]*$`)
)

// oracleHostOK is an independent reading of uri-host [ ":" port ]
// (RFC 3986 §3.2.2) with our two restrictions: no pct-encoding and only
// IPv6 inside brackets.
func oracleHostOK(s string, emptyOK bool) bool {
	if s == "" {
		return emptyOK
	}
	host, port, hasPort := s, "", false
	if s[0] == '[' {
		end := strings.Index(s, "]")
		if end < 0 {
			return false
		}
		host = s[:end+1]
		if rest := s[end+1:]; rest != "" {
			if rest[0] != ':' {
				return false
			}
			port, hasPort = rest[1:], true
		}
		a, err := netip.ParseAddr(host[1:end])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return false
		}
	} else if i := strings.LastIndex(s, ":"); i >= 0 {
		host, port, hasPort = s[:i], s[i+1:], true
	}
	if strings.Contains(s, "@") || !oraclePort.MatchString(port) || hasPort && host == "" {
		return false
	}
	return host[0] == '[' || oracleRegName.MatchString(host) && host != ""
}

func (c *fuzzCase) has(name string) bool {
	return slices.ContainsFunc(c.fields, func(f [2]string) bool { return strings.EqualFold(f[0], name) })
}

func (c *fuzzCase) first(name string) (string, bool) {
	i := slices.IndexFunc(c.fields, func(f [2]string) bool { return strings.EqualFold(f[0], name) })
	if i < 0 {
		return "", false
	}
	return c.fields[i][1], true
}

func (c *fuzzCase) excusedBy(list []excuse) string {
	for _, e := range list {
		if e.match(c) {
			return e.name
		}
	}
	return ""
}

// newFuzzCase splits data into lines the way net/http's line reader does
// (LF ends a line, one CR before it is dropped) up to the first empty line.
func newFuzzCase(data []byte, req *http.Request) *fuzzCase {
	c := &fuzzCase{data: data, req: req}
	pos := 0
	for pos < len(data) {
		i := bytes.IndexByte(data[pos:], '\n')
		if i < 0 {
			break
		}
		line := data[pos : pos+i]
		pos += i + 1
		line = bytes.TrimSuffix(line, []byte("\r"))
		c.lines = append(c.lines, string(line))
		if len(line) == 0 && len(c.lines) > 1 {
			break
		}
	}
	c.raw = data[:pos]
	if len(c.lines) == 0 {
		c.lines = []string{""}
	}
	for _, l := range c.lines[1:] {
		if name, value, ok := strings.Cut(l, ":"); ok {
			c.fields = append(c.fields, [2]string{name, strings.Trim(value, " \t")})
		}
	}
	return c
}

func leadingEmptyLines(data []byte) int {
	i := 0
	for i+1 < len(data) && data[i] == '\r' && data[i+1] == '\n' {
		i += 2
	}
	return i
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(browserGET))
	for _, tc := range okCases {
		f.Add([]byte(tc.in))
	}
	for _, tc := range badCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(checkAgainstNetHTTP)
}

// FuzzParseParts builds the request from parts, so that the fuzzer spends
// its time inside targets and field values instead of breaking the
// request line, and runs the same comparison.
func FuzzParseParts(f *testing.F) {
	f.Add("GET", "/a%20b?c=d", "HTTP/1.1", "Accept", "text/html, */*;q=0.8", "h.example:80")
	f.Add("OPTIONS", "*", "HTTP/1.1", "Max-Forwards", "0", "h")
	f.Add("POST", "http://h/x", "HTTP/1.0", "Content-Length", "5, 5", "")
	f.Add("PUT", "/f", "HTTP/1.1", "Transfer-Encoding", "chunked", "[::1]:8080")
	f.Add("GET", "/", "HTTP/1.1", "Connection", "close", "h")
	f.Add("GET", "/", "HTTP/1.1", "Expect", "100-continue", "h")
	f.Fuzz(func(t *testing.T, method, target, version, name, value, host string) {
		req := method + " " + target + " " + version + "\r\nHost: " + host + "\r\n" + name + ": " + value + "\r\n\r\n"
		checkAgainstNetHTTP(t, []byte(req))
	})
}

// checkAgainstNetHTTP is the body of the differential fuzz tests.
func checkAgainstNetHTTP(t *testing.T, data []byte) {
	compareFastPath(t, data, Limits{})
	var h Head
	n, err := Parse(data, Limits{}, &h)
	lead := leadingEmptyLines(data)
	req, nerr := http.ReadRequest(bufio.NewReader(bytes.NewReader(data[lead:])))

	var pe *ProtocolError
	switch {
	case err == nil:
		checkOwnInvariants(t, data, lead, n, &h)
		c := newFuzzCase(data[lead:], req)
		if nerr != nil {
			if c.excusedBy(lenient) == "" {
				t.Fatalf("we accept %q, net/http refuses: %v", data, nerr)
			}
			return
		}
		if n != lead+len(c.raw) {
			t.Fatalf("head of %q ends at %d, net/http's at %d", data, n, lead+len(c.raw))
		}
		compareWithNetHTTP(t, data, &h, req)

	case err == ErrNeedMore:
		if n != 0 || len(data) >= DefaultMaxHeaderBytes {
			t.Fatalf("ErrNeedMore with n=%d for %d bytes", n, len(data))
		}
		if nerr == nil {
			t.Fatalf("we want more of %q, net/http accepts it", data)
		}

	case errors.As(err, &pe):
		switch pe.Status {
		case 400, 414, 417, 431, 501, 505:
		default:
			t.Fatalf("unexpected status %d", pe.Status)
		}
		if n != 0 || h.Method != "" || len(h.Fields) != 0 {
			t.Fatalf("error %v left n=%d, head %#v", err, n, h)
		}
		if nerr == nil {
			if why := newFuzzCase(data[lead:], req).excusedBy(stricter); why == "" {
				t.Fatalf("we refuse %q (%v), net/http accepts it", data, err)
			}
		}

	default:
		t.Fatalf("unexpected error type %T: %v", err, err)
	}
}

// checkOwnInvariants checks what must hold for any accepted head,
// whatever net/http says.
func checkOwnInvariants(t *testing.T, data []byte, lead, n int, h *Head) {
	t.Helper()
	if n > len(data) || h.Raw != string(data[lead:n]) {
		t.Fatalf("n=%d, Raw=%q for %q", n, h.Raw, data)
	}
	checkSubstrings(t, h)
	var again Head
	if m, err := Parse(data[:n], Limits{}, &again); m != n || err != nil || !reflect.DeepEqual(&again, h) {
		t.Fatalf("reparsing the head alone: %d, %v, %#v", m, err, again)
	}
	if m, err := Parse(data[:n-1], Limits{}, &again); m != 0 || err != ErrNeedMore {
		t.Fatalf("head minus one byte: %d, %v", m, err)
	}
}

func compareWithNetHTTP(t *testing.T, data []byte, h *Head, req *http.Request) {
	t.Helper()
	fail := func(what string, ours, theirs any) {
		t.Helper()
		t.Fatalf("%q: %s: ours %#v, net/http %#v", data, what, ours, theirs)
	}
	if h.Method != req.Method {
		fail("method", h.Method, req.Method)
	}
	if h.Target != req.RequestURI {
		fail("target", h.Target, req.RequestURI)
	}
	// HTTP/1.2 and up are served as HTTP/1.1 (RFC 9110 §2.5); net/http
	// reports the minor version as sent.
	if h.Proto() != req.Proto && !(req.ProtoMajor == 1 && req.ProtoMinor > 1 && h.Minor == 1) {
		fail("proto", h.Proto(), req.Proto)
	}
	if h.Host != req.Host {
		fail("host", h.Host, req.Host)
	}
	if h.RawQuery != req.URL.RawQuery {
		fail("query", h.RawQuery, req.URL.RawQuery)
	}
	if p, err := url.PathUnescape(h.Path); err != nil || p != req.URL.Path && !(h.Path == "/" && req.URL.Path == "") {
		fail("path", h.Path, req.URL.Path)
	}
	if h.Close != req.Close {
		fail("close", h.Close, req.Close)
	}

	ours := http.Header{}
	for _, f := range h.Fields {
		ours.Add(f.Name, f.Value)
	}
	// What ReadRequest changes in its Header: it removes Host (compared
	// above as req.Host) and Transfer-Encoding (reported in
	// req.TransferEncoding), merges duplicate Content-Length lines, and
	// adds Cache-Control for "Pragma: no-cache".
	ours.Del("Host")
	ours.Del("Transfer-Encoding")
	ours.Del("Content-Length")
	theirs := req.Header.Clone()
	theirs.Del("Content-Length")
	if pragma := ours["Pragma"]; len(pragma) > 0 && pragma[0] == "no-cache" && ours["Cache-Control"] == nil {
		ours["Cache-Control"] = []string{"no-cache"}
	}
	if len(ours) == 0 && len(theirs) == 0 {
		ours, theirs = nil, nil
	}
	if !reflect.DeepEqual(ours, theirs) {
		fail("header", ours, theirs)
	}

	switch {
	case h.Chunked:
		if req.ContentLength != -1 || !slices.Equal(req.TransferEncoding, []string{"chunked"}) {
			fail("chunked", h.Chunked, req.TransferEncoding)
		}
	case h.ContentLength >= 0:
		if req.ContentLength != h.ContentLength {
			fail("content length", h.ContentLength, req.ContentLength)
		}
	default:
		if req.ContentLength != 0 || req.TransferEncoding != nil {
			fail("no body", h.ContentLength, req.ContentLength)
		}
	}
}

// Chunked decoding is compared with httputil.NewChunkedReader, the public
// face of net/http's decoder, followed by textproto for the trailer
// section (net/http's chunked reader stops after the last chunk and leaves
// the trailer to its caller).

// stricterChunked lists what our decoder refuses although net/http's
// accepts it.
var stricterChunked = []excuse{
	{"chunk-size line outside the grammar", "RFC 9112 §7.1.1: chunk-ext = *( BWS \";\" BWS name [ BWS \"=\" BWS value ] ); net/http trims trailing whitespace and drops everything after ';' unchecked",
		func(c *fuzzCase) bool {
			return slices.ContainsFunc(c.lines, func(l string) bool { return !oracleChunkLine.MatchString(l) })
		}},
	{"trailer with obs-fold, bare LF or CR, or whitespace in a field name", "RFC 9110 §5.1 and RFC 9112 §5.1, §5.2 and §2.2 apply to trailer fields as to header fields",
		func(c *fuzzCase) bool {
			return bytes.Contains(c.raw, []byte("\n ")) || bytes.Contains(c.raw, []byte("\n\t")) ||
				oracleBadTrailer.Match(c.raw)
		}},
	{"trailer section over MaxTrailerBytes", "RFC 9112 §7.1.2 lets a recipient bound the trailer; textproto has no small bound",
		func(c *fuzzCase) bool { return len(c.raw) > DefaultMaxTrailerBytes }},
}

// lenientChunked lists what our decoder accepts although net/http's
// refuses it.
var lenientChunked = []excuse{
	{"whitespace between chunk-size and ';'", "RFC 9112 §7.1.1 allows BWS there and RFC 9110 §5.6.3 says a recipient MUST parse and remove it; net/http reads the space as part of the number",
		func(c *fuzzCase) bool {
			return slices.ContainsFunc(c.lines, func(l string) bool { return oracleBWSChunk.MatchString(l) })
		}},
}

var oracleBWSChunk = regexp.MustCompile(`^[0-9A-Fa-f]+[ \t]+;`)

const (
	oToken  = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+"
	oQuoted = `"(?:[\t !#-\[\]-~\x{80}-\x{ff}]|\\[\t -~\x{80}-\x{ff}])*"`
)

// oracleBadTrailer matches a bare LF, a bare CR, or whitespace in a field name.
var oracleBadTrailer = regexp.MustCompile(`(^|[^\r])\n|\r([^\n]|$)|(^|\n)[^:\r\n]*[ \t][^:\r\n]*:`)

var oracleChunkLine = regexp.MustCompile(`^[0-9A-Fa-f]+(?:[ \t]*;[ \t]*` + oToken + `(?:[ \t]*=[ \t]*(?:` + oToken + `|` + oQuoted + `))?)*$`)

// chunkedCase walks data the way net/http does and records the chunk-size
// lines it read (in lines) and the trailer section (in raw).
func chunkedCase(data []byte, consumed int) *fuzzCase {
	c := &fuzzCase{}
	pos := 0
	for pos < len(data) {
		i := bytes.IndexByte(data[pos:], '\n')
		if i < 0 {
			break
		}
		line := string(bytes.TrimSuffix(data[pos:pos+i], []byte("\r")))
		pos += i + 1
		// oracleChunkLine sees bytes, not runes; map obs-text onto U+0080-00FF.
		c.lines = append(c.lines, latin1(line))
		var size uint64
		for i := 0; i < len(line) && i < 16 && strings.IndexByte("0123456789abcdefABCDEF", line[i]) >= 0; i++ {
			size = size<<4 | uint64(strings.IndexByte("0123456789abcdef", line[i]|0x20))
		}
		if size == 0 || size > uint64(len(data)) {
			break
		}
		pos += int(size) + 2
	}
	if pos <= consumed && consumed <= len(data) {
		c.raw = data[pos:consumed]
	}
	return c
}

func latin1(s string) string {
	r := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		r[i] = rune(s[i])
	}
	return string(r)
}

func FuzzChunked(f *testing.F) {
	for _, tc := range chunkedCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Ours, one-shot.
		var d ChunkedDecoder
		out, n, done, err := decodeAll(&d, data, 4096)

		// Ours, fed in pseudo-random pieces into a small dst: must match.
		seed := uint32(len(data)) * 2654435761
		for _, b := range data {
			seed = seed*31 + uint32(b)
		}
		next := func(int) int { seed = seed*1664525 + 1013904223; return int(seed>>24)%17 + 1 }
		var d2 ChunkedDecoder
		out2, n2, done2, err2 := feedSplit(&d2, data, next, 5)
		if !bytes.Equal(out, out2) || n != n2 || done != done2 || (err == nil) != (err2 == nil) {
			t.Fatalf("%q: one-shot %q %d %v %v; incremental %q %d %v %v", data, out, n, done, err, out2, n2, done2, err2)
		}

		// net/http.
		r := bytes.NewReader(data)
		br := bufio.NewReader(r)
		want, werr := io.ReadAll(httputil.NewChunkedReader(br))
		if werr == nil {
			_, werr = textproto.NewReader(br).ReadMIMEHeader()
		}
		consumed := len(data) - r.Len() - br.Buffered()

		switch {
		case done && werr == nil:
			if !bytes.Equal(out, want) || n != consumed {
				t.Fatalf("%q: ours %q (%d bytes), net/http %q (%d bytes)", data, out, n, want, consumed)
			}
		case done:
			if chunkedCase(data, n).excusedBy(lenientChunked) == "" {
				t.Fatalf("%q: we accept, net/http refuses: %v", data, werr)
			}
		case err != nil && werr == nil:
			if chunkedCase(data, consumed).excusedBy(stricterChunked) == "" {
				t.Fatalf("%q: we refuse (%v), net/http accepts", data, err)
			}
		case err == nil && werr == nil:
			t.Fatalf("%q: we want more, net/http accepts", data)
		}
	})
}
