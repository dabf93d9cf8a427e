// Package groundup is exercise 3's reference: groundup's own parser,
// framework/http1.Parse, behind the exercise's interface.
package groundup

import (
	"errors"

	"github.com/groundup-go/groundup/docs/course/03-parser/parser"
	"github.com/groundup-go/groundup/framework/http1"
)

var limits = http1.Limits{
	MaxURIBytes:    parser.MaxURIBytes,
	MaxHeaderBytes: parser.MaxHeaderBytes,
	MaxHeaderCount: parser.MaxHeaderCount,
}

// Parse is parser.Parse by http1.Parse.
func Parse(buf []byte) (parser.Head, int, error) {
	var h http1.Head
	n, err := http1.Parse(buf, limits, &h)
	if errors.Is(err, http1.ErrNeedMore) {
		return parser.Head{}, 0, parser.ErrNeedMore
	}
	var pe *http1.ProtocolError
	if errors.As(err, &pe) {
		return parser.Head{}, 0, &parser.Error{Status: pe.Status, Reason: pe.Reason}
	}
	if err != nil {
		return parser.Head{}, 0, err
	}
	out := parser.Head{
		Method: h.Method, Target: h.Target, Minor: h.Minor, Host: h.Host,
		ContentLength: h.ContentLength, Chunked: h.Chunked, Close: h.Close,
	}
	for _, f := range h.Fields {
		out.Fields = append(out.Fields, parser.Field{Name: f.Name, Value: f.Value})
	}
	return out, n, nil
}
