// Command ch02 is the seed's web server written against the socket alone,
// before any framework. It serves an HTML page, the image the page shows,
// and the page's registration form, and it reads and writes HTTP/1.1 by
// hand. docs/02-http-by-hand.md explains every byte.
//
// The parser here is deliberately naive, but it is safe: every read is
// bounded, every malformed request gets a 400, and every connection ends
// after one response. The comments say what a real parser must also do,
// and which chapter of the docs shows framework code that does it.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	maxHead = 8 << 10  // request line plus headers; real servers answer 431 past their limit
	maxBody = 64 << 10 // request body; real servers answer 413 past their limit
)

// patience is how long a client may take to send its whole request.
// It is a variable only so that a test can shorten it.
var patience = 10 * time.Second

// request is everything this server understands about a request.
type request struct {
	method, target, version string
	header                  map[string]string // names lower-cased; one value each (see readHead)
	body                    []byte
}

// errMalformed marks a request that does not follow the grammar; it gets a 400.
var errMalformed = errors.New("malformed request")

// picture is the JPEG served at /test.jpg, made once at start.
var picture = gradientJPEG(160, 90)

const homePage = `<!doctype html>
<html><head><meta charset="utf-8"><title>groundup, chapter 2</title></head>
<body>
<h1>Hello from a socket</h1>
<img src="/test.jpg" alt="a gradient" width="160" height="90">
<form method="post" action="/register">
<label>Name <input name="name"></label>
<label>Email <input name="email" type="email"></label>
<button>Register</button>
</form>
</body></html>
`

func main() {
	addr := flag.String("addr", "127.0.0.1:9001", "address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		slog.Error("listen failed", "err", err)
		os.Exit(1)
	}
	slog.Info("listening", "url", "http://"+ln.Addr().String()+"/")
	slog.Error("server stopped", "err", serve(ln))
}

// serve is chapter 1's accept loop: one goroutine per connection.
func serve(ln net.Listener) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := ln.Accept()
		if err != nil {
			return err
		}
		wg.Go(func() { handle(conn) })
	}
}

// handle reads one request from conn, writes one response, and hangs up.
func handle(conn net.Conn) {
	defer hangUp(conn)
	// One deadline for reading the whole request. It stops a client that
	// sends nothing, but a slow client still holds the goroutine for up to
	// 10 s (slowloris); chapter 4 sets a deadline per phase instead.
	conn.SetReadDeadline(time.Now().Add(patience))
	// The LimitedReader is the bound on everything we read: maxHead bytes
	// for the head, then maxBody more once we know there is a body.
	limit := &io.LimitedReader{R: conn, N: maxHead}
	r := bufio.NewReader(limit)
	if _, err := r.Peek(1); err != nil {
		// Closed before sending a byte. Not an error: browsers open spare
		// connections in advance and close the ones they do not use.
		return
	}

	req, err := readHead(r)
	if err == nil && req.method == "POST" { // here only POST has a body
		limit.N = maxBody
		req.body, err = readBody(r, req.header)
	}
	// The answer gets its own deadline, so that a client whose request
	// timed out is still told why (a real server would send 408 then).
	conn.SetWriteDeadline(time.Now().Add(patience))
	if err != nil {
		slog.Warn("bad request", "remote", conn.RemoteAddr().String(), "err", err)
		respond(conn, 400, "text/plain; charset=utf-8", []byte("bad request\n"))
		return
	}
	status := route(conn, req)
	slog.Info("served", "method", req.method, "target", req.target, "status", status)
}

// readHead parses the request line and the header fields. A real parser
// must also (chapter 3, 03-parser.md): check that the method is a token
// and the target holds no control characters, answer 505 to other
// versions, require exactly one Host in HTTP/1.1, reject CR, LF and NUL
// inside values, and keep repeated fields instead of the last one.
func readHead(r *bufio.Reader) (*request, error) {
	line, err := readLine(r)
	if err != nil {
		return nil, err
	}
	// "GET /test.jpg HTTP/1.1": three parts, separated by single spaces.
	parts := strings.Split(line, " ")
	if len(parts) != 3 || parts[0] == "" || !strings.HasPrefix(parts[1], "/") ||
		(parts[2] != "HTTP/1.1" && parts[2] != "HTTP/1.0") {
		return nil, fmt.Errorf("%w: request line %q", errMalformed, line)
	}
	req := &request{method: parts[0], target: parts[1], version: parts[2], header: map[string]string{}}
	for {
		line, err := readLine(r)
		if err != nil {
			return nil, err
		}
		if line == "" { // the empty line ends the head
			return req, nil
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("%w: header line %q", errMalformed, line)
		}
		// Names are case-insensitive; values lose the spaces around them.
		name = strings.ToLower(name)
		if _, seen := req.header[name]; seen && name == "content-length" {
			// Two lengths: which one frames the body? Refuse to guess.
			return nil, fmt.Errorf("%w: two Content-Length fields", errMalformed)
		}
		req.header[name] = strings.TrimSpace(value)
	}
}

// readLine returns one line without its CRLF. It fails on a line that ends
// in a bare LF, or when the read limit cuts the head short.
func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("%w: head cut short or over %d bytes: %v", errMalformed, maxHead, err)
	}
	if !strings.HasSuffix(line, "\r\n") {
		return "", fmt.Errorf("%w: line not ended by CRLF", errMalformed)
	}
	return line[:len(line)-2], nil
}

// readBody reads exactly Content-Length bytes. Without Content-Length
// there is no body. Chunked bodies are not understood, so they are refused
// rather than misread (a misread body is how request smuggling starts;
// chapter 3 explains, and framework/body.go decodes chunked bodies).
func readBody(r *bufio.Reader, header map[string]string) ([]byte, error) {
	if _, ok := header["transfer-encoding"]; ok {
		return nil, fmt.Errorf("%w: Transfer-Encoding is not supported here", errMalformed)
	}
	cl, ok := header["content-length"]
	if !ok {
		return nil, nil
	}
	n, err := strconv.Atoi(cl)
	if err != nil || n < 0 || n > maxBody || strings.TrimLeft(cl, "0123456789") != "" {
		return nil, fmt.Errorf("%w: Content-Length %q", errMalformed, cl)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("%w: body cut short: %v", errMalformed, err)
	}
	return body, nil
}

// route answers req and returns the status it sent.
func route(w io.Writer, req *request) int {
	path, _, _ := strings.Cut(req.target, "?") // the query plays no part here
	switch {
	case req.method == "GET" && path == "/":
		return respond(w, 200, "text/html; charset=utf-8", []byte(homePage))
	case req.method == "GET" && path == "/test.jpg":
		return respond(w, 200, "image/jpeg", picture)
	case req.method == "POST" && path == "/register":
		form, err := url.ParseQuery(string(req.body))
		if err != nil {
			slog.Warn("bad form", "err", err)
			return respond(w, 400, "text/plain; charset=utf-8", []byte("bad form\n"))
		}
		// Escape what the user typed: otherwise "<script>" in a name runs
		// in the browser of whoever sees this page.
		page := fmt.Sprintf("<!doctype html>\n<title>registered</title>\n<h1>register success</h1>\n"+
			"<p>Name: %s</p>\n<p>Email: %s</p>\n<p><a href=\"/\">back</a></p>\n",
			html.EscapeString(form.Get("name")), html.EscapeString(form.Get("email")))
		return respond(w, 200, "text/html; charset=utf-8", []byte(page))
	default:
		return respond(w, 404, "text/plain; charset=utf-8", []byte("not found\n"))
	}
}

// reasons holds the reason phrase of each status this server sends.
var reasons = map[int]string{200: "OK", 400: "Bad Request", 404: "Not Found"}

// respond writes a whole response: status line, headers, empty line, body.
// Content-Length tells the client where the body ends; Connection: close
// tells it that we hang up afterwards (keep-alive is chapter 4).
func respond(w io.Writer, status int, contentType string, body []byte) int {
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, reasons[status])
	fmt.Fprintf(&b, "Content-Type: %s\r\n", contentType)
	fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	b.WriteString("Connection: close\r\n\r\n")
	b.Write(body)
	w.Write(b.Bytes()) // one write; if it fails, the client has gone
	return status
}

// hangUp closes conn without destroying the response in flight. Closing a
// socket that still has unread input makes the kernel send a reset, and a
// reset can discard our response before the client reads it. So we first
// send FIN (CloseWrite), then read and discard what the client still sends,
// for a bounded time and size, then close (framework/output.go does the same).
func hangUp(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok && tc.CloseWrite() == nil {
		conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		io.Copy(io.Discard, io.LimitReader(conn, maxBody))
	}
	conn.Close()
}

// gradientJPEG draws a w×h colour gradient and encodes it as a JPEG, so
// the program needs no file beside it.
func gradientJPEG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(255 * x / w), uint8(255 * y / h), 160, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		panic(err) // encoding to memory fails only if the encoder is broken
	}
	return b.Bytes()
}
