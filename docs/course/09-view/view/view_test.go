package view_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/docs/course/09-view/groundup"
	"github.com/groundup-go/groundup/docs/course/09-view/view"
	"github.com/groundup-go/groundup/docs/course/internal/mode"
	"github.com/groundup-go/groundup/docs/course/internal/teach"
)

// The steps run in source order; `go run ./docs/course` reports the first
// that fails.

func render(status int, c view.Component) (raw string, err error) {
	var b bytes.Buffer
	defer func() { raw = b.String() }()
	defer teach.Recover(&err, "Render")
	if mode.Reader() {
		err = view.Render(context.Background(), &b, status, c)
	} else {
		err = groundup.Render(context.Background(), &b, status, c)
	}
	return b.String(), err
}

func escape(s string) (out string) {
	var err error
	defer func() {
		if err != nil {
			out = "<(" + err.Error() + ")>"
		}
	}()
	defer teach.Recover(&err, "Escape")
	if mode.Reader() {
		return view.Escape(s)
	}
	return groundup.Escape(s)
}

const (
	chapter  = "docs/08-views.md"
	buffered = chapter + "#buffered-rendering-render"
	escaping = chapter + "#escaping"
)

// fn is a component from a function.
type fn func(ctx context.Context, w io.Writer) error

func (f fn) Render(ctx context.Context, w io.Writer) error { return f(ctx, w) }

func page(s string) view.Component {
	return fn(func(_ context.Context, w io.Writer) error { _, err := io.WriteString(w, s); return err })
}

// response is what the suite's strict client reads.
type response struct {
	status      int
	contentType string
	body        string
	chunked     bool
}

func read(raw string) (*response, error) {
	head, body, ok := strings.Cut(raw, "\r\n\r\n")
	if !ok {
		return nil, errors.New("no CRLF CRLF after the head")
	}
	lines := strings.Split(head, "\r\n")
	parts := strings.SplitN(lines[0], " ", 3)
	if len(parts) < 2 || !strings.HasPrefix(parts[0], "HTTP/1.") {
		return nil, fmt.Errorf("status line %q", lines[0])
	}
	r := &response{body: body}
	r.status, _ = strconv.Atoi(parts[1])
	cl, te := -1, ""
	for _, l := range lines[1:] {
		name, value, _ := strings.Cut(l, ":")
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "content-type":
			r.contentType = value
		case "content-length":
			cl, _ = strconv.Atoi(value)
		case "transfer-encoding":
			te = value
		}
	}
	if te != "" {
		if te != "chunked" || cl >= 0 {
			return r, fmt.Errorf("Transfer-Encoding %q with Content-Length %d", te, cl)
		}
		r.chunked = true
		var b strings.Builder
		for rest := body; ; {
			line, after, ok := strings.Cut(rest, "\r\n")
			n, err := strconv.ParseInt(line, 16, 64)
			if !ok || err != nil || int64(len(after)) < n+2 {
				return r, fmt.Errorf("bad chunk at %q", rest[:min(len(rest), 20)])
			}
			if n == 0 {
				break
			}
			b.WriteString(after[:n])
			rest = after[n+2:]
		}
		r.body = b.String()
		return r, nil
	}
	if cl != len(body) {
		return r, fmt.Errorf("Content-Length %d, but %d body bytes", cl, len(body))
	}
	return r, nil
}

func TestStep1_Render(t *testing.T) {
	raw, err := render(200, page("<p>hello</p>"))
	r, perr := read(raw)
	if err != nil || perr != nil || r.status != 200 || r.contentType != "text/html; charset=utf-8" || r.body != "<p>hello</p>" || r.chunked {
		teach.Fatal(t, teach.Lesson{
			Sent: `Render(ctx, w, 200, a component that writes "<p>hello</p>")`,
			Got:  teach.Q(raw) + errs(err, perr),
			Want: `a response: 200, Content-Type: text/html; charset=utf-8, Content-Length: 12, body "<p>hello</p>"`,
			Rule: "render into a bytes.Buffer first; then the length is known and the head can say it",
			Read: buffered,
		})
	}
}

func TestStep2_Status(t *testing.T) {
	raw, err := render(422, page("<form>fix the errors</form>"))
	r, perr := read(raw)
	if err != nil || perr != nil || r.status != 422 || r.body != "<form>fix the errors</form>" {
		teach.Fatal(t, teach.Lesson{
			Sent: `Render(ctx, w, 422, the form again with its errors)`,
			Got:  teach.Q(raw) + errs(err, perr),
			Want: "422 and the page",
			Rule: "RFC 9110 §15.5.21: 422 Unprocessable Content, the re-rendered form after a failed validation; the status is the caller's",
			Read: "docs/07-controllers.md#validation-and-the-422-re-render",
		})
	}
}

func TestStep3_RenderError(t *testing.T) {
	broken := fn(func(_ context.Context, w io.Writer) error {
		io.WriteString(w, "<p>half a pa")
		return errors.New("template: user is nil")
	})
	raw, err := render(200, broken)
	r, perr := read(raw)
	if err == nil || perr != nil || r.status != 500 || strings.Contains(raw, "half a pa") {
		teach.Fatal(t, teach.Lesson{
			Sent: `Render(ctx, w, 200, a component that writes "<p>half a pa" then fails)`,
			Got:  teach.Q(raw) + errs(err, perr),
			Want: "a whole 500 response with nothing of the half page, and the component's error returned",
			Rule: "nothing goes on the wire until the render has succeeded: a 200 head followed by half a page cannot be taken back (templ's own handler and groundup's Render both buffer)",
			Read: buffered,
		})
	}
}

func TestStep4_LargePage(t *testing.T) {
	big := strings.Repeat("<li>row</li>\n", 20_000) // 260 KB
	raw, err := render(200, page(big))
	r, perr := read(raw)
	if err != nil || perr != nil || r.body != big {
		got := errs(err, perr)
		if r != nil {
			got = fmt.Sprintf("status %d, %d body bytes", r.status, len(r.body)) + got
		}
		teach.Fatal(t, teach.Lesson{
			Sent: "Render of a 260 KB page",
			Got:  got,
			Want: "the whole page, framed exactly: Content-Length, or chunked (groundup renders the whole page first, then its response writer sends a body over 64 KiB chunked)",
			Rule: "RFC 9112 §6.3: either framing, as long as it is exact; count bytes, not runes",
			Read: buffered,
		})
	}
}

func checkEscape(t *testing.T, in string, rule string) {
	t.Helper()
	out := escape(in)
	bad := strings.ContainsAny(out, "<>\"'")
	// Every & in the output must start a character reference.
	for i := strings.IndexByte(out, '&'); i >= 0 && !bad; {
		j := strings.IndexByte(out[i:], ';')
		if j < 0 || html.UnescapeString(out[i:i+j+1]) == out[i:i+j+1] {
			bad = true
			break
		}
		next := strings.IndexByte(out[i+1:], '&')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	if bad || html.UnescapeString(out) != in {
		teach.Error(t, teach.Lesson{
			Sent: fmt.Sprintf("Escape(%q)", in),
			Got:  fmt.Sprintf("%q", out),
			Want: "text with no raw < > \" ' and every & starting a reference, which a browser reads back as the input exactly",
			Rule: rule,
			Read: escaping,
		})
	}
}

func TestStep5_EscapeText(t *testing.T) {
	checkEscape(t, "<script>alert(1)</script>", "HTML §13.1: '<' starts a tag; escaped as &lt; it is text. Anything a user typed is text (XSS otherwise)")
	checkEscape(t, "Tom & Jerry", "HTML §13.1.4: '&' starts a character reference; as text it is &amp;")
	checkEscape(t, "plain text, é and ✓", "characters with no meaning in HTML pass through unchanged")
}

func TestStep6_EscapeAttributes(t *testing.T) {
	checkEscape(t, `" onmouseover="alert(1)`, `inside value="…", a raw '"' ends the attribute and starts a new one: escape it (&#34; or &quot;)`)
	checkEscape(t, `' onfocus='alert(1)`, `inside value='…', the same with '\'' (&#39;)`)
	checkEscape(t, "&amp;", "escaping is not idempotent, and must not be: the text \"&amp;\" is shown as typed, so its '&' is escaped again")
}

func TestStep7_EscapedRender(t *testing.T) {
	name := `<img src=x onerror="alert(1)">`
	greet := fn(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, "<p>Hello, "+escape(name)+"</p>")
		return err
	})
	raw, err := render(200, greet)
	r, perr := read(raw)
	if err != nil || perr != nil || strings.Contains(r.body, "<img") || html.UnescapeString(r.body) != "<p>Hello, "+name+"</p>" {
		teach.Fatal(t, teach.Lesson{
			Sent: "a component that greets a user named " + teach.Q(name) + " through Escape",
			Got:  teach.Q(raw) + errs(err, perr),
			Want: "the name shown as text in the page, never an <img> element",
			Rule: "templ escapes every { expression } this way; a hand-written view must call Escape on every value it did not write itself",
			Read: escaping,
		})
	}
}

func errs(err, perr error) string {
	s := ""
	if err != nil {
		s += " (Render returned: " + err.Error() + ")"
	}
	if perr != nil {
		s += " (the strict client says: " + perr.Error() + ")"
	}
	return s
}
