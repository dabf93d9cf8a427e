package framework

import (
	"strings"

	"github.com/groundup-go/groundup/framework/http1"
)

// Header is a list of response header fields in the order they were set.
//
// A slice of name/value pairs, not a map: a response has few fields, a
// linear scan with ASCII case-folding is faster than hashing, and the slice
// is reused from one request to the next without allocating.
type Header struct {
	fields  []http1.Field
	bad     string      // first refused field name, reported when the head is written
	special fieldBits   // which of the fields the writer manages are present
	ctype   contentType // the type setContentType last set (see usualType)
}

// fieldBits records the presence of the few fields the response writer
// asks about for every response. Most responses have none of them, and a
// bit test answers "not set" without scanning and case-folding the list.
type fieldBits uint8

const (
	bitDate fieldBits = 1 << iota
	bitServer
	bitConnection
	bitContentLength
	bitTransferEncoding
)

// specialBit returns the bit of a field the writer manages, or 0.
func specialBit(name string) fieldBits {
	var bit fieldBits
	var canon string
	switch len(name) {
	case 4:
		bit, canon = bitDate, "Date"
	case 6:
		bit, canon = bitServer, "Server"
	case 10:
		bit, canon = bitConnection, "Connection"
	case 14:
		bit, canon = bitContentLength, "Content-Length"
	case 17:
		bit, canon = bitTransferEncoding, "Transfer-Encoding"
	default:
		return 0
	}
	// Compare the first letter before folding the rest: most names of
	// the same length ("Expires" and "Referer", say) differ there.
	if name[0]|0x20 == canon[0]|0x20 && (name == canon || strings.EqualFold(name, canon)) {
		return bit
	}
	return 0
}

// Get returns the first value of the named field, or "".
func (h *Header) Get(name string) string {
	if bit := specialBit(name); bit != 0 && h.special&bit == 0 {
		return ""
	}
	for i := range h.fields {
		if strings.EqualFold(h.fields[i].Name, name) {
			return h.fields[i].Value
		}
	}
	return ""
}

// Has reports whether the named field is set.
func (h *Header) Has(name string) bool {
	if bit := specialBit(name); bit != 0 {
		return h.special&bit != 0
	}
	for i := range h.fields {
		if strings.EqualFold(h.fields[i].Name, name) {
			return true
		}
	}
	return false
}

// Set replaces every value of the named field with value.
//
// A name that is not a token, or a value holding CR, LF, NUL or another
// control character, is refused: it would let a value split the response
// (RFC 9110 §5.5). The response then fails with a 500 instead of sending it.
func (h *Header) Set(name, value string) {
	h.Del(name)
	h.Add(name, value)
}

// Add appends a field, keeping any earlier ones of the same name
// (Set-Cookie needs that). Invalid fields are refused as with Set.
func (h *Header) Add(name, value string) {
	if !http1.IsToken(name) || !http1.ValidFieldValue(value) {
		if h.bad == "" {
			h.bad = name
		}
		return
	}
	h.fields = append(h.fields, http1.Field{Name: name, Value: value})
	h.special |= specialBit(name)
}

// Del removes every field of that name.
func (h *Header) Del(name string) {
	bit := specialBit(name)
	if bit != 0 {
		if h.special&bit == 0 {
			return
		}
		h.special &^= bit
	}
	out := h.fields[:0]
	for _, f := range h.fields {
		if !strings.EqualFold(f.Name, name) {
			out = append(out, f)
		}
	}
	clear(h.fields[len(out):])
	h.fields = out
}

// Fields returns the fields in order. The slice is only valid until the
// header next changes.
func (h *Header) Fields() []http1.Field { return h.fields }

func (h *Header) reset() {
	for i := range h.fields {
		// Field by field: the compiler turns "h.fields[i] = Field{}" in
		// a loop into a call of memclrHasPointers, which costs more than
		// the stores for the few fields a response has.
		h.fields[i].Name, h.fields[i].Value = "", ""
	}
	h.fields = h.fields[:0]
	if h.bad != "" { // a test and no store: a string store costs a write-barrier check
		h.bad = ""
	}
	h.special = 0
}

// ---- Marks, for middleware that undoes a half-built response ----

// A HeaderMark is a point in a header's history to come back to with
// Truncate. middleware.Recover takes one before the handler runs and,
// when the handler panics, truncates to it, so that the error page
// carries none of the fields the handler had set.
type HeaderMark struct {
	n   int  // fields set
	bad bool // a field had been refused
}

// Mark returns the header's current point, for Truncate.
func (h *Header) Mark() HeaderMark { return HeaderMark{len(h.fields), h.bad != ""} }

// Truncate takes the header back to m, a mark of this header: the fields
// set since are dropped, and a field refused by Set or Add since is
// forgotten, so it no longer turns the response into a 500. It keeps as
// many fields as m saw, so it is exact when fields were only added since
// m, as a handler adds them; a field deleted since m stays deleted, and
// one set since survives in its place. Like every header change, it has
// no effect on a response whose head has been sent.
func (h *Header) Truncate(m HeaderMark) {
	if !m.bad {
		h.bad = ""
	}
	if m.n >= len(h.fields) {
		return
	}
	clear(h.fields[m.n:])
	h.fields = h.fields[:m.n]
	h.special = 0
	for _, f := range h.fields {
		h.special |= specialBit(f.Name)
	}
}

// setContentType is Set("Content-Type", contentTypes[k]) for the
// framework's own constant types: valid by construction, and not a field
// the writer manages (specialBit), so every response that sends one skips
// both checks.
func (h *Header) setContentType(k contentType) {
	if len(h.fields) > 0 {
		h.Del(contentTypeName)
	}
	h.fields = append(h.fields, contentTypeFields[k])
	h.ctype = k
}
