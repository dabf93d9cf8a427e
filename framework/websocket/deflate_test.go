package websocket

import (
	"bytes"
	"compress/flate"
	"strings"
	"testing"
	"time"
)

func TestNegotiateDeflate(t *testing.T) {
	cases := []struct {
		offers     []string
		noTakeover bool
		want       string // "" for declined
		params     deflateParams
	}{
		{[]string{"permessage-deflate"}, false, "permessage-deflate", deflateParams{}},
		{[]string{"permessage-deflate; client_max_window_bits"}, false, "permessage-deflate", deflateParams{}},
		{[]string{"permessage-deflate; server_no_context_takeover; client_no_context_takeover"}, false,
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover", deflateParams{true, true}},
		{[]string{"permessage-deflate"}, true, "permessage-deflate; client_no_context_takeover", deflateParams{true, true}},
		{[]string{"permessage-deflate; server_max_window_bits=10, permessage-deflate"}, false, "permessage-deflate", deflateParams{}},
		{[]string{"permessage-deflate; server_max_window_bits=10"}, false, "", deflateParams{}},
		{[]string{"permessage-deflate; client_max_window_bits=7"}, false, "", deflateParams{}},
		{[]string{"permessage-deflate; client_max_window_bits=\"12\""}, false, "permessage-deflate", deflateParams{}},
		{[]string{"permessage-deflate; server_no_context_takeover; server_no_context_takeover"}, false, "", deflateParams{}},
		{[]string{"permessage-deflate; mystery"}, false, "", deflateParams{}},
		{[]string{"x-webkit-deflate-frame", "permessage-deflate"}, false, "permessage-deflate", deflateParams{}},
		{nil, false, "", deflateParams{}},
	}
	for _, tc := range cases {
		p, answer, ok := negotiateDeflate(tc.offers, tc.noTakeover)
		if answer != tc.want || ok != (tc.want != "") || ok && p != tc.params {
			t.Errorf("%q: got %q %+v %v, want %q %+v", tc.offers, answer, p, ok, tc.want, tc.params)
		}
	}
}

// clientDeflater compresses like a client with context takeover.
type clientDeflater struct {
	buf bytes.Buffer
	fw  *flate.Writer
}

func (d *clientDeflater) compress(p []byte) []byte {
	if d.fw == nil {
		d.fw, _ = flate.NewWriter(&d.buf, flate.BestCompression)
	}
	d.buf.Reset()
	d.fw.Write(p)
	d.fw.Flush()
	return bytes.Clone(d.buf.Bytes()[:d.buf.Len()-4])
}

func TestDeflateEcho(t *testing.T) {
	for _, offer := range []string{"permessage-deflate", "permessage-deflate; server_no_context_takeover; client_no_context_takeover"} {
		addr := serve(t, Options{Compression: true, MaxMessageSize: 4096, CloseTimeout: time.Second}, echo)
		c, head := dial(t, addr, goodHeaders+"Sec-WebSocket-Extensions: "+offer+"\r\n")
		if !strings.Contains(head, "Sec-WebSocket-Extensions: "+offer+"\r\n") {
			t.Fatalf("%q: %q", offer, head)
		}
		c.dec.RSV = RSV1
		var zc clientDeflater
		takeover := !strings.Contains(offer, "no_context")
		var dict []byte
		for i, msg := range []string{"hello hello hello hello", "hello hello hello hello", strings.Repeat("κόσμε ", 200), ""} {
			z := zc.compress([]byte(msg))
			if !takeover {
				zc.fw = nil
			}
			// Split the compressed message into two fragments.
			half := len(z) / 2
			c.send(cf(false, RSV1, OpText, z[:half]), cf(true, 0, OpContinuation, z[half:]))
			f, err := c.next()
			if err != nil || !f.Fin || f.RSV != RSV1 {
				t.Fatalf("%q message %d: %+v %v", offer, i, f.Header, err)
			}
			fr := flate.NewReaderDict(bytes.NewReader(append(f.Payload, deflateTail...)), dict)
			var out bytes.Buffer
			if _, err := out.ReadFrom(fr); err != nil {
				t.Fatalf("%q message %d: inflate: %v", offer, i, err)
			}
			if out.String() != msg {
				t.Fatalf("%q message %d: got %q", offer, i, out.String())
			}
			if takeover {
				dict = append(dict, out.Bytes()...)
			}
		}
	}
}

// A compressed bomb stops at the size limit; bad deflate data and bad
// UTF-8 inside compressed text fail with 1007.
func TestDeflateFailures(t *testing.T) {
	addr := serve(t, Options{Compression: true, MaxMessageSize: 4096, CloseTimeout: time.Second}, echo)
	var zc clientDeflater
	cases := []struct {
		name    string
		payload []byte
		code    CloseCode
	}{
		{"bomb", zc.compress(make([]byte, 1<<20)), 1009},
		{"bad UTF-8", (&clientDeflater{}).compress([]byte("ok \xff")), 1007},
		{"garbage", []byte{0xff, 0xff, 0xff, 0xff}, 1007},
	}
	for _, tc := range cases {
		c, _ := dial(t, addr, goodHeaders+"Sec-WebSocket-Extensions: permessage-deflate\r\n")
		c.send(cf(true, RSV1, OpText, tc.payload))
		c.expectClose(tc.code)
	}
}
