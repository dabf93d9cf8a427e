package framework

// Response framing (RFC 9112 §6): how the receiver will find the end of
// the body. chooseFraming decides from the facts below by walking the
// rule table: the first rule whose facts all hold wins. Reading the table
// top to bottom is reading the order of the checks. The response writer
// (response.commit) then only writes what was chosen.

// framingFact is one thing known about a response when its head is
// written.
type framingFact uint8

const (
	ffNoBodyStatus framingFact = 1 << iota // 1xx, 204 or 304
	ffDeclared                             // the handler set a valid Content-Length
	ffWhole                                // the handler returned with the whole body buffered
	ffEmpty                                // no body byte buffered
	ffHEAD                                 // the request was HEAD
	ffHTTP11                               // the request was HTTP/1.1

	ffLast = ffHTTP11
)

// framing is how the body is delimited on the wire.
type framing uint8

const (
	framingNone     framing = iota // no body, and no length announced
	framingLength                  // Content-Length: the buffered body's size, written by us
	framingDeclared                // identity, the handler's own Content-Length
	framingChunked                 // Transfer-Encoding: chunked
	framingClose                   // the body ends when the connection closes
)

// framingRule chooses framing when every fact in when holds.
type framingRule struct {
	when   framingFact
	choose framing
	close  bool   // the connection must close after the body
	reason string // the RFC that says so
}

// framingRules, in the order they are checked. The last rule has no
// facts, so it always matches.
var framingRules = [...]framingRule{
	// RFC 9110 §6.4.1: 1xx, 204 and 304 responses end with their head.
	// (§8.6 forbids Content-Length on 1xx and 204; a 304 may repeat the
	// selected representation's, which commit keeps.)
	{ffNoBodyStatus, framingNone, false, "RFC 9110 §6.4.1"},
	// RFC 9112 §6.3 item 6: a valid Content-Length gives the length. The
	// handler knows it (a file, say): sent as is, the writer holds it to it.
	{ffDeclared, framingDeclared, false, "RFC 9112 §6.3"},
	// RFC 9110 §9.3.2: a HEAD response MAY omit the length. A handler that
	// wrote nothing for HEAD did not say how long the GET answer is, so
	// no length is sent rather than a wrong "0".
	{ffHEAD | ffWhole | ffEmpty, framingNone, false, "RFC 9110 §9.3.2"},
	// RFC 9110 §8.6: with the whole body in hand, its length is known.
	{ffWhole, framingLength, false, "RFC 9110 §8.6"},
	// RFC 9110 §9.3.2: a HEAD response that streamed: the length is
	// unknown, and there is no body to frame.
	{ffHEAD, framingNone, false, "RFC 9110 §9.3.2"},
	// RFC 9112 §7.1: a streamed body of unknown length to an HTTP/1.1
	// client is sent in chunks.
	{ffHTTP11, framingChunked, false, "RFC 9112 §7.1"},
	// RFC 9112 §6.1: chunked MUST NOT go to an HTTP/1.0 client; the end of
	// the body is then the end of the connection (RFC 9112 §6.3 item 8).
	{0, framingClose, true, "RFC 9112 §6.3"},
}

// framingFacts gathers the facts chooseFraming decides from.
func framingFacts(status int, head bool, minor int, declared bool, whole bool, buffered int) framingFact {
	var f framingFact
	if !bodyAllowed(status) {
		f |= ffNoBodyStatus
	}
	if declared {
		f |= ffDeclared
	}
	if whole {
		f |= ffWhole
	}
	if buffered == 0 {
		f |= ffEmpty
	}
	if head {
		f |= ffHEAD
	}
	if minor >= 1 {
		f |= ffHTTP11
	}
	return f
}

// chooseFraming returns the first rule of framingRules whose facts hold.
// Every response asks, so the walk is done once for each of the 64 sets
// of facts, when the program starts: framingIndex[f] is its answer.
func chooseFraming(f framingFact) *framingRule {
	return &framingRules[framingIndex[f&(ffLast<<1-1)]]
}

// framingIndex holds, for each set of facts, the index of the rule that
// walking framingRules from the top chooses.
var framingIndex = func() (ix [ffLast << 1]uint8) {
	for f := range ix {
		for i, r := range framingRules {
			if framingFact(f)&r.when == r.when {
				ix[f] = uint8(i)
				break
			}
		}
	}
	return ix
}()
