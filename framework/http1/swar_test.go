package http1

import (
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
