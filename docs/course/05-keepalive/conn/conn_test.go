package conn_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/docs/course/05-keepalive/conn"
	"github.com/groundup-go/groundup/docs/course/05-keepalive/groundup"
	"github.com/groundup-go/groundup/docs/course/internal/mode"
	"github.com/groundup-go/groundup/docs/course/internal/teach"
)

// The steps run in source order; `go run ./docs/course` reports the first
// that fails.

func serveConn() func(net.Conn, conn.Handler) {
	if mode.Reader() {
		return conn.ServeConn
	}
	return groundup.ServeConn
}

const (
	chapter    = "docs/04-connection.md"
	keepAlive  = chapter + "#keep-alive"
	pipelining = chapter + "#pipelining"
	bodies     = chapter + "#body-framing-and-draining"
	errs       = chapter + "#errors-that-never-reach-a-handler"
	cont       = chapter + "#100-continue"
)

// patience bounds every wait, so that a server that never answers fails
// the test instead of hanging it. It is not a speed check.
const patience = 5 * time.Second

// echo answers "METHOD TARGET body" with 200.
func echo(r *conn.Request) (int, string) {
	return 200, r.Method + " " + r.Target + " " + string(r.Body)
}

// client is the test's side of one connection served by ServeConn.
type client struct {
	net.Conn
	r    *bufio.Reader
	done chan struct{} // closed when ServeConn returns
}

// dial serves one loopback connection with ServeConn and h. When ServeConn
// returns, the server side is closed too (the skeleton's returns at once),
// so the client sees EOF instead of waiting.
func dial(t *testing.T, h conn.Handler) *client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	cl := &client{Conn: c, r: bufio.NewReader(c), done: make(chan struct{})}
	serve := serveConn()
	go func() {
		defer close(cl.done)
		serve(s, h)
		s.Close()
	}()
	c.SetDeadline(time.Now().Add(patience))
	t.Cleanup(func() {
		c.Close()
		select {
		case <-cl.done:
		case <-time.After(patience):
			t.Error("ServeConn did not return within 5 s of the client closing the connection: a goroutine and a socket leak per client")
		}
	})
	return cl
}

func (c *client) send(t *testing.T, raw string) {
	t.Helper()
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatalf("writing %q: %v", raw, err)
	}
}

// response is one response read off the connection.
type response struct {
	status int
	header textproto.MIMEHeader
	body   string
}

func (r *response) String() string {
	if r == nil {
		return "no response"
	}
	return fmt.Sprintf("%d %q (Connection: %q)", r.status, r.body, r.header.Get("Connection"))
}

// read reads one response framed by Content-Length (or chunked).
func (c *client) read() (*response, error) {
	tp := textproto.NewReader(c.r)
	line, err := tp.ReadLine()
	if err != nil {
		return nil, err
	}
	proto, rest, _ := strings.Cut(line, " ")
	code, _, _ := strings.Cut(rest, " ")
	status, err := strconv.Atoi(code)
	if err != nil || !strings.HasPrefix(proto, "HTTP/1.") {
		return nil, fmt.Errorf("status line %q", line)
	}
	h, err := tp.ReadMIMEHeader()
	if err != nil {
		return nil, fmt.Errorf("header: %v", err)
	}
	r := &response{status: status, header: h}
	if status < 200 {
		return r, nil
	}
	if cl := h.Get("Content-Length"); cl != "" {
		n, err := strconv.Atoi(cl)
		if err != nil {
			return nil, fmt.Errorf("Content-Length %q", cl)
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(c.r, b); err != nil {
			return nil, fmt.Errorf("body: %v", err)
		}
		r.body = string(b)
		return r, nil
	}
	return nil, errors.New("response without Content-Length: the client cannot tell where it ends without waiting for the close")
}

// expect reads one response and checks its status and body.
func (c *client) expect(t *testing.T, sent string, status int, body, rule, read string) *response {
	t.Helper()
	r, err := c.read()
	if err != nil || r.status != status || r.body != body {
		teach.Fatal(t, teach.Lesson{
			Sent: sent,
			Got:  r.String() + errText(err),
			Want: fmt.Sprintf("%d %q", status, body),
			Rule: rule,
			Read: read,
		})
	}
	return r
}

// expectClosed checks that the server closes the connection now.
func (c *client) expectClosed(t *testing.T, sent, rule, read string) {
	t.Helper()
	b, err := io.ReadAll(c.r)
	if len(b) > 0 || isTimeout(err) {
		teach.Fatal(t, teach.Lesson{
			Sent: sent,
			Got:  fmt.Sprintf("after the response: %q%s", b, errText(err)),
			Want: "the server closes the connection (EOF), and sends nothing more",
			Rule: rule,
			Read: read,
		})
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func get(target string, extra ...string) string {
	return "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + strings.Join(extra, "") + "\r\n"
}

func TestStep1_OneRequest(t *testing.T) {
	c := dial(t, echo)
	req := get("/one", "Connection: close\r\n")
	c.send(t, req)
	r := c.expect(t, teach.Q(req), 200, "GET /one ", "RFC 9112 §4: status-line, fields, CRLF, then Content-Length bytes of body", chapter+"#the-life-of-a-connection")
	if !strings.EqualFold(r.header.Get("Connection"), "close") {
		teach.Fatal(t, teach.Lesson{Sent: teach.Q(req), Got: r.String(), Want: `a "Connection: close" field`, Rule: "RFC 9112 §9.6: a server that will close the connection after this response sends Connection: close", Read: keepAlive})
	}
	c.expectClosed(t, teach.Q(req), "RFC 9112 §9.6: after Connection: close, the server closes once the response is sent", keepAlive)
}

func TestStep2_KeepAlive(t *testing.T) {
	c := dial(t, echo)
	for i := range 3 {
		req := get(fmt.Sprintf("/n%d", i))
		c.send(t, req)
		r := c.expect(t, teach.Q(req)+fmt.Sprintf(" (request %d of 3 on one connection, each sent after the previous answer)", i+1), 200, fmt.Sprintf("GET /n%d ", i),
			"RFC 9112 §9.3: HTTP/1.1 connections are persistent by default: after a response, go back and read the next request", keepAlive)
		if strings.EqualFold(r.header.Get("Connection"), "close") {
			teach.Fatal(t, teach.Lesson{Sent: teach.Q(req), Got: r.String(), Want: "no Connection: close: the client did not ask to close", Rule: "RFC 9112 §9.3", Read: keepAlive})
		}
	}
}

func TestStep3_ClientCloses(t *testing.T) {
	c := dial(t, echo)
	c.send(t, get("/"))
	c.expect(t, teach.Q(get("/")), 200, "GET / ", "", keepAlive)
	c.Close()
	select {
	case <-c.done:
	case <-time.After(patience):
		teach.Fatal(t, teach.Lesson{
			Sent: "one request, then the client closes its side",
			Got:  "ServeConn still running 5 s later",
			Want: "ServeConn returns: reading the next request gets io.EOF, which means the client has gone",
			Rule: "an EOF between requests is the normal end of a keep-alive connection, not an error",
			Read: keepAlive,
		})
	}
}

func TestStep4_Pipelined(t *testing.T) {
	c := dial(t, echo)
	var all string
	for i := range 3 {
		all += get(fmt.Sprintf("/p%d", i))
	}
	c.send(t, all) // three requests in one write, before any answer
	for i := range 3 {
		c.expect(t, teach.Q(all)+" in one write", 200, fmt.Sprintf("GET /p%d ", i),
			"RFC 9112 §9.3.2: a client may send several requests without waiting (pipelining); the server MUST send the responses in the same order. Bytes after one head are the next request: keep them in your buffer, do not read past them or drop them",
			pipelining)
	}
}

func TestStep5_PipelinedBodies(t *testing.T) {
	c := dial(t, echo)
	all := "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" +
		get("/b") +
		"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n" +
		get("/d")
	c.send(t, all)
	for _, want := range []string{"POST /a hello", "GET /b ", "POST /c abcde", "GET /d "} {
		c.expect(t, teach.Q(all)+" in one write", 200, want,
			"RFC 9112 §6.3: each body ends where its framing says (Content-Length bytes, or the chunked coding's last chunk); the next request starts at the byte after it",
			bodies)
	}
}

func TestStep6_ConnectionClose(t *testing.T) {
	c := dial(t, echo)
	all := get("/last", "Connection: close\r\n") + get("/never")
	c.send(t, all)
	c.expect(t, teach.Q(all), 200, "GET /last ", "", keepAlive)
	c.expectClosed(t, teach.Q(all), "RFC 9112 §9.6: a server that receives Connection: close MUST close the connection after the response to that request, and not process the requests after it", keepAlive)
}

func TestStep7_HTTP10(t *testing.T) {
	c := dial(t, echo)
	ka := "GET /ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
	c.send(t, ka)
	c.expect(t, teach.Q(ka), 200, "GET /ka ", "RFC 9112 §9.3: an HTTP/1.0 client that sends Connection: keep-alive keeps the connection", keepAlive)
	plain := "GET /plain HTTP/1.0\r\n\r\n"
	c.send(t, plain)
	c.expect(t, teach.Q(plain)+" on the same connection", 200, "GET /plain ", "", keepAlive)
	c.expectClosed(t, teach.Q(plain), "RFC 9112 §9.3: without keep-alive, an HTTP/1.0 connection closes after the response", keepAlive)
}

func TestStep8_BadRequestCloses(t *testing.T) {
	c := dial(t, echo)
	all := get("/ok") + "BAD REQUEST\r\n\r\n" + get("/after")
	c.send(t, all)
	c.expect(t, teach.Q(all), 200, "GET /ok ", "", pipelining)
	r, err := c.read()
	if err != nil || r.status != 400 {
		teach.Fatal(t, teach.Lesson{
			Sent: teach.Q(all),
			Got:  "second response: " + r.String() + errText(err),
			Want: "400, with Content-Length and Connection: close",
			Rule: "a request that does not parse never reaches a handler: the loop answers 400 itself",
			Read: errs,
		})
	}
	c.expectClosed(t, teach.Q(all), "after a protocol error the server cannot know where the next request starts: it closes, and /after is never answered", errs)
}

func TestStep9_Continue(t *testing.T) {
	c := dial(t, echo)
	head := "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"
	c.send(t, head)
	r, err := c.read()
	if err != nil || r.status != 100 {
		teach.Fatal(t, teach.Lesson{
			Sent: teach.Q(head) + ", then the client waits before sending the body",
			Got:  r.String() + errText(err),
			Want: teach.Q("HTTP/1.1 100 Continue\r\n\r\n") + ", an interim response, before the body is read",
			Rule: "RFC 9110 §10.1.1: a client that sends Expect: 100-continue waits for 100 before the body; a server that reads the body sends 100 Continue first (or the final status, without reading)",
			Read: cont,
		})
	}
	c.send(t, "data")
	c.expect(t, teach.Q(head)+", then after 100 the body "+teach.Q("data"), 200, "POST /up data", "", cont)
}

func TestStep10_ManyPipelined(t *testing.T) {
	c := dial(t, echo)
	const n = 50
	var all strings.Builder
	for i := range n {
		fmt.Fprintf(&all, "POST /%d HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%d", i, len(strconv.Itoa(i)), i)
	}
	go io.WriteString(c, all.String()) // the server's answers may fill the socket buffers first
	for i := range n {
		c.expect(t, fmt.Sprintf("%d pipelined POSTs in one write (%d bytes)", n, all.Len()), 200, fmt.Sprintf("POST /%d %d", i, i),
			"RFC 9112 §9.3.2: responses in request order, however many requests one read brought in",
			pipelining)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return " (error: " + err.Error() + ")"
}
