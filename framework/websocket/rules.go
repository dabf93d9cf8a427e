package websocket

// This file holds the rules of RFC 6455 §5 that a frame header must obey.
// While a header is read, the decoder records what it says as a set of
// facts (decoder.observe); check then walks the table below and refuses the
// frame at the first rule whose fact holds. Reading the table top to
// bottom is reading the order of the checks, each with its close code and
// the section that demands it. The rules about payloads (UTF-8 in text,
// the close frame's code and reason) are the errors at the end of the file.

// fact is one thing a frame header says about itself, measured against
// the decoder's state (its role, the extensions in force, the message in
// progress, the size limit).
type fact uint16

const (
	fReservedOpcode         fact = 1 << iota // opcode 0x3-0x7 or 0xB-0xF
	fReservedBits                            // RSV bit set that no extension took
	fRSV1NotFirst                            // RSV1 (compressed) on a control or continuation frame
	fUnmasked                                // a client frame without a mask
	fMasked                                  // a server frame with a mask
	fControlFragmented                       // control frame without FIN
	fControlTooLong                          // control frame payload over 125 bytes
	fLengthNotMinimal                        // 16- or 64-bit length that a shorter form could hold
	fLengthHighBit                           // 64-bit length with its most significant bit set
	fContinuationUnexpected                  // continuation frame with no message in progress
	fMessageUnfinished                       // new data message before the last one's final frame
	fTooBig                                  // message longer than the decoder's limit
)

// rule refuses a frame when its fact holds.
type rule struct {
	when fact
	err  *ProtocolError
}

// rules, in the order they are checked. Every rule but the last closes the
// connection with 1002 (protocol error): RFC 6455 §7.4.1.
var rules = [...]rule{
	// §5.2: "If an unknown opcode is received, the receiving endpoint MUST
	// _Fail the WebSocket Connection_." 0x3-0x7 and 0xB-0xF are reserved.
	{fReservedOpcode, perr(CloseProtocolError, "reserved opcode", "RFC 6455 §5.2")},
	// §5.2: RSV1-3 "MUST be 0 unless an extension is negotiated that
	// defines meanings for non-zero values".
	{fReservedBits, perr(CloseProtocolError, "reserved bit set without an extension", "RFC 6455 §5.2")},
	// RFC 7692 §6.1: permessage-deflate sets RSV1 on the first frame of a
	// message only; a control frame or a continuation frame with RSV1 set
	// is an error.
	{fRSV1NotFirst, perr(CloseProtocolError, "RSV1 on a control or continuation frame", "RFC 7692 §6.1")},
	// §5.1: "The server MUST close the connection upon receiving a frame
	// that is not masked." The mask keeps a hostile page from choosing the
	// bytes an intermediary sees (§10.3).
	{fUnmasked, perr(CloseProtocolError, "client frame is not masked", "RFC 6455 §5.1")},
	// §5.1: "A client MUST close a connection if it detects a masked frame."
	{fMasked, perr(CloseProtocolError, "server frame is masked", "RFC 6455 §5.1")},
	// §5.5: "All control frames MUST have a payload length of 125 bytes or
	// less and MUST NOT be fragmented."
	{fControlFragmented, perr(CloseProtocolError, "fragmented control frame", "RFC 6455 §5.5")},
	{fControlTooLong, perr(CloseProtocolError, "control frame longer than 125 bytes", "RFC 6455 §5.5")},
	// §5.2: "the minimal number of bytes MUST be used to encode the
	// length", and "the most significant bit MUST be 0" in the 64-bit form.
	{fLengthNotMinimal, perr(CloseProtocolError, "payload length not in its minimal form", "RFC 6455 §5.2")},
	{fLengthHighBit, perr(CloseProtocolError, "64-bit payload length with the high bit set", "RFC 6455 §5.2")},
	// §5.4: a fragmented message is one frame with FIN clear and a non-zero
	// opcode, then continuation frames, the last with FIN set; "the
	// fragments of one message MUST NOT be interleaved between the
	// fragments of another message".
	{fContinuationUnexpected, perr(CloseProtocolError, "continuation frame with no message in progress", "RFC 6455 §5.4")},
	{fMessageUnfinished, perr(CloseProtocolError, "new message before the previous one ended", "RFC 6455 §5.4")},
	// §7.4.1: 1009 "indicates that an endpoint is terminating the
	// connection because it has received a message that is too big for it
	// to process". Checked at each header, before the payload is read.
	{fTooBig, perr(CloseMessageTooBig, "message exceeds the size limit", "RFC 6455 §7.4.1")},
}

// check returns the error of the first rule whose fact is in f, or nil.
func check(f fact) *ProtocolError {
	if f == 0 {
		return nil // the common frame: nothing to look up
	}
	for i := range rules {
		if f&rules[i].when != 0 {
			return rules[i].err
		}
	}
	return nil
}

// The rules about payloads.
var (
	// §8.1: text that is not valid UTF-8 fails the connection; §7.4.1 names
	// 1007 for "data within a message that was not consistent with the
	// type of the message".
	errInvalidUTF8 = perr(CloseInvalidFramePayloadData, "text is not valid UTF-8", "RFC 6455 §8.1")
	// §5.5.1: a close body, if any, starts with a two-byte code; one byte
	// cannot be a code.
	errCloseOneByte = perr(CloseProtocolError, "close frame payload of one byte", "RFC 6455 §5.5.1")
	// §7.4.1 and §7.4.2: codes below 1000, the reserved 1004-1006 and
	// 1015 (never sent on the wire) and the unassigned 1016-2999 are
	// refused; 3000-4999 belong to libraries and applications.
	errCloseCode = perr(CloseProtocolError, "invalid close code", "RFC 6455 §7.4.1")
	// §5.5.1: the reason "is not guaranteed to be human readable" but is
	// UTF-8; §8.1 applies.
	errCloseReason = perr(CloseInvalidFramePayloadData, "close reason is not valid UTF-8", "RFC 6455 §5.5.1")
)
