package framework

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzTraceText feeds arbitrary bytes to the trace's own little parsers
// (chunk sizes and trailers, masking, the hex and quoted views): none may
// panic, masking keeps every offset, and a masked Cookie line shows none
// of its value.
func FuzzTraceText(f *testing.F) {
	f.Add([]byte("5\r\nhello\r\n0\r\nX-Sum: 1\r\n\r\n"))
	f.Add([]byte("GET / HTTP/1.1\r\nCookie: sid=abc\r\nAuthorization: Basic Zm9v\r\n\r\n"))
	f.Add([]byte("ffffffffffffffffff\r\n"))
	f.Add([]byte("\n\n:\r\ncookie:\n"))
	f.Fuzz(func(t *testing.T, p []byte) {
		chunkNotes(p)
		m := maskRaw(p)
		if len(m) != len(p) {
			t.Fatalf("masking changed the length: %d to %d", len(p), len(m))
		}
		hexView(p)
		quoteLines(p)
		for _, line := range bytes.Split(m, []byte("\n")) {
			name, value, ok := strings.Cut(string(line), ":")
			if ok && strings.EqualFold(name, "cookie") && strings.Trim(value, "* \r") != "" {
				t.Fatalf("a Cookie value survived masking: %q", line)
			}
		}
	})
}

func TestMaskedValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sid=abc; theme=dark", "sid=***; theme=***"},
		{"Bearer xyz", "Bearer ***"},
		{"Basic Zm9vOmJhcg==", "Basic ***"},
		{"sid=abc; Path=/; HttpOnly", "sid=***; Path=***; HttpOnly"},
	}
	for _, tc := range tests {
		if got := maskedValue(tc.in); got != tc.want {
			t.Errorf("maskedValue(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
