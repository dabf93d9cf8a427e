package websocket

import "encoding/binary"

// The encoder: server frames out (and masked client frames, for tests
// and peers), plus the close payload and the masking loop both sides use.

// ParseClose splits a close frame's payload into its code and reason
// (RFC 6455 §5.5.1). An empty payload has no code: it returns
// CloseNoStatusReceived. A payload of one byte, an invalid code or a
// reason that is not UTF-8 is a *ProtocolError.
func ParseClose(p []byte) (CloseCode, string, error) {
	switch {
	case len(p) == 0:
		return CloseNoStatusReceived, "", nil
	case len(p) == 1:
		return 0, "", errCloseOneByte
	}
	code := CloseCode(binary.BigEndian.Uint16(p))
	if !ValidCloseCode(code) {
		return code, "", errCloseCode
	}
	if !validUTF8(p[2:]) {
		return code, "", errCloseReason
	}
	return code, string(p[2:]), nil
}

// MaskBytes XORs b in place with the masking key, starting at position pos
// of the key, and returns the position after b (RFC 6455 §5.3). Masking
// and unmasking are the same operation.
func MaskBytes(key [4]byte, pos int, b []byte) int {
	pos &= 3
	i := 0
	// Byte by byte until the key is back at its start, then eight bytes at
	// a time with the key doubled into a word.
	for ; i < len(b) && pos != 0; i++ {
		b[i] ^= key[pos]
		pos = (pos + 1) & 3
	}
	if len(b)-i >= 8 {
		k := uint64(binary.LittleEndian.Uint32(key[:]))
		k |= k << 32
		for ; len(b)-i >= 8; i += 8 {
			binary.LittleEndian.PutUint64(b[i:], binary.LittleEndian.Uint64(b[i:])^k)
		}
	}
	for ; i < len(b); i++ {
		b[i] ^= key[pos]
		pos = (pos + 1) & 3
	}
	return pos
}

// AppendHeader appends the encoding of h to dst, with the payload length
// in its minimal form. It does not check h against the rules: it is the
// caller who knows what it may send.
func AppendHeader(dst []byte, h Header) []byte {
	b0 := byte(h.Opcode&0x0F) | h.RSV&(RSV1|RSV2|RSV3)
	if h.Fin {
		b0 |= 0x80
	}
	var b1 byte
	if h.Masked {
		b1 = 0x80
	}
	switch {
	case h.Length < 126:
		dst = append(dst, b0, b1|byte(h.Length))
	case h.Length <= 0xFFFF:
		dst = append(dst, b0, b1|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(h.Length))
	default:
		dst = append(dst, b0, b1|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(h.Length))
	}
	if h.Masked {
		dst = append(dst, h.Mask[:]...)
	}
	return dst
}

// AppendFrame appends a whole unmasked frame, as a server sends it, to dst.
func AppendFrame(dst []byte, op Opcode, fin bool, payload []byte) []byte {
	dst = AppendHeader(dst, Header{Fin: fin, Opcode: op, Length: int64(len(payload))})
	return append(dst, payload...)
}

// AppendClosePayload appends a close frame's payload, the code in two
// bytes and then the reason, to dst. CloseNoStatusReceived appends
// nothing: it means a close frame without a body. The reason is cut to
// fit the 125 bytes of a control frame, at a character boundary.
func AppendClosePayload(dst []byte, code CloseCode, reason string) []byte {
	if code == CloseNoStatusReceived {
		return dst
	}
	if len(reason) > 123 {
		reason = reason[:123]
		for len(reason) > 0 && !validUTF8([]byte(reason)) {
			reason = reason[:len(reason)-1]
		}
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(code))
	return append(dst, reason...)
}
