package http1

import "iter"

// Field is one header field line: Name exactly as sent (case preserved) and
// Value with the surrounding OWS trimmed (RFC 9110 §5.5).
type Field struct{ Name, Value string }

// Head is a parsed request head.
//
// Raw holds the head bytes, from the request line through the final
// CRLF CRLF (leading empty lines excluded), copied once into one immutable
// string. Every other string field is a substring of Raw, except constants
// such as the "/" that stands in for an empty absolute-form path. A Head
// therefore never aliases the caller's read buffer: its strings stay valid
// after the buffer is reused, in another goroutine or in a cache.
type Head struct {
	Raw      string
	Method   string
	Target   string // request-target exactly as sent
	Path     string // path part, still percent-encoded; "*" for asterisk-form; for absolute-form the path of the URI ("/" if empty)
	RawQuery string // after '?', without it; "" if none
	Host     string // Host field value, or authority of an absolute-form target (RFC 9112 §3.2.2)
	Minor    int    // 0 for HTTP/1.0, 1 for HTTP/1.1

	// Fields holds every field line in order. Parse reuses this slice's
	// capacity (h.Fields[:0]), so a Head kept per connection does not
	// allocate for its fields after the first request.
	Fields []Field

	ContentLength int64 // -1 when the request has no Content-Length
	Chunked       bool  // Transfer-Encoding: chunked (final coding)
	Close         bool  // the connection must close after this exchange: "Connection: close" in 1.1, or 1.0 without "Connection: keep-alive"
	Expect100     bool  // "Expect: 100-continue" in an HTTP/1.1 request (always false for 1.0, RFC 9110 §10.1.1)
}

// Get returns the value of the first field named name, matched ASCII
// case-insensitively, or "" if there is none. It does not allocate.
func (h *Head) Get(name string) string {
	for i := range h.Fields {
		if equalFold(h.Fields[i].Name, name) {
			return h.Fields[i].Value
		}
	}
	return ""
}

// Values yields the value of every field named name (ASCII
// case-insensitive), in the order they were received.
func (h *Head) Values(name string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := range h.Fields {
			if equalFold(h.Fields[i].Name, name) && !yield(h.Fields[i].Value) {
				return
			}
		}
	}
}

// Proto returns "HTTP/1.0" or "HTTP/1.1".
func (h *Head) Proto() string {
	if h.Minor == 0 {
		return "HTTP/1.0"
	}
	return "HTTP/1.1"
}

// HasToken reports whether any field named name holds token as one of its
// comma-separated elements, both compared ASCII case-insensitively; for
// example HasToken("Connection", "close"). It suits the token lists of
// Connection, Transfer-Encoding and Expect (RFC 9110 §5.6.1), not values
// with quoted strings. It does not allocate.
func (h *Head) HasToken(name, token string) bool {
	for i := range h.Fields {
		if equalFold(h.Fields[i].Name, name) && ListHas(h.Fields[i].Value, token) {
			return true
		}
	}
	return false
}

// ListHas reports whether a comma-separated field value, such as
// "keep-alive, close", holds token, compared case-insensitively (the list
// syntax of RFC 9110 §5.6.1). It does not allocate.
func ListHas(list, token string) bool {
	it := elements{s: list}
	for e, ok := it.next(); ok; e, ok = it.next() {
		if equalFold(e, token) {
			return true
		}
	}
	return false
}

// Reset clears h for reuse and keeps the capacity of h.Fields.
func (h *Head) Reset() {
	// Clearing the old fields is not just tidiness: the backing array would
	// otherwise keep the previous request's Raw string reachable until each
	// slot happens to be overwritten.
	clear(h.Fields)
	*h = Head{Fields: h.Fields[:0], ContentLength: -1}
}
