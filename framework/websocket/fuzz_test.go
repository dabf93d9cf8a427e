package websocket

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzDecoder feeds arbitrary bytes to the decoder, whole and one byte at
// a time. It must never panic, both ways must agree, and every frame it
// accepts must re-encode to exactly the bytes it came from: the length
// must be minimal, so a frame has one encoding.
func FuzzDecoder(f *testing.F) {
	for _, cases := range codecCases {
		for _, tc := range cases {
			f.Add(tc.in, uint16(0))
		}
	}
	f.Add(cf(false, 0, OpText, []byte("\xce")), uint16(3))
	f.Fuzz(func(t *testing.T, in []byte, max uint16) {
		whole := &Decoder{Role: Server, MaxMessage: int64(max)}
		gotWhole, errWhole := decodeAll(whole, bytes.Clone(in))
		trickle := &Decoder{Role: Server, MaxMessage: int64(max)}
		gotTrickle, errTrickle := decodeTrickle(trickle, bytes.Clone(in))
		if strings.Join(gotWhole, "|") != strings.Join(gotTrickle, "|") && errWhole != ErrNeedMore {
			t.Fatalf("whole %q, trickle %q", gotWhole, gotTrickle)
		}
		// Fed a byte at a time, the decoder may fail inside a payload that
		// Frame is still waiting for: that is failing fast, not a disagreement.
		var pe *ProtocolError
		failedFast := errWhole == ErrNeedMore && errors.As(errTrickle, &pe)
		if !sameError(errWhole, errTrickle) && !failedFast {
			t.Fatalf("whole %v, trickle %v", errWhole, errTrickle)
		}

		// Round trip every accepted frame.
		d := &Decoder{Role: Server, MaxMessage: int64(max)}
		b := bytes.Clone(in)
		for len(b) > 0 {
			orig := bytes.Clone(b)
			fr, n, err := d.Frame(b)
			if err != nil {
				break
			}
			re := AppendHeader(nil, fr.Header)
			payload := bytes.Clone(fr.Payload)
			MaskBytes(fr.Mask, 0, payload)
			re = append(re, payload...)
			if !bytes.Equal(re, orig[:n]) {
				t.Fatalf("re-encoded % x, was % x", re, orig[:n])
			}
			b = b[n:]
		}
	})
}

// sameError reports whether two decoding errors are the same outcome.
func sameError(a, b error) bool {
	var pa, pb *ProtocolError
	if errors.As(a, &pa) && errors.As(b, &pb) {
		return pa == pb
	}
	return a == b
}

// FuzzEncoder encodes a server frame and decodes it as a client.
func FuzzEncoder(f *testing.F) {
	f.Add(true, uint8(1), []byte("hello"))
	f.Add(false, uint8(2), make([]byte, 300))
	f.Fuzz(func(t *testing.T, fin bool, op uint8, payload []byte) {
		opc := []Opcode{OpText, OpBinary, OpPing}[int(op)%3]
		if opc == OpPing {
			fin = true
			if len(payload) > 125 {
				payload = payload[:125]
			}
		}
		if opc == OpText && !utf8.Valid(payload) {
			opc = OpBinary
		}
		d := &Decoder{Role: Client}
		fr, n, err := d.Frame(AppendFrame(nil, opc, fin, payload))
		if err != nil {
			if opc == OpText && !fin && errors.Is(err, errInvalidUTF8) {
				return
			}
			t.Fatalf("%v", err)
		}
		if n != len(AppendFrame(nil, opc, fin, payload)) || fr.Fin != fin || fr.Opcode != opc || !bytes.Equal(fr.Payload, payload) {
			t.Fatalf("got %+v", fr)
		}
	})
}

// FuzzUTF8 checks the incremental validator against unicode/utf8, with the
// input cut at two arbitrary points.
func FuzzUTF8(f *testing.F) {
	f.Add([]byte("κόσμε"), uint8(1), uint8(3))
	f.Add([]byte("\xed\xa0\x80"), uint8(1), uint8(2))
	f.Add([]byte("abcdefgh\xf0\x9d\x84\x9e"), uint8(9), uint8(10))
	f.Fuzz(func(t *testing.T, p []byte, i, j uint8) {
		a, b := int(i), int(j)
		if a > len(p) {
			a = len(p)
		}
		if b > len(p) {
			b = len(p)
		}
		if a > b {
			a, b = b, a
		}
		var v utf8Validator
		ok := v.write(p[:a]) && v.write(p[a:b]) && v.write(p[b:]) && v.complete()
		if ok != utf8.Valid(p) {
			t.Fatalf("%q cut at %d, %d: validator says %v", p, a, b, ok)
		}
		// A prefix is refused only if no continuation could make it valid:
		// then no longer input starting with it is valid either.
		var w utf8Validator
		if !w.write(p[:a]) && utf8.Valid(p) {
			t.Fatalf("%q: valid input refused at prefix %d", p, a)
		}
	})
}

// FuzzConnRead feeds arbitrary bytes to a connection, as if from a
// client, with and without compression, and reads until it ends. It must
// neither panic nor hang: every input ends in a close or an error.
func FuzzConnRead(f *testing.F) {
	for _, cases := range codecCases {
		for _, tc := range cases {
			f.Add(tc.in, false)
		}
	}
	f.Add(cf(true, RSV1, OpText, []byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}), true)
	f.Fuzz(func(t *testing.T, in []byte, compress bool) {
		server, client := net.Pipe()
		c := newConn(server, nil, Server, Options{MaxMessageSize: 1 << 16, CloseTimeout: 50 * time.Millisecond}, slog.New(slog.DiscardHandler))
		if compress {
			c.dec.RSV = RSV1
			c.inflate = &inflater{takeover: true}
			c.deflate = &deflater{takeover: true}
		}
		go func() {
			client.Write(in)
			client.Close()
		}()
		go io.Copy(io.Discard, client) // take what the server writes
		for range len(in) + 2 {
			if _, _, err := c.ReadMessage(); err != nil {
				break
			}
		}
		c.closeNet(nil)
	})
}
