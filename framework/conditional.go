package framework

import (
	"crypto/sha256"
	"encoding/base64"
	"hash/fnv"
	"io"
	"io/fs"
	"iter"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/groundup-go/groundup/framework/http1"
)

// Conditional requests and ranges (RFC 9110 §13 and §14): the validators
// a file is sent with, the preconditions a request may set on them, and
// the single byte range it may ask for. serveFile (static.go) runs these
// steps between opening a file and sending it:
//
//	3. validators: a strong ETag and, when the file system knows it,
//	   Last-Modified (fileValidators, setValidatorFields)
//	4. preconditions (RFC 9110 §13.2.2): If-Match, If-Unmodified-Since → 412;
//	   If-None-Match, If-Modified-Since → 304 (answerPreconditions)
//	5. Range (RFC 9110 §14): one range → 206, unsatisfiable → 416,
//	   several → the whole file (selectRange)

// fileValidators returns the file's strong ETag and its modification
// time, truncated to whole seconds as HTTP dates are, or zero when the
// file system does not know it (embed.FS reports none; some report the
// Unix epoch).
func fileValidators(fsys fs.FS, name string, info fs.FileInfo) (etag string, mod time.Time, err error) {
	mod = info.ModTime()
	if mod.IsZero() || mod.Equal(time.Unix(0, 0)) {
		mod = time.Time{}
	}
	mod = mod.Truncate(time.Second) // HTTP dates have whole seconds
	etag, err = staticETag(fsys, name, info.Size(), mod)
	return etag, mod, err
}

// setValidatorFields sets the fields that a 304 must repeat (RFC 9110
// §15.4.5), Cache-Control unless the handler set one, and Accept-Ranges.
func setValidatorFields(c *Ctx, etag string, mod time.Time, cfg StaticConfig) {
	h := c.Header()
	h.Set("ETag", etag)
	if !mod.IsZero() {
		h.Set("Last-Modified", mod.UTC().Format(TimeFormat))
	}
	if !h.Has("Cache-Control") {
		h.Set("Cache-Control", cfg.cacheControl())
	}
	h.Set("Accept-Ranges", "bytes")
}

// answerPreconditions evaluates the request's preconditions against the
// file's validators. It reports whether they decided the answer: a 304,
// sent here, or a 412, returned as the error.
func answerPreconditions(c *Ctx, name, etag string, mod time.Time) (answered bool, err error) {
	switch checkPreconditions(c, etag, mod) {
	case preconditionFailed:
		staticUnsetHeaders(c)
		c.Logger().Debug("static: precondition failed", "name", name)
		return true, &HTTPError{Code: StatusPreconditionFailed, Message: "precondition failed"}
	case notModified:
		c.Header().Del("Accept-Ranges")
		return true, c.NoContent(StatusNotModified)
	}
	return false, nil
}

// selectRange chooses the part of a file of size bytes to send, and its
// status: the whole file with 200, or one range with 206 and its
// Content-Range. Only GET honours Range (RFC 9110 §14.2). A range that
// cannot be satisfied is a 416 error, with the Content-Range that names
// the size.
func selectRange(c *Ctx, name string, size int64, etag string, mod time.Time) (start, length int64, code int, err error) {
	if c.Method() != "GET" {
		return 0, size, StatusOK, nil
	}
	h := c.Header()
	r, ok := parseRange(c, size, etag, mod)
	switch {
	case !ok:
		h.Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
		h.Del("ETag")
		h.Del("Last-Modified")
		h.Del("Cache-Control")
		c.Logger().Debug("static: range not satisfiable", "name", name, "range", c.RequestHeader("Range"), "size", size)
		return 0, 0, 0, &HTTPError{Code: StatusRequestedRangeNotSatisfiable, Message: "range not satisfiable"}
	case r.length < 0:
		return 0, size, StatusOK, nil
	}
	h.Set("Content-Range", "bytes "+strconv.FormatInt(r.start, 10)+"-"+
		strconv.FormatInt(r.start+r.length-1, 10)+"/"+strconv.FormatInt(size, 10))
	return r.start, r.length, StatusPartialContent, nil
}

// ---- ETags ----

// staticHashKey names one file of one file system in the content-hash
// cache.
type staticHashKey struct {
	fsys fs.FS
	name string
}

type staticHashEntry struct {
	size int64
	etag string
}

// staticHashes caches the content-hash ETags of files whose file system
// reports no modification time, as embed.FS does. Such a file system is
// taken to be immutable, so each file is hashed once per process; the
// size is kept as a cheap guard all the same.
var staticHashes sync.Map // staticHashKey → staticHashEntry

// staticETag returns a strong ETag for the file. With a modification
// time it is built from size, time and a hash of the name, and costs
// nothing to compute. Without one it is a hash of the content.
func staticETag(fsys fs.FS, name string, size int64, mod time.Time) (string, error) {
	if !mod.IsZero() {
		h := fnv.New32a()
		h.Write([]byte(name))
		return `"` + strconv.FormatInt(size, 36) + "-" + strconv.FormatInt(mod.Unix(), 36) + "-" +
			strconv.FormatUint(uint64(h.Sum32()), 36) + `"`, nil
	}
	// A map-based fs.FS (fstest.MapFS) cannot be a map key: such a file
	// system is hashed on every request instead of cached.
	cacheable := reflect.ValueOf(fsys).Comparable()
	key := staticHashKey{fsys, name}
	if cacheable {
		if e, ok := staticHashes.Load(key); ok && e.(staticHashEntry).size == size {
			return e.(staticHashEntry).etag, nil
		}
	}
	f, err := fsys.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	etag := `"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18]) + `"`
	if cacheable {
		staticHashes.Store(key, staticHashEntry{size, etag})
	}
	return etag, nil
}

// ---- Preconditions (RFC 9110 §13) ----

type precondition int

const (
	preconditionOK precondition = iota
	preconditionFailed
	notModified
)

// checkPreconditions evaluates the conditional header fields in the order
// of RFC 9110 §13.2.2.
func checkPreconditions(c *Ctx, etag string, mod time.Time) precondition {
	hd := &c.head
	// Step 1: If-Match; else step 2: If-Unmodified-Since.
	if hd.Get("If-Match") != "" {
		if !etagListMatch(hd.Values("If-Match"), etag, true) {
			return preconditionFailed
		}
	} else if v := hd.Get("If-Unmodified-Since"); v != "" && !mod.IsZero() {
		if t, ok := parseHTTPDate(v); ok && mod.After(t) {
			return preconditionFailed
		}
	}
	safe := c.Method() == "GET" || c.Method() == "HEAD"
	// Step 3: If-None-Match; else step 4: If-Modified-Since, for GET
	// and HEAD only.
	if hd.Get("If-None-Match") != "" {
		if etagListMatch(hd.Values("If-None-Match"), etag, false) {
			if safe {
				return notModified
			}
			return preconditionFailed
		}
	} else if v := hd.Get("If-Modified-Since"); v != "" && safe && !mod.IsZero() {
		if t, ok := parseHTTPDate(v); ok && !mod.After(t) {
			return notModified
		}
	}
	return preconditionOK
}

// etagListMatch reports whether any entity-tag in the field values
// matches etag, or a value is "*". strong selects strong comparison
// (both tags strong and equal); otherwise the W/ prefixes are ignored
// (RFC 9110 §8.8.3.2).
func etagListMatch(values iter.Seq[string], etag string, strong bool) bool {
	for v := range values {
		for {
			v = strings.TrimLeft(v, " \t,")
			if v == "" {
				break
			}
			if v[0] == '*' {
				return true
			}
			tag, rest, ok := nextETag(v)
			if !ok {
				break // malformed: ignore the rest of this field line
			}
			v = rest
			if strong && (strings.HasPrefix(tag, "W/") || strings.HasPrefix(etag, "W/")) {
				continue
			}
			if strings.TrimPrefix(tag, "W/") == strings.TrimPrefix(etag, "W/") {
				return true
			}
		}
	}
	return false
}

// nextETag splits the entity-tag at the start of s from the rest. An
// entity-tag is an optional W/ and a quoted string without DQUOTE, which
// may hold commas (RFC 9110 §8.8.3).
func nextETag(s string) (tag, rest string, ok bool) {
	i := 0
	if strings.HasPrefix(s, "W/") {
		i = 2
	}
	if len(s) <= i || s[i] != '"' {
		return "", "", false
	}
	end := strings.IndexByte(s[i+1:], '"')
	if end < 0 {
		return "", "", false
	}
	end += i + 2
	return s[:end], s[end:], true
}

// parseHTTPDate parses the three date formats RFC 9110 §5.6.7 obliges a
// recipient to accept.
func parseHTTPDate(s string) (time.Time, bool) {
	for _, layout := range [...]string{TimeFormat, "Monday, 02-Jan-06 15:04:05 GMT", "Mon Jan _2 15:04:05 2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ---- Range (RFC 9110 §14) ----

// byteRange is a satisfiable range; length < 0 means "the whole file".
type byteRange struct{ start, length int64 }

// parseRange interprets Range and If-Range for a file of size bytes. It
// returns ok false when the single range asked for cannot be satisfied
// (416). A missing, malformed or multiple-range field, or a failed
// If-Range, gives the whole file: RFC 9110 §14.2 lets a server ignore
// Range, and a 200 with everything is always a correct answer.
func parseRange(c *Ctx, size int64, etag string, mod time.Time) (byteRange, bool) {
	whole := byteRange{0, -1}
	v := c.RequestHeader("Range")
	if v == "" {
		return whole, true
	}
	if ir := c.RequestHeader("If-Range"); ir != "" && !ifRangeMatch(ir, etag, mod) {
		return whole, true
	}
	unit, spec, ok := strings.Cut(v, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return whole, true
	}
	var one string
	count := 0
	for part := range strings.SplitSeq(spec, ",") {
		if part = strings.TrimSpace(part); part != "" {
			one = part
			count++
		}
	}
	if count != 1 {
		return whole, true // none, or several: send it all
	}
	first, last, ok := strings.Cut(one, "-")
	if !ok {
		return whole, true
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first == "" {
		// "-n": the last n bytes.
		n, ok := http1.ParseDecimal(last)
		if !ok {
			return whole, true
		}
		if n == 0 || size == 0 {
			return byteRange{}, false
		}
		n = min(n, size)
		return byteRange{size - n, n}, true
	}
	start, ok := http1.ParseDecimal(first)
	if !ok {
		return whole, true
	}
	end := size - 1
	if last != "" {
		e, ok := http1.ParseDecimal(last)
		if !ok || e < start {
			return whole, true // invalid, so ignored (RFC 9110 §14.1.1)
		}
		end = min(e, size-1)
	}
	if start >= size {
		return byteRange{}, false
	}
	return byteRange{start, end - start + 1}, true
}

// ifRangeMatch reports whether the If-Range value still describes the
// file: a strong ETag equal to ours, or exactly our Last-Modified date
// (RFC 9110 §13.1.5). A weak tag never matches.
func ifRangeMatch(v, etag string, mod time.Time) bool {
	if strings.HasPrefix(v, `"`) || strings.HasPrefix(v, "W/") {
		return !strings.HasPrefix(v, "W/") && v == etag
	}
	t, ok := parseHTTPDate(v)
	return ok && !mod.IsZero() && t.Equal(mod)
}
