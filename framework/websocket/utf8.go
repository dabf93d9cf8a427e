package websocket

import "encoding/binary"

// utf8Validator checks UTF-8 one piece at a time, so that a text message
// split across frames, or across reads of one frame, is refused at the
// first byte that cannot be part of a valid encoding (RFC 6455 §8.1: "When
// an endpoint is to interpret a byte stream as UTF-8 but finds that the
// byte stream is not, in fact, a valid UTF-8 stream, that endpoint MUST
// _Fail the WebSocket Connection_"). It holds no buffer: the only state
// is how many continuation bytes are still owed and the range the next one
// must fall in, which is what RFC 3629 §4's table says about each lead
// byte.
//
// The zero value is ready, at a character boundary.
type utf8Validator struct {
	need   uint8 // continuation bytes still owed by the current character
	lo, hi byte  // the range the next continuation byte must be in
}

// write validates p as the next bytes of the stream and reports whether
// they can still be part of valid UTF-8.
func (v *utf8Validator) write(p []byte) bool {
	i := 0
	for i < len(p) {
		if v.need == 0 {
			// ASCII runs are the common case: skip eight bytes at a time
			// while none has its high bit set.
			for i+8 <= len(p) {
				if binary.LittleEndian.Uint64(p[i:])&0x8080808080808080 != 0 {
					break
				}
				i += 8
			}
			if i == len(p) {
				return true
			}
			b := p[i]
			i++
			switch {
			case b < 0x80:
			case b >= 0xC2 && b <= 0xDF: // 2 bytes; C0 and C1 would be overlong
				v.need, v.lo, v.hi = 1, 0x80, 0xBF
			case b == 0xE0: // 3 bytes; E0 80..9F would be overlong
				v.need, v.lo, v.hi = 2, 0xA0, 0xBF
			case b == 0xED: // 3 bytes; ED A0..BF would be a surrogate
				v.need, v.lo, v.hi = 2, 0x80, 0x9F
			case b >= 0xE1 && b <= 0xEF:
				v.need, v.lo, v.hi = 2, 0x80, 0xBF
			case b == 0xF0: // 4 bytes; F0 80..8F would be overlong
				v.need, v.lo, v.hi = 3, 0x90, 0xBF
			case b >= 0xF1 && b <= 0xF3:
				v.need, v.lo, v.hi = 3, 0x80, 0xBF
			case b == 0xF4: // 4 bytes; F4 90.. would be past U+10FFFF
				v.need, v.lo, v.hi = 3, 0x80, 0x8F
			default: // 80..C1 as a lead byte, F5..FF anywhere
				return false
			}
			continue
		}
		b := p[i]
		i++
		if b < v.lo || b > v.hi {
			return false
		}
		v.need--
		v.lo, v.hi = 0x80, 0xBF
	}
	return true
}

// complete reports whether the stream so far ends on a character boundary.
func (v *utf8Validator) complete() bool { return v.need == 0 }

// reset returns v to the start of a stream.
func (v *utf8Validator) reset() { *v = utf8Validator{} }

// validUTF8 reports whether p, complete, is valid UTF-8.
func validUTF8(p []byte) bool {
	var v utf8Validator
	return v.write(p) && v.complete()
}
