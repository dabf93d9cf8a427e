package framing_test

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/docs/course/06-framing/framing"
	"github.com/groundup-go/groundup/docs/course/06-framing/groundup"
	"github.com/groundup-go/groundup/docs/course/internal/mode"
	"github.com/groundup-go/groundup/docs/course/internal/teach"
)

// The steps run in source order; `go run ./docs/course` reports the first
// that fails.

func write(req framing.Request, h framing.Handler) (raw string, closeAfter bool, err error) {
	var b bytes.Buffer
	defer func() { raw = b.String() }()
	defer teach.Recover(&err, "Write")
	if mode.Reader() {
		closeAfter, err = framing.Write(&b, req, h)
	} else {
		closeAfter, err = groundup.Write(&b, req, h)
	}
	return b.String(), closeAfter, err
}

const (
	chapter  = "docs/05-response-writer.md"
	choosing = chapter + "#choosing-the-framing"
	chunking = chapter + "#chunked-coding-on-the-wire"
	holding  = chapter + "#holding-the-head-back"
	split    = chapter + "#response-splitting"
)

// wire is a response as this suite's strict client reads it.
type wire struct {
	status  int
	fields  map[string][]string // lower-case names
	framing string              // "length", "chunked" or "close"
	body    string              // after de-framing
}

func (w *wire) get(name string) string {
	if v := w.fields[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (w *wire) String() string {
	return fmt.Sprintf("status %d, framing %s, fields %v, body %q", w.status, w.framing, w.fields, w.body)
}

// read parses raw strictly; head says the request was HEAD (no body).
func read(raw string, head bool, status int) (*wire, error) {
	h, rest, ok := strings.Cut(raw, "\r\n\r\n")
	if !ok {
		return nil, fmt.Errorf("no CRLF CRLF after the head")
	}
	lines := strings.Split(h, "\r\n")
	parts := strings.SplitN(lines[0], " ", 3)
	if len(parts) < 2 || (parts[0] != "HTTP/1.1" && parts[0] != "HTTP/1.0") {
		return nil, fmt.Errorf("status line %q", lines[0])
	}
	w := &wire{fields: map[string][]string{}}
	w.status, _ = strconv.Atoi(parts[1])
	for _, l := range lines[1:] {
		name, value, ok := strings.Cut(l, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("field line %q", l)
		}
		name = strings.ToLower(name)
		w.fields[name] = append(w.fields[name], strings.TrimSpace(value))
	}
	noBody := head || w.status == 204 || w.status == 304 || w.status < 200
	te, cl := w.get("transfer-encoding"), w.get("content-length")
	switch {
	case noBody:
		w.framing = "none"
		if rest != "" {
			return w, fmt.Errorf("%d bytes after the head of a response that has no body: %q (the client reads them as the next response)", len(rest), rest)
		}
	case te != "" && cl != "":
		return w, fmt.Errorf("both Transfer-Encoding and Content-Length")
	case strings.EqualFold(te, "chunked"):
		w.framing = "chunked"
		body, err := dechunk(rest)
		if err != nil {
			return w, err
		}
		w.body = body
	case te != "":
		return w, fmt.Errorf("Transfer-Encoding %q", te)
	case cl != "":
		w.framing = "length"
		n, err := strconv.Atoi(cl)
		if err != nil || n != len(rest) {
			return w, fmt.Errorf("Content-Length %s, but %d body bytes follow", cl, len(rest))
		}
		w.body = rest
	default:
		w.framing = "close"
		w.body = rest
	}
	return w, nil
}

// dechunk decodes a whole chunked body, strictly: CRLFs, hex sizes, the
// last chunk and the final CRLF, nothing after.
func dechunk(s string) (string, error) {
	var body strings.Builder
	for range 1 << 20 {
		line, rest, ok := strings.Cut(s, "\r\n")
		if !ok {
			return "", fmt.Errorf("chunk-size line without CRLF in %q", s)
		}
		size, err := strconv.ParseInt(line, 16, 64)
		if err != nil || size < 0 {
			return "", fmt.Errorf("chunk-size %q is not hex", line)
		}
		if size == 0 {
			if rest != "\r\n" {
				return "", fmt.Errorf("after the last chunk %q, want exactly \"\\r\\n\" (no trailers, nothing after)", rest)
			}
			return body.String(), nil
		}
		if int64(len(rest)) < size+2 || rest[size:size+2] != "\r\n" {
			return "", fmt.Errorf("chunk of size %d not followed by its data and CRLF", size)
		}
		body.WriteString(rest[:size])
		s = rest[size+2:]
	}
	return "", fmt.Errorf("too many chunks")
}

type row struct {
	name    string
	req     framing.Request
	h       framing.Handler
	framing string // "length", "chunked", "close", "none", or "length|chunked"
	body    string
	close   bool
	rule    string
	read    string
}

var (
	get11  = framing.Request{Method: "GET", Minor: 1}
	head11 = framing.Request{Method: "HEAD", Minor: 1}
	get10  = framing.Request{Method: "GET", Minor: 0, Close: true}
	text   = []framing.Field{{"Content-Type", "text/plain; charset=utf-8"}}
)

func check(t *testing.T, rows []row) {
	t.Helper()
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			raw, closeAfter, err := write(r.req, r.h)
			w, perr := read(raw, r.req.Method == "HEAD", r.h.Status)
			want := fmt.Sprintf("status %d, framing %s, body %q, close %v", r.h.Status, r.framing, r.body, r.close)
			fail := err != nil || perr != nil || w.status != r.h.Status || !strings.Contains("|"+r.framing+"|", "|"+w.framing+"|") || w.body != r.body || closeAfter != r.close
			if r.close && (w == nil || !strings.EqualFold(w.get("connection"), "close")) {
				fail = true
			}
			if fail {
				got := teach.Q(raw) + fmt.Sprintf("\ncloseAfter %v", closeAfter)
				if err != nil {
					got += ", error " + err.Error()
				}
				if perr != nil {
					got += "\n(the strict client says: " + perr.Error() + ")"
				} else if w != nil {
					got += "\n(read as " + w.String() + ")"
				}
				teach.Error(t, teach.Lesson{
					Sent: fmt.Sprintf("request %+v, handler %+v", r.req, r.h),
					Got:  got,
					Want: want + map[bool]string{true: ", with Connection: close", false: ""}[r.close],
					Rule: r.rule,
					Read: r.read,
				})
			}
		})
	}
}

func TestStep1_ContentLength(t *testing.T) {
	check(t, []row{
		{"one write", get11, framing.Handler{Status: 200, Header: text, Writes: []string{"hello"}}, "length", "hello", false,
			"RFC 9112 §6.3: a body of known length is framed by Content-Length: the client reads exactly that many bytes", choosing},
		{"two writes, no flush", get11, framing.Handler{Status: 200, Header: text, Writes: []string{"hel", "lo"}}, "length", "hello", false,
			"hold the head back until the handler is done (or the buffer is full): then the whole length is known", holding},
		{"404", get11, framing.Handler{Status: 404, Header: text, Writes: []string{"no such page"}}, "length", "no such page", false,
			"RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]", choosing},
	})
}

func TestStep2_EmptyBody(t *testing.T) {
	check(t, []row{
		{"200, no writes", get11, framing.Handler{Status: 200}, "length", "", false,
			"RFC 9110 §8.6: a 200 with an empty body says Content-Length: 0; without it, an HTTP/1.1 client would wait for a close to find the end", choosing},
	})
}

func TestStep3_Chunked(t *testing.T) {
	check(t, []row{
		{"flushed in 1.1", get11, framing.Handler{Status: 200, Header: text, Writes: []string{"hello", ", world"}, Flush: true}, "chunked", "hello, world", false,
			"RFC 9112 §7.1: once the head has gone before the length is known, HTTP/1.1 frames each write as a chunk: hex size CRLF data CRLF, and ends with 0 CRLF CRLF", chunking},
		{"flushed, an empty write", get11, framing.Handler{Status: 200, Header: text, Writes: []string{"a", "", "b"}, Flush: true}, "chunked", "ab", false,
			"RFC 9112 §7.1: a chunk of size 0 is the last chunk: never write one for an empty write, or the body ends early", chunking},
		{"large, no flush", get11, framing.Handler{Status: 200, Header: text, Writes: []string{strings.Repeat("x", framing.BufferSize), strings.Repeat("y", 10)}}, "length|chunked", strings.Repeat("x", framing.BufferSize) + strings.Repeat("y", 10), false,
			"a body larger than the buffer may go out chunked (groundup does) or with its length (if you buffered it all); either way the framing must be exact", choosing},
	})
}

func TestStep4_CloseDelimited(t *testing.T) {
	check(t, []row{
		{"flushed in 1.0", get10, framing.Handler{Status: 200, Header: text, Writes: []string{"hello", ", world"}, Flush: true}, "close", "hello, world", true,
			"RFC 9112 §6.3 item 8 and §7: an HTTP/1.0 client does not understand chunked; a body of unknown length is ended by closing the connection, so say Connection: close and close", choosing},
		{"buffered in 1.0", get10, framing.Handler{Status: 200, Header: text, Writes: []string{"hi"}}, "length", "hi", true,
			"HTTP/1.0 without keep-alive: Content-Length still, and Connection: close", choosing},
	})
}

func TestStep5_ConnectionClose(t *testing.T) {
	check(t, []row{
		{"client asked", framing.Request{Method: "GET", Minor: 1, Close: true}, framing.Handler{Status: 200, Header: text, Writes: []string{"bye"}}, "length", "bye", true,
			"RFC 9112 §9.6: a server that receives Connection: close sends Connection: close in its response and closes after it", "docs/04-connection.md#keep-alive"},
	})
}

func TestStep6_HEAD(t *testing.T) {
	check(t, []row{
		{"HEAD, buffered", head11, framing.Handler{Status: 200, Header: text, Writes: []string{"hello"}}, "none", "", false,
			"RFC 9110 §9.3.2: the response to HEAD is the GET response's head, with no body; the client will not read one, so any byte sent becomes the start of the next response", chapter + "#choosing-the-framing"},
	})
	raw, _, _ := write(head11, framing.Handler{Status: 200, Header: text, Writes: []string{"hello"}})
	if w, err := read(raw, true, 200); err == nil && w.get("content-length") != "5" {
		teach.Error(t, teach.Lesson{
			Sent: "HEAD, handler writes \"hello\"",
			Got:  teach.Q(raw),
			Want: "Content-Length: 5, the length the GET would have, and no body",
			Rule: "RFC 9110 §8.6: a server MAY send Content-Length in a response to HEAD, and then it MUST be the length a GET would have had",
			Read: choosing,
		})
	}
}

func TestStep7_NoBodyStatuses(t *testing.T) {
	check(t, []row{
		{"204 with a write", get11, framing.Handler{Status: 204, Writes: []string{"oops"}}, "none", "", false,
			"RFC 9110 §15.3.5: a 204 response cannot contain content; RFC 9110 §8.6: a server MUST NOT send Content-Length in a 204", choosing},
		{"304 with a write", get11, framing.Handler{Status: 304, Writes: []string{"<html>stale</html>"}}, "none", "", false,
			"RFC 9110 §15.4.5: a 304 response is terminated by the end of its header section; it cannot contain content", choosing},
		{"204 flushed", get11, framing.Handler{Status: 204, Writes: []string{"x"}, Flush: true}, "none", "", false,
			"RFC 9112 §6.1: a server MUST NOT send Transfer-Encoding in a 1xx or 204 response", choosing},
	})
	raw, _, _ := write(get11, framing.Handler{Status: 204})
	if w, err := read(raw, false, 204); err != nil || w.get("content-length") != "" || w.get("transfer-encoding") != "" {
		teach.Error(t, teach.Lesson{
			Sent: "GET, handler answers 204 and writes nothing",
			Got:  teach.Q(raw),
			Want: "no Content-Length and no Transfer-Encoding",
			Rule: "RFC 9110 §8.6 and RFC 9112 §6.1: neither field in a 204",
			Read: choosing,
		})
	}
}

func TestStep8_ResponseSplitting(t *testing.T) {
	h := framing.Handler{Status: 200, Header: []framing.Field{
		{"Content-Type", "text/plain"},
		{"X-Name", "ann\r\nSet-Cookie: session=stolen"},
		{"X-Bad\r\nName", "v"},
	}, Writes: []string{"ok"}}
	raw, _, _ := write(get11, h)
	head, _, _ := strings.Cut(raw, "\r\n\r\n")
	if strings.Contains(head, "\r\nSet-Cookie: session=stolen") || strings.Contains(head, "X-Bad\r\nName") || !strings.HasPrefix(raw, "HTTP/1.") {
		teach.Fatal(t, teach.Lesson{
			Sent: fmt.Sprintf("a handler that sets %q", h.Header),
			Got:  teach.Q(raw),
			Want: "a response (a 500, or the field dropped) in which no field line the handler did not mean to send appears",
			Rule: "RFC 9110 §5.5: field values never contain CR, LF or NUL; a server that copies them out splits the response, and the attacker writes the rest (response splitting)",
			Read: split,
		})
	}
}
