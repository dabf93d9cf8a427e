// Package groundup is exercise 4's reference: groundup's own
// http1.ChunkedDecoder behind the exercise's interface.
package groundup

import (
	"errors"

	"github.com/groundup-go/groundup/docs/course/04-chunked/chunked"
	"github.com/groundup-go/groundup/framework/http1"
)

// Decoder is chunked.Decoder by http1.ChunkedDecoder.
type Decoder struct {
	d http1.ChunkedDecoder
}

// New returns a decoder with the exercise's limits.
func New() *Decoder {
	return &Decoder{d: http1.ChunkedDecoder{MaxLineBytes: chunked.MaxLineBytes, MaxTrailerBytes: chunked.MaxTrailerBytes}}
}

// Decode is chunked.Decoder.Decode.
func (g *Decoder) Decode(dst, src []byte) (int, int, bool, error) {
	nd, ns, done, err := g.d.Decode(dst, src)
	var pe *http1.ProtocolError
	if errors.As(err, &pe) {
		err = &chunked.Error{Reason: pe.Reason}
	}
	return nd, ns, done, err
}
