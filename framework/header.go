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
	fields []http1.Field
	bad    string // first refused field name, reported when the head is written
}

// Get returns the first value of the named field, or "".
func (h *Header) Get(name string) string {
	for i := range h.fields {
		if strings.EqualFold(h.fields[i].Name, name) {
			return h.fields[i].Value
		}
	}
	return ""
}

// Has reports whether the named field is set.
func (h *Header) Has(name string) bool {
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
}

// Del removes every field of that name.
func (h *Header) Del(name string) {
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
	clear(h.fields)
	h.fields = h.fields[:0]
	h.bad = ""
}

// tokenListHas reports whether a comma-separated field value such as
// "keep-alive, close" holds token, compared case-insensitively.
func tokenListHas(list, token string) bool {
	for list != "" {
		var item string
		item, list, _ = strings.Cut(list, ",")
		if strings.EqualFold(strings.Trim(item, " \t"), token) {
			return true
		}
	}
	return false
}
