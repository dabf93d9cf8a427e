package websocket

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// testKey is the masking key of the client frames in these tests.
var testKey = [4]byte{0x37, 0xfa, 0x21, 0x3d}

// cf builds a masked client frame.
func cf(fin bool, rsv uint8, op Opcode, payload []byte) []byte {
	b := AppendHeader(nil, Header{Fin: fin, RSV: rsv, Opcode: op, Masked: true, Mask: testKey, Length: int64(len(payload))})
	n := len(b)
	b = append(b, payload...)
	MaskBytes(testKey, 0, b[n:])
	return b
}

// raw builds a masked client frame with a hand-written length field, for
// the non-minimal encodings AppendHeader cannot produce.
func raw(b0 byte, lenField []byte, payload []byte) []byte {
	b := append([]byte{b0}, lenField...)
	b[1] |= 0x80
	b = append(b, testKey[:]...)
	n := len(b)
	b = append(b, payload...)
	MaskBytes(testKey, 0, b[n:])
	return b
}

func cat(frames ...[]byte) []byte { return bytes.Join(frames, nil) }

func closeBody(code CloseCode, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}

// decodeAll decodes every frame in b with Frame and returns the data
// messages it reassembles ("text:..." or "binary:..."), the control frames
// ("ping:..."), and the first error.
func decodeAll(d *Decoder, b []byte) ([]string, error) {
	var out []string
	var msg []byte
	for len(b) > 0 {
		f, n, err := d.Frame(b)
		if err != nil {
			return out, err
		}
		b = b[n:]
		if f.Opcode.IsControl() {
			out = append(out, f.Opcode.String()+":"+string(f.Payload))
			continue
		}
		msg = append(msg, f.Payload...)
		if f.Fin {
			out = append(out, d.MessageOpcode().String()+":"+string(msg))
			msg = msg[:0]
		}
	}
	return out, nil
}

// decodeTrickle decodes b one byte at a time through Header and Payload,
// the way a connection with a tiny buffer would, and returns the same as
// decodeAll.
func decodeTrickle(d *Decoder, b []byte) ([]string, error) {
	var out []string
	var msg, ctrl, hdr []byte
	var h Header
	inPayload := false
	for i := 0; i < len(b); i++ {
		if !inPayload {
			hdr = append(hdr, b[i])
			var err error
			var n int
			h, n, err = d.Header(hdr)
			if err == ErrNeedMore {
				continue
			}
			if err != nil {
				return out, err
			}
			if n != len(hdr) {
				panic("header consumed a byte it was not given")
			}
			hdr = hdr[:0]
			ctrl = ctrl[:0]
			inPayload = h.Length > 0
		} else {
			p := []byte{b[i]}
			if err := d.Payload(p); err != nil {
				return out, err
			}
			if h.Opcode.IsControl() {
				ctrl = append(ctrl, p...)
			} else {
				msg = append(msg, p...)
			}
			inPayload = d.Remaining() > 0
		}
		if !inPayload {
			if h.Opcode.IsControl() {
				out = append(out, h.Opcode.String()+":"+string(ctrl))
			} else if h.Fin {
				out = append(out, d.MessageOpcode().String()+":"+string(msg))
				msg = msg[:0]
			}
		}
	}
	if len(hdr) > 0 || inPayload {
		return out, ErrNeedMore
	}
	return out, nil
}

type codecCase struct {
	name    string
	in      []byte
	want    []string  // messages and control frames, in order, before any error
	code    CloseCode // 0: no error
	section string    // the RFC section of the error
}

// codecCases follow the groups of the Autobahn|Testsuite: 1 framing,
// 2 pings and pongs, 3 reserved bits, 4 opcodes, 5 fragmentation,
// 6 UTF-8 handling, 7 close handling, 9 limits.
var codecCases = map[string][]codecCase{
	"1 framing": {
		{name: "empty text", in: cf(true, 0, OpText, nil), want: []string{"text:"}},
		{name: "text 125", in: cf(true, 0, OpText, bytes.Repeat([]byte("*"), 125)), want: []string{"text:" + strings.Repeat("*", 125)}},
		{name: "text 126 (16-bit length)", in: cf(true, 0, OpText, bytes.Repeat([]byte("*"), 126)), want: []string{"text:" + strings.Repeat("*", 126)}},
		{name: "binary 65535", in: cf(true, 0, OpBinary, bytes.Repeat([]byte{0xfe}, 65535)), want: []string{"binary:" + strings.Repeat("\xfe", 65535)}},
		{name: "binary 65536 (64-bit length)", in: cf(true, 0, OpBinary, bytes.Repeat([]byte{0xfe}, 65536)), want: []string{"binary:" + strings.Repeat("\xfe", 65536)}},
		{name: "unmasked client frame", in: AppendFrame(nil, OpText, true, []byte("hi")), code: 1002, section: "RFC 6455 §5.1"},
		{name: "16-bit length for 5 bytes", in: raw(0x81, []byte{126, 0, 5}, []byte("Hello")), code: 1002, section: "RFC 6455 §5.2"},
		{name: "64-bit length for 5 bytes", in: raw(0x81, []byte{127, 0, 0, 0, 0, 0, 0, 0, 5}, []byte("Hello")), code: 1002, section: "RFC 6455 §5.2"},
		{name: "64-bit length for 65535 bytes", in: raw(0x82, []byte{127, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, nil), code: 1002, section: "RFC 6455 §5.2"},
		{name: "64-bit length, high bit set", in: raw(0x82, []byte{127, 0x80, 0, 0, 0, 0, 1, 0, 0}, nil), code: 1002, section: "RFC 6455 §5.2"},
	},
	"2 pings and pongs": {
		{name: "empty ping", in: cf(true, 0, OpPing, nil), want: []string{"ping:"}},
		{name: "ping 125", in: cf(true, 0, OpPing, bytes.Repeat([]byte{0xfe}, 125)), want: []string{"ping:" + strings.Repeat("\xfe", 125)}},
		{name: "ping 126", in: cf(true, 0, OpPing, bytes.Repeat([]byte{0xfe}, 126)), code: 1002, section: "RFC 6455 §5.5"},
		{name: "unsolicited pong", in: cat(cf(true, 0, OpPong, []byte("x")), cf(true, 0, OpText, []byte("ok"))), want: []string{"pong:x", "text:ok"}},
		{name: "fragmented ping", in: cat(cf(false, 0, OpPing, []byte("a")), cf(true, 0, OpContinuation, []byte("b"))), code: 1002, section: "RFC 6455 §5.5"},
		{name: "ten pings", in: bytes.Repeat(cf(true, 0, OpPing, []byte("p")), 10), want: strings.Fields(strings.Repeat("ping:p ", 10))},
	},
	"3 reserved bits": {
		{name: "RSV1", in: cf(true, RSV1, OpText, []byte("x")), code: 1002, section: "RFC 6455 §5.2"},
		{name: "RSV2", in: cf(true, RSV2, OpText, []byte("x")), code: 1002, section: "RFC 6455 §5.2"},
		{name: "RSV3 after a good frame", in: cat(cf(true, 0, OpText, []byte("ok")), cf(true, RSV3, OpText, []byte("x"))), want: []string{"text:ok"}, code: 1002, section: "RFC 6455 §5.2"},
		{name: "RSV1|RSV2|RSV3 on ping", in: cf(true, RSV1|RSV2|RSV3, OpPing, nil), code: 1002, section: "RFC 6455 §5.2"},
	},
	"4 opcodes": {
		{name: "opcode 3", in: cf(true, 0, 3, nil), code: 1002, section: "RFC 6455 §5.2"},
		{name: "opcode 7 with payload", in: cf(true, 0, 7, []byte("reserved")), code: 1002, section: "RFC 6455 §5.2"},
		{name: "opcode 0xB", in: cf(true, 0, 0xB, nil), code: 1002, section: "RFC 6455 §5.2"},
		{name: "opcode 0xF after a good frame", in: cat(cf(true, 0, OpText, []byte("ok")), cf(true, 0, 0xF, nil)), want: []string{"text:ok"}, code: 1002, section: "RFC 6455 §5.2"},
	},
	"5 fragmentation": {
		{name: "text in two fragments", in: cat(cf(false, 0, OpText, []byte("frag")), cf(true, 0, OpContinuation, []byte("ment"))), want: []string{"text:fragment"}},
		{name: "binary in three fragments", in: cat(cf(false, 0, OpBinary, []byte{1}), cf(false, 0, OpContinuation, []byte{2}), cf(true, 0, OpContinuation, []byte{3})), want: []string{"binary:\x01\x02\x03"}},
		{name: "ping between fragments", in: cat(cf(false, 0, OpText, []byte("a")), cf(true, 0, OpPing, []byte("p")), cf(true, 0, OpContinuation, []byte("b"))), want: []string{"ping:p", "text:ab"}},
		{name: "empty fragments", in: cat(cf(false, 0, OpText, nil), cf(false, 0, OpContinuation, nil), cf(true, 0, OpContinuation, nil)), want: []string{"text:"}},
		{name: "continuation first", in: cf(true, 0, OpContinuation, []byte("x")), code: 1002, section: "RFC 6455 §5.4"},
		{name: "continuation after a whole message", in: cat(cf(true, 0, OpText, []byte("a")), cf(true, 0, OpContinuation, []byte("b"))), want: []string{"text:a"}, code: 1002, section: "RFC 6455 §5.4"},
		{name: "text inside a fragmented text", in: cat(cf(false, 0, OpText, []byte("a")), cf(true, 0, OpText, []byte("b"))), code: 1002, section: "RFC 6455 §5.4"},
		{name: "binary inside a fragmented text", in: cat(cf(false, 0, OpText, []byte("a")), cf(false, 0, OpBinary, []byte("b"))), code: 1002, section: "RFC 6455 §5.4"},
	},
	"6 UTF-8 handling": {
		{name: "valid multi-byte", in: cf(true, 0, OpText, []byte("κόσμε 𝄞")), want: []string{"text:κόσμε 𝄞"}},
		{name: "character split across fragments", in: cat(cf(false, 0, OpText, []byte("\xf0\x9d")), cf(true, 0, OpContinuation, []byte("\x84\x9e"))), want: []string{"text:𝄞"}},
		{name: "invalid byte 0xff", in: cf(true, 0, OpText, []byte("ab\xffcd")), code: 1007, section: "RFC 6455 §8.1"},
		{name: "overlong slash", in: cf(true, 0, OpText, []byte("\xc0\xaf")), code: 1007, section: "RFC 6455 §8.1"},
		{name: "surrogate half", in: cf(true, 0, OpText, []byte("\xed\xa0\x80")), code: 1007, section: "RFC 6455 §8.1"},
		{name: "past U+10FFFF", in: cf(true, 0, OpText, []byte("\xf4\x90\x80\x80")), code: 1007, section: "RFC 6455 §8.1"},
		{name: "message ends inside a character", in: cf(true, 0, OpText, []byte("a\xce")), code: 1007, section: "RFC 6455 §8.1"},
		{name: "bad byte in the second fragment fails before the last", in: cat(cf(false, 0, OpText, []byte("\xce")), cf(false, 0, OpContinuation, []byte("a")), cf(true, 0, OpContinuation, []byte("b"))), code: 1007, section: "RFC 6455 §8.1"},
		{name: "binary is not checked", in: cf(true, 0, OpBinary, []byte("\xff")), want: []string{"binary:\xff"}},
	},
	"7 close handling": {
		{name: "empty close", in: cf(true, 0, OpClose, nil), want: []string{"close:"}},
		{name: "close 1000 with reason", in: cf(true, 0, OpClose, append(closeBody(1000, ""), "bye"...)), want: []string{"close:\x03\xe8bye"}},
		{name: "close 3000", in: cf(true, 0, OpClose, closeBody(3000, "")), want: []string{"close:\x0b\xb8"}},
		{name: "close 4999", in: cf(true, 0, OpClose, closeBody(4999, "")), want: []string{"close:\x13\x87"}},
		{name: "close of one byte", in: cf(true, 0, OpClose, []byte{3}), code: 1002, section: "RFC 6455 §5.5.1"},
		{name: "close 999", in: cf(true, 0, OpClose, closeBody(999, "")), code: 1002, section: "RFC 6455 §7.4.1"},
		{name: "close 1004", in: cf(true, 0, OpClose, closeBody(1004, "")), code: 1002, section: "RFC 6455 §7.4.1"},
		{name: "close 1005", in: cf(true, 0, OpClose, closeBody(1005, "")), code: 1002, section: "RFC 6455 §7.4.1"},
		{name: "close 1006", in: cf(true, 0, OpClose, closeBody(1006, "")), code: 1002, section: "RFC 6455 §7.4.1"},
		{name: "close 1015", in: cf(true, 0, OpClose, closeBody(1015, "")), code: 1002, section: "RFC 6455 §7.4.1"},
		{name: "close 2999", in: cf(true, 0, OpClose, closeBody(2999, "")), code: 1002, section: "RFC 6455 §7.4.1"},
		{name: "close 5000", in: cf(true, 0, OpClose, closeBody(5000, "")), code: 1002, section: "RFC 6455 §7.4.1"},
		{name: "close reason not UTF-8", in: cf(true, 0, OpClose, append(closeBody(1000, ""), 0xce, 0xba, 0xe1, 0xbd)), code: 1007, section: "RFC 6455 §5.5.1"},
		{name: "close 126 bytes", in: cf(true, 0, OpClose, append(closeBody(1000, ""), bytes.Repeat([]byte("a"), 124)...)), code: 1002, section: "RFC 6455 §5.5"},
	},
	"9 limits": {
		{name: "message at the limit", in: cf(true, 0, OpBinary, make([]byte, 1000)), want: []string{"binary:" + string(make([]byte, 1000))}},
		{name: "frame over the limit", in: cf(true, 0, OpBinary, make([]byte, 1001)), code: 1009, section: "RFC 6455 §7.4.1"},
		{name: "fragments over the limit", in: cat(cf(false, 0, OpText, make([]byte, 600)), cf(true, 0, OpContinuation, make([]byte, 401))), code: 1009, section: "RFC 6455 §7.4.1"},
		{name: "64-bit length far over the limit, no payload sent", in: raw(0x82, []byte{127, 0, 0, 0, 1, 0, 0, 0, 0}, nil), code: 1009, section: "RFC 6455 §7.4.1"},
	},
}

func TestDecoderCases(t *testing.T) {
	for group, cases := range codecCases {
		for _, tc := range cases {
			t.Run(group+"/"+tc.name, func(t *testing.T) {
				for _, mode := range []string{"whole", "trickle"} {
					d := &Decoder{Role: Server, MaxMessage: 1000}
					if group != "9 limits" {
						d.MaxMessage = 0
					}
					in := bytes.Clone(tc.in)
					var got []string
					var err error
					if mode == "whole" {
						got, err = decodeAll(d, in)
					} else {
						got, err = decodeTrickle(d, in)
					}
					if strings.Join(got, "|") != strings.Join(tc.want, "|") {
						t.Errorf("%s: got %q, want %q", mode, got, tc.want)
					}
					if tc.code == 0 {
						if err != nil {
							t.Errorf("%s: unexpected error %v", mode, err)
						}
						continue
					}
					var pe *ProtocolError
					if !errors.As(err, &pe) {
						t.Fatalf("%s: got error %v, want close code %d", mode, err, tc.code)
					}
					if pe.Code != tc.code || pe.Section != tc.section {
						t.Errorf("%s: got %d (%s), want %d (%s): %v", mode, pe.Code, pe.Section, tc.code, tc.section, pe)
					}
				}
			})
		}
	}
}

// A client decodes server frames: unmasked is right, masked is wrong.
func TestDecoderClientRole(t *testing.T) {
	d := &Decoder{Role: Client}
	got, err := decodeAll(d, AppendFrame(nil, OpText, true, []byte("hello")))
	if err != nil || len(got) != 1 || got[0] != "text:hello" {
		t.Fatalf("got %q, %v", got, err)
	}
	_, err = decodeAll(d, cf(true, 0, OpText, []byte("hello")))
	var pe *ProtocolError
	if !errors.As(err, &pe) || pe.Code != CloseProtocolError || pe.Section != "RFC 6455 §5.1" {
		t.Fatalf("masked server frame: got %v", err)
	}
}

// With RSV1 taken by an extension, a compressed first frame is accepted
// and its payload is not checked as UTF-8 (it is deflated bytes); RSV1 on
// a continuation or control frame is still refused.
func TestDecoderRSV1Extension(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		code CloseCode
	}{
		{"compressed text", cf(true, RSV1, OpText, []byte{0xff, 0x00}), 0},
		{"compressed fragmented", cat(cf(false, RSV1, OpText, []byte{0xff}), cf(true, 0, OpContinuation, []byte{0xfe})), 0},
		{"RSV1 on continuation", cat(cf(false, RSV1, OpText, []byte{0xff}), cf(true, RSV1, OpContinuation, []byte{0xfe})), 1002},
		{"RSV1 on ping", cf(true, RSV1, OpPing, nil), 1002},
		{"RSV2 still reserved", cf(true, RSV2, OpText, nil), 1002},
	}
	for _, tc := range cases {
		d := &Decoder{Role: Server, RSV: RSV1}
		_, err := decodeAll(d, tc.in)
		var pe *ProtocolError
		switch {
		case tc.code == 0 && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.code != 0 && (!errors.As(err, &pe) || pe.Code != tc.code):
			t.Errorf("%s: got %v, want %d", tc.name, err, tc.code)
		}
	}
}

// Every prefix of a valid frame asks for more and consumes nothing.
func TestDecoderNeedMore(t *testing.T) {
	for _, n := range []int{0, 5, 200, 70000} {
		f := cf(true, 0, OpBinary, make([]byte, n))
		for i := 0; i < len(f); i += 1 + i/7 {
			d := &Decoder{Role: Server}
			_, c, err := d.Frame(f[:i])
			if err != ErrNeedMore || c != 0 {
				t.Fatalf("len %d, prefix %d: got %d, %v", n, i, c, err)
			}
		}
	}
}

// Encoded headers use the shortest length form and decode to themselves.
func TestHeaderEncoding(t *testing.T) {
	cases := []struct {
		h    Header
		want []byte
	}{
		{Header{Fin: true, Opcode: OpText, Length: 5}, []byte{0x81, 0x05}},
		{Header{Fin: false, Opcode: OpBinary, Length: 125}, []byte{0x02, 125}},
		{Header{Fin: true, Opcode: OpBinary, Length: 126}, []byte{0x82, 126, 0, 126}},
		{Header{Fin: true, Opcode: OpBinary, Length: 65535}, []byte{0x82, 126, 0xff, 0xff}},
		{Header{Fin: true, Opcode: OpBinary, Length: 65536}, []byte{0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0}},
		{Header{Fin: true, RSV: RSV1, Opcode: OpText, Length: 1}, []byte{0xc1, 0x01}},
		{Header{Fin: true, Opcode: OpPing, Masked: true, Mask: testKey, Length: 0}, []byte{0x89, 0x80, 0x37, 0xfa, 0x21, 0x3d}},
	}
	for _, tc := range cases {
		got := AppendHeader(nil, tc.h)
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%+v: got % x, want % x", tc.h, got, tc.want)
		}
	}
}

func TestMaskBytes(t *testing.T) {
	for n := 0; n < 40; n++ {
		for split := 0; split <= n; split++ {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(i * 7)
			}
			orig := bytes.Clone(b)
			pos := MaskBytes(testKey, 0, b[:split])
			MaskBytes(testKey, pos, b[split:])
			for i := range b {
				if b[i] != orig[i]^testKey[i%4] {
					t.Fatalf("n %d split %d: byte %d wrong", n, split, i)
				}
			}
		}
	}
}

func TestParseClose(t *testing.T) {
	code, reason, err := ParseClose(append(closeBody(4001, ""), "κ"...))
	if err != nil || code != 4001 || reason != "κ" {
		t.Fatalf("got %d %q %v", code, reason, err)
	}
	long := strings.Repeat("é", 100) // 200 bytes: cut at a boundary
	p := AppendClosePayload(nil, 1000, long)
	if len(p) > 125 || !utf8.Valid(p[2:]) {
		t.Fatalf("reason not cut to fit: %d bytes", len(p))
	}
	if len(AppendClosePayload(nil, CloseNoStatusReceived, "x")) != 0 {
		t.Fatal("1005 must send an empty body")
	}
}

func TestUTF8Validator(t *testing.T) {
	cases := []string{
		"", "a", "hello, world", "κόσμε", "𝄞", "\u07ff\u0800\uffff\U00010000\U0010ffff",
		"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc2", "\xe0\x80\x80", "\xe0\x9f\xbf", "\xed\xa0\x80",
		"\xed\xbf\xbf", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xfe", "\xff",
		"abcdefgh\xffabcdefgh", "abcdefghijklmnopq\xce\xba",
	}
	for _, s := range cases {
		for split := 0; split <= len(s); split++ {
			var v utf8Validator
			ok := v.write([]byte(s[:split])) && v.write([]byte(s[split:])) && v.complete()
			if ok != utf8.ValidString(s) {
				t.Errorf("%q split at %d: got %v", s, split, ok)
			}
		}
	}
}
