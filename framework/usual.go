package framework

import (
	"unsafe"

	"github.com/groundup-go/groundup/framework/http1"
)

// The usual response: a helper's body (String, HTML, Blob, JSON,
// Render), its Content-Type and nothing else, answered to a GET. Nearly
// every response is one, and its head differs from the next one's only in
// the status, the type and the length: so it is written from pieces made
// in advance (usualHeads, and the Date and Server tail of the response)
// instead of field by field. commit and writeHead, in response.go, write
// every other response, and the same bytes for this one.

// contentType is one of the Content-Type values the framework's own
// helpers set (String, HTML, JSON, Render), as an index into
// contentTypes.
type contentType uint8

const (
	ctNone contentType = iota
	ctText
	ctHTML
	ctJSON
	ctCount
)

// contentTypeName and contentTypes are the exact strings setContentType
// stores, so that usualType can recognise them by their address.
const contentTypeName = "Content-Type"

var contentTypes = [ctCount]string{
	ctText: "text/plain; charset=utf-8",
	ctHTML: "text/html; charset=utf-8",
	ctJSON: "application/json; charset=utf-8",
}

// contentTypeFields are the fields setContentType appends, made once.
var contentTypeFields = func() (fields [ctCount]http1.Field) {
	for k, v := range contentTypes {
		fields[k] = http1.Field{Name: contentTypeName, Value: v}
	}
	return fields
}()

// usualType reports whether the fields are those of the usual response:
// none at all (ctNone), or the one Content-Type field that a helper set
// with setContentType (its contentType). The response writer then sends a
// precomputed head (response.sendUsual).
//
// The test is on the strings' addresses, not their bytes: a field whose
// name and value are the very strings setContentType stored holds those
// bytes, whatever happened to the header since (a field deleted and
// another set, or a value changed in the slice Fields returned), so
// no change to the fields needs to keep h.ctype up to date. A field that
// holds equal bytes elsewhere only misses the shortcut.
func (h *Header) usualType() (contentType, bool) {
	switch len(h.fields) {
	case 0:
		return ctNone, true
	case 1:
		f := &h.fields[0]
		k := h.ctype
		ok := k != ctNone && sameString(f.Name, contentTypeName) && sameString(f.Value, contentTypes[k])
		return k, ok
	}
	return ctNone, false
}

// sameString reports whether a and b are the same string in memory: same
// address, same length. Such strings hold the same bytes; strings that do
// not may still be equal, which the callers treat as "not known".
func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// usualHeads holds, for every known status that allows a body and every
// type of contentTypes, the start of the usual response's head (see
// response.sendUsual), up to the digits of its length:
//
//	"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
//
// It is indexed by code-usualHeadsFirst, then by the type. An empty string
// means "no shortcut": the response takes the general path
// (response.writeHead), which writes the same bytes field by field.
var usualHeads = func() (heads [600 - usualHeadsFirst][ctCount]string) {
	for i := range heads {
		code := usualHeadsFirst + i
		if statusLines[code] == "" || !bodyAllowed(code) {
			continue
		}
		for k, ct := range contentTypes {
			head := statusLines[code]
			if ct != "" {
				head += contentTypeName + ": " + ct + "\r\n"
			}
			heads[i][k] = head + "Content-Length: "
		}
	}
	return heads
}()

// usualHeadsFirst is the first code of usualHeads: below it, no status
// allows a body.
const usualHeadsFirst = 200

// usualHead returns the precomputed start of the head (usualHeads) and
// the status code when the handler has returned with a response of the
// usual kind, and "" for any other. The usual response is a GET's whole buffered body, head not
// yet sent, with a status that allows one and no field but the
// Content-Type a helper set, and nothing else to run or report: no hook,
// no refused field, no tracer, no error, no hijack. For those facts (ffWhole, with or without ffHTTP11 and
// ffEmpty) the framing table chooses framingLength, which
// TestUsualHeadFraming holds it to, and normalizeHeader has nothing to
// do: commit would reach writeHead with sendLength set and write the
// status line, the Content-Type field, Content-Length, Date and Server,
// which is what sendUsual writes from two precomputed pieces.
func (r *response) usualHead() (head string, code int) {
	code = r.statusCode()
	// (A hijack sets r.err too.)
	if code < usualHeadsFirst || code >= usualHeadsFirst+len(usualHeads) ||
		r.committed || r.head || r.declared >= 0 || r.err != nil || len(r.beforeCommit) > 0 ||
		r.header.special != 0 || r.header.bad != "" || r.cn.trace != nil {
		return "", 0
	}
	k, ok := r.header.usualType()
	if !ok {
		return "", 0
	}
	return usualHeads[code-usualHeadsFirst][k], code
}

// sendUsual is commit and writeBody for a response that usualHead
// accepted: the same bytes, from three copies and the length's digits
// instead of a field loop, the framing table and a dozen small appends.
// It saves about 300 instructions of a "Hello, World!" response.
func (r *response) sendUsual(head string, code int) {
	cn := r.cn
	r.committed = true
	if r.env.shut.Load() {
		cn.closeAfter("server shutting down")
	}
	r.markSent(code)
	n := len(r.body)
	r.declared = int64(n)
	// r.tail is rebuilt when the Date line has changed since, or the
	// server has. Both are compared by address: a new second is a new
	// dateLine, and a server makes its serverEnv (its Server line) once.
	if date := dateClock.line.Load(); date != r.tailDate || r.env != r.tailEnv {
		r.buildTail(date)
	}
	t := r.tail
	w := append(cn.wbuf, head...)
	w = appendLength(w, r.declared)
	switch {
	case cn.closeReason != "":
		w = append(w, t[:len(t)-2]...)
		w = append(w, "Connection: close\r\n\r\n"...)
	case r.minor == 0:
		// A 1.0 client closes unless told otherwise (RFC 9112 §9.3).
		w = append(w, t[:len(t)-2]...)
		w = append(w, "Connection: keep-alive\r\n\r\n"...)
	default:
		w = append(w, t...)
	}
	if n < 2048 && len(w)+n < wbufFlushSize {
		// What cn.write does with a small write that leaves the buffer
		// under its flush size, without the call.
		cn.wbuf = append(w, r.body...)
		r.body = r.body[:0]
		return
	}
	cn.wbuf = w
	if err := cn.write(r.body); err != nil {
		r.fail(err)
		return
	}
	r.body = r.body[:0]
}

// buildTail rebuilds r.tail for the Date line date and the server's
// Server line. It runs about once a second, and is kept out of line:
// inlined into sendUsual, its appends would cost the common path
// registers and stack spills.
//
//go:noinline
func (r *response) buildTail(date *dateLine) {
	t := append(r.tail[:0], '\r', '\n')
	t = append(t, date.line...)
	t = append(t, r.env.serverLine...)
	r.tail = append(t, '\r', '\n')
	r.tailDate, r.tailEnv = date, r.env
}
