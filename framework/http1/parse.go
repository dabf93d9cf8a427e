package http1

import (
	"bytes"
	"errors"
	"math/bits"
	"strconv"
	"strings"
)

// Limits bounds the request head. A zero (or negative) field means the
// default given next to it.
type Limits struct {
	MaxURIBytes    int // request-target length; default DefaultMaxURIBytes; over it: 414
	MaxHeaderBytes int // whole head incl. request line and leading empty lines; default DefaultMaxHeaderBytes; over it: 431
	MaxHeaderCount int // number of field lines; default DefaultMaxHeaderCount; over it: 431
}

// The default limits. 8 KiB of URI is what common servers and proxies
// accept (and more than browsers send in practice); 16 KiB of head holds a
// realistic browser request with a handful of large cookies.
const (
	DefaultMaxURIBytes    = 8 << 10
	DefaultMaxHeaderBytes = 16 << 10
	DefaultMaxHeaderCount = 128
)

func (l Limits) withDefaults() Limits {
	if l.MaxURIBytes <= 0 {
		l.MaxURIBytes = DefaultMaxURIBytes
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if l.MaxHeaderCount <= 0 {
		l.MaxHeaderCount = DefaultMaxHeaderCount
	}
	return l
}

// ErrNeedMore is returned by Parse while the head is incomplete but still
// within the limits: read more bytes, append them, and call Parse again.
var ErrNeedMore = errors.New("http1: need more data")

// ProtocolError is a request the server must refuse. Status is the response
// code (400, 414, 417, 431, 501 or 505) and Reason a short human text, with
// the RFC section that the request broke, for the response body and the
// log. The connection should be closed after the response.
//
// The parser returns shared, preallocated values: treat them as read-only.
type ProtocolError struct {
	Status int
	Reason string
}

// Error returns "http1: " followed by the status and the reason.
func (e *ProtocolError) Error() string {
	return "http1: " + strconv.Itoa(e.Status) + " " + e.Reason
}

// perr builds one of the preallocated errors below. Refusing a request then
// costs no allocation, so a flood of garbage is not also a flood of garbage
// collection.
func perr(status int, reason, rfc string) *ProtocolError {
	return &ProtocolError{Status: status, Reason: reason + " (" + rfc + ")"}
}

// The syntax rules of the head, one error per rule. The framing rules that
// depend on several fields at once are in the table in rules.go.
var (
	errBareLF    = perr(400, "line ends in a bare LF instead of CRLF", "RFC 9112 §2.2")
	errBareCR    = perr(400, "bare CR outside a line ending", "RFC 9112 §2.2")
	errLeadingWS = perr(400, "whitespace before the first field line", "RFC 9112 §2.2")
	errObsFold   = perr(400, "obsolete line folding", "RFC 9112 §5.2")

	errRequestLine = perr(400, "malformed request line", "RFC 9112 §3")
	errMethod      = perr(400, "method is not a token", "RFC 9112 §3.1")
	errVersion     = perr(400, "malformed HTTP version", "RFC 9112 §2.3")
	errVersionNS   = perr(505, "HTTP version not supported", "RFC 9110 §15.6.6")
	errConnect     = perr(501, "CONNECT is not implemented", "RFC 9110 §9.3.6")

	errURITooLong = perr(414, "request-target too long", "RFC 9110 §15.5.15")
	errTargetByte = perr(400, "request-target has a byte that is not visible ASCII", "RFC 9112 §3.2")
	errFragment   = perr(400, "request-target has a fragment", "RFC 9112 §3.2")
	errPercent    = perr(400, "bad percent-encoding in path", "RFC 3986 §2.1")
	errTargetForm = perr(400, "request-target is not origin-form or http(s) absolute-form", "RFC 9112 §3.2")
	errAsterisk   = perr(400, "asterisk-form is only allowed with OPTIONS", "RFC 9112 §3.2.4")
	errAuthority  = perr(400, "invalid host in absolute-form", "RFC 9110 §4.2.1")
	errUserinfo   = perr(400, "userinfo in an http(s) URI", "RFC 9110 §4.2.4")

	errFieldLine   = perr(400, "field line without a colon", "RFC 9112 §5")
	errFieldName   = perr(400, "field name is not a token", "RFC 9110 §5.1")
	errSpaceColon  = perr(400, "whitespace between field name and colon", "RFC 9112 §5.1")
	errFieldValue  = perr(400, "invalid byte in field value", "RFC 9110 §5.5")
	errHeadTooBig  = perr(431, "request head too large", "RFC 6585 §5")
	errTooManyFlds = perr(431, "too many header fields", "RFC 6585 §5")
)

// Parse looks for a complete request head at the start of buf.
//
// It returns (0, ErrNeedMore) while the head is incomplete and within lim;
// (n, nil) with h filled and n the bytes consumed, including any leading
// empty lines, which are skipped (RFC 9112 §2.2); or (0, err) with err a
// *ProtocolError. On any error h is Reset.
//
// Parse keeps no state between calls: call it again on the same, longer,
// buffer. It does not look past the head; buf[n:] is the start of the body
// or of the next request.
func Parse(buf []byte, lim Limits, h *Head) (n int, err error) {
	return (*Arena)(nil).Parse(buf, lim, h)
}

// Parse is the package's Parse, with the head's one string cut from a's
// current block instead of allocated on its own (see Arena). A nil a
// allocates, as Parse does.
func (a *Arena) Parse(buf []byte, lim Limits, h *Head) (n int, err error) {
	return parse(buf, lim, h, a, true)
}

// parse is Parse with the arena the head's string comes from; fast is
// false only in the tests that compare the fast path with the exact one.
// It resets h on an error itself (see fail), so that Arena.Parse is a
// wrapper the compiler inlines into its caller: a connection's parse
// costs one call, not two.
func parse(buf []byte, lim Limits, h *Head, a *Arena, fast bool) (int, error) {
	lim = lim.withDefaults()
	// A head must end within the first MaxHeaderBytes, so nothing beyond
	// them is ever scanned: a caller with a large buffer full of body bytes
	// or garbage costs no more than one with a small one.
	if len(buf) > lim.MaxHeaderBytes {
		buf = buf[:lim.MaxHeaderBytes]
	}

	// RFC 9112 §2.2: a server SHOULD ignore at least one empty line (CRLF)
	// received before the request-line; some clients send one after a POST
	// body. We skip any number, but they count against MaxHeaderBytes.
	start := 0
	if len(buf) == 0 || buf[0] == '\r' || buf[0] == '\n' { // rare: a head starts with its method
		for start+1 < len(buf) && buf[start] == '\r' && buf[start+1] == '\n' {
			start += 2
		}
		switch {
		case start == len(buf) || buf[start] == '\r' && start+1 == len(buf):
			// Only empty lines so far, perhaps with half a CRLF.
			if len(buf) >= lim.MaxHeaderBytes {
				return fail(h, errHeadTooBig)
			}
			return fail(h, ErrNeedMore)
		case buf[start] == '\n':
			return fail(h, errBareLF)
		case buf[start] == '\r':
			return fail(h, errBareCR) // the loop above stopped, so no LF follows
		}
	}

	// The fast path: one pass over the bytes of a complete head of the
	// usual shape finds its end and checks its syntax. Anything else (an
	// incomplete head, a refusal, a rarer form) takes the exact path.
	if !fast {
		return exact(buf, start, lim, h, a)
	}
	sc := a.scratch()
	end := sc.head(buf[start:], lim)
	if end == 0 {
		if sc.partial > 0 {
			// The head has not ended, and its first sc.partial bytes are
			// whole lines that break no rule, nor hold a bare LF.
			_, bareLF := headEnd(buf[start+sc.partial:])
			return fail(h, checkPartial(buf, start, bareLF, lim))
		}
		return exact(buf, start, lim, h, a)
	}
	n := start + end
	raw := a.Copy(buf[start:n]) // the one copy, as in parseExact
	if e := parseHead(raw, sc, lim, h); e != nil {
		return fail(h, e)
	}
	return n, nil
}

// fail is parse's answer to a head it refuses or that is not complete
// yet: h is Reset, as Parse promises.
func fail(h *Head, err error) (int, error) {
	h.Reset()
	return 0, err
}

// exact is parseExact with parse's answer on an error.
func exact(buf []byte, start int, lim Limits, h *Head, a *Arena) (int, error) {
	n, err := parseExact(buf, start, lim, h, a)
	if err != nil {
		return fail(h, err)
	}
	return n, nil
}

// parseExact is Parse without the fast path: it finds the end of the head
// first and then parses it line by line, in the order the errors are
// ranked. The fast path leaves to it every head it does not accept.
func parseExact(buf []byte, start int, lim Limits, h *Head, a *Arena) (int, error) {
	// Look for the end of the head before parsing anything, so that a
	// client that sends its head one byte at a time costs a fast rescan
	// per call rather than a full reparse.
	end, bareLF := headEnd(buf[start:])
	if end < 0 {
		return 0, checkPartial(buf, start, bareLF, lim)
	}
	// buf was cut to MaxHeaderBytes, so a head found in it is within the
	// limit; only the target may still be too long.
	n := start + end
	if e := checkTargetLength(buf[start:n], lim); e != nil {
		return 0, e
	}

	// The one copy: the head, once, into a string of its own (or of the
	// arena's block). From here on every string is a substring of raw, so
	// nothing the handler keeps aliases buf.
	raw := a.Copy(buf[start:n])
	if e := parseHead(raw, nil, lim, h); e != nil {
		return 0, e
	}
	return n, nil
}

var crlfcrlf = []byte("\r\n\r\n")

// headEnd returns the length of the head at the start of b, through its
// first CRLF CRLF, or -1 when b holds none yet; bareLF reports whether a
// line before that ended in a bare LF. It hops from one LF to the next with
// bytes.IndexByte, a vectorised scan, and looks at the bytes around each:
// one call per line, where a search for the four bytes CR LF CR LF stops at
// every CR and compares there.
func headEnd(b []byte) (end int, bareLF bool) {
	for i := 0; ; i++ {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return -1, bareLF
		}
		i += j // b[i] is the LF
		switch {
		case i == 0 || b[i-1] != '\r':
			bareLF = true
		case i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n':
			return i + 3, bareLF
		}
	}
}

// checkPartial decides between ErrNeedMore and an early refusal for a head
// that has not ended yet; bareLF is what headEnd saw. Waiting for the end
// would let a client hold the connection with a request we already know we
// will refuse.
func checkPartial(buf []byte, start int, bareLF bool, lim Limits) error {
	head := buf[start:]
	if e := checkTargetLength(head, lim); e != nil {
		return e
	}
	// The method arrives first: anything that is not a token (for example a
	// TLS ClientHello sent to a plain-text port) is refused at once.
	line, complete := head, false
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line, complete = line[:i], true
	}
	method := line
	if i := bytes.IndexByte(line, ' '); i >= 0 {
		method = line[:i]
	} else if complete {
		return errRequestLine // a whole request line without any SP
	}
	if !allIn(method, cToken) {
		return errMethod
	}
	// Without this, a client that ends its lines with bare LF would wait
	// for a CRLF CRLF that never comes and be answered 431 much later.
	if bareLF {
		return errBareLF
	}
	// An incomplete head of MaxHeaderBytes bytes can only complete beyond
	// the limit. (parse cut buf to at most that length.)
	if len(buf) >= lim.MaxHeaderBytes {
		return errHeadTooBig
	}
	return ErrNeedMore
}

// checkTargetLength answers 414 as soon as the request-target is known to
// be longer than MaxURIBytes, even when its end has not arrived.
func checkTargetLength(head []byte, lim Limits) *ProtocolError {
	if len(head) <= lim.MaxURIBytes {
		// The target is part of the head, so it cannot be too long yet.
		// This is nearly every request, and it spares three scans.
		return nil
	}
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
		if i > 0 && line[i-1] == '\r' {
			line = line[:i-1]
		}
	}
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 {
		return nil // no target yet; the method is bounded by MaxHeaderBytes
	}
	target := line[sp+1:]
	if i := bytes.IndexByte(target, ' '); i >= 0 {
		target = target[:i]
	}
	if len(target) > lim.MaxURIBytes {
		return errURITooLong
	}
	return nil
}

// parseHead parses a complete head, raw, which ends in CRLF CRLF; sc is
// what the fast path found in it, or nil.
func parseHead(raw string, sc *scan, lim Limits, h *Head) *ProtocolError {
	prev := len(h.Fields)
	// Every other field of h is set once by parseLines when it succeeds,
	// so h is not cleared first; on an error Parse resets it.
	h.Raw, h.Fields = raw, h.Fields[:0]
	e := parseLines(raw, sc, lim, h)
	// The slots this request did not overwrite still hold the previous
	// request's strings: clear them, for the reason given in Head.Reset.
	// Clearing only these, rather than all of them up front, matters: a
	// connection's requests tend to have the same number of fields, so
	// usually there is nothing to clear.
	if n := len(h.Fields); n < prev {
		clear(h.Fields[n:prev])
	}
	return e
}

// parseLines parses the request line and the field lines of raw into h,
// starting after what the fast path, if sc is not nil, has already done.
func parseLines(raw string, sc *scan, lim Limits, h *Head) *ProtocolError {
	if sc != nil {
		// The fast path has checked the syntax: slice the parts it found
		// out of the copy.
		h.Method, h.Target, h.Minor = raw[:sc.me], raw[sc.me+1:sc.te], sc.minor
		h.Path, h.RawQuery = raw[sc.me+1:sc.pe], raw[sc.qs:sc.te]
		if sc.hostChecked && sc.n == 1 && sc.rest == len(raw)-2 {
			// The only field is a Host line that hostLine has checked, as
			// in a benchmark client's request. Then decide would find the
			// fact of the version and one valid Host, which no rule
			// refuses, and the framing of a request without a body: no
			// need for observe, or to walk the table.
			sp := sc.spans[0]
			host := raw[sp.vs:sp.ve]
			h.Fields = append(h.Fields, Field{Name: raw[sp.start:sp.colon], Value: host})
			h.Host, h.ContentLength, h.Chunked, h.Expect100 = host, -1, false, false
			h.Close = sc.minor == 0 // RFC 9112 §9.3, as decide says
			return nil
		}
	}
	var f framing
	var pos int
	if sc != nil {
		spans := sc.spans[:sc.n]
		if sc.hostChecked {
			// The first field is a Host line that hostLine has checked:
			// what observe would note of it is known.
			sp := spans[0]
			f.hosts, f.host, f.hostChecked = 1, raw[sp.vs:sp.ve], true
			h.Fields = append(h.Fields, Field{Name: raw[sp.start:sp.colon], Value: f.host})
			spans = spans[1:]
		}
		h.Host = "" // decide fills it in
		for _, sp := range spans {
			name, value := raw[sp.start:sp.colon], raw[sp.vs:sp.ve]
			h.Fields = append(h.Fields, Field{Name: name, Value: value})
			f.observe(name, value)
		}
		pos = sc.rest
	} else {
		le := strings.IndexByte(raw, '\n')
		line, e := chompCR(raw[:le])
		if e != nil {
			return e
		}
		if e := parseRequestLine(line, h); e != nil {
			return e
		}
		pos = le + 1
	}

	// raw ends with the first CRLF CRLF of the input and no field line can
	// hold a CR, so the first empty line is the end of raw.
	for pos < len(raw)-2 {
		if isOWS(raw[pos]) {
			if len(h.Fields) == 0 {
				return errLeadingWS
			}
			return errObsFold
		}
		colon, vs, ve, next, e := scanFieldLine(raw[pos:])
		if e != nil {
			return e
		}
		name, value := raw[pos:pos+colon], raw[pos+vs:pos+ve]
		if len(h.Fields) == lim.MaxHeaderCount {
			return errTooManyFlds
		}
		h.Fields = append(h.Fields, Field{Name: name, Value: value})
		f.observe(name, value)
		pos += next
	}
	return f.decide(h)
}

// chompCR removes the CR of a line's CRLF; a line without it ended in a
// bare LF, which we refuse (RFC 9112 §2.2 lets a recipient accept a bare LF;
// we do not, because a proxy in front of us that disagrees about where a
// line ends is exactly how requests get smuggled).
func chompCR(line string) (string, *ProtocolError) {
	if line == "" || line[len(line)-1] != '\r' {
		return "", errBareLF
	}
	return line[:len(line)-1], nil
}

// scanFieldLine scans the field line at the start of s, through its CRLF:
//
//	field-line = field-name ":" OWS field-value OWS   (RFC 9112 §5)
//
// It returns where the name, which must be a token, ends (at the colon),
// where the value with OWS trimmed starts and ends, and the length of the
// line with its CRLF. Each byte is looked at once: the value scan
// stops at the first byte a value may not hold, and that byte must be the
// CR of the line's CRLF. The caller has already refused a line that starts
// with whitespace.
func scanFieldLine[T bytestring](s T) (colon, vs, ve, next int, e *ProtocolError) {
	i := 0
	for i+8 <= len(s) && allIn8(s, i, cToken) {
		i += 8 // most names are longer than eight bytes
	}
	for i < len(s) && class[s[i]]&cToken != 0 {
		i++
	}
	switch {
	case i == len(s) || s[i] == '\r' || s[i] == '\n':
		return 0, 0, 0, 0, errFieldLine
	case s[i] == ':' && i > 0:
		// the good case
	case isOWS(s[i]):
		// RFC 9112 §5.1: "No whitespace is allowed between the field name
		// and colon ... a server MUST reject" with 400: a proxy might
		// have read "Host :x" as a different field than we would.
		for i < len(s) && isOWS(s[i]) {
			i++
		}
		if i < len(s) && s[i] == ':' {
			return 0, 0, 0, 0, errSpaceColon
		}
		return 0, 0, 0, 0, errFieldName
	default:
		return 0, 0, 0, 0, errFieldName
	}
	v := s[i+1:] // indexing from 0 lets the compiler prove most indexes in bounds
	j := 0
	for j < len(v) && isOWS(v[j]) {
		j++
	}
	vs = j
	// Values are most of a head's bytes, so they are checked a word at a
	// time while no byte of the word needs a closer look. The only bytes
	// that do are the controls, which includes the CR that ends the line;
	// HTAB is a control that a value may hold, so on it we step over and
	// go on with the next (unaligned) word.
	for j+8 <= len(v) {
		m := ctlBytes(load64(v, j))
		if m == 0 {
			j += 8
			continue
		}
		j += bits.TrailingZeros64(m) / 8 // the first control in the word
		if v[j] != '\t' {
			break // the byte loop below stops here at once
		}
		j++
	}
	// The last bytes of the line (fewer than eight), a byte at a time.
	for j < len(v) && class[v[j]]&cValue != 0 {
		j++
	}
	switch {
	case j+1 < len(v) && v[j] == '\r' && v[j+1] == '\n':
		// end of the line
	case j < len(v) && v[j] == '\n':
		return 0, 0, 0, 0, errBareLF
	default:
		// RFC 9110 §5.5: CR, LF and NUL are never allowed in a value; we
		// refuse every other CTL but HTAB as well, as field-vchar says.
		return 0, 0, 0, 0, errFieldValue
	}
	ve = j
	for ve > vs && isOWS(v[ve-1]) {
		ve--
	}
	return i, i + 1 + vs, i + 1 + ve, i + 1 + j + 2, nil
}
