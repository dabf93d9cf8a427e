package http1

import (
	"bytes"
	"math"
)

// The fast path: a head of the shape nearly every client sends, checked
// and located in one pass over its bytes, eight at a time where it can.
// parse tries it first; whatever it does not accept (a head not complete
// yet, a rule broken, a rarer form) goes to parseExact, the line-by-line
// parser in parse.go, which decides. Both paths share the framing rules of
// rules.go. TestFastPath and the fuzz targets check that they agree.

// scan is what the fast path, scan.head, learns from the bytes of a head:
// where the parts of the request line end, and where the first field lines
// are, so that after the copy they need only be sliced out of it.
type scan struct {
	me, pe, qs, te int // method end, path end, query start, target end
	minor          int
	rest           int  // the first field line not in spans
	partial        int  // see head
	hostChecked    bool // the first field line is a Host that hostLine has checked
	n              int  // how many spans are recorded
	spans          [maxSpans]span
}

// span locates a field line in the head: name head[start:colon], value
// head[vs:ve].
type span struct{ start, colon, vs, ve uint16 }

// maxSpans bounds the field lines scan.head records; the lines after them
// are parsed again from the copy, which only heads with more fields pay.
const maxSpans = 32

// fastProbe is how far scan.head reads before it makes sure the head has
// ended at all, unless b ends in CR LF CR LF, as it does when a client has
// sent a whole head (or several) and nothing more. A client that sends a
// long head a few bytes at a time thus costs, per call, a check of at most
// that many bytes and a vectorised search, not a check of everything it
// has sent so far.
const fastProbe = 512

// head checks the head at the start of b in one pass over its bytes: the
// request line in the form requestLine accepts, then field lines up to
// the empty line. It returns the length of the head through its CRLF CRLF,
// or 0 to leave the head to parseExact: b holds no complete head, or the
// head breaks a rule or has a rarer shape. It accepts only heads that
// parseExact accepts, and does the same checks: the framing rules, which
// come after the copy, are shared. TestFastPath and FuzzParse check that
// both paths agree.
//
// When b holds no complete head and head has read whole lines that break
// no rule, it sets sc.partial to their length, so that Parse need not look
// at them again to answer ErrNeedMore.
func (sc *scan) head(b []byte, lim Limits) int {
	cut := len(b) > math.MaxUint16
	if cut {
		b = b[:math.MaxUint16] // spans hold 16-bit offsets
	}
	// Until the head is known to end in b, read at most fastProbe bytes.
	end := len(b)
	if end < 4 || string(b[end-4:]) != "\r\n\r\n" {
		end = min(end, fastProbe)
	}
	pos := sc.requestLine(b[:end])
	if pos == 0 || sc.te-(sc.me+1) > lim.MaxURIBytes {
		return 0 // parseExact answers 414 first, so leave it to say so
	}
	for count := 0; ; {
		if pos+1 >= end {
			if end == len(b) || !bytes.Contains(b[pos-2:], crlfcrlf) {
				if !cut {
					sc.partial = pos // the head has not ended
				}
				return 0
			}
			end = len(b) // it has: read on
			continue
		}
		switch b[pos] {
		case '\r':
			if b[pos+1] != '\n' {
				return 0
			}
			if sc.n < maxSpans {
				sc.rest = pos // every field line was recorded
			}
			return pos + 2 // the previous line's CRLF and this one
		case ' ', '\t':
			return 0 // obs-fold, or whitespace before the first field
		}
		colon, vs, ve, next := len("Host"), len("Host: "), 0, 0
		if count == 0 {
			ve, next = hostLine(b[pos:end])
			sc.hostChecked = next > 0
		}
		var e *ProtocolError
		if next == 0 {
			colon, vs, ve, next, e = scanFieldLine(b[pos:end])
		}
		if e != nil {
			if bytes.IndexByte(b[pos:end], '\n') >= 0 {
				return 0 // a whole line that breaks a rule: parseExact says which
			}
			// The line has not ended before end.
			if end == len(b) || !bytes.Contains(b[pos-2:], crlfcrlf) {
				if !cut {
					sc.partial = pos // nor has the head
				}
				return 0
			}
			end = len(b) // the head has ended: read on
			continue
		}
		if count == lim.MaxHeaderCount {
			return 0
		}
		if sc.n < maxSpans {
			sc.spans[sc.n] = span{uint16(pos), uint16(pos + colon), uint16(pos + vs), uint16(pos + ve)}
			sc.n++
			sc.rest = pos + next
		}
		count++
		pos += next
	}
}

// hostLine reads the field line that nearly every request starts with,
//
//	"Host: " reg-name [ ":" port ] CRLF
//
// spelled as clients spell it, and checks its value as a field value and
// as a Host (RFC 9110 §7.2) in one pass, eight bytes at a time, so that the
// rules need not look at it again. It returns where the value ends and the
// length of the line with its CRLF, or 0, 0 for any other line, which
// scanFieldLine then reads. What it accepts, scanFieldLine and
// splitHostPort accept with the same result.
func hostLine(b []byte) (ve, next int) {
	if len(b) < len("Host: \r\n") || string(b[:len("Host: ")]) != "Host: " {
		return 0, 0
	}
	i := len("Host: ")
	for i+8 <= len(b) && allIn8(b, i, cRegName) {
		i += 8
	}
	for i < len(b) && class[b[i]]&cRegName != 0 {
		i++
	}
	if i < len(b) && b[i] == ':' && i > len("Host: ") {
		i++ // a port, after a host that is not empty
		for i < len(b) && class[b[i]]&cDigit != 0 {
			i++
		}
	}
	if i+1 >= len(b) || b[i] != '\r' || b[i+1] != '\n' {
		return 0, 0
	}
	return i, i + 2
}

// requestLine is the fast path's request line, the one nearly every
// client sends,
//
//	method SP origin-form SP ( "HTTP/1.1" / "HTTP/1.0" ) CRLF
//
// checked in one pass, the target eight bytes at a time. It records where
// the parts end and returns the length of the line with its CRLF, or 0 for
// any other line: another form or version, or one to refuse, which
// parseRequestLine then decides. What it accepts, parseRequestLine accepts
// with the same result.
func (sc *scan) requestLine(raw []byte) int {
	i := 0
	for i < len(raw) && class[raw[i]]&cToken != 0 {
		i++ // methods are short
	}
	if i == 0 || i+1 >= len(raw) || raw[i] != ' ' || raw[i+1] != '/' {
		return 0
	}
	method, ts := raw[:i], i+1
	// The path: bytes that need no closer look, and valid %HH triplets
	// (RFC 3986 §2.1), so validPercent has nothing left to check.
	j := ts
	for {
		for j+8 <= len(raw) && allIn8(raw, j, cPath) {
			j += 8
		}
		for j < len(raw) && class[raw[j]]&cPath != 0 {
			j++
		}
		if j+2 < len(raw) && raw[j] == '%' && class[raw[j+1]]&class[raw[j+2]]&cHex != 0 {
			j += 3
			continue
		}
		break
	}
	pe, qs := j, j
	if j < len(raw) && raw[j] == '?' {
		j++
		qs = j
		for j+8 <= len(raw) && allIn8(raw, j, cQuery) {
			j += 8
		}
		for j < len(raw) && class[raw[j]]&cQuery != 0 {
			j++
		}
	}
	// The target stops at a byte it may not hold; it must be the SP before
	// the version, and the version one 8-byte word.
	if j+11 > len(raw) || raw[j] != ' ' || raw[j+9] != '\r' || raw[j+10] != '\n' {
		return 0
	}
	var minor int
	switch load64(raw, j+1) {
	case http11:
		minor = 1
	case http10:
		minor = 0
	default:
		return 0
	}
	if string(method) == "CONNECT" {
		return 0
	}
	sc.me, sc.pe, sc.qs, sc.te, sc.minor = i, pe, qs, j, minor
	return j + 11
}

// "HTTP/1.1" and "HTTP/1.0" as load64 reads them.
const (
	http11 = 'H' | 'T'<<8 | 'T'<<16 | 'P'<<24 | '/'<<32 | '1'<<40 | '.'<<48 | '1'<<56
	http10 = 'H' | 'T'<<8 | 'T'<<16 | 'P'<<24 | '/'<<32 | '1'<<40 | '.'<<48 | '0'<<56
)
