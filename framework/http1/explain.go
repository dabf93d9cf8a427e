package http1

import "strings"

// Framing says how the body of an accepted request is delimited and which
// rule of RFC 9112 §6.3 decided it, for traces and teaching: the parser
// has already applied the rules; this names them.
func (h *Head) Framing() (how, rule string) {
	switch {
	case h.Chunked:
		return "chunked", "RFC 9112 §6.3 item 4: Transfer-Encoding with chunked as the final coding"
	case h.ContentLength >= 0:
		return "Content-Length", "RFC 9112 §6.3 item 6: a valid Content-Length gives the body's length"
	}
	return "no body", "RFC 9112 §6.3 item 7: a request with neither Transfer-Encoding nor Content-Length has no body"
}

// Persistence says whether the connection may carry another request after
// this one and the rule that says so.
func (h *Head) Persistence() (keep bool, rule string) {
	switch {
	case h.Close && h.Minor == 0:
		return false, "RFC 9112 §9.3: HTTP/1.0 closes unless the request says keep-alive"
	case h.Close:
		return false, "RFC 9112 §9.3: the request carries the close connection option"
	case h.Minor == 0:
		return true, "RFC 9112 §9.3: HTTP/1.0 with Connection: keep-alive"
	}
	return true, "RFC 9112 §9.3: HTTP/1.1 connections persist by default"
}

// Rule returns the RFC section a refused request broke, as cited at the
// end of Reason ("RFC 9112 §6.1"), or "" when the reason cites none.
func (e *ProtocolError) Rule() string {
	i := strings.LastIndex(e.Reason, " (RFC ")
	if i < 0 || !strings.HasSuffix(e.Reason, ")") {
		return ""
	}
	return e.Reason[i+2 : len(e.Reason)-1]
}
