// Package http1 parses HTTP/1.1 and HTTP/1.0 requests without doing any
// I/O.
//
// # Sans-IO
//
// Nothing here reads from a socket, sets a deadline or blocks. Parse takes
// the bytes the connection has read so far and answers one of three
// things: ErrNeedMore (read more and call again), a complete *Head with the
// number of bytes it used, or a *ProtocolError carrying the status the
// server must answer with. ChunkedDecoder does the same for a chunked
// body: bytes in, body bytes out. Because the parser only sees bytes, it
// is tested with byte tables, fuzzed, and compared with net/http on the
// same inputs (see fuzz_test.go), and the connection loop that drives it
// stays short. The design follows python-hyper's h11, whose protocol code
// likewise never performs I/O.
//
// A connection loop looks like this:
//
//	for {
//		n, err := http1.Parse(buf, limits, &head)
//		switch {
//		case err == http1.ErrNeedMore:
//			buf = readMore(conn, buf) // under the read-header deadline
//			continue
//		case err != nil:
//			pe := err.(*http1.ProtocolError)
//			replyAndClose(conn, pe.Status, pe.Reason)
//			return
//		}
//		body := buf[n:] // framed by head.ContentLength or head.Chunked
//		...
//	}
//
// # One string per head
//
// Once the end of the head is found, its bytes are copied once into
// Head.Raw, and the method, target, path, query and every field name and
// value are substrings of it. That copy is the only allocation of a parse
// (for a reused Head), and in return nothing in a Head aliases the read
// buffer: a handler may keep any of its strings after it returns.
//
// # Rules
//
// The parser is strict: where RFC 9112 lets a recipient choose between
// tolerating a malformed message and refusing it, it refuses, because two
// parsers that tolerate differently are how requests are smuggled past a
// proxy. Each rule is written next to its RFC section in the code: syntax
// errors in parse.go and requestline.go (and checked again, for the usual
// shape of head, by the one-pass fast path in fastpath.go), rules that need
// several fields in the table in rules.go, chunked framing in chunked.go.
// In short:
//
//	rule                                                   status  RFC
//	lines end in CRLF; bare LF or CR refused               400     9112 §2.2
//	leading empty lines before the request line skipped    -       9112 §2.2
//	method SP target SP version, single SPs, method token  400     9112 §3
//	HTTP/1.0 and HTTP/1.1 only; other HTTP/d.d             505     9110 §15.6.6
//	target: visible ASCII, no fragment, valid %XX in path  400     9112 §3.2
//	origin-form, http(s) absolute-form, OPTIONS *          400     9112 §3.2
//	CONNECT (we are not a proxy)                           501     9110 §9.3.6
//	target longer than MaxURIBytes                         414     9110 §15.5.15
//	field name a token, no whitespace before the colon     400     9112 §5.1
//	obs-fold (a line starting with SP or HTAB)             400     9112 §5.2
//	field value: VCHAR, obs-text, SP, HTAB only            400     9110 §5.5
//	head over MaxHeaderBytes, fields over MaxHeaderCount   431     6585 §5
//	exactly one valid Host in 1.1, at most one in 1.0      400     9112 §3.2
//	Content-Length 1*DIGIT, equal if repeated              400     9112 §6.3
//	Transfer-Encoding with Content-Length, or in 1.0       400     9112 §6.1
//	Transfer-Encoding whose final coding is not chunked    400     9112 §6.3
//	any coding but a single chunked                        501     9112 §6.1
//	Expect other than 100-continue                         417     9110 §10.1.1
//
// Where this is stricter than net/http, and the two places where it is
// more lenient, are listed with their reasons in fuzz_test.go.
package http1
