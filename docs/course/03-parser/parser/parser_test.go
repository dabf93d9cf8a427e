package parser_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/docs/course/03-parser/groundup"
	"github.com/groundup-go/groundup/docs/course/03-parser/parser"
	"github.com/groundup-go/groundup/docs/course/internal/mode"
	"github.com/groundup-go/groundup/docs/course/internal/teach"
)

// The steps run in source order; `go run ./docs/course` reports the first
// that fails. Every row of every table is its own subtest, so that a
// failure names the case.

func parse(buf []byte) (h parser.Head, n int, err error) {
	defer teach.Recover(&err, "Parse")
	if mode.Reader() {
		return parser.Parse(buf)
	}
	return groundup.Parse(buf)
}

const (
	chapter  = "docs/03-parser.md"
	grammar  = chapter + "#the-grammar-of-a-request-head"
	howParse = chapter + "#how-parse-reads-a-head"
	rules    = chapter + "#the-rules-table"
	limits   = chapter + "#need-more-and-limits"
	smuggle  = chapter + "#request-smuggling"
)

func describe(h parser.Head, n int, err error) string {
	if err != nil {
		var pe *parser.Error
		if errors.As(err, &pe) {
			return fmt.Sprintf("*parser.Error{Status: %d, Reason: %q}", pe.Status, pe.Reason)
		}
		return fmt.Sprintf("error %v (n=%d)", err, n)
	}
	return fmt.Sprintf("n=%d, %+v", n, h)
}

// mustParse parses in and fails the test, in full, if it is not accepted.
func mustParse(t *testing.T, in, rule, read string) (parser.Head, int) {
	t.Helper()
	h, n, err := parse([]byte(in))
	if err != nil {
		teach.Fatal(t, teach.Lesson{Sent: teach.Q(in), Got: describe(h, n, err), Want: "a head, and n = the bytes up to and including the empty line", Rule: rule, Read: read})
	}
	return h, n
}

type refuse struct {
	name   string
	in     string
	status int
	rule   string
	read   string
}

// refuseAll checks that every row is refused with its status.
func refuseAll(t *testing.T, rows []refuse) {
	t.Helper()
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			h, n, err := parse([]byte(r.in))
			var pe *parser.Error
			if !errors.As(err, &pe) || pe.Status != r.status {
				teach.Error(t, teach.Lesson{
					Sent: teach.Q(r.in),
					Got:  describe(h, n, err),
					Want: fmt.Sprintf("*parser.Error with Status %d", r.status),
					Rule: r.rule,
					Read: r.read,
				})
			}
		})
	}
}

func TestStep1_RequestLine(t *testing.T) {
	in := "GET /hello?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n"
	h, n := mustParse(t, in, "RFC 9112 §3: request-line = method SP request-target SP HTTP-version CRLF", grammar)
	if h.Method != "GET" || h.Target != "/hello?x=1" || h.Minor != 1 || n != len(in) {
		teach.Fatal(t, teach.Lesson{
			Sent: teach.Q(in),
			Got:  describe(h, n, nil),
			Want: fmt.Sprintf(`Method "GET", Target "/hello?x=1", Minor 1, n=%d`, len(in)),
			Rule: "RFC 9112 §3: request-line = method SP request-target SP HTTP-version; the head ends at the first empty line",
			Read: grammar,
		})
	}
}

func TestStep2_Fields(t *testing.T) {
	in := "POST /form HTTP/1.1\r\nHost: example.com\r\nX-Spaces: \t padded value \t\r\nX-Empty:\r\nx-lower: kept\r\nX-Twice: a\r\nX-Twice: b\r\n\r\n"
	h, _ := mustParse(t, in, "RFC 9112 §5: field-line = field-name \":\" OWS field-value OWS", grammar)
	want := []parser.Field{
		{"Host", "example.com"}, {"X-Spaces", "padded value"}, {"X-Empty", ""}, {"x-lower", "kept"}, {"X-Twice", "a"}, {"X-Twice", "b"},
	}
	if !reflect.DeepEqual(h.Fields, want) || h.Host != "example.com" || h.ContentLength != -1 {
		teach.Fatal(t, teach.Lesson{
			Sent: teach.Q(in),
			Got:  fmt.Sprintf("Fields %q, Host %q, ContentLength %d", h.Fields, h.Host, h.ContentLength),
			Want: fmt.Sprintf("Fields %q (every line, in order, names as sent, values without the spaces and tabs around them), Host \"example.com\", ContentLength -1 (none sent)", want),
			Rule: "RFC 9110 §5.5: OWS around a field value is not part of it; RFC 9110 §5.3: repeated fields keep their order",
			Read: howParse,
		})
	}
}

func TestStep3_NeedMore(t *testing.T) {
	in := "GET / HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n"
	for i := range len(in) {
		h, n, err := parse([]byte(in[:i]))
		if err != parser.ErrNeedMore || n != 0 {
			teach.Fatal(t, teach.Lesson{
				Sent: teach.Q(in[:i]) + fmt.Sprintf(" (the first %d bytes of a valid head)", i),
				Got:  describe(h, n, err),
				Want: "(Head{}, 0, parser.ErrNeedMore): the head is not complete until CRLF CRLF",
				Rule: "sans-IO: the parser never waits; it tells the caller to read more and call again on the longer buffer",
				Read: limits,
			})
		}
	}
}

func TestStep4_Consumed(t *testing.T) {
	head := "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"
	in := head + "hello" + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n"
	h, n := mustParse(t, in, "", howParse)
	if n != len(head) || h.ContentLength != 5 {
		teach.Fatal(t, teach.Lesson{
			Sent: teach.Q(in),
			Got:  fmt.Sprintf("n=%d, ContentLength %d", n, h.ContentLength),
			Want: fmt.Sprintf("n=%d (the head only: the body %q and the next, pipelined, request are not the parser's), ContentLength 5", len(head), "hello"),
			Rule: "RFC 9112 §6: the message body follows the head; the connection loop reads it by the framing the head announces",
			Read: howParse,
		})
	}
	lead := "\r\n\r\n" + head
	_, n = mustParse(t, lead, "RFC 9112 §2.2: a server SHOULD ignore at least one empty line received before the request-line", grammar)
	if n != len(lead) {
		teach.Fatal(t, teach.Lesson{
			Sent: teach.Q(lead),
			Got:  fmt.Sprintf("n=%d", n),
			Want: fmt.Sprintf("n=%d: the leading empty lines are skipped and counted as consumed", len(lead)),
			Rule: "RFC 9112 §2.2: a server SHOULD ignore at least one empty line (CRLF) received prior to the request-line",
			Read: grammar,
		})
	}
}

func TestStep5_RequestLineErrors(t *testing.T) {
	const host = "\r\nHost: x\r\n\r\n"
	rule := "RFC 9112 §3: request-line = method SP request-target SP HTTP-version, single spaces, nothing else"
	refuseAll(t, []refuse{
		{"no target", "GET HTTP/1.1" + host, 400, rule, grammar},
		{"two spaces", "GET  / HTTP/1.1" + host, 400, rule, grammar},
		{"leading space", " GET / HTTP/1.1" + host, 400, rule, grammar},
		{"trailing space", "GET / HTTP/1.1 " + host, 400, rule, grammar},
		{"tab for space", "GET\t/ HTTP/1.1" + host, 400, rule, grammar},
		{"method not a token", "GE(T / HTTP/1.1" + host, 400, "RFC 9110 §9.1: method = token; '(' is a delimiter, not a tchar", grammar},
		{"space in target", "GET /a b HTTP/1.1" + host, 400, rule, grammar},
		{"control byte in target", "GET /a\x01b HTTP/1.1" + host, 400, "RFC 9112 §3.2: the target is visible ASCII; a control byte is an attack or a bug", grammar},
		{"fragment in target", "GET /a#frag HTTP/1.1" + host, 400, "RFC 9112 §3.2: a fragment is never sent; origin-form = absolute-path [ \"?\" query ]", grammar},
		{"not origin-form", "GET a/b HTTP/1.1" + host, 400, "RFC 9112 §3.2: origin-form starts with '/'", grammar},
		{"lower-case version", "GET / http/1.1" + host, 400, "RFC 9112 §2.3: HTTP-name is case-sensitive \"HTTP\"", grammar},
		{"version without minor", "GET / HTTP/1" + host, 400, "RFC 9112 §2.3: HTTP-version = HTTP-name \"/\" DIGIT \".\" DIGIT", grammar},
		{"version two digits", "GET / HTTP/1.10" + host, 400, "RFC 9112 §2.3: HTTP-version = HTTP-name \"/\" DIGIT \".\" DIGIT", grammar},
		{"HTTP/2.0", "GET / HTTP/2.0" + host, 505, "RFC 9110 §15.6.6: 505 HTTP Version Not Supported for a major version the server does not speak", grammar},
		{"HTTP/0.9", "GET / HTTP/0.9" + host, 505, "RFC 9110 §15.6.6: 505 HTTP Version Not Supported", grammar},
	})
}

func TestStep6_Versions(t *testing.T) {
	h, _ := mustParse(t, "GET / HTTP/1.0\r\n\r\n", "RFC 9112 §3.2: Host is required in HTTP/1.1 only; an HTTP/1.0 request may omit it", grammar)
	if h.Minor != 0 || !h.Close {
		teach.Fatal(t, teach.Lesson{
			Sent: teach.Q("GET / HTTP/1.0\r\n\r\n"),
			Got:  describe(h, 0, nil),
			Want: "Minor 0, Close true",
			Rule: "RFC 9112 §9.3: an HTTP/1.0 connection closes after the response unless the client sent Connection: keep-alive",
			Read: grammar,
		})
	}
	h, _ = mustParse(t, "GET / HTTP/1.2\r\nHost: x\r\n\r\n", "RFC 9110 §2.5: a server treats HTTP/1.x with x > 1 as HTTP/1.1", grammar)
	if h.Minor != 1 {
		teach.Fatal(t, teach.Lesson{
			Sent: teach.Q("GET / HTTP/1.2\r\nHost: x\r\n\r\n"),
			Got:  describe(h, 0, nil),
			Want: "Minor 1",
			Rule: "RFC 9110 §2.5: a recipient of a higher minor version answers in the highest minor it speaks, 1.1",
			Read: grammar,
		})
	}
}

func TestStep7_Host(t *testing.T) {
	rule := "RFC 9112 §3.2: a server MUST respond with 400 to any HTTP/1.1 request that lacks a Host header field, and to any request with more than one Host header field line or a Host header field with an invalid field value"
	refuseAll(t, []refuse{
		{"missing in 1.1", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400, rule, rules},
		{"twice", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, rule, rules},
		{"twice, same value", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400, rule, rules},
		{"space inside", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, rule, rules},
	})
}

func TestStep8_FieldSyntax(t *testing.T) {
	const rl = "GET / HTTP/1.1\r\nHost: x\r\n"
	refuseAll(t, []refuse{
		{"no colon", rl + "NoColon\r\n\r\n", 400, "RFC 9112 §5: field-line = field-name \":\" OWS field-value OWS", grammar},
		{"space before colon", rl + "X-A : 1\r\n\r\n", 400, "RFC 9112 §5.1: a server MUST reject, with 400, any request that has whitespace between a header field name and colon", smuggle},
		{"empty name", rl + ": 1\r\n\r\n", 400, "RFC 9110 §5.1: field-name = token, at least one tchar", grammar},
		{"name not a token", rl + "X(A): 1\r\n\r\n", 400, "RFC 9110 §5.1: field-name = token", grammar},
		{"obs-fold", rl + "X-A: 1\r\n 2\r\n\r\n", 400, "RFC 9112 §5.2: a server that receives an obs-fold MUST either reject the message with 400 or replace the fold with spaces; folded lines have been used to smuggle fields past proxies, so refuse", smuggle},
		{"obs-fold with tab", rl + "X-A: 1\r\n\t2\r\n\r\n", 400, "RFC 9112 §5.2: obs-fold = OWS CRLF RWS", smuggle},
		{"whitespace before first field", "GET / HTTP/1.1\r\n Host: x\r\n\r\n", 400, "RFC 9112 §2.2: whitespace between the start-line and the first field line: reject, or the line may be read as a field by someone else", smuggle},
		{"NUL in value", rl + "X-A: a\x00b\r\n\r\n", 400, "RFC 9110 §5.5: field values never hold NUL, and a recipient MUST reject or replace it", grammar},
		{"control byte in value", rl + "X-A: a\x07b\r\n\r\n", 400, "RFC 9110 §5.5: field-value = *field-content, visible characters, SP and HTAB", grammar},
	})
}

func TestStep9_LineEndings(t *testing.T) {
	policy := "RFC 9112 §2.2: a recipient MAY recognize a single LF as a line terminator. groundup does not: a proxy in front that splits lines differently is how requests are smuggled, so a bare LF gets 400"
	refuseAll(t, []refuse{
		{"bare LF after the request line", "GET / HTTP/1.1\nHost: x\r\n\r\n", 400, policy, smuggle},
		{"bare LF after a field", "GET / HTTP/1.1\r\nHost: x\n\r\n", 400, policy, smuggle},
		{"bare LF as the empty line", "GET / HTTP/1.1\r\nHost: x\r\n\n", 400, policy, smuggle},
		{"bare CR inside a field", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", 400, "RFC 9112 §2.2: a bare CR outside the CRLF of a line ending MUST be treated as invalid (or replaced by SP)", smuggle},
	})
}

func TestStep10_BodyFraming(t *testing.T) {
	type accept struct {
		name    string
		fields  string
		cl      int64
		chunked bool
	}
	for _, a := range []accept{
		{"Content-Length", "Content-Length: 42\r\n", 42, false},
		{"Content-Length zero", "Content-Length: 0\r\n", 0, false},
		{"chunked", "Transfer-Encoding: chunked\r\n", -1, true},
		{"chunked, any case", "Transfer-Encoding: Chunked\r\n", -1, true},
	} {
		t.Run(a.name, func(t *testing.T) {
			in := "POST / HTTP/1.1\r\nHost: x\r\n" + a.fields + "\r\n"
			h, _ := mustParse(t, in, "RFC 9112 §6.3: the message body length", smuggle)
			if h.ContentLength != a.cl || h.Chunked != a.chunked {
				teach.Error(t, teach.Lesson{
					Sent: teach.Q(in),
					Got:  fmt.Sprintf("ContentLength %d, Chunked %v", h.ContentLength, h.Chunked),
					Want: fmt.Sprintf("ContentLength %d, Chunked %v", a.cl, a.chunked),
					Rule: "RFC 9112 §6.3: Transfer-Encoding chunked frames the body by chunks (no length); otherwise Content-Length gives the length; a request with neither has none",
					Read: smuggle,
				})
			}
		})
	}
}

func TestStep11_Smuggling(t *testing.T) {
	const rl = "POST / HTTP/1.1\r\nHost: x\r\n"
	refuseAll(t, []refuse{
		{"CL and TE", rl + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "RFC 9112 §6.1: a server MAY reject a request that has both; it is the classic smuggling shape (CL.TE / TE.CL), so refuse it rather than pick one", smuggle},
		{"TE and CL", rl + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400, "RFC 9112 §6.1: both framings at once: refuse, in either order", smuggle},
		{"two differing CL lines", rl + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", 400, "RFC 9112 §6.3 item 5: differing Content-Length values are an unrecoverable error: 400", smuggle},
		{"differing CL list", rl + "Content-Length: 5, 6\r\n\r\n", 400, "RFC 9112 §6.3 item 5: a list of differing values is the same error", smuggle},
		{"CL with a sign", rl + "Content-Length: +5\r\n\r\n", 400, "RFC 9110 §8.6: Content-Length = 1*DIGIT: no sign", smuggle},
		{"negative CL", rl + "Content-Length: -1\r\n\r\n", 400, "RFC 9110 §8.6: Content-Length = 1*DIGIT", smuggle},
		{"hex CL", rl + "Content-Length: 0x10\r\n\r\n", 400, "RFC 9110 §8.6: Content-Length = 1*DIGIT, decimal", smuggle},
		{"empty CL", rl + "Content-Length:\r\n\r\n", 400, "RFC 9110 §8.6: Content-Length = 1*DIGIT: at least one digit", smuggle},
		{"CL overflows int64", rl + "Content-Length: 99999999999999999999\r\n\r\n", 400, "RFC 9110 §8.6: a recipient MUST anticipate large numbers and prevent integer overflow; strconv.ParseInt's range error, not a wrap to a negative", smuggle},
		{"chunked not last", rl + "Transfer-Encoding: chunked, gzip\r\n\r\n", 400, "RFC 9112 §6.3 item 4: if chunked is not the final coding of a request, the length cannot be determined: 400", smuggle},
		{"unknown coding alone", rl + "Transfer-Encoding: gzip\r\n\r\n", 400, "RFC 9112 §6.3 item 4: chunked must be the final coding of a request, and here it is absent: 400 (this check comes before the 501 below)", smuggle},
		{"unknown coding before chunked", rl + "Transfer-Encoding: gzip, chunked\r\n\r\n", 501, "RFC 9112 §6.1: a server that receives a transfer coding it does not understand SHOULD respond with 501 Not Implemented", smuggle},
		{"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message is faulty framing; a server MUST treat it as such and close", smuggle},
	})
	// The one duplicate the RFC allows.
	in := rl + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n"
	h, _ := mustParse(t, in, "RFC 9112 §6.3 item 5: several identical Content-Length values MAY be accepted as one", smuggle)
	if h.ContentLength != 5 {
		teach.Error(t, teach.Lesson{Sent: teach.Q(in), Got: describe(h, 0, nil), Want: "ContentLength 5", Rule: "RFC 9110 §8.6: identical repeated values are one length", Read: smuggle})
	}
}

func TestStep12_Connection(t *testing.T) {
	for _, c := range []struct {
		in    string
		close bool
	}{
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", false},
		{"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, Close\r\n\r\n", true},
		{"GET / HTTP/1.0\r\n\r\n", true},
		{"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", false},
	} {
		t.Run(strings.ReplaceAll(strings.TrimSpace(c.in), "\r\n", " "), func(t *testing.T) {
			h, _ := mustParse(t, c.in, "", grammar)
			if h.Close != c.close {
				teach.Error(t, teach.Lesson{
					Sent: teach.Q(c.in),
					Got:  fmt.Sprintf("Close %v", h.Close),
					Want: fmt.Sprintf("Close %v", c.close),
					Rule: "RFC 9112 §9.3: HTTP/1.1 is persistent unless the Connection list holds the token \"close\" (any case, any position); HTTP/1.0 only with \"keep-alive\"",
					Read: "docs/04-connection.md#keep-alive",
				})
			}
		})
	}
}

func TestStep13_Limits(t *testing.T) {
	long := "/" + strings.Repeat("a", parser.MaxURIBytes)
	many := strings.Repeat("X-A: 1\r\n", parser.MaxHeaderCount+1)
	big := "X-Big: " + strings.Repeat("b", parser.MaxHeaderBytes) + "\r\n"
	refuseAll(t, []refuse{
		{"URI too long", "GET " + long + " HTTP/1.1\r\nHost: x\r\n\r\n", 414, "RFC 9110 §15.5.15: 414 URI Too Long, past MaxURIBytes", limits},
		{"URI too long, incomplete", "GET " + long, 414, "a bound is checked on what has arrived, not only on a complete head: otherwise a client that never finishes its line makes you buffer forever", limits},
		{"head too large", "GET / HTTP/1.1\r\nHost: x\r\n" + big + "\r\n", 431, "RFC 6585 §5: 431 Request Header Fields Too Large, past MaxHeaderBytes", limits},
		{"head too large, incomplete", "GET / HTTP/1.1\r\nHost: x\r\n" + big, 431, "past MaxHeaderBytes without the empty line: 431 now, not ErrNeedMore, or the buffer grows without end", limits},
		{"too many fields", "GET / HTTP/1.1\r\nHost: x\r\n" + many + "\r\n", 431, "RFC 6585 §5: 431, past MaxHeaderCount field lines", limits},
	})
}

// FuzzParse checks what must hold for any input at all: Parse returns a
// head, ErrNeedMore or an *Error, never panics, never claims more bytes
// than it was given, and gives the same head for the same bytes followed
// by anything. Run it with
//
//	GROUNDUP_COURSE=mine go test -fuzz FuzzParse ./docs/course/03-parser/parser/
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /a?b=c HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
		"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, buf []byte) {
		h, n, err := parse(buf)
		var pe *parser.Error
		switch {
		case err == nil:
			if n <= 0 || n > len(buf) {
				t.Fatalf("Parse(%q) accepted a head with n=%d, outside 1..len(buf)=%d", buf, n, len(buf))
			}
			more := append(append([]byte(nil), buf[:n]...), "GET /next HTTP/1.1\r\n"...)
			h2, n2, err2 := parse(more)
			if err2 != nil || n2 != n || !reflect.DeepEqual(h, h2) {
				t.Fatalf("Parse(%q) = n=%d %+v, but with other bytes after the head: n=%d %+v %v; the parser must not look past the empty line", buf, n, h, n2, h2, err2)
			}
		case err == parser.ErrNeedMore:
			if n != 0 {
				t.Fatalf("Parse(%q) = ErrNeedMore with n=%d; want n=0", buf, n)
			}
		case errors.As(err, &pe):
			if pe.Status < 400 || pe.Status > 599 {
				t.Fatalf("Parse(%q) = *Error with status %d; a refusal is a 4xx or 5xx", buf, pe.Status)
			}
		default:
			t.Fatalf("Parse(%q) returned %v; it must return a head, parser.ErrNeedMore or a *parser.Error (read %s)", buf, err, limits)
		}
	})
}
