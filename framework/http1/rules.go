package http1

import (
	"net/netip"
	"strings"
)

// This file holds the rules that need more than one field line to decide:
// Host, the body framing (Content-Length and Transfer-Encoding), Expect and
// Connection. While the head is parsed, framing.observe records what the
// fields say as a set of facts; framing.decide then walks the rule table
// below and refuses the request at the first rule whose facts all hold.
// Reading the table top to bottom is reading the order of the checks.

// fact is one thing the head says about itself.
type fact uint32

const (
	fHTTP10            fact = 1 << iota // request line says HTTP/1.0
	fHTTP11                             // request line says HTTP/1.1
	fHostMissing                        // no Host field
	fHostRepeated                       // more than one Host field
	fHostInvalid                        // Host value is not uri-host [ ":" port ]
	fCLPresent                          // a Content-Length field
	fCLInvalid                          // a Content-Length element that is not 1*DIGIT within int64
	fCLConflict                         // Content-Length elements that differ
	fTEPresent                          // a Transfer-Encoding field
	fTEMalformed                        // an empty or non-token transfer coding
	fTENotChunkedFinal                  // the final transfer coding is not chunked
	fTEUnsupported                      // a coding other than plain "chunked", or chunked twice
	fExpectUnsupported                  // an expectation other than 100-continue
)

// rule refuses a request when every fact in when holds.
type rule struct {
	when fact
	err  *ProtocolError
}

// rules, in the order they are checked. MUST rules come before SHOULD
// rules, and 400 before 501, so that "Transfer-Encoding: gzip" (not
// chunked-final, and unknown) gets the RFC's mandatory 400.
var rules = [...]rule{
	// RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status
	// code to any HTTP/1.1 request message that lacks a Host header field
	// and to any request message that contains more than one Host header
	// field line or a Host header field with an invalid field value."
	{fHTTP11 | fHostMissing, perr(400, "missing Host header", "RFC 9112 §3.2")},
	{fHostRepeated, perr(400, "more than one Host header", "RFC 9112 §3.2")},
	{fHostInvalid, perr(400, "invalid Host header", "RFC 9112 §3.2")},

	// RFC 9110 §8.6: Content-Length = 1*DIGIT. No sign, no spaces, and a
	// value we can hold; a number that overflows is as bad as garbage.
	{fCLInvalid, perr(400, "invalid Content-Length", "RFC 9110 §8.6")},
	// RFC 9112 §6.3 item 5: several differing values make the length
	// unknowable; the recipient MUST treat it as an unrecoverable error.
	// Identical values ("5, 5" or two "5" lines) are merged, as §8.6 allows.
	{fCLConflict, perr(400, "conflicting Content-Length values", "RFC 9112 §6.3")},

	// RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding MUST be
	// treated as having faulty framing: 1.0 has no chunked coding, and a
	// 1.0 proxy in front of us would frame the body differently.
	{fHTTP10 | fTEPresent, perr(400, "Transfer-Encoding in an HTTP/1.0 request", "RFC 9112 §6.1")},
	// RFC 9112 §6.1 lets a server reject Content-Length together with
	// Transfer-Encoding; §11.2 explains why it should: this is the classic
	// request smuggling pair, where two parsers pick different lengths.
	{fTEPresent | fCLPresent, perr(400, "both Transfer-Encoding and Content-Length", "RFC 9112 §6.1")},
	// Empty list elements are allowed by RFC 9110 §5.6.1 in general; on
	// the one field where a disagreement means smuggling we accept nothing
	// but a clean list of codings.
	{fTEMalformed, perr(400, "malformed Transfer-Encoding", "RFC 9112 §6.1")},
	// RFC 9112 §6.3 item 4: chunked not final means the body length cannot
	// be determined; the server MUST respond 400 and close.
	{fTENotChunkedFinal, perr(400, "chunked is not the final transfer coding", "RFC 9112 §6.3")},
	// RFC 9112 §6.1: a coding the server does not understand SHOULD get
	// 501. We understand exactly one: chunked, applied once (RFC 9112 §7:
	// a sender MUST NOT apply chunked more than once).
	{fTEUnsupported, perr(501, "unsupported transfer coding", "RFC 9112 §6.1")},

	// RFC 9110 §10.1.1: a server that receives an expectation other than
	// 100-continue MAY answer 417; we do, whatever the version, because
	// we cannot meet it.
	{fExpectUnsupported, perr(417, "unsupported expectation", "RFC 9110 §10.1.1")},
}

// ruleTriggers lets decide skip the table for the common request, which
// only has the fact of its version: a rule can fire only when the facts
// hold one of its bits other than the version. It is derived from rules,
// so the table stays the one place the checks are written.
var ruleTriggers = func() fact {
	var t fact
	for _, r := range rules {
		if r.when&^(fHTTP10|fHTTP11) != 0 {
			t |= r.when &^ (fHTTP10 | fHTTP11)
		} else {
			t |= r.when // a rule on the version alone: always walk the table
		}
	}
	return t
}()

// fieldKind names the fields that the rules look at.
type fieldKind uint8

const (
	kOther fieldKind = iota
	kHost
	kContentLength
	kTransferEncoding
	kConnection
	kExpect
)

// kindOf names the fields that the rules look at, matched ASCII
// case-insensitively (RFC 9110 §5.1). It runs for every field line, so the
// length picks the one candidate (most names fail right there), and the
// canonical spelling, which is what clients almost always send, is tried
// with a plain comparison (a few word compares, for a constant) before
// folding case.
func kindOf(name string) fieldKind {
	switch len(name) {
	case len("Host"): // RFC 9112 §3.2
		if name == "Host" || equalFold(name, "Host") {
			return kHost
		}
	case len("Expect"): // RFC 9110 §10.1.1
		if name == "Expect" || equalFold(name, "Expect") {
			return kExpect
		}
	case len("Connection"): // RFC 9110 §7.6.1, RFC 9112 §9.3
		if name == "Connection" || equalFold(name, "Connection") {
			return kConnection
		}
	case len("Content-Length"): // RFC 9110 §8.6, RFC 9112 §6.3
		if name == "Content-Length" || equalFold(name, "Content-Length") {
			return kContentLength
		}
	case len("Transfer-Encoding"): // RFC 9112 §6.1
		if name == "Transfer-Encoding" || equalFold(name, "Transfer-Encoding") {
			return kTransferEncoding
		}
	}
	return kOther
}

// framing collects what the fields say while the head is parsed.
type framing struct {
	facts fact

	hosts       int
	host        string
	hostChecked bool // host is known to be uri-host [ ":" port ] already

	clText string // the first Content-Length element, to compare the others against
	cl     int64

	chunked     int  // how many times "chunked" was listed
	lastChunked bool // whether the last coding listed so far is chunked
	close       bool // Connection: close
	keepAlive   bool // Connection: keep-alive
	expect100   bool // Expect: 100-continue
}

// maxContentLength is the largest Content-Length we can represent.
const maxContentLength = 1<<63 - 1

func (f *framing) observe(name, value string) {
	switch kindOf(name) {
	case kHost:
		f.hosts++
		if f.hosts == 1 {
			f.host = value
		} else {
			f.facts |= fHostRepeated
		}

	case kContentLength:
		f.facts |= fCLPresent
		it := elements{s: value}
		for e, ok := it.next(); ok; e, ok = it.next() {
			n, valid := ParseDecimal(e)
			switch {
			case !valid:
				f.facts |= fCLInvalid
			case f.clText == "":
				f.clText, f.cl = e, n
			case e != f.clText:
				// Compared as text, like net/http: "5" and "05" are the
				// same number but no honest client sends both.
				f.facts |= fCLConflict
			}
		}

	case kTransferEncoding:
		f.facts |= fTEPresent
		it := elements{s: value}
		for e, ok := it.next(); ok; e, ok = it.next() {
			// transfer-coding = token *( OWS ";" OWS transfer-parameter )
			coding := e
			if i := strings.IndexAny(e, "; \t"); i >= 0 {
				coding = e[:i]
			}
			switch {
			case !IsToken(coding):
				f.facts |= fTEMalformed
			case equalFold(coding, "chunked"):
				f.chunked++
				f.lastChunked = true
				if len(coding) != len(e) || f.chunked > 1 {
					f.facts |= fTEUnsupported // chunked takes no parameters
				}
			default:
				f.lastChunked = false
				f.facts |= fTEUnsupported
			}
		}

	case kConnection:
		it := elements{s: value}
		for e, ok := it.next(); ok; e, ok = it.next() {
			switch {
			case equalFold(e, "close"):
				f.close = true
			case equalFold(e, "keep-alive"):
				f.keepAlive = true
			}
		}

	case kExpect:
		it := elements{s: value}
		for e, ok := it.next(); ok; e, ok = it.next() {
			switch {
			case e == "":
				// RFC 9110 §5.6.1: empty list elements are ignored.
			case equalFold(e, "100-continue"):
				f.expect100 = true
			default:
				f.facts |= fExpectUnsupported
			}
		}
	}
}

// decide applies the rule table and, if the request passes, fills the
// framing part of h.
func (f *framing) decide(h *Head) *ProtocolError {
	if h.Minor == 0 {
		f.facts |= fHTTP10
	} else {
		f.facts |= fHTTP11
	}
	if f.hosts == 0 {
		f.facts |= fHostMissing
	} else if !f.hostChecked {
		if _, ok := splitHostPort(f.host); !ok {
			f.facts |= fHostInvalid
		}
	}
	if f.facts&fTEPresent != 0 && !f.lastChunked {
		f.facts |= fTENotChunkedFinal
	}

	if f.facts&ruleTriggers != 0 {
		for i := range rules {
			if f.facts&rules[i].when == rules[i].when {
				return rules[i].err
			}
		}
	}

	if h.Host == "" { // not already taken from an absolute-form target
		// RFC 9112 §3.2.2: with absolute-form the target's authority wins
		// and the Host field is ignored (but, above, still required).
		h.Host = f.host
	}
	h.ContentLength = -1
	if f.facts&fCLPresent != 0 {
		h.ContentLength = f.cl
	}
	h.Chunked = f.facts&fTEPresent != 0
	// RFC 9112 §9.3: 1.1 is persistent unless "close"; 1.0 is persistent
	// only with "keep-alive" (and "close" wins over both).
	h.Close = f.close || h.Minor == 0 && !f.keepAlive
	// RFC 9110 §10.1.1: a server MUST ignore 100-continue in HTTP/1.0.
	h.Expect100 = f.expect100 && h.Minor == 1
	return nil
}

// ParseDecimal parses 1*DIGIT (RFC 9110 §5.6.1's DIGIT, ASCII 0-9) into
// an int64. It refuses the empty string, signs, spaces and any value
// above math.MaxInt64, which strconv.ParseInt alone would let through or
// report less plainly. Content-Length and Range positions use it.
func ParseDecimal(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if class[c]&cDigit == 0 {
			return 0, false
		}
		d := int64(c - '0')
		if n > (maxContentLength-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// splitHostPort checks
//
//	Host = uri-host [ ":" port ]          (RFC 9110 §7.2)
//	uri-host = IP-literal / IPv4address / reg-name    (RFC 3986 §3.2.2)
//	port = *DIGIT                          (RFC 3986 §3.2.3)
//
// and returns the uri-host. It is stricter than RFC 3986 in two ways, both
// about names no browser sends: reg-name may not be percent-encoded, and an
// IP-literal must be an IPv6 address (no IPvFuture, no zone). An empty
// value is valid (RFC 9112 §3.2: a client with no authority sends an empty
// Host), but a port with an empty host is not.
func splitHostPort(s string) (host string, ok bool) {
	host, port, hasPort := s, "", false
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", false
		}
		host = s[:end+1]
		if rest := s[end+1:]; rest != "" {
			if rest[0] != ':' {
				return "", false
			}
			port, hasPort = rest[1:], true
		}
		addr, err := netip.ParseAddr(host[1:end])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return "", false
		}
	} else {
		// One pass: the reg-name (eight bytes at a time), then a port if
		// the byte it stops at is a colon. A second colon lands in the
		// port and fails there.
		i := 0
		for i+8 <= len(s) && allIn8(s, i, cRegName) {
			i += 8
		}
		for i < len(s) && class[s[i]]&cRegName != 0 {
			i++
		}
		if i < len(s) {
			if s[i] != ':' {
				return "", false
			}
			host, port, hasPort = s[:i], s[i+1:], true
		}
	}
	if !allIn(port, cDigit) || hasPort && host == "" {
		return "", false
	}
	return host, true
}
