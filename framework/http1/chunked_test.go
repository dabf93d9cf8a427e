package http1

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// chunkedCases are chunked bodies with what Decode must make of them. n is
// the number of bytes consumed (len(in) when zero and the body is done);
// status is the refusal, 0 for none; incomplete means Decode must ask for
// more after consuming everything it can.
var chunkedCases = []struct {
	name       string
	in         string
	out        string
	n          int
	status     int
	incomplete bool
	rfc        string
}{
	{"one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello", 0, 0, false, "RFC 9112 §7.1"},
	{"two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world", 0, 0, false, "RFC 9112 §7.1"},
	{"empty body", "0\r\n\r\n", "", 0, 0, false, "RFC 9112 §7.1"},
	{"last-chunk with many zeros", "000\r\n\r\n", "", 0, 0, false, "RFC 9112 §7.1"},
	{"hex any case", "a\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n", "01234567890123456789", 0, 0, false, "RFC 9112 §7.1"},
	{"next request left alone", "1\r\nx\r\n0\r\n\r\nGET / HTTP/1.1\r\n", "x", 11, 0, false, "RFC 9112 §7.1"},
	{"extensions ignored", "5;name=value;flag\r\nhello\r\n0;last\r\n\r\n", "hello", 0, 0, false, "RFC 9112 §7.1.1"},
	{"extension BWS", "5 ; a = b\t;\tc\r\nhello\r\n0\r\n\r\n", "hello", 0, 0, false, "RFC 9112 §7.1.1"},
	{"extension quoted", "5;a=\"x y;\\\"z\\\\\"\r\nhello\r\n0\r\n\r\n", "hello", 0, 0, false, "RFC 9112 §7.1.1"},
	{"trailer fields", "5\r\nhello\r\n0\r\nDigest: sha-256=abc\r\nX-T: 1\r\n\r\n", "hello", 0, 0, false, "RFC 9112 §7.1.2"},
	{"16 hex digits", "0000000000000001\r\nx\r\n0\r\n\r\n", "x", 0, 0, false, "RFC 9112 §7.1"},

	{"incomplete size", "5", "", 0, 0, true, "RFC 9112 §7.1"},
	{"incomplete data", "5\r\nhel", "hel", 0, 0, true, "RFC 9112 §7.1"},
	{"incomplete data CRLF", "5\r\nhello\r", "hello", 0, 0, true, "RFC 9112 §7.1"},
	{"no trailer end", "0\r\n", "", 0, 0, true, "RFC 9112 §7.1"},
	{"incomplete trailer", "0\r\nX: y\r\n", "", 0, 0, true, "RFC 9112 §7.1.2"},

	{"empty size", "\r\nx\r\n0\r\n\r\n", "", 0, 400, false, "RFC 9112 §7.1"},
	{"size not hex", "g\r\n", "", 0, 400, false, "RFC 9112 §7.1"},
	{"negative size", "-1\r\n", "", 0, 400, false, "RFC 9112 §7.1"},
	{"size with 0x", "0x5\r\nhello\r\n", "", 0, 400, false, "RFC 9112 §7.1"},
	{"leading space", " 5\r\nhello\r\n", "", 0, 400, false, "RFC 9112 §7.1"},
	{"trailing space without extension", "5 \r\nhello\r\n", "", 0, 400, false, "RFC 9112 §7.1.1"},
	{"17 hex digits", "00000000000000001\r\nx\r\n", "", 0, 400, false, "RFC 9112 §7.1"},
	{"size over 2^62", "4000000000000000\r\n", "", 0, 400, false, "RFC 9112 §7.1"},
	{"bare LF size line", "5\nhello\r\n0\r\n\r\n", "", 0, 400, false, "RFC 9112 §7.1"},
	{"bare CR in size line", "5\r;a\r\nhello\r\n", "", 0, 400, false, "RFC 9112 §7.1"},
	{"extension without name", "5;\r\nhello\r\n", "", 0, 400, false, "RFC 9112 §7.1.1"},
	{"extension name not a token", "5;a@b\r\nhello\r\n", "", 0, 400, false, "RFC 9112 §7.1.1"},
	{"extension empty value", "5;a=\r\nhello\r\n", "", 0, 400, false, "RFC 9112 §7.1.1"},
	{"extension unterminated quote", "5;a=\"x\r\nhello\r\n", "", 0, 400, false, "RFC 9112 §7.1.1"},
	{"extension CTL in quote", "5;a=\"\x01\"\r\nhello\r\n", "", 0, 400, false, "RFC 9110 §5.6.4"},
	{"extension junk", "5;a=b c\r\nhello\r\n", "", 0, 400, false, "RFC 9112 §7.1.1"},
	{"data longer than size", "5\r\nhello!\r\n0\r\n\r\n", "hello", 0, 400, false, "RFC 9112 §7.1"},
	{"data not followed by CRLF", "5\r\nhelloXY0\r\n\r\n", "hello", 0, 400, false, "RFC 9112 §7.1"},
	{"data followed by bare LF", "5\r\nhello\n0\r\n\r\n", "hello", 0, 400, false, "RFC 9112 §7.1"},
	{"trailer obs-fold", "0\r\nX: a\r\n b\r\n\r\n", "", 0, 400, false, "RFC 9112 §5.2"},
	{"trailer no colon", "0\r\nJunk\r\n\r\n", "", 0, 400, false, "RFC 9112 §5"},
	{"trailer SP before colon", "0\r\nX : a\r\n\r\n", "", 0, 400, false, "RFC 9112 §5.1"},
	{"trailer NUL", "0\r\nX: a\x00\r\n\r\n", "", 0, 400, false, "RFC 9110 §5.5"},
	{"trailer bare LF", "0\r\nX: a\n\r\n", "", 0, 400, false, "RFC 9112 §7.1"},
	{"trailer ends in bare LF", "0\r\n\n", "", 0, 400, false, "RFC 9112 §7.1"},
	{"line too long", "5;" + strings.Repeat("a", 5000) + "\r\nhello\r\n", "", 0, 400, false, "RFC 9112 §7.1.1"},
	{"line too long, incomplete", "5;" + strings.Repeat("a", 5000), "", 0, 400, false, "RFC 9112 §7.1.1"},
	{"trailer too big", "0\r\nX: " + strings.Repeat("a", 9000) + "\r\n\r\n", "", 0, 400, false, "RFC 9112 §7.1.2"},
	{"trailer too big, incomplete", "0\r\nX: " + strings.Repeat("a", 9000), "", 0, 400, false, "RFC 9112 §7.1.2"},
	{"framing overhead", strings.Repeat("1;"+strings.Repeat("e", 1000)+"\r\nx\r\n", 20) + "0\r\n\r\n", strings.Repeat("x", 16), 0, 400, false, "RFC 9112 §7.1.1"},
}

// decodeAll runs d over in, one-shot, with a dst of dstSize bytes at a time.
func decodeAll(d *ChunkedDecoder, in []byte, dstSize int) (out []byte, n int, done bool, err error) {
	dst := make([]byte, dstSize)
	for {
		nd, ns, dn, e := d.Decode(dst, in[n:])
		out = append(out, dst[:nd]...)
		n += ns
		if dn || e != nil || nd == 0 && ns == 0 {
			return out, n, dn, e
		}
	}
}

func TestChunked(t *testing.T) {
	for _, tc := range chunkedCases {
		t.Run(tc.name, func(t *testing.T) {
			for _, dstSize := range []int{1, 3, 4096} {
				var d ChunkedDecoder
				out, n, done, err := decodeAll(&d, []byte(tc.in), dstSize)
				if tc.status != 0 {
					var pe *ProtocolError
					if !errors.As(err, &pe) || pe.Status != tc.status {
						t.Fatalf("dst %d: err = %v, want status %d (%s)", dstSize, err, tc.status, tc.rfc)
					}
					if !strings.HasPrefix(tc.out, string(out)) {
						t.Errorf("dst %d: out = %q before the error, want a prefix of %q", dstSize, out, tc.out)
					}
					// The error is sticky.
					if _, _, _, err2 := d.Decode(make([]byte, 8), []byte("0\r\n\r\n")); err2 != err {
						t.Errorf("error not sticky: %v", err2)
					}
					return
				}
				if err != nil {
					t.Fatalf("dst %d: err = %v (%s)", dstSize, err, tc.rfc)
				}
				if string(out) != tc.out {
					t.Errorf("dst %d: out = %q, want %q", dstSize, out, tc.out)
				}
				if done == tc.incomplete {
					t.Errorf("dst %d: done = %v, want %v", dstSize, done, !tc.incomplete)
				}
				wantN := tc.n
				if wantN == 0 && !tc.incomplete {
					wantN = len(tc.in)
				}
				if !tc.incomplete && n != wantN {
					t.Errorf("dst %d: consumed %d, want %d", dstSize, n, wantN)
				}
			}
		})
	}
}

// TestChunkedIncremental feeds each valid body one byte at a time, keeping
// the unconsumed tail as a connection would, and expects the one-shot
// result.
func TestChunkedIncremental(t *testing.T) {
	for _, tc := range chunkedCases {
		if tc.status != 0 || tc.incomplete {
			continue
		}
		var d ChunkedDecoder
		out, n, done, err := feedSplit(&d, []byte(tc.in), func(int) int { return 1 }, 7)
		if err != nil || !done || string(out) != tc.out || (tc.n != 0 && n != tc.n) {
			t.Errorf("%s: byte by byte = %q, %d, %v, %v; want %q", tc.name, out, n, done, err, tc.out)
		}
	}
}

// feedSplit feeds in to d in pieces whose sizes come from next, the way a
// connection would: unconsumed bytes stay pending and new bytes are
// appended to them. It returns the decoded output, the bytes consumed in
// total, and the final state.
func feedSplit(d *ChunkedDecoder, in []byte, next func(int) int, dstSize int) (out []byte, consumed int, done bool, err error) {
	var pending []byte
	dst := make([]byte, dstSize)
	fed := 0
	for step := 0; ; step++ {
		if fed < len(in) {
			k := min(max(next(step), 1), len(in)-fed)
			pending = append(pending, in[fed:fed+k]...)
			fed += k
		}
		for {
			nd, ns, dn, e := d.Decode(dst, pending)
			out = append(out, dst[:nd]...)
			consumed += ns
			pending = pending[ns:]
			if dn || e != nil {
				return out, consumed, dn, e
			}
			if nd == 0 && ns == 0 {
				break
			}
		}
		if fed == len(in) {
			return out, consumed, false, nil
		}
	}
}

func TestChunkedReset(t *testing.T) {
	d := ChunkedDecoder{MaxTrailerBytes: 10, MaxLineBytes: 20}
	if _, _, _, err := d.Decode(make([]byte, 8), []byte("zz\r\n")); err == nil {
		t.Fatal("want an error")
	}
	d.Reset()
	if d.MaxTrailerBytes != 10 || d.MaxLineBytes != 20 {
		t.Fatalf("Reset lost the limits: %+v", d)
	}
	out, _, done, err := decodeAll(&d, []byte("2\r\nok\r\n0\r\n\r\n"), 8)
	if err != nil || !done || string(out) != "ok" {
		t.Fatalf("after Reset: %q %v %v", out, done, err)
	}
	// Limits apply: a trailer of 11 bytes is over 10.
	d.Reset()
	if _, _, _, err := decodeAll(&d, []byte("0\r\nAbc: def\r\n\r\n"), 8); err == nil {
		t.Fatal("trailer over MaxTrailerBytes accepted")
	}
	d.Reset()
	if _, _, _, err := decodeAll(&d, []byte("1;abcdefghijklmnopq\r\nx\r\n0\r\n\r\n"), 8); err == nil {
		t.Fatal("line over MaxLineBytes accepted")
	}
	// Once done, Decode consumes nothing more.
	d.Reset()
	decodeAll(&d, []byte("0\r\n\r\n"), 8)
	if nd, ns, done, err := d.Decode(make([]byte, 8), []byte("1\r\nx\r\n")); nd != 0 || ns != 0 || !done || err != nil {
		t.Fatalf("after done: %d %d %v %v", nd, ns, done, err)
	}
}

func TestChunkedAllocs(t *testing.T) {
	in := []byte("5;a=b\r\nhello\r\n6\r\n world\r\n0\r\nX: y\r\n\r\n")
	dst := make([]byte, 64)
	var d ChunkedDecoder
	allocs := testing.AllocsPerRun(100, func() {
		d.Reset()
		if _, _, done, err := d.Decode(dst, in); !done || err != nil {
			t.Fatal(done, err)
		}
	})
	if allocs != 0 {
		t.Fatalf("Decode allocates %v times", allocs)
	}
	if !bytes.Equal(dst[:11], []byte("hello world")) {
		t.Fatalf("dst = %q", dst[:11])
	}
}
