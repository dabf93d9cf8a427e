package http1

import (
	"math/bits"
	"strings"
	"testing"
)

// TestFieldValueEveryByte puts each of the 256 byte values at each position
// of a value long enough for the word-at-a-time scan, and checks that
// scanFieldLine accepts or refuses it exactly as the class table says
// (RFC 9110 §5.5), with the value intact. It guards the SWAR fast path.
func TestFieldValueEveryByte(t *testing.T) {
	for pos := range 20 {
		for c := range 256 {
			v := []byte(strings.Repeat("v", 20))
			v[pos] = byte(c)
			line := "X-Test: " + string(v) + "\r\n"
			_, vs, ve, next, e := scanFieldLine(line)
			value := line[vs:ve]
			ok := class[c]&cValue != 0
			switch {
			case ok && (e != nil || value != strings.Trim(string(v), " \t") || next != len(line)):
				t.Errorf("byte %#02x at %d: got %q, %d, %v; want the value accepted", c, pos, value, next, e)
			case !ok && e == nil:
				t.Errorf("byte %#02x at %d: accepted %q; want an error", c, pos, value)
			}
		}
	}
}

// TestParseClearsStaleFields checks that a Head reused for a request with
// fewer fields than the one before keeps none of the old strings reachable
// in the spare capacity of Fields.
func TestParseClearsStaleFields(t *testing.T) {
	var h Head
	for _, tc := range []struct {
		head string
		ok   bool
	}{
		{"GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nHost: h\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", true},
		{"GET / HTTP/1.1\r\nHost: h\r\nBad\r\n\r\n", false},
	} {
		_, err := Parse([]byte(tc.head), Limits{}, &h)
		if (err == nil) != tc.ok {
			t.Fatalf("Parse(%q) = %v", tc.head, err)
		}
		for i, f := range h.Fields[len(h.Fields):cap(h.Fields)] {
			if f != (Field{}) {
				t.Errorf("after %q: spare slot %d holds %v", tc.head, len(h.Fields)+i, f)
			}
		}
	}
}

// TestStopsEveryByte puts each of the 256 byte values at each position of
// a word of ordinary bytes, and checks that pathStops and queryStops flag
// it first exactly when their class refuses it or it is one of the few
// admitted bytes their comments name: a scan must never pass a byte its
// class refuses.
func TestStopsEveryByte(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stops func(uint64) uint64
		class uint16
		extra string // admitted bytes that the test flags all the same
	}{
		{"pathStops", pathStops, cPath, "!\"$"},
		{"queryStops", queryStops, cQuery, "!\""},
	} {
		for pos := range 8 {
			for c := range 256 {
				w := []byte("abcdefgh")
				w[pos] = byte(c)
				m := tc.stops(load64(w, 0))
				flagged := m != 0 && bits.TrailingZeros64(m)/8 == pos
				want := class[c]&tc.class == 0 || strings.IndexByte(tc.extra, byte(c)) >= 0
				if flagged != want {
					t.Errorf("%s: byte %#02x at %d: flagged %v, want %v", tc.name, c, pos, flagged, want)
				}
			}
		}
	}
}

// TestTailWord checks that tailWord gives the bytes from i and zeros past
// the end, for every i near the end of buffers of several lengths.
func TestTailWord(t *testing.T) {
	for n := 8; n <= 20; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('A' + i)
		}
		for i := max(0, n-8); i <= n+1; i++ {
			var want [8]byte
			for k := range 8 {
				if i+k < n {
					want[k] = b[i+k]
				}
			}
			if got := tailWord(b, i); got != load64(want[:], 0) {
				t.Errorf("tailWord(len %d, %d) = %#x, want %#x", n, i, got, load64(want[:], 0))
			}
		}
	}
}
