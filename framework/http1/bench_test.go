package http1

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkParse parses a typical browser head into a reused Head, as a
// connection does for each request.
func BenchmarkParse(b *testing.B) {
	buf := []byte(browserGET)
	var h Head
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(buf, Limits{}, &h); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseSmall parses the smallest realistic head, as a
// plaintext benchmark client sends it: here the fixed costs of Parse
// (finding the end, the copy, the request line, the framing rules)
// dominate rather than the per-byte field scan.
func BenchmarkParseSmall(b *testing.B) {
	buf := []byte("GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n")
	var h Head
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(buf, Limits{}, &h); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParsePipelined parses 16 requests sent back to back in one
// buffer, as a pipelining client sends them and the connection parses
// them: each Parse sees the rest of the buffer, not just its own head.
// One op is one request.
func BenchmarkParsePipelined(b *testing.B) {
	buf := []byte(strings.Repeat("GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 16))
	var h Head
	b.SetBytes(int64(len(buf) / 16))
	b.ReportAllocs()
	r := 0
	for b.Loop() {
		if r == len(buf) {
			r = 0
		}
		n, err := Parse(buf[r:], Limits{}, &h)
		if err != nil {
			b.Fatal(err)
		}
		r += n
	}
}

// BenchmarkParseIncomplete parses heads that have not ended yet, as a
// client that sends its head in small pieces makes the connection do on
// every read: each call must cost little more than a scan for the end.
func BenchmarkParseIncomplete(b *testing.B) {
	for _, size := range []int{64, 500, 4 << 10, 15 << 10} {
		head := browserGET[:len(browserGET)-2]
		for len(head) < size {
			head += "X-Padding: " + strings.Repeat("p", 50) + "\r\n"
		}
		buf := []byte(head[:size])
		b.Run(strconv.Itoa(size), func(b *testing.B) {
			var h Head
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				if _, err := Parse(buf, Limits{}, &h); err != ErrNeedMore {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseNetHTTP is the same head through http.ReadRequest, for
// scale. It does more (a URL, a header map, a body reader), so read it
// as context, not as a race.
func BenchmarkParseNetHTTP(b *testing.B) {
	buf := []byte(browserGET)
	r := bytes.NewReader(buf)
	br := bufio.NewReader(r)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(buf)
		br.Reset(r)
		if _, err := http.ReadRequest(br); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChunked decodes a 64 KiB body sent in 4 KiB chunks with one
// extension each, and a trailer.
func BenchmarkChunked(b *testing.B) {
	var sb strings.Builder
	chunk := strings.Repeat("x", 4096)
	for i := range 16 {
		fmt.Fprintf(&sb, "%x;seq=%d\r\n%s\r\n", len(chunk), i, chunk)
	}
	sb.WriteString("0\r\nDigest: sha-256=abc\r\n\r\n")
	src := []byte(sb.String())
	dst := make([]byte, 32<<10)
	var d ChunkedDecoder
	b.SetBytes(16 * 4096)
	b.ReportAllocs()
	for b.Loop() {
		d.Reset()
		for n := 0; ; {
			_, ns, done, err := d.Decode(dst, src[n:])
			if err != nil {
				b.Fatal(err)
			}
			n += ns
			if done {
				break
			}
		}
	}
}

// BenchmarkParseArena parses heads through an Arena into a reused Head,
// as a connection does: the small heads of the benchmark clients, and a
// browser's.
func BenchmarkParseArena(b *testing.B) {
	for _, tc := range []struct{ name, head string }{
		{"plaintext", "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"},
		{"user", "GET /user/gopher HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"},
		{"browser", browserGET},
	} {
		buf := []byte(tc.head)
		b.Run(tc.name, func(b *testing.B) {
			var a Arena
			var h Head
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Parse(buf, Limits{}, &h); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
