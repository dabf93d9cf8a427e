package chunked_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/docs/course/04-chunked/chunked"
	"github.com/groundup-go/groundup/docs/course/04-chunked/groundup"
	"github.com/groundup-go/groundup/docs/course/internal/mode"
	"github.com/groundup-go/groundup/docs/course/internal/teach"
)

// The steps run in source order; `go run ./docs/course` reports the first
// that fails.

type decoder interface {
	Decode(dst, src []byte) (nDst, nSrc int, done bool, err error)
}

func newDecoder() decoder {
	if mode.Reader() {
		return safe{&chunked.Decoder{}}
	}
	return groundup.New()
}

// safe turns a panic in the reader's Decode into an error.
type safe struct{ d *chunked.Decoder }

func (s safe) Decode(dst, src []byte) (nDst, nSrc int, done bool, err error) {
	defer teach.Recover(&err, "Decode")
	return s.d.Decode(dst, src)
}

const (
	chapter = "docs/03-parser.md#the-chunked-decoder"
	framing = "docs/04-connection.md#body-framing-and-draining"
	grammar = "RFC 9112 §7.1: chunked-body = *chunk last-chunk trailer-section CRLF; chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF; chunk-size = 1*HEXDIG; last-chunk = 1*(\"0\") [ chunk-ext ] CRLF"
)

// outcome is what a caller saw after feeding a whole input.
type outcome struct {
	body     string
	done     bool
	err      error
	leftover string // bytes of src not consumed when done came
}

func (o outcome) String() string {
	return fmt.Sprintf("body %q, done %v, err %v, left in src %q", o.body, o.done, o.err, o.leftover)
}

// feed plays the caller: it appends input to src step bytes at a time,
// calls Decode until it makes no progress, keeps the unconsumed tail, and
// reads data into a dst of dstSize bytes.
func feed(input string, step, dstSize int) outcome {
	d := newDecoder()
	var src []byte
	var body []byte
	dst := make([]byte, dstSize)
	for i := 0; i < len(input) || len(src) > 0; {
		if i < len(input) {
			end := min(i+step, len(input))
			src = append(src, input[i:end]...)
			i = end
		}
		progressed := false
		for range 10_000 { // bounded: a decoder that loops without progress fails below
			nd, ns, done, err := d.Decode(dst, src)
			if nd < 0 || ns < 0 || nd > len(dst) || ns > len(src) {
				return outcome{body: string(body), err: fmt.Errorf("Decode returned nDst=%d, nSrc=%d, outside dst[%d] and src[%d]", nd, ns, len(dst), len(src))}
			}
			body = append(body, dst[:nd]...)
			src = src[ns:]
			if err != nil || done {
				return outcome{body: string(body), done: done, err: err, leftover: string(src)}
			}
			if nd == 0 && ns == 0 {
				break
			}
			progressed = true
		}
		if !progressed && i >= len(input) {
			break // no more input, and the decoder wants more
		}
	}
	return outcome{body: string(body), leftover: string(src)}
}

func wantBody(t *testing.T, input, body, rule, read string) {
	t.Helper()
	for _, sz := range []struct{ step, dst int }{{len(input), 64 << 10}} {
		o := feed(input, sz.step, sz.dst)
		if o.err != nil || !o.done || o.body != body || o.leftover != "" {
			teach.Fatal(t, teach.Lesson{
				Sent: teach.Q(input) + " in one call",
				Got:  o.String(),
				Want: fmt.Sprintf("body %q, done true, nil error, all of src consumed", body),
				Rule: rule,
				Read: read,
			})
		}
	}
}

func TestStep1_OneChunk(t *testing.T) {
	wantBody(t, "5\r\nhello\r\n0\r\n\r\n", "hello", grammar, chapter)
}

func TestStep2_ManyChunks(t *testing.T) {
	wantBody(t, "5\r\nhello\r\n7\r\n, world\r\n1\r\n!\r\n0\r\n\r\n", "hello, world!", grammar, chapter)
}

func TestStep3_HexSizes(t *testing.T) {
	ten := "0123456789"
	sixteen := ten + "abcdef"
	wantBody(t, "a\r\n"+ten+"\r\nA\r\n"+ten+"\r\n010\r\n"+sixteen+"\r\n0000\r\n\r\n", ten+ten+sixteen,
		"RFC 9112 §7.1: chunk-size = 1*HEXDIG, hexadecimal, either case, leading zeros allowed; last-chunk = 1*(\"0\")", chapter)
}

func TestStep4_Empty(t *testing.T) {
	wantBody(t, "0\r\n\r\n", "", "RFC 9112 §7.1: a chunked body may have no chunks at all: only last-chunk and the final CRLF", chapter)
}

func TestStep5_ByteByByte(t *testing.T) {
	input := "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"
	for _, sz := range []struct{ step, dst int }{{1, 64}, {2, 64}, {3, 64}, {len(input), 1}, {1, 1}, {7, 3}} {
		t.Run(fmt.Sprintf("src+=%d,dst=%d", sz.step, sz.dst), func(t *testing.T) {
			o := feed(input, sz.step, sz.dst)
			if o.err != nil || !o.done || o.body != "hello, world" {
				teach.Error(t, teach.Lesson{
					Sent: fmt.Sprintf("%s, %d bytes at a time, into a dst of %d bytes", teach.Q(input), sz.step, sz.dst),
					Got:  o.String(),
					Want: `body "hello, world", done true`,
					Rule: "sans-IO: a Read may end anywhere, even inside \"\\r\\n\". Consume a size line only when its CRLF has arrived (else return 0, 0, false, nil); copy data as far as src and dst allow, and remember how much of the chunk is left",
					Read: chapter,
				})
			}
		})
	}
}

func TestStep6_Extensions(t *testing.T) {
	wantBody(t, "5;name=value\r\nhello\r\n6;a;b=\"quoted; value\"\r\n world\r\n0;last\r\n\r\n", "hello world",
		"RFC 9112 §7.1.1: chunk-ext = *( BWS \";\" BWS chunk-ext-name [ BWS \"=\" BWS chunk-ext-val ] ); a recipient MUST ignore extensions it does not understand", chapter)
}

func TestStep7_Trailers(t *testing.T) {
	wantBody(t, "5\r\nhello\r\n0\r\nX-Checksum: 42\r\nX-Other: a\r\n\r\n", "hello",
		"RFC 9112 §7.1.2: trailer-section = *( field-line CRLF ), after the last chunk; the body ends at the empty line after it", chapter)
}

func TestStep8_NextRequestLeftAlone(t *testing.T) {
	next := "GET /next HTTP/1.1\r\nHost: x\r\n\r\n"
	input := "5\r\nhello\r\n0\r\n\r\n" + next
	o := feed(input, len(input), 64)
	if o.err != nil || !o.done || o.body != "hello" || o.leftover != next {
		teach.Fatal(t, teach.Lesson{
			Sent: teach.Q(input) + " (a chunked body, then the next pipelined request)",
			Got:  o.String(),
			Want: fmt.Sprintf("body \"hello\", done true, and %q left in src", next),
			Rule: "the body ends exactly at the CRLF after the trailer section; every byte after it is the next request's, and a decoder that eats it desynchronises the connection (request smuggling)",
			Read: framing,
		})
	}
}

func TestStep9_Malformed(t *testing.T) {
	long := strings.Repeat("x", chunked.MaxLineBytes)
	bigTrailer := "X-T: " + strings.Repeat("t", chunked.MaxTrailerBytes) + "\r\n"
	for _, c := range []struct{ name, input, rule string }{
		{"size not hex", "g\r\nhello\r\n0\r\n\r\n", "RFC 9112 §7.1: chunk-size = 1*HEXDIG"},
		{"empty size", "\r\nhello\r\n0\r\n\r\n", "RFC 9112 §7.1: chunk-size = 1*HEXDIG: at least one digit"},
		{"0x prefix", "0x5\r\nhello\r\n0\r\n\r\n", "RFC 9112 §7.1: chunk-size = 1*HEXDIG; \"0x\" is not part of it (strconv.ParseInt(s, 16, 64) would refuse it too, but it also accepts signs: check the bytes yourself)"},
		{"negative size", "-5\r\nhello\r\n0\r\n\r\n", "RFC 9112 §7.1: chunk-size = 1*HEXDIG, no sign"},
		{"size overflows int64", "10000000000000000\r\nhello\r\n0\r\n\r\n", "RFC 9112 §7.1: a recipient MUST anticipate potentially large hexadecimal numerals and prevent parsing errors due to integer conversion overflows"},
		{"size 16 f's", "ffffffffffffffff\r\nhello\r\n0\r\n\r\n", "RFC 9112 §7.1: 0xffffffffffffffff does not fit an int64: a wrap to -1 is a smuggling bug"},
		{"data longer than size", "5\r\nhello!\r\n0\r\n\r\n", "RFC 9112 §7.1: chunk-data is followed by CRLF; anything else means the sender's framing and yours disagree"},
		{"data shorter than size", "6\r\nhello\r\n0\r\n\r\n", "RFC 9112 §7.1: chunk-data CRLF: the size counts the data exactly"},
		{"bare LF after size", "5\nhello\r\n0\r\n\r\n", "RFC 9112 §2.2 and §7.1: lines end in CRLF; groundup refuses a bare LF everywhere, as in the head"},
		{"bare LF after data", "5\r\nhello\n0\r\n\r\n", "RFC 9112 §7.1: chunk-data CRLF"},
		{"size line too long", "5;" + long + "\r\nhello\r\n0\r\n\r\n", "RFC 9112 §7.1.1: a server ought to limit the length of chunk extensions; past MaxLineBytes, refuse instead of buffering on"},
		{"size line never ends", "5;" + long, "a bound applies to a line still arriving: past MaxLineBytes without CRLF, refuse now"},
		{"trailer too large", "0\r\n" + bigTrailer + "\r\n", "RFC 9112 §7.1.2: trailers are bounded like a head; past MaxTrailerBytes, refuse"},
		{"trailer not a field", "0\r\nnot a field\r\n\r\n", "RFC 9112 §7.1.2: trailer-section = *( field-line CRLF ), each name \":\" value"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := feed(c.input, len(c.input), 64<<10)
			var ce *chunked.Error
			if !errors.As(o.err, &ce) {
				teach.Error(t, teach.Lesson{
					Sent: teach.Q(c.input),
					Got:  o.String(),
					Want: "a *chunked.Error (the server answers 400 and closes)",
					Rule: c.rule,
					Read: chapter,
				})
			}
		})
	}
}

func TestStep10_ErrorIsSticky(t *testing.T) {
	d := newDecoder()
	dst := make([]byte, 64)
	_, _, _, err1 := d.Decode(dst, []byte("zz\r\n"))
	_, _, _, err2 := d.Decode(dst, []byte("5\r\nhello\r\n0\r\n\r\n"))
	var ce *chunked.Error
	if !errors.As(err1, &ce) || err2 == nil {
		teach.Fatal(t, teach.Lesson{
			Sent: teach.Q("zz\r\n") + ", then a valid body on the same Decoder",
			Got:  fmt.Sprintf("first error %v, second error %v", err1, err2),
			Want: "a *chunked.Error, and an error again on every later call",
			Rule: "after a framing error the decoder cannot know where it is in the stream; pretending to recover is how one request's bytes become another's",
			Read: framing,
		})
	}
}
