package http1_test

import (
	"fmt"

	"github.com/groundup-go/groundup/framework/http1"
)

// A connection loop appends what it reads to a buffer and calls Parse until
// the head is complete. Parse keeps no state: it simply looks again.
func ExampleParse() {
	var h http1.Head
	buf := []byte("GET /hello?name=gopher HTTP/1.1\r\nHost: example.com\r\n")
	n, err := http1.Parse(buf, http1.Limits{}, &h)
	fmt.Println(n, err)

	buf = append(buf, "User-Agent: demo\r\nContent-Length: 5\r\n\r\nhello"...)
	n, err = http1.Parse(buf, http1.Limits{}, &h)
	fmt.Println(n, err)
	fmt.Println(h.Method, h.Path, h.RawQuery, h.Host, h.Proto())
	fmt.Println(h.Get("user-agent"), h.ContentLength, h.Close)
	fmt.Printf("body starts with %q\n", buf[n:])
	// Output:
	// 0 http1: need more data
	// 91 <nil>
	// GET /hello name=gopher example.com HTTP/1.1
	// demo 5 false
	// body starts with "hello"
}

// A request the server must refuse comes back as a *ProtocolError that
// carries the status to answer with and the rule that was broken.
func ExampleParse_refused() {
	smuggle := "POST / HTTP/1.1\r\nHost: example.com\r\n" +
		"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
	var h http1.Head
	_, err := http1.Parse([]byte(smuggle), http1.Limits{}, &h)
	if pe, ok := err.(*http1.ProtocolError); ok {
		fmt.Println(pe.Status, pe.Reason)
	}
	// Output:
	// 400 both Transfer-Encoding and Content-Length (RFC 9112 §6.1)
}

// The decoder consumes framing in whole lines; the caller keeps the bytes
// it did not consume and adds the next read to them.
func ExampleChunkedDecoder() {
	reads := []string{"5\r\nhel", "lo\r\n6;note=x\r\n world\r\n0\r\n", "\r\nGET /next"}
	var d http1.ChunkedDecoder
	var pending, body []byte
	dst := make([]byte, 64)
	for _, r := range reads {
		pending = append(pending, r...)
		for {
			nDst, nSrc, done, err := d.Decode(dst, pending)
			if err != nil {
				fmt.Println(err)
				return
			}
			body = append(body, dst[:nDst]...)
			pending = pending[nSrc:]
			if done {
				fmt.Printf("body %q, left for the next request %q\n", body, pending)
				return
			}
			if nDst == 0 && nSrc == 0 {
				break // read more
			}
		}
	}
	// Output:
	// body "hello world", left for the next request "GET /next"
}

// An Arena copies many small heads into one block: the strings of a head
// stay valid after the caller reuses its buffer, as with Parse.
func ExampleArena_Parse() {
	var arena http1.Arena
	var first, second http1.Head
	buf := []byte("GET /a HTTP/1.1\r\nHost: example.com\r\n\r\n")
	arena.Parse(buf, http1.Limits{}, &first)
	copy(buf, "GET /b HTTP/1.1\r\nHost: example.org\r\n\r\n") // the buffer is reused
	arena.Parse(buf, http1.Limits{}, &second)
	fmt.Println(first.Path, first.Host)
	fmt.Println(second.Path, second.Host)
	// Output:
	// /a example.com
	// /b example.org
}
