package seed_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/groundup-go/groundup/docs/course/02-seed/groundup"
	"github.com/groundup-go/groundup/docs/course/02-seed/seed"
	"github.com/groundup-go/groundup/docs/course/internal/mode"
	"github.com/groundup-go/groundup/docs/course/internal/teach"
)

// The steps run in source order; `go run ./docs/course` reports the first
// that fails.

func serveFunc() func(net.Listener) error {
	if mode.Reader() {
		return seed.Serve
	}
	return groundup.Serve
}

const chapter = "docs/02-http-by-hand.md"

// patience bounds every wait, so that a server that never answers fails
// the test instead of hanging it. It is not a speed check.
const patience = 5 * time.Second

// start runs Serve on a loopback listener. When Serve returns early (as
// the skeleton's does), the listener closes so that clients fail at once.
func start(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serve := serveFunc()
	go func() {
		serve(ln)
		ln.Close()
	}()
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}

// exchange sends each part in its own Write (with a pause between, so that
// they arrive as separate TCP segments), and reads until the server closes
// the connection.
func exchange(addr string, parts ...string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, patience)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(patience))
	for i, p := range parts {
		if i > 0 {
			time.Sleep(20 * time.Millisecond)
		}
		if _, err := io.WriteString(c, p); err != nil {
			return "", err
		}
	}
	b, err := io.ReadAll(c)
	if len(b) > 0 {
		err = nil // a reset after the whole response is not the server's fault
	}
	return string(b), err
}

// response is a parsed response, read by this suite's own small parser.
type response struct {
	status int
	header map[string][]string // lower-case names
	body   string
}

func (r *response) get(name string) string {
	if v := r.header[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// parse reads one whole response from raw: status line, fields, and a body
// of exactly Content-Length bytes.
func parse(raw string) (*response, error) {
	head, body, ok := strings.Cut(raw, "\r\n\r\n")
	if !ok {
		return nil, errors.New("no empty line (CRLF CRLF) ends the head")
	}
	lines := strings.Split(head, "\r\n")
	m := regexp.MustCompile(`^HTTP/1\.[01] (\d{3}) .*$`).FindStringSubmatch(lines[0])
	if m == nil {
		return nil, fmt.Errorf("status line %q is not HTTP-version SP 3DIGIT SP reason", lines[0])
	}
	r := &response{header: map[string][]string{}, body: body}
	r.status, _ = strconv.Atoi(m[1])
	for _, l := range lines[1:] {
		name, value, ok := strings.Cut(l, ":")
		if !ok || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("field line %q is not name:value", l)
		}
		name = strings.ToLower(name)
		r.header[name] = append(r.header[name], strings.TrimSpace(value))
	}
	cl := r.get("content-length")
	if cl == "" {
		return nil, errors.New("no Content-Length: the client cannot tell where the body ends")
	}
	n, err := strconv.Atoi(cl)
	if err != nil || n != len(body) {
		return nil, fmt.Errorf("Content-Length is %s but %d bytes followed the head before the connection closed", cl, len(body))
	}
	return r, nil
}

// request sends raw and parses the answer; a failure is told in full.
func request(t *testing.T, read string, raw ...string) *response {
	t.Helper()
	got, err := exchange(start(t), raw...)
	r, perr := parse(got)
	if err != nil || perr != nil {
		rule := "RFC 9112 §2.1: HTTP-message = start-line CRLF *( field-line CRLF ) CRLF [ message-body ]"
		if got == "" && errors.Is(err, syscall.ECONNRESET) {
			rule = "the connection was reset: a server that closes a socket with unread input makes the kernel send RST, which can destroy the response in flight. Before Close, CloseWrite and read out (bounded) what the client still sends"
			read = chapter + "#hanging-up"
		}
		teach.Fatal(t, teach.Lesson{
			Sent: teach.Q(strings.Join(raw, "")),
			Got:  teach.Q(got) + errText(err) + "\n(" + errText(perr) + ")",
			Want: "status line, fields, an empty line, then exactly Content-Length bytes of body, then the server closes the connection",
			Rule: rule,
			Read: read,
		})
	}
	return r
}

const getHome = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"

func TestStep1_StatusLine(t *testing.T) {
	got, err := exchange(start(t), getHome)
	if !strings.HasPrefix(got, "HTTP/1.1 200 OK\r\n") && !strings.HasPrefix(got, "HTTP/1.0 200 OK\r\n") {
		teach.Fatal(t, teach.Lesson{
			Sent: teach.Q(getHome),
			Got:  teach.Q(got) + errText(err),
			Want: `a response starting "HTTP/1.1 200 OK\r\n"`,
			Rule: "RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ], ended by CRLF",
			Read: chapter + "#a-response-has-the-same-shape",
		})
	}
}

func TestStep2_Page(t *testing.T) {
	r := request(t, chapter+"#where-does-the-body-end", getHome)
	img := regexp.MustCompile(`<img[^>]+src="?/test\.jpg"?`)
	if r.status != 200 || !strings.HasPrefix(r.get("content-type"), "text/html") || !img.MatchString(r.body) {
		teach.Fatal(t, teach.Lesson{
			Sent: teach.Q(getHome),
			Got:  fmt.Sprintf("status %d, Content-Type %q, body %s", r.status, r.get("content-type"), teach.Q(r.body)),
			Want: `status 200, Content-Type text/html, a body with <img src="/test.jpg">`,
			Rule: "the browser renders by Content-Type, not by the bytes; then it fetches every <img src> with a request of its own",
			Read: chapter + "#what-a-browser-does-with-the-page",
		})
	}
}

func TestStep3_Image(t *testing.T) {
	const req = "GET /test.jpg HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	r := request(t, chapter+"#where-does-the-body-end", req)
	if r.status != 200 || r.get("content-type") != "image/jpeg" || r.body != string(seed.Picture()) {
		teach.Fatal(t, teach.Lesson{
			Sent: teach.Q(req),
			Got:  fmt.Sprintf("status %d, Content-Type %q, %d body bytes starting %s", r.status, r.get("content-type"), len(r.body), teach.Q(r.body[:min(len(r.body), 8)])),
			Want: fmt.Sprintf(`status 200, Content-Type image/jpeg, the %d bytes of seed.Picture()`, len(seed.Picture())),
			Rule: "a body is bytes, not text: write the JPEG as it is, and count it in Content-Length",
			Read: chapter + "#what-a-browser-does-with-the-page",
		})
	}
}

func TestStep4_Register(t *testing.T) {
	body := "name=Ann&email=ann%40example.com"
	head := "POST /register HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n"
	r := request(t, chapter+"#the-form-post", head, body) // the body arrives after a pause
	if r.status != 200 || !strings.Contains(r.body, "register success") || !strings.Contains(r.body, "ann@example.com") {
		teach.Fatal(t, teach.Lesson{
			Sent: teach.Q(head) + " then, in a second segment, " + teach.Q(body),
			Got:  fmt.Sprintf("status %d, body %s", r.status, teach.Q(r.body)),
			Want: `status 200 and a page with "register success" and the decoded email ann@example.com`,
			Rule: "RFC 9112 §6.3: the body is exactly Content-Length bytes after the head; read until you have them all (io.ReadFull), then url.ParseQuery",
			Read: chapter + "#the-form-post",
		})
	}
}

func TestStep5_NotFound(t *testing.T) {
	for _, req := range []string{
		"GET /nope HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
		"GET /images/test.jpg HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
	} {
		r := request(t, chapter+"#answering", req)
		if r.status != 404 {
			teach.Error(t, teach.Lesson{
				Sent: teach.Q(req),
				Got:  fmt.Sprintf("status %d", r.status),
				Want: "status 404",
				Rule: "RFC 9110 §15.5.5: 404 Not Found, the server has nothing at this target",
				Read: chapter + "#answering",
			})
		}
	}
}

func TestStep6_Browser(t *testing.T) {
	addr := start(t)
	client := &http.Client{Timeout: patience}
	res, err := client.Get("http://" + addr + "/")
	if err != nil {
		teach.Fatal(t, teach.Lesson{
			Sent: "GET / from Go's net/http client, as a browser would send it",
			Got:  errText(err),
			Want: "a response net/http can read",
			Read: chapter + "#testing-it-like-a-browser",
		})
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`<img[^>]+src="?([^" >]+)`).FindSubmatch(page)
	if m == nil {
		teach.Fatal(t, teach.Lesson{Sent: "GET /", Got: teach.Q(page), Want: "an <img src=...> in the page", Read: chapter + "#what-a-browser-does-with-the-page"})
	}
	src, _ := url.Parse(string(m[1]))
	res, err = client.Get(res.Request.URL.ResolveReference(src).String())
	if err != nil {
		teach.Fatal(t, teach.Lesson{Sent: "GET " + string(m[1]), Got: errText(err), Want: "the image", Read: chapter + "#what-a-browser-does-with-the-page"})
	}
	img, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Equal(img, seed.Picture()) {
		teach.Fatal(t, teach.Lesson{
			Sent: "GET " + string(m[1]) + ", the page's image, as a browser fetches it",
			Got:  fmt.Sprintf("status %d, %d bytes", res.StatusCode, len(img)),
			Want: "status 200 and the picture's bytes",
			Read: chapter + "#testing-it-like-a-browser",
		})
	}
	res, err = client.PostForm("http://"+addr+"/register", url.Values{"name": {"Bo"}, "email": {"bo@example.com"}})
	if err != nil {
		teach.Fatal(t, teach.Lesson{Sent: "the form POST from net/http", Got: errText(err), Want: "register success", Read: chapter + "#the-form-post"})
	}
	done, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(done), "register success") {
		teach.Fatal(t, teach.Lesson{Sent: "the form POST from net/http", Got: teach.Q(done), Want: `a page with "register success"`, Read: chapter + "#the-form-post"})
	}
}

func TestStep7_Escape(t *testing.T) {
	body := "name=%3Cscript%3Ealert(1)%3C%2Fscript%3E&email=x%40y"
	head := "POST /register HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n"
	r := request(t, chapter+"#the-form-post", head+body)
	if strings.Contains(r.body, "<script>") || !strings.Contains(r.body, "&lt;script&gt;") {
		teach.Fatal(t, teach.Lesson{
			Sent: "a registration whose name is <script>alert(1)</script>",
			Got:  teach.Q(r.body),
			Want: "the name shown as &lt;script&gt;…, never as a live <script> element",
			Rule: "what a user typed is text: html.EscapeString it before it goes into HTML, or it runs in the next reader's browser (XSS)",
			Read: chapter + "#the-form-post",
		})
	}
}

func TestStep8_BadRequest(t *testing.T) {
	cases := []struct{ name, req, rule string }{
		{"not HTTP", "hello\r\n\r\n", "RFC 9112 §3: request-line = method SP request-target SP HTTP-version"},
		{"field line without a colon", "GET / HTTP/1.1\r\nHost: localhost\r\nno colon here\r\n\r\n", "RFC 9112 §5: field-line = field-name \":\" OWS field-value OWS"},
		{"space before the colon", "GET / HTTP/1.1\r\nHost : localhost\r\n\r\n", "RFC 9112 §5.1: no whitespace is allowed between the field name and colon; a server MUST reject such a request with 400"},
		{"two Content-Lengths that differ", "POST /register HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", "RFC 9112 §6.3: which length frames the body? Guessing is how request smuggling starts; answer 400"},
		{"a Content-Length that is not a number", "POST /register HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3x\r\n\r\nabc", "RFC 9112 §6.3: an invalid Content-Length is an unrecoverable error: 400"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := request(t, chapter+"#bounds-first", tc.req)
			if r.status != 400 {
				teach.Error(t, teach.Lesson{
					Sent: teach.Q(tc.req),
					Got:  fmt.Sprintf("status %d", r.status),
					Want: "status 400, with Content-Length, and the connection closed",
					Rule: tc.rule,
					Read: chapter + "#reading-the-head",
				})
			}
		})
	}
}

func TestStep9_ByteByByte(t *testing.T) {
	parts := strings.Split(getHome, "")
	addr := start(t)
	c, err := net.DialTimeout("tcp", addr, patience)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(patience))
	for _, p := range parts {
		io.WriteString(c, p)
	}
	got, _ := io.ReadAll(c)
	if _, perr := parse(string(got)); perr != nil || !strings.HasPrefix(string(got), "HTTP/1.1 200") {
		teach.Fatal(t, teach.Lesson{
			Sent: teach.Q(getHome) + ", one byte per write",
			Got:  teach.Q(got),
			Want: "the home page, as for the same request in one write",
			Rule: "TCP may deliver the head in any number of pieces: read lines through a bufio.Reader until the empty line",
			Read: chapter + "#reading-the-head",
		})
	}
}

func TestStep10_HeadTooLarge(t *testing.T) {
	req := "GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + strings.Repeat("a", 64<<10) + "\r\n\r\n"
	r := request(t, chapter+"#bounds-first", req)
	if r.status != 400 && r.status != 431 {
		teach.Fatal(t, teach.Lesson{
			Sent: "a request whose head is 64 KiB",
			Got:  fmt.Sprintf("status %d", r.status),
			Want: "400 or 431 (Request Header Fields Too Large), after reading at most a few KiB",
			Rule: "RFC 6585 §5: 431; every read from a peer is bounded, or one client can take all your memory",
			Read: chapter + "#bounds-first",
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return " (error: " + err.Error() + ")"
}
