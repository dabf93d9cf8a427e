// Command rawhttp is the floor of the instruction-count benchmark: the
// least an HTTP/1.1 server on Go's net package can do for the benchmark's
// requests. It reads from the socket, finds the end of each head, reads a
// Content-Length body if there is one, and appends a prepared response:
// the same status line, headers and body as the other servers send, with
// no parsing of header fields beyond Content-Length, no JSON encoding and
// no template (the page is rendered once, at start). Every complete request
// in one read is answered in one write, so pipelined requests cost one
// write per batch.
//
// It is not a server for the open network: it trusts its client, and
// anything it does not recognise gets a 404 or, past its buffer, a 431
// and a closed connection.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/groundup-go/groundup/docs/bench/page"
)

// bufSize bounds a request head plus its body.
const bufSize = 64 << 10

// date holds the current "Date: ...\r\n" line, refreshed once a second.
var date atomic.Pointer[[]byte]

// prepared bodies, built once.
var (
	plainBody = []byte("Hello, World!")
	jsonBody  = []byte("{\"message\":\"Hello, World!\"}\n")
	pageBody  []byte
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8083", "address to listen on")
	flag.Parse()

	var b bytes.Buffer
	if err := page.RenderStd(&b, page.Sample); err != nil {
		slog.Error("render page", "err", err)
		os.Exit(1)
	}
	pageBody = b.Bytes()
	setDate(time.Now())
	go func() {
		t := time.NewTicker(time.Second)
		for now := range t.C {
			setDate(now)
		}
	}()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		slog.Error("listen", "err", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			slog.Warn("accept", "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		go serve(c)
	}
}

func setDate(t time.Time) {
	b := t.UTC().AppendFormat([]byte("Date: "), "Mon, 02 Jan 2006 15:04:05 GMT")
	b = append(b, "\r\n"...)
	date.Store(&b)
}

var (
	endOfHead     = []byte("\r\n\r\n")
	contentLength = []byte("\r\ncontent-length:")
)

// serve answers the requests on one connection until the client closes it
// or sends something that does not fit the buffer.
func serve(c net.Conn) {
	defer c.Close()
	in := make([]byte, bufSize)
	out := make([]byte, 0, bufSize)
	n := 0 // bytes of in that hold unanswered input
	for {
		m, err := c.Read(in[n:])
		if m == 0 || err != nil {
			return
		}
		n += m
		start := 0
		for {
			i := bytes.Index(in[start:n], endOfHead)
			if i < 0 {
				break
			}
			head := in[start : start+i+4]
			blen := bodyLen(head)
			if start+i+4+blen > n {
				break
			}
			body := in[start+i+4 : start+i+4+blen]
			out = respond(out, head, body)
			start += i + 4 + blen
		}
		if len(out) > 0 {
			if _, err := c.Write(out); err != nil {
				return
			}
			out = out[:0]
		}
		n = copy(in, in[start:n])
		if n == len(in) {
			c.Write([]byte("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
			return
		}
	}
}

// bodyLen returns the head's Content-Length, or 0. It matches the field
// name in lower case or with capitals, as the benchmark's client sends it.
func bodyLen(head []byte) int {
	i := bytes.Index(head, contentLength)
	if i < 0 {
		i = bytes.Index(head, []byte("\r\nContent-Length:"))
		if i < 0 {
			return 0
		}
	}
	v := head[i+len(contentLength):]
	v = v[:bytes.IndexByte(v, '\r')]
	n, err := strconv.Atoi(string(bytes.TrimSpace(v)))
	if err != nil || n < 0 || n > bufSize/2 {
		return 0
	}
	return n
}

// respond appends the response to the request whose head and body are
// given.
func respond(out, head, body []byte) []byte {
	target := head[bytes.IndexByte(head, ' ')+1:]
	target = target[:bytes.IndexByte(target, ' ')]
	switch {
	case string(target) == "/plaintext":
		return appendResponse(out, "text/plain; charset=utf-8", plainBody)
	case string(target) == "/json":
		return appendResponse(out, "application/json; charset=utf-8", jsonBody)
	case string(target) == "/page":
		return appendResponse(out, "text/html; charset=utf-8", pageBody)
	case string(target) == "/echo":
		return appendResponse(out, "application/octet-stream", body)
	case bytes.HasPrefix(target, []byte("/user/")):
		out = appendHead(out, "200 OK", "text/plain; charset=utf-8", len("Hello, !")+len(target)-len("/user/"))
		out = append(out, "Hello, "...)
		out = append(out, target[len("/user/"):]...)
		return append(out, '!')
	}
	out = appendHead(out, "404 Not Found", "text/plain; charset=utf-8", len("not found"))
	return append(out, "not found"...)
}

func appendResponse(out []byte, contentType string, body []byte) []byte {
	out = appendHead(out, "200 OK", contentType, len(body))
	return append(out, body...)
}

func appendHead(out []byte, status, contentType string, n int) []byte {
	out = append(out, "HTTP/1.1 "...)
	out = append(out, status...)
	out = append(out, "\r\nServer: raw-http\r\n"...)
	out = append(out, *date.Load()...)
	out = append(out, "Content-Type: "...)
	out = append(out, contentType...)
	out = append(out, "\r\nContent-Length: "...)
	out = strconv.AppendInt(out, int64(n), 10)
	return append(out, "\r\n\r\n"...)
}
