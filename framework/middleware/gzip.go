package middleware

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"strings"
	"sync"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/http1"
)

// Response compression. The response writer holds a body in its buffer
// until the handler returns (see response.go), so compression happens
// after the handler, on the whole buffered body: it is gzipped into a
// pooled buffer and put back in place, and the writer then sends it with
// the compressed Content-Length. No stream wrapping is involved.
//
// The honest limit of that design: a response that is already on the
// wire when the handler returns cannot be compressed after the fact.
// That is every response the handler flushed (c.Flush, RenderStream,
// templ.Flush) and every body larger than MaxBufferedBody (64 KiB), which
// the writer streams once it outgrows the buffer. Those go out
// uncompressed; let a reverse proxy compress them if it matters.

// GzipConfig configures Gzip. The zero value is ready to use.
type GzipConfig struct {
	// Level is the gzip level: 1 (fastest) to 9 (smallest), or
	// gzip.HuffmanOnly. Zero means gzip.DefaultCompression. An invalid
	// level panics when the middleware is built.
	Level int
	// MinSize is the smallest body worth compressing, in bytes: below it
	// the gzip framing costs more than it saves. Zero means 1024; a
	// negative value compresses every body.
	MinSize int
}

// Gzip compresses responses with gzip when the client accepts it.
// GzipConfig{} gives the default level and a minimum size of 1024 bytes.
//
// A response is compressed only when all of these hold:
//
//	the client's Accept-Encoding gives gzip (or x-gzip), else "*", a q above 0
//	the body was still buffered when the handler returned (see above)
//	the status allows a body and is not 206 (a range of the identity body)
//	there is no Content-Encoding already
//	the Content-Type is set and not already compressed: images other than
//	  SVG, audio, video, archives, woff/woff2 fonts, octet-stream
//	the body is at least MinSize bytes, and gzip makes it smaller
//
// Every response gets "Vary: Accept-Encoding", since caches must know the
// answer depends on it. A compressed response gets Content-Encoding: gzip,
// a Content-Length of the compressed size, no Accept-Ranges (ranges would
// apply to the compressed bytes), and its ETag made weak (RFC 9110
// §8.8.3: the compressed bytes are not the representation a strong
// validator named). A HEAD response gets the same header fields without
// compressing anything; it then omits Content-Length, which a HEAD
// response may do. After compression c.Written() reports the compressed
// size, which is what went on the wire.
//
// An error returned by the handler passes through untouched and its error
// page is sent uncompressed, unless Logger (which answers errors) runs
// inside Gzip.
func Gzip(cfg GzipConfig) framework.Middleware {
	level := cfg.Level
	if level == 0 {
		level = gzip.DefaultCompression
	}
	if _, err := gzip.NewWriterLevel(nil, level); err != nil {
		panic(fmt.Sprintf("groundup: Gzip: %v", err))
	}
	minSize := cfg.MinSize
	switch {
	case minSize == 0:
		minSize = 1024
	case minSize < 0:
		minSize = 0
	}
	// A gzip.Writer holds several hundred KiB of compressor state: one
	// per request would dominate the garbage of a busy server.
	writers := &sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(nil, level)
		return w
	}}
	return func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			// Before the handler, so that streamed responses carry it too.
			addVaryAcceptEncoding(c.Header())
			if err := next(c); err != nil {
				return err
			}
			gzipBuffered(c, writers, minSize)
			return nil
		}
	}
}

// gzipOutPool holds the buffers bodies are compressed into.
var gzipOutPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// gzipBuffered compresses c's buffered body in place when the response
// qualifies.
func gzipBuffered(c *framework.Ctx, writers *sync.Pool, minSize int) {
	body, ok := c.BufferedBody()
	if !ok {
		return // already streamed: too late
	}
	h := c.Header()
	addVaryAcceptEncoding(h) // again: the handler may have replaced Vary
	status := c.StatusCode()
	if !bodyAllowed(status) || status == framework.StatusPartialContent || h.Has("Content-Range") {
		return
	}
	if h.Has("Content-Encoding") || len(body) < minSize || len(body) == 0 {
		return
	}
	if !compressibleType(h.Get("Content-Type")) || !acceptsGzip(c.RequestHeaders()) {
		return
	}
	if c.Method() == "HEAD" {
		// The GET handler wrote a body that HEAD will not send: announce
		// the encoding the GET would get, and skip the work.
		markGzipped(h)
		c.ReplaceBody(nil) // cannot fail: not committed, and empty
		return
	}

	out := gzipOutPool.Get().(*bytes.Buffer)
	out.Reset()
	zw := writers.Get().(*gzip.Writer)
	zw.Reset(out)
	_, werr := zw.Write(body)
	cerr := zw.Close()
	zw.Reset(nil) // drop the reference to out before pooling
	writers.Put(zw)
	// ReplaceBody copies into the response's own buffer: the compressed
	// body is smaller, so this never grows it, and the pooled buffer can
	// go straight back. It fails only for a body the writer could not
	// have buffered, which a smaller one is not.
	if werr == nil && cerr == nil && out.Len() < len(body) && c.ReplaceBody(out.Bytes()) == nil {
		markGzipped(h)
	}
	if out.Cap() <= 2*framework.MaxBufferedBody {
		gzipOutPool.Put(out)
	}
}

// bodyAllowed reports whether a response with this status may carry a
// body: not 1xx, 204 or 304 (RFC 9110 §6.4.1).
func bodyAllowed(code int) bool {
	return code >= 200 && code != framework.StatusNoContent && code != framework.StatusNotModified
}

// markGzipped sets the header fields of a gzip-encoded response.
func markGzipped(h *framework.Header) {
	h.Set("Content-Encoding", "gzip")
	h.Del("Content-Length")
	h.Del("Accept-Ranges")
	if etag := h.Get("ETag"); etag != "" && !strings.HasPrefix(etag, "W/") {
		h.Set("ETag", "W/"+etag)
	}
}

// addVaryAcceptEncoding adds Accept-Encoding to Vary unless some Vary
// field already lists it or "*".
func addVaryAcceptEncoding(h *framework.Header) {
	for _, f := range h.Fields() {
		if strings.EqualFold(f.Name, "Vary") && (http1.ListHas(f.Value, "Accept-Encoding") || http1.ListHas(f.Value, "*")) {
			return
		}
	}
	h.Add("Vary", "Accept-Encoding")
}

// incompressibleTypes are media types whose bodies are already
// compressed; gzip would spend CPU to make them larger.
var incompressibleTypes = [...]string{
	"application/zip",
	"application/gzip",
	"application/x-gzip",
	"application/zstd",
	"application/x-bzip2",
	"application/x-xz",
	"application/x-7z-compressed",
	"application/x-rar-compressed",
	"application/vnd.rar",
	"application/octet-stream", // unknown bytes: likely binary, often packed
	"font/woff",
	"font/woff2",
	"text/event-stream", // meant to be streamed event by event
}

// compressibleType reports whether a body of Content-Type ct is worth
// compressing. A missing type is not: the bytes could be anything.
func compressibleType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.Trim(mt, " \t")
	switch {
	case mt == "":
		return false
	case http1.HasPrefixFold(mt, "image/"):
		// SVG is XML text; every other image format is compressed.
		return strings.EqualFold(mt, "image/svg+xml")
	case http1.HasPrefixFold(mt, "video/"), http1.HasPrefixFold(mt, "audio/"):
		return false
	}
	for _, t := range incompressibleTypes {
		if strings.EqualFold(mt, t) {
			return false
		}
	}
	return true
}

// acceptsGzip reads every Accept-Encoding field (RFC 9110 §12.5.3): gzip
// is acceptable when "gzip" or "x-gzip" is listed with a q above 0, or,
// failing those, "*" is. "q=0" means "not acceptable". A malformed q
// counts as 0: when in doubt, send identity, which every client reads. It
// does not allocate.
func acceptsGzip(fields []http1.Field) bool {
	gzipQ, starQ := -1, -1 // -1 unlisted, 0 refused, 1 accepted
	for _, f := range fields {
		if !strings.EqualFold(f.Name, "Accept-Encoding") {
			continue
		}
		v := f.Value
		for v != "" {
			var elem string
			elem, v, _ = strings.Cut(v, ",")
			coding, params, _ := strings.Cut(elem, ";")
			coding = strings.Trim(coding, " \t")
			q := 1
			if params != "" && !qPositive(params) {
				q = 0
			}
			switch {
			case strings.EqualFold(coding, "gzip"), strings.EqualFold(coding, "x-gzip"):
				if gzipQ < 0 {
					gzipQ = q
				}
			case coding == "*":
				if starQ < 0 {
					starQ = q
				}
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}

// qPositive parses the parameters after a coding, "q=0.5" or " Q=1", and
// reports whether the weight is a valid qvalue above zero (RFC 9110
// §12.4.2: "0" ["." 0*3DIGIT] / "1" ["." 0*3"0"]).
func qPositive(params string) bool {
	p := strings.Trim(params, " \t")
	if len(p) < 3 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=' {
		return false
	}
	q := p[2:]
	whole, frac, dot := strings.Cut(q, ".")
	if dot && len(frac) > 3 {
		return false
	}
	switch whole {
	case "1":
		return strings.Trim(frac, "0") == ""
	case "0":
		nonzero := false
		for i := 0; i < len(frac); i++ {
			if frac[i] < '0' || frac[i] > '9' {
				return false
			}
			if frac[i] != '0' {
				nonzero = true
			}
		}
		return nonzero
	}
	return false
}
