package http1

import (
	"bytes"
	"math"
	"math/bits"
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
	// Nearly every head goes on with the Host line that hostLine reads.
	count := 0
	if ve, next := hostLine(b[pos:end]); next > 0 {
		sc.spans[0] = span{uint16(pos), uint16(pos + len("Host")), uint16(pos + len("Host: ")), uint16(pos + ve)}
		sc.n, sc.hostChecked, sc.rest = 1, true, pos+next
		count = 1 // within MaxHeaderCount, which is at least 1
		pos += next
	}
	for {
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
		colon, vs, ve, next, e := scanFieldLine(b[pos:end])
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
	if len(raw) < len("M / HTTP/1.1\r\n") {
		return 0 // not a whole request line of this form
	}
	// The method: the four that nearly every request uses are known by
	// their first four bytes at once; any other is read as a token, a
	// byte at a time.
	var i int
	switch load32(raw, 0) {
	case methodGET, methodPUT:
		i = len("GET")
	case methodPOST, methodHEAD:
		i = len("POST")
		if raw[i] != ' ' {
			return 0
		}
	default:
		for i < len(raw) && class[raw[i]]&cToken != 0 {
			i++ // methods are short
		}
		if i == 0 || i+1 >= len(raw) || raw[i] != ' ' || string(raw[:i]) == "CONNECT" {
			return 0
		}
	}
	if raw[i+1] != '/' {
		return 0
	}
	// The path: bytes that need no closer look, and valid %HH triplets
	// (RFC 3986 §2.1), so validPercent has nothing left to check. The scan
	// stops at every byte pathStops flags, and goes on over those that
	// cPath admits after all.
	j := i + 1
	for {
		var w uint64
		if j+8 <= len(raw) {
			w = load64(raw, j)
		} else {
			w = tailWord(raw, j)
		}
		m := pathStops(w)
		if m == 0 {
			j += 8
			continue
		}
		j += bits.TrailingZeros64(m) / 8
		if j >= len(raw) {
			return 0 // the line has not ended
		}
		if class[raw[j]]&cPath != 0 {
			j++
			continue
		}
		if raw[j] == '%' && j+2 < len(raw) && class[raw[j+1]]&class[raw[j+2]]&cHex != 0 {
			j += 3
			continue
		}
		break
	}
	pe, qs := j, j
	if raw[j] == '?' {
		j++
		qs = j
		for {
			var w uint64
			if j+8 <= len(raw) {
				w = load64(raw, j)
			} else {
				w = tailWord(raw, j)
			}
			m := queryStops(w)
			if m == 0 {
				j += 8
				continue
			}
			j += bits.TrailingZeros64(m) / 8
			if j < len(raw) && class[raw[j]]&cQuery != 0 {
				j++
				continue
			}
			break
		}
	}
	// The target stops at a byte it may not hold; it must be the SP before
	// the version, and the version "HTTP/1.1" or "HTTP/1.0" before CRLF.
	// Two overlapping words hold all eleven bytes.
	if j+len(" HTTP/1.1\r\n") > len(raw) || load64(raw, j) != spHTTP1 {
		return 0
	}
	var minor int
	switch load64(raw, j+3) {
	case tp11CRLF:
		minor = 1
	case tp10CRLF:
		minor = 0
	default:
		return 0
	}
	sc.me, sc.pe, sc.qs, sc.te, sc.minor = i, pe, qs, j, minor
	return j + len(" HTTP/1.1\r\n")
}

// The words requestLine compares with, as load32 and load64 read them.
const (
	methodGET  = 'G' | 'E'<<8 | 'T'<<16 | ' '<<24
	methodPUT  = 'P' | 'U'<<8 | 'T'<<16 | ' '<<24
	methodPOST = 'P' | 'O'<<8 | 'S'<<16 | 'T'<<24
	methodHEAD = 'H' | 'E'<<8 | 'A'<<16 | 'D'<<24
	spHTTP1    = ' ' | 'H'<<8 | 'T'<<16 | 'T'<<24 | 'P'<<32 | '/'<<40 | '1'<<48 | '.'<<56
	tp11CRLF   = 'T' | 'P'<<8 | '/'<<16 | '1'<<24 | '.'<<32 | '1'<<40 | '\r'<<48 | '\n'<<56
	tp10CRLF   = 'T' | 'P'<<8 | '/'<<16 | '1'<<24 | '.'<<32 | '0'<<40 | '\r'<<48 | '\n'<<56
)
