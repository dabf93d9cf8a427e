package http1

import (
	"slices"
	"testing"
)

func parsed(t *testing.T, in string) *Head {
	t.Helper()
	h := new(Head)
	if _, err := Parse([]byte(in), Limits{}, h); err != nil {
		t.Fatalf("Parse(%q): %v", in, err)
	}
	return h
}

func TestHeadLookups(t *testing.T) {
	h := parsed(t, "GET / HTTP/1.1\r\nHost: h\r\nAccept: a\r\nX-Tag: one\r\nx-tag: two, three\r\nConnection: Upgrade ,\tKeep-Alive\r\n\r\n")
	tests := []struct {
		name, want string
	}{
		{"Host", "h"},
		{"host", "h"},
		{"HOST", "h"},
		{"X-TAG", "one"},
		{"Missing", ""},
		{"Hos", ""},
	}
	for _, tc := range tests {
		if got := h.Get(tc.name); got != tc.want {
			t.Errorf("Get(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := slices.Collect(h.Values("x-Tag")); !slices.Equal(got, []string{"one", "two, three"}) {
		t.Errorf("Values(x-Tag) = %q", got)
	}
	if got := slices.Collect(h.Values("none")); len(got) != 0 {
		t.Errorf("Values(none) = %q", got)
	}
	for v := range h.Values("X-Tag") {
		_ = v // stopping early must not panic
		break
	}
	tokens := []struct {
		name, token string
		want        bool
	}{
		{"Connection", "keep-alive", true},
		{"connection", "UPGRADE", true},
		{"Connection", "close", false},
		{"Connection", "Upgrade ", false}, // the token is matched exactly, OWS is the list's
		{"X-Tag", "three", true},
		{"X-Tag", "two, three", false},
		{"Accept", "a", true},
		{"Nope", "a", false},
	}
	for _, tc := range tokens {
		if got := h.HasToken(tc.name, tc.token); got != tc.want {
			t.Errorf("HasToken(%q, %q) = %v, want %v", tc.name, tc.token, got, tc.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { h.Get("x-tag"); h.HasToken("Connection", "keep-alive") }); n != 0 {
		t.Errorf("Get and HasToken allocate %v times", n)
	}
}

func TestHeadProtoAndReset(t *testing.T) {
	h := parsed(t, "GET / HTTP/1.0\r\n\r\n")
	if h.Proto() != "HTTP/1.0" {
		t.Errorf("Proto() = %q", h.Proto())
	}
	h = parsed(t, "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n")
	if h.Proto() != "HTTP/1.1" {
		t.Errorf("Proto() = %q", h.Proto())
	}
	fields := h.Fields
	h.Reset()
	if h.Raw != "" || h.Method != "" || h.ContentLength != -1 || len(h.Fields) != 0 || cap(h.Fields) != cap(fields) {
		t.Errorf("Reset left %#v", h)
	}
	if fields[0] != (Field{}) {
		t.Errorf("Reset kept field %#v alive", fields[0])
	}
}

func TestIsToken(t *testing.T) {
	for _, s := range []string{"GET", "x", "M-SEARCH", "!#$%&'*+-.^_`|~09azAZ"} {
		if !IsToken(s) {
			t.Errorf("IsToken(%q) = false", s)
		}
	}
	for _, s := range []string{"", "a b", "a:b", "a\x00", "(", ")", "<", ">", "@", ",", ";", "\\", "\"", "/", "[", "]", "?", "=", "{", "}", "\t", "\x7f", "\x80", "é"} {
		if IsToken(s) {
			t.Errorf("IsToken(%q) = true", s)
		}
	}
	// Every byte: a token char is exactly RFC 9110's tchar.
	for c := range 256 {
		want := c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' ||
			c < 0x80 && slices.Contains([]byte("!#$%&'*+-.^_`|~"), byte(c))
		if IsToken(string([]byte{byte(c)})) != want {
			t.Errorf("IsToken(%q) = %v", rune(c), !want)
		}
	}
}

func TestValidFieldValue(t *testing.T) {
	for _, s := range []string{"", "text/html; charset=utf-8", "a\tb", " spaced ", "caf\xc3\xa9", "\x80\xff", "~!\"#"} {
		if !ValidFieldValue(s) {
			t.Errorf("ValidFieldValue(%q) = false", s)
		}
	}
	for _, s := range []string{"a\r\nSet-Cookie: x=y", "a\nb", "a\rb", "a\x00b", "\x1b[31m", "\x7f"} {
		if ValidFieldValue(s) {
			t.Errorf("ValidFieldValue(%q) = true", s)
		}
	}
}

func TestProtocolErrorText(t *testing.T) {
	e := &ProtocolError{Status: 431, Reason: "too big"}
	if e.Error() != "http1: 431 too big" {
		t.Errorf("Error() = %q", e.Error())
	}
}
