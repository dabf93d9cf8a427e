package websocket

import (
	"encoding/binary"
	"errors"
	"strconv"
)

// This file is the sans-IO frame codec: bytes in, a frame header and its
// payload out, or "need more", or a *ProtocolError that carries the close
// code to send. It never touches a socket, so every rule can be tested
// with byte tables and fuzzed. The frame format, RFC 6455 §5.2:
//
//	 0               1               2               3
//	 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
//	+-+-+-+-+-------+-+-------------+-------------------------------+
//	|F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//	|I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//	|N|V|V|V|       |S|             |   (if payload len==126/127)   |
//	| |1|2|3|       |K|             |                               |
//	+-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//	|     Extended payload length continued, if payload len == 127  |
//	+ - - - - - - - - - - - - - - - +-------------------------------+
//	|                               |Masking-key, if MASK set to 1  |
//	+-------------------------------+-------------------------------+
//	| Masking-key (continued)       |          Payload Data         |
//	+-------------------------------- - - - - - - - - - - - - - - - +

// Opcode is a frame's type (RFC 6455 §5.2).
type Opcode uint8

// The opcodes RFC 6455 defines. The others are reserved.
const (
	OpContinuation Opcode = 0x0
	OpText         Opcode = 0x1
	OpBinary       Opcode = 0x2
	OpClose        Opcode = 0x8
	OpPing         Opcode = 0x9
	OpPong         Opcode = 0xA
)

// IsControl reports whether op is a control opcode (close, ping, pong or a
// reserved 0xB-0xF): its high bit is set (RFC 6455 §5.5).
func (op Opcode) IsControl() bool { return op&0x8 != 0 }

// String returns the opcode's name, or its number if it is reserved.
func (op Opcode) String() string {
	switch op {
	case OpContinuation:
		return "continuation"
	case OpText:
		return "text"
	case OpBinary:
		return "binary"
	case OpClose:
		return "close"
	case OpPing:
		return "ping"
	case OpPong:
		return "pong"
	}
	return "opcode(" + strconv.Itoa(int(op)) + ")"
}

// CloseCode is the status code of a close frame (RFC 6455 §7.4).
type CloseCode uint16

// The close codes of RFC 6455 §7.4.1 and the IANA registry.
const (
	CloseNormalClosure           CloseCode = 1000
	CloseGoingAway               CloseCode = 1001
	CloseProtocolError           CloseCode = 1002
	CloseUnsupportedData         CloseCode = 1003
	CloseNoStatusReceived        CloseCode = 1005 // never sent: the close frame had no code
	CloseAbnormalClosure         CloseCode = 1006 // never sent: the connection dropped without a close frame
	CloseInvalidFramePayloadData CloseCode = 1007
	ClosePolicyViolation         CloseCode = 1008
	CloseMessageTooBig           CloseCode = 1009
	CloseMandatoryExtension      CloseCode = 1010
	CloseInternalServerErr       CloseCode = 1011
	CloseServiceRestart          CloseCode = 1012
	CloseTryAgainLater           CloseCode = 1013
	CloseBadGateway              CloseCode = 1014
	CloseTLSHandshake            CloseCode = 1015 // never sent
)

// ValidCloseCode reports whether code may appear in a close frame: the
// codes RFC 6455 §7.4.1 defines for the wire (1000-1003, 1007-1011), the
// ones IANA registered since (1012-1014), and the ranges for libraries and
// applications, 3000-4999 (§7.4.2). 1004 is reserved, 1005, 1006 and 1015
// are only for reporting, and everything else is unassigned.
func ValidCloseCode(code CloseCode) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// ProtocolError is a frame or payload that breaks RFC 6455. Code is the
// close code to fail the connection with (1002, 1007 or 1009), Reason a
// short text and Section the part of the RFC the peer broke.
//
// The decoder returns shared, preallocated values: treat them as read-only.
type ProtocolError struct {
	Code    CloseCode
	Reason  string
	Section string
}

// Error returns "websocket: " followed by the code, the reason and the
// section.
func (e *ProtocolError) Error() string {
	return "websocket: " + strconv.Itoa(int(e.Code)) + " " + e.Reason + " (" + e.Section + ")"
}

// perr builds one of the preallocated errors, so that refusing a frame
// costs no allocation.
func perr(code CloseCode, reason, section string) *ProtocolError {
	return &ProtocolError{Code: code, Reason: reason, Section: section}
}

// ErrNeedMore means the bytes given end before the frame header (or, for
// Decoder.Frame, the frame) does: read more and call again with them all.
var ErrNeedMore = errors.New("websocket: need more bytes")

// errPayloadOverrun is a caller's mistake: more payload than the frame has.
var errPayloadOverrun = errors.New("websocket: Payload given more bytes than the frame holds")

// errMidFrame is a caller's mistake: a header asked for before the last
// frame's payload was all given.
var errMidFrame = errors.New("websocket: Header called before the previous frame's payload was read")

// The reserved bits of the first byte.
const (
	RSV1 = 0x40 // taken by permessage-deflate (RFC 7692 §6)
	RSV2 = 0x20
	RSV3 = 0x10
)

// Header is a decoded frame header.
type Header struct {
	Fin    bool    // the final frame of its message
	RSV    uint8   // the reserved bits, as RSV1|RSV2|RSV3 of the first byte
	Opcode Opcode  // the frame's type
	Masked bool    // a masking key follows the length
	Mask   [4]byte // the masking key, if Masked
	Length int64   // payload length in bytes
}

// Role says which side of the connection decodes: a Server decodes
// client frames, which must be masked; a Client decodes server frames,
// which must not be.
type Role uint8

// The two roles.
const (
	Server Role = iota
	Client
)

// Decoder reads frames for one connection, one after the other. It keeps
// what the rules need across frames: the message in progress (for the
// fragmentation rules), its size (for MaxMessage) and, for text, the
// UTF-8 state where the last fragment stopped. Control frames may arrive
// between the fragments of a message (§5.4) and leave that state alone.
//
// Use it in two steps, which let a connection stream a payload of any
// size through a small buffer: Header decodes a header, then Payload
// takes the payload's bytes, in as many pieces as convenient. Frame does
// both when the whole frame is in hand.
//
// A Decoder is not safe for concurrent use. After an error it must not be
// used again: the connection is failed.
type Decoder struct {
	Role       Role  // whose frames: Server decodes masked client frames
	RSV        uint8 // reserved bits an extension has taken (RSV1 for permessage-deflate)
	MaxMessage int64 // the largest message accepted, in payload bytes; 0 means no limit

	inMessage  bool   // a data message's final frame has not yet begun
	msgOp      Opcode // the current (or last) data message's opcode
	compressed bool   // the current message has RSV1 set
	msgSize    int64  // payload bytes of the current message so far

	frame     Header
	remaining int64 // payload bytes of frame not yet given to Payload
	maskPos   int   // position in the masking key of the next payload byte
	utf8      utf8Validator
	ctrl      [125]byte // a close frame's payload, gathered for validation
	ctrlN     int
}

// Frame is a whole decoded frame. Payload is unmasked.
type Frame struct {
	Header
	Payload []byte
}

// MessageOpcode returns the opcode of the data message that the last
// header belongs to: OpText or OpBinary, whichever began the message that
// a continuation frame continues.
func (d *Decoder) MessageOpcode() Opcode { return d.msgOp }

// Compressed reports whether the current data message has RSV1 set.
func (d *Decoder) Compressed() bool { return d.compressed }

// Remaining returns how many payload bytes of the current frame have not
// yet been given to Payload.
func (d *Decoder) Remaining() int64 { return d.remaining }

// Header decodes the frame header at the start of b and returns it with
// its size in bytes. It returns ErrNeedMore if b ends inside the header,
// and a *ProtocolError if the header breaks a rule; it checks each rule
// as soon as the bytes that decide it are in, so a reserved opcode is
// refused after two bytes, whatever follows. Call Payload with the
// frame's Length bytes before the next Header.
func (d *Decoder) Header(b []byte) (Header, int, error) {
	if d.remaining != 0 {
		return Header{}, 0, errMidFrame
	}
	h, n, err := d.parse(b)
	if err != nil {
		return h, 0, err
	}
	if err := d.begin(h); err != nil {
		return h, 0, err
	}
	return h, n, nil
}

// Frame decodes a whole frame from the start of b and returns it with its
// size in bytes. The payload is unmasked in place and aliases b. It
// returns ErrNeedMore, consuming nothing, until b holds the whole frame.
func (d *Decoder) Frame(b []byte) (Frame, int, error) {
	if d.remaining != 0 {
		return Frame{}, 0, errMidFrame
	}
	h, n, err := d.parse(b)
	if err != nil {
		return Frame{Header: h}, 0, err
	}
	if int64(len(b)-n) < h.Length {
		return Frame{Header: h}, 0, ErrNeedMore
	}
	if err := d.begin(h); err != nil {
		return Frame{Header: h}, 0, err
	}
	p := b[n : n+int(h.Length)]
	if h.Length > 0 {
		if err := d.Payload(p); err != nil {
			return Frame{Header: h}, 0, err
		}
	}
	return Frame{Header: h, Payload: p}, n + int(h.Length), nil
}

// parse reads a header without changing d.
func (d *Decoder) parse(b []byte) (Header, int, error) {
	if len(b) < 2 {
		return Header{}, 0, ErrNeedMore
	}
	h := Header{
		Fin:    b[0]&0x80 != 0,
		RSV:    b[0] & (RSV1 | RSV2 | RSV3),
		Opcode: Opcode(b[0] & 0x0F),
		Masked: b[1]&0x80 != 0,
	}
	len7 := b[1] & 0x7F

	// The facts the first two bytes decide.
	var f fact
	switch {
	case h.Opcode > OpBinary && h.Opcode < OpClose, h.Opcode > OpPong:
		f |= fReservedOpcode
	}
	if h.RSV&^d.RSV != 0 {
		f |= fReservedBits
	} else if h.RSV&RSV1 != 0 && (h.Opcode.IsControl() || h.Opcode == OpContinuation) {
		f |= fRSV1NotFirst
	}
	if d.Role == Server && !h.Masked {
		f |= fUnmasked
	}
	if d.Role == Client && h.Masked {
		f |= fMasked
	}
	if h.Opcode.IsControl() {
		if !h.Fin {
			f |= fControlFragmented
		}
		if len7 > 125 {
			f |= fControlTooLong
		}
	} else if h.Opcode == OpContinuation {
		if !d.inMessage {
			f |= fContinuationUnexpected
		}
	} else if d.inMessage && h.Opcode <= OpBinary {
		f |= fMessageUnfinished
	}
	if err := check(f); err != nil {
		return h, 0, err
	}

	// The length, then the facts it decides.
	n := 2
	switch len7 {
	case 126:
		if len(b) < 4 {
			return h, 0, ErrNeedMore
		}
		h.Length = int64(binary.BigEndian.Uint16(b[2:]))
		if h.Length < 126 {
			f |= fLengthNotMinimal
		}
		n = 4
	case 127:
		if len(b) < 10 {
			return h, 0, ErrNeedMore
		}
		v := binary.BigEndian.Uint64(b[2:])
		if v>>63 != 0 {
			f |= fLengthHighBit
		} else if v <= 0xFFFF {
			f |= fLengthNotMinimal
		}
		h.Length = int64(v & (1<<63 - 1))
		n = 10
	default:
		h.Length = int64(len7)
	}
	if d.MaxMessage > 0 && !h.Opcode.IsControl() {
		size := h.Length
		if h.Opcode == OpContinuation {
			size += d.msgSize
		}
		if size > d.MaxMessage || size < 0 {
			f |= fTooBig
		}
	}
	if err := check(f); err != nil {
		return h, 0, err
	}
	if h.Masked {
		if len(b) < n+4 {
			return h, 0, ErrNeedMore
		}
		copy(h.Mask[:], b[n:n+4])
		n += 4
	}
	return h, n, nil
}

// begin makes h the current frame and updates the message state.
func (d *Decoder) begin(h Header) error {
	d.frame = h
	d.remaining = h.Length
	d.maskPos = 0
	d.ctrlN = 0
	if !h.Opcode.IsControl() {
		if h.Opcode != OpContinuation {
			d.msgOp = h.Opcode
			d.msgSize = 0
			d.compressed = h.RSV&RSV1 != 0
			d.utf8.reset()
		}
		d.msgSize += h.Length
		d.inMessage = !h.Fin
	}
	if h.Length == 0 {
		return d.end()
	}
	return nil
}

// Payload takes the next bytes of the current frame's payload, unmasks
// them in place and checks what can be checked so far: UTF-8 in an
// uncompressed text message, piece by piece, failing at the first bad
// byte; a close frame's code and reason once it is whole. len(p) must
// not exceed Remaining.
func (d *Decoder) Payload(p []byte) error {
	if int64(len(p)) > d.remaining {
		return errPayloadOverrun
	}
	if d.frame.Masked {
		d.maskPos = MaskBytes(d.frame.Mask, d.maskPos, p)
	}
	d.remaining -= int64(len(p))
	switch {
	case d.frame.Opcode == OpClose:
		d.ctrlN += copy(d.ctrl[d.ctrlN:], p)
	case d.frame.Opcode.IsControl():
	case d.msgOp == OpText && !d.compressed:
		if !d.utf8.write(p) {
			return errInvalidUTF8
		}
	}
	if d.remaining == 0 {
		return d.end()
	}
	return nil
}

// end checks what can only be checked once a frame is whole.
func (d *Decoder) end() error {
	switch {
	case d.frame.Opcode == OpClose:
		_, _, err := ParseClose(d.ctrl[:d.ctrlN])
		return err
	case d.frame.Opcode.IsControl():
	case d.frame.Fin && d.msgOp == OpText && !d.compressed:
		if !d.utf8.complete() {
			return errInvalidUTF8 // the message ends inside a character
		}
	}
	return nil
}
