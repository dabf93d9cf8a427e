package http1

import "strings"

// Character classes. One 256-entry table answers every "may this byte
// appear here?" question with a single load and a mask, instead of a chain
// of range comparisons per byte. The head parser asks it for every byte of
// every field, so this is the inner loop of the whole server.
const (
	cToken   uint16 = 1 << iota // tchar, RFC 9110 §5.6.2
	cValue                      // field-vchar / SP / HTAB, RFC 9110 §5.5
	cTarget                     // visible ASCII %x21-7E, RFC 9112 §3.2 (URI syntax is ASCII)
	cRegName                    // unreserved / sub-delims, RFC 3986 §3.2.2 reg-name without pct-encoded
	cHex                        // HEXDIG, RFC 5234 §B.1
	cDigit                      // DIGIT, RFC 5234 §B.1
	cQdtext                     // qdtext, RFC 9110 §5.6.4
	cPath                       // cTarget but "#", "%" and "?": a path byte that needs no closer look
	cQuery                      // cTarget but "#": a query byte (RFC 3986 §3.4)
)

// class is filled by init from the grammar rows in classRows; reading the
// rows is easier than reading 256 literal entries.
var class [256]uint16

// classRows lists, for each class, the bytes it admits, written the way the
// RFC ABNF writes them. A range "a-z" is expanded by init.
var classRows = []struct {
	bit   uint16
	bytes string // single bytes; ranges go in lo/hi
	lo    []byte // inclusive range starts
	hi    []byte // inclusive range ends
	rfc   string
}{
	{cToken, "!#$%&'*+-.^_`|~", []byte{'0', 'A', 'a'}, []byte{'9', 'Z', 'z'},
		"RFC 9110 §5.6.2: tchar = \"!\" / \"#\" / ... / DIGIT / ALPHA"},
	{cValue, "\t ", []byte{0x21, 0x80}, []byte{0x7e, 0xff},
		"RFC 9110 §5.5: field-vchar = VCHAR / obs-text, plus SP and HTAB inside a value"},
	{cTarget, "", []byte{0x21}, []byte{0x7e},
		"RFC 9112 §3.2: request-target is URI syntax (RFC 3986), which is visible ASCII"},
	{cRegName, "-._~!$&'()*+,;=", []byte{'0', 'A', 'a'}, []byte{'9', 'Z', 'z'},
		"RFC 3986 §3.2.2: reg-name = *( unreserved / pct-encoded / sub-delims )"},
	{cHex, "", []byte{'0', 'A', 'a'}, []byte{'9', 'F', 'f'},
		"RFC 5234 §B.1: HEXDIG (case-insensitive, as RFC 9112 §7.1 uses it)"},
	{cDigit, "", []byte{'0'}, []byte{'9'},
		"RFC 5234 §B.1: DIGIT"},
	{cQdtext, "\t !", []byte{0x23, 0x5d, 0x80}, []byte{0x5b, 0x7e, 0xff},
		"RFC 9110 §5.6.4: qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text"},
	{cPath, "!\"$", []byte{0x26, 0x40}, []byte{0x3e, 0x7e},
		"cTarget without \"#\" (a fragment, RFC 9112 §3.2), \"%\" (pct-encoded, RFC 3986 §2.1) and \"?\" (the query, RFC 3986 §3.4)"},
	{cQuery, "!\"", []byte{0x24}, []byte{0x7e},
		"cTarget without \"#\": the query (RFC 3986 §3.4), where \"?\" and a stray \"%\" may stand"},
}

func init() {
	for _, row := range classRows {
		for i := 0; i < len(row.bytes); i++ {
			class[row.bytes[i]] |= row.bit
		}
		for i := range row.lo {
			for c := int(row.lo[i]); c <= int(row.hi[i]); c++ {
				class[c] |= row.bit
			}
		}
	}
}

// IsToken reports whether s is a non-empty token: one or more tchar, as
// RFC 9110 §5.6.2 defines it. Methods and field names are tokens.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if class[s[i]]&cToken == 0 {
			return false
		}
	}
	return true
}

// ValidFieldValue reports whether s may be sent as a field value: every
// byte is VCHAR, obs-text, SP or HTAB (RFC 9110 §5.5). In particular CR, LF
// and NUL are refused, so a response writer that checks its header values
// with ValidFieldValue cannot be made to split a response.
func ValidFieldValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if class[s[i]]&cValue == 0 {
			return false
		}
	}
	return true
}

// bytestring lets the few helpers that both the head parser (which works
// on the copied string) and the chunked decoder (which works on the
// caller's []byte) need be written once.
type bytestring interface{ ~string | ~[]byte }

// allIn reports whether every byte of s has the class bit c.
func allIn[T bytestring](s T, c uint16) bool {
	for i := 0; i < len(s); i++ {
		if class[s[i]]&c == 0 {
			return false
		}
	}
	return true
}

// isOWS reports SP or HTAB: OWS, RWS and BWS are all made of these
// (RFC 9110 §5.6.3).
func isOWS(c byte) bool { return c == ' ' || c == '\t' }

// trimOWS strips leading and trailing SP/HTAB (RFC 9110 §5.5: "a field value
// does not include leading or trailing whitespace").
func trimOWS[T bytestring](s T) T {
	i, j := 0, len(s)
	for i < j && isOWS(s[i]) {
		i++
	}
	for j > i && isOWS(s[j-1]) {
		j--
	}
	return s[i:j]
}

// lower folds one ASCII letter. HTTP names are case-insensitive only in
// ASCII (RFC 9110 §5.1), so Unicode folding would be wrong as well as slow.
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// equalFold compares ASCII case-insensitively without allocating.
func equalFold[T bytestring](s T, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != t[i] && lower(s[i]) != lower(t[i]) {
			return false
		}
	}
	return true
}

// HasPrefixFold reports whether s starts with prefix, ASCII
// case-insensitively: "Multipart/Form-Data; b=x" has the prefix
// "multipart/form-data". Unlike strings.EqualFold it folds ASCII letters
// only, as HTTP's case-insensitive tokens (media types, cookie prefixes)
// do, and it does not allocate.
func HasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && equalFold(s[:len(prefix)], prefix)
}

// elements walks a comma-separated list (RFC 9110 §5.6.1) one element at
// a time, with OWS trimmed, without allocating. Empty elements ("a,,b",
// "a,") are returned as "" so each caller decides what they mean: the
// RFC lets most lists ignore them, but Transfer-Encoding refuses them.
type elements struct {
	s   string
	pos int // start of the next element; len(s)+1 once exhausted
}

func (it *elements) next() (elem string, ok bool) {
	if it.pos > len(it.s) {
		return "", false
	}
	rest := it.s[it.pos:]
	j := strings.IndexByte(rest, ',')
	if j < 0 {
		j = len(rest)
	}
	it.pos += j + 1
	return trimOWS(rest[:j]), true
}

// load64 reads s[i:i+8] as a little-endian word: s[i] is the low byte.
// Written byte by byte it is endian-neutral; the compiler turns it into a
// single 8-byte load (for both the string and the []byte instantiation).
// The caller guarantees i+8 <= len(s).
func load64[T bytestring](s T, i int) uint64 {
	w := s[i : i+8] // one bounds check instead of eight
	return uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
}

// Byte-wise constants for the SWAR (SIMD within a register) tests below.
const (
	ones  = 0x0101010101010101 // 0x01 in every byte
	highs = 0x8080808080808080 // the high bit of every byte
)

// The SWAR tests flag bytes of a word by setting the high bit of their
// byte in the result, which is 0 when no byte is flagged. They use the
// "has a byte less than n" and "has a zero byte" tricks: a byte b < n
// borrows in b-n and has its high bit clear, so (x - n*ones) &^ x has the
// high bit of its byte set. A borrow (or, in above, a carry)
// can also flag bytes above a real hit, but never below one, so the lowest
// flag, and whether there is any, is exact: the scans only ever use the
// lowest, with bits.TrailingZeros64(m)/8 as its index in the word.

// below flags the bytes of x less than n, for n <= 0x80.
func below(x uint64, n byte) uint64 { return (x - uint64(n)*ones) &^ x & highs }

// above flags the bytes of x greater than n, for n < 0x80.
func above(x uint64, n byte) uint64 { return (x + uint64(0x7f-n)*ones | x) & highs }

// equal flags the bytes of x equal to c.
func equal(x uint64, c byte) uint64 {
	y := x ^ uint64(c)*ones // the bytes equal to c become zero
	return (y - ones) &^ y & highs
}

// ctlBytes flags the control bytes of x, the bytes below 0x20 and 0x7F
// (DEL). Those are exactly the bytes that are not field-vchar, SP or
// obs-text, plus HTAB, which a field value may hold (RFC 9110 §5.5).
func ctlBytes(x uint64) uint64 { return below(x, 0x20) | equal(x, 0x7f) }

// The scans of the fast path read a word at a time and stop at the first
// byte their test flags. Each test flags every byte that the class it
// stands for refuses, and a few rare ones it admits: on a flagged byte
// the scan asks the class table, and goes on if the table admits it. So
// the words of the usual bytes cost a dozen or two ALU operations, where
// the table costs eight loads, and the scan needs no byte-at-a-time tail.

// pathStops flags the bytes of x that are not cPath, and "!", `"` and
// "$", which are: it flags everything below "&" and above "~", and "?".
func pathStops(x uint64) uint64 { return below(x, '&') | above(x, '~') | equal(x, '?') }

// queryStops flags the bytes of x that are not cQuery, and "!" and `"`,
// which are: everything below "$" and above "~".
func queryStops(x uint64) uint64 { return below(x, '$') | above(x, '~') }

// tailWord is the word at i of a scan that has come within eight bytes
// of the end of b: the bytes of b from i, and a 0 byte in each position
// past the end, so that a scan that stops at a 0 (every stops test flags
// it) needs no byte loop for its last few bytes. It loads the last eight
// bytes of b and shifts off those before i. The caller guarantees
// len(b) >= 8 and 0 <= i, and calls it when i+8 > len(b).
func tailWord(b []byte, i int) uint64 {
	if i >= len(b) {
		return 0
	}
	return load64(b, len(b)-8) >> (8 * uint(i+8-len(b)))
}

// load32 reads s[i:i+4] as a little-endian word, as load64 does.
func load32(s []byte, i int) uint32 {
	w := s[i : i+4]
	return uint32(w[0]) | uint32(w[1])<<8 | uint32(w[2])<<16 | uint32(w[3])<<24
}

// allIn8 reports whether all eight bytes s[i:i+8] have the class bit c.
// The eight table lookups do not depend on each other, so the CPU runs
// them side by side, and there is one branch where a byte loop has eight.
// The caller guarantees i+8 <= len(s).
func allIn8[T bytestring](s T, i int, c uint16) bool {
	w := s[i : i+8]
	return class[w[0]]&class[w[1]]&class[w[2]]&class[w[3]]&
		class[w[4]]&class[w[5]]&class[w[6]]&class[w[7]]&c != 0
}
