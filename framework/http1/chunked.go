package http1

import "bytes"

// Defaults for ChunkedDecoder's limits.
const (
	DefaultMaxTrailerBytes = 8 << 10 // the whole trailer section, incl. its final CRLF
	DefaultMaxChunkLine    = 4 << 10 // one chunk-size line incl. extensions and CRLF
)

// maxChunkSize bounds one chunk. 2^62-1 still needs all 16 hex digits that
// we allow, yet leaves room to add two sizes (or a size and a body total)
// in an int64 without overflow checks at every step.
const maxChunkSize = 1<<62 - 1

// maxChunkOverhead bounds the "excess" framing bytes (see
// ChunkedDecoder.overhead) before the sender is judged abusive.
const maxChunkOverhead = 16 << 10

var (
	errChunkBareLF   = perr(400, "chunked line not ended by CRLF", "RFC 9112 §7.1")
	errChunkSize     = perr(400, "malformed chunk size", "RFC 9112 §7.1")
	errChunkTooBig   = perr(400, "chunk size too large", "RFC 9112 §7.1")
	errChunkExt      = perr(400, "malformed chunk extension", "RFC 9112 §7.1.1")
	errChunkLine     = perr(400, "chunk-size line too long", "RFC 9112 §7.1.1")
	errChunkCRLF     = perr(400, "chunk data not followed by CRLF", "RFC 9112 §7.1")
	errChunkOverhead = perr(400, "too much chunk framing for the data sent", "RFC 9112 §7.1.1")
	errTrailerTooBig = perr(400, "trailer section too large", "RFC 9112 §7.1.2")
)

type chunkState uint8

const (
	csSize    chunkState = iota // expecting chunk-size [ chunk-ext ] CRLF
	csData                      // inside chunk-data
	csDataEnd                   // expecting the CRLF after chunk-data
	csTrailer                   // inside the trailer section
	csDone                      // last-chunk and trailer section consumed
)

// ChunkedDecoder decodes the chunked transfer coding (RFC 9112 §7.1)
// incrementally, without doing any I/O: the caller reads, Decode decodes.
//
//	chunked-body = *chunk last-chunk trailer-section CRLF
//	chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//	last-chunk   = 1*("0") [ chunk-ext ] CRLF
//
// Chunk extensions are checked for syntax and ignored. Trailer fields are
// checked like header fields, bounded by MaxTrailerBytes, and discarded:
// nothing in this framework reads them, and a field that arrives after the
// handler has started could not be trusted to mean what a header means.
//
// The zero value is ready to use. Every error is a *ProtocolError with
// status 400, and it is sticky: later calls return it again.
type ChunkedDecoder struct {
	MaxTrailerBytes int // default DefaultMaxTrailerBytes
	MaxLineBytes    int // chunk-size line incl. extensions and CRLF; default DefaultMaxChunkLine

	state     chunkState
	remaining int64 // chunk-data bytes left in the current chunk
	trailer   int   // trailer-section bytes consumed so far
	overhead  int64 // framing bytes not yet paid for by data, see below
	err       *ProtocolError
}

// Reset makes d ready for a new body and keeps its limits.
func (d *ChunkedDecoder) Reset() {
	*d = ChunkedDecoder{MaxTrailerBytes: d.MaxTrailerBytes, MaxLineBytes: d.MaxLineBytes}
}

// Decode consumes bytes from src and copies chunk data into dst. It returns
// the number of bytes written to dst and read from src.
//
// Decode consumes framing only in whole lines, so the caller must keep the
// unconsumed tail src[nSrc:] and pass it again, with more bytes appended.
// When src holds too little to make progress, Decode returns
// (0, 0, false, nil): read more. In the middle of chunk data it also stops
// when dst is full, so dst must not be empty.
//
// done is true once the last chunk and the trailer section have been
// consumed; bytes of src after that are left alone, as they belong to the
// next request on the connection.
func (d *ChunkedDecoder) Decode(dst, src []byte) (nDst, nSrc int, done bool, err error) {
	if d.err != nil {
		return 0, 0, false, d.err
	}
	maxLine := d.MaxLineBytes
	if maxLine <= 0 {
		maxLine = DefaultMaxChunkLine
	}
	maxTrailer := d.MaxTrailerBytes
	if maxTrailer <= 0 {
		maxTrailer = DefaultMaxTrailerBytes
	}
	fail := func(e *ProtocolError) (int, int, bool, error) {
		d.err = e
		return nDst, nSrc, false, e
	}

	for {
		rest := src[nSrc:]
		switch d.state {
		case csDone:
			return nDst, nSrc, true, nil

		case csSize:
			i, e := lineEnd(rest, maxLine, errChunkLine)
			if e != nil {
				return fail(e)
			}
			if i < 0 {
				return nDst, nSrc, false, nil
			}
			size, e := parseChunkLine(rest[:i-1])
			if e != nil {
				return fail(e)
			}
			nSrc += i + 1
			// A sender that sends one byte per chunk pays about five bytes of
			// framing per byte; with extensions it could pay thousands and
			// keep us parsing. Each chunk earns 16 bytes plus twice its size
			// of framing; what is spent beyond that accumulates, and past
			// 16 KiB the body is refused. Unspent credit does not carry over,
			// so a large chunk early on cannot pay for junk later. (net/http
			// applies the same budget, so both refuse the same abuse.)
			d.overhead = max(0, d.overhead+int64(i-1)+2-16-2*size) // line w/o CRLF, CRLF after data
			if d.overhead > maxChunkOverhead {
				return fail(errChunkOverhead)
			}
			if size == 0 {
				d.state = csTrailer
			} else {
				d.remaining, d.state = size, csData
			}

		case csData:
			n := min(d.remaining, int64(len(dst)-nDst), int64(len(rest)))
			if n == 0 {
				return nDst, nSrc, false, nil
			}
			copy(dst[nDst:], rest[:n])
			nDst += int(n)
			nSrc += int(n)
			d.remaining -= n
			if d.remaining == 0 {
				d.state = csDataEnd
			}

		case csDataEnd:
			if len(rest) > 0 && rest[0] != '\r' || len(rest) > 1 && rest[1] != '\n' {
				return fail(errChunkCRLF)
			}
			if len(rest) < 2 {
				return nDst, nSrc, false, nil
			}
			nSrc += 2
			d.state = csSize

		case csTrailer:
			i, e := lineEnd(rest, max(0, maxTrailer-d.trailer), errTrailerTooBig)
			if e != nil {
				return fail(e)
			}
			if i < 0 {
				return nDst, nSrc, false, nil
			}
			if i > 1 { // a trailer field; i == 1 is the empty line that ends the body
				if isOWS(rest[0]) {
					return fail(errObsFold) // RFC 9112 §5.2 applies to trailers too
				}
				if _, _, _, _, e := scanFieldLine(rest); e != nil {
					return fail(e)
				}
			} else {
				d.state = csDone
			}
			d.trailer += i + 1
			nSrc += i + 1
		}
	}
}

// lineEnd finds the end of the CRLF-terminated line at the start of b,
// searching no further than limit bytes, so that a line never costs more
// than the limit to look for. It returns the index of the line's LF, or
// -1 while b holds no whole line yet. It fails with tooLong once limit
// bytes hold no LF, and with errChunkBareLF for a line that ends in LF
// alone: RFC 9112 errata 7633 makes CRLF the only line ending in chunked
// framing.
func lineEnd(b []byte, limit int, tooLong *ProtocolError) (int, *ProtocolError) {
	i := bytes.IndexByte(b[:min(len(b), limit)], '\n')
	switch {
	case i < 0 && len(b) >= limit:
		return -1, tooLong
	case i < 0:
		return -1, nil
	case i == 0 || b[i-1] != '\r':
		return -1, errChunkBareLF
	}
	return i, nil
}

// parseChunkLine parses a chunk-size line without its CRLF:
//
//	chunk-size [ chunk-ext ]
//	chunk-size = 1*HEXDIG
//	chunk-ext  = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//	chunk-ext-name = token
//	chunk-ext-val  = token / quoted-string
//
// (RFC 9112 §7.1, §7.1.1). The extensions are validated and dropped.
func parseChunkLine(line []byte) (int64, *ProtocolError) {
	var size uint64
	i := 0
	for ; i < len(line) && class[line[i]]&cHex != 0; i++ {
		if i == 16 {
			// 16 digits already fill a uint64; more (even leading zeros)
			// is a sender trying to make us count.
			return 0, errChunkTooBig
		}
		size = size<<4 | uint64(unhex(line[i]))
	}
	if i == 0 {
		return 0, errChunkSize
	}
	if size > maxChunkSize {
		return 0, errChunkTooBig
	}
	for i < len(line) {
		i = skipOWS(line, i)
		if i == len(line) || line[i] != ';' {
			return 0, errChunkExt // junk, or whitespace with no extension after it
		}
		i = skipOWS(line, i+1)
		j := skipToken(line, i)
		if j == i {
			return 0, errChunkExt
		}
		i = j
		if k := skipOWS(line, i); k < len(line) && line[k] == '=' {
			i = skipOWS(line, k+1)
			if i < len(line) && line[i] == '"' {
				j = skipQuoted(line, i)
			} else {
				j = skipToken(line, i)
			}
			if j <= i {
				return 0, errChunkExt
			}
			i = j
		}
	}
	return int64(size), nil
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

func skipOWS(s []byte, i int) int {
	for i < len(s) && isOWS(s[i]) {
		i++
	}
	return i
}

func skipToken(s []byte, i int) int {
	for i < len(s) && class[s[i]]&cToken != 0 {
		i++
	}
	return i
}

// skipQuoted returns the index after the quoted-string that starts at
// s[i] == '"', or -1 if it is malformed or unterminated:
//
//	quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
//	quoted-pair   = "\" ( HTAB / SP / VCHAR / obs-text )    (RFC 9110 §5.6.4)
func skipQuoted(s []byte, i int) int {
	for i++; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			if i+1 == len(s) || class[s[i+1]]&cValue == 0 {
				return -1
			}
			i++
		case class[c]&cQdtext == 0:
			return -1
		}
	}
	return -1
}
