package websocket

import (
	"bytes"
	"compress/flate"
	"io"
	"strconv"
	"strings"
)

// permessage-deflate (RFC 7692) with the standard library's
// compress/flate. A message is compressed as one DEFLATE stream ended by
// a sync flush, whose final four bytes (00 00 ff ff) are left off the
// wire (§7.2.1); the first frame of the message has RSV1 set.
//
// Context takeover, the default, lets each message refer back to the
// last 32 KiB of the ones before: the compressor is flushed but not reset
// between messages, and the decompressor gets that window as its
// dictionary. With no_context_takeover each message stands alone, which
// compresses less and keeps no window per connection between messages.
//
// compress/flate always uses a 32 KiB window. So a client's
// server_max_window_bits below 15 (a smaller window for our compressor)
// cannot be met and that offer is declined; client_max_window_bits only
// says the client can shrink its own window, which any inflater with a
// 32 KiB window reads, so it is accepted and left out of the answer.

// deflateParams is an accepted offer.
type deflateParams struct {
	serverNoTakeover bool // we reset our compressor for every message
	clientNoTakeover bool // the client resets its compressor for every message
}

// negotiateDeflate picks the first permessage-deflate offer from the
// Sec-WebSocket-Extensions values that we can accept, and returns the
// parameters and the answer to send; ok is false if there is none.
// noTakeover asks for no context takeover on both sides whatever the
// client offered (a server may always reset its own compressor, and may
// ask the client to, §7.1.1).
func negotiateDeflate(values []string, noTakeover bool) (p deflateParams, answer string, ok bool) {
	for _, v := range values {
	offers:
		for offer := range strings.SplitSeq(v, ",") {
			parts := strings.Split(offer, ";")
			if !strings.EqualFold(strings.TrimSpace(parts[0]), "permessage-deflate") {
				continue
			}
			p = deflateParams{serverNoTakeover: noTakeover, clientNoTakeover: noTakeover}
			offeredServerNoTakeover := false
			seen := map[string]bool{}
			for _, param := range parts[1:] {
				name, value, _ := strings.Cut(strings.TrimSpace(param), "=")
				name = strings.ToLower(strings.TrimSpace(name))
				value = strings.Trim(strings.TrimSpace(value), `"`)
				if seen[name] {
					continue offers // §7: a parameter twice declines the offer
				}
				seen[name] = true
				switch name {
				case "server_no_context_takeover":
					offeredServerNoTakeover = true
					p.serverNoTakeover = true
				case "client_no_context_takeover":
					p.clientNoTakeover = true
				case "server_max_window_bits":
					if value != "15" {
						continue offers // a window compress/flate cannot shrink to
					}
				case "client_max_window_bits":
					if n, err := strconv.Atoi(value); value != "" && (err != nil || n < 8 || n > 15) {
						continue offers // §7.1.2.2: a value must be 8 to 15
					}
				default:
					continue offers // an unknown parameter declines the offer
				}
			}
			answer = "permessage-deflate"
			if p.serverNoTakeover && offeredServerNoTakeover {
				answer += "; server_no_context_takeover"
			}
			if p.clientNoTakeover {
				answer += "; client_no_context_takeover"
			}
			return p, answer, true
		}
	}
	return deflateParams{}, "", false
}

// deflateTail ends a message's stream for the inflater: the four bytes
// the sender left off, then an empty final stored block, so that the
// inflater stops with io.EOF instead of waiting for a block that never
// comes.
var deflateTail = []byte{0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff}

// windowSize is DEFLATE's window, the most a back-reference can reach.
const windowSize = 32 << 10

// inflater decompresses received messages.
type inflater struct {
	fr       io.ReadCloser
	dict     []byte // the last windowSize bytes of earlier messages, with takeover
	takeover bool
}

// reset prepares the inflater for a message whose compressed payload src
// yields.
func (f *inflater) reset(src io.Reader) {
	r := io.MultiReader(src, bytes.NewReader(deflateTail))
	var dict []byte
	if f.takeover {
		dict = f.dict
	}
	if f.fr == nil {
		f.fr = flate.NewReaderDict(r, dict)
		return
	}
	_ = f.fr.(flate.Resetter).Reset(r, dict)
}

// remember keeps the window of output for the next message's dictionary.
func (f *inflater) remember(p []byte) {
	if !f.takeover {
		return
	}
	if len(p) >= windowSize {
		f.dict = append(f.dict[:0], p[len(p)-windowSize:]...)
		return
	}
	if over := len(f.dict) + len(p) - windowSize; over > 0 {
		f.dict = f.dict[:copy(f.dict, f.dict[over:])]
	}
	f.dict = append(f.dict, p...)
}

// deflater compresses sent messages.
type deflater struct {
	fw       *flate.Writer
	out      bytes.Buffer
	takeover bool
}

// compress returns p compressed as one message, without the final
// 00 00 ff ff. The result is valid until the next call.
func (d *deflater) compress(p []byte) ([]byte, error) {
	d.out.Reset()
	if d.fw == nil {
		fw, err := flate.NewWriter(&d.out, flate.BestSpeed)
		if err != nil {
			return nil, err
		}
		d.fw = fw
	} else if !d.takeover {
		d.fw.Reset(&d.out)
	}
	if _, err := d.fw.Write(p); err != nil {
		return nil, err
	}
	if err := d.fw.Flush(); err != nil {
		return nil, err
	}
	b := d.out.Bytes()
	return b[:len(b)-4], nil // the sync flush always ends in 00 00 ff ff
}

// shrink drops the output buffer after a large message, so that one
// 16 MiB message does not pin 16 MiB to the connection for its lifetime.
func (d *deflater) shrink() {
	if d.out.Cap() > 1<<20 {
		d.out = bytes.Buffer{} // same address: the flate.Writer still points at it
	}
}
