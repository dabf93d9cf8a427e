package framework

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"iter"
	"log/slog"
	"mime"
	"net/url"
	"path"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/groundup-go/groundup/framework/http1"
)

// Static files, served from any fs.FS: by default the app's static/
// directory embedded in the binary, so that the app runs from any working
// directory. The steps for each request, in order:
//
//	1. the name: the route's "filepath" parameter, already percent-decoded,
//	   minus its leading "/"; anything fs.ValidPath refuses, or holding a
//	   backslash or NUL, is a 404 (not 403: say nothing about what exists)
//	2. open and stat it: missing → 404, no permission → 403, else → 500;
//	   a directory is a 404 unless StaticConfig.Index serves its index.html
//	3. validators: a strong ETag and, when the file system knows it,
//	   Last-Modified
//	4. preconditions (RFC 9110 §13.2.2): If-Match, If-Unmodified-Since → 412;
//	   If-None-Match, If-Modified-Since → 304
//	5. Range (RFC 9110 §14): one range → 206, unsatisfiable → 416,
//	   several → the whole file
//	6. headers, then the bytes: a file that fits the response buffer is
//	   buffered (so Gzip may compress it) and sent with its length; a larger
//	   one is declared with Content-Length and streamed, and the connection
//	   closes if fewer bytes arrive
//
// With os.DirFS a symbolic link may lead out of the directory; serve a
// tree that others can write to through (*os.Root).FS instead, which
// refuses to.

// StaticConfig says how static files are served.
type StaticConfig struct {
	// Index serves dir/index.html for a request naming directory dir.
	// When false, a directory is a 404. Directories are never listed.
	Index bool
	// MaxAge, when positive, sends "Cache-Control: public, max-age=N"
	// (in seconds). When zero, "Cache-Control: no-cache" makes clients
	// revalidate every time, which costs a 304 when nothing changed.
	MaxAge time.Duration
	// Immutable adds ", immutable" to a positive MaxAge: the client will
	// not revalidate even on reload. Use it only for fingerprinted names
	// such as app.3f2a1b.css. It is ignored when MaxAge is zero.
	Immutable bool
}

// cacheControl returns the Cache-Control value for cfg.
func (cfg StaticConfig) cacheControl() string {
	if cfg.MaxAge <= 0 {
		return "no-cache"
	}
	v := "public, max-age=" + strconv.FormatInt(int64(cfg.MaxAge/time.Second), 10)
	if cfg.Immutable {
		v += ", immutable"
	}
	return v
}

// Static serves the files of fsys under prefix: a request for
// prefix+"/css/app.css" gets the file "css/app.css". It registers GET
// (which also answers HEAD) on prefix+"/*filepath" and returns the route.
//
//	//go:embed static
//	var staticFiles embed.FS
//
//	sub, _ := fs.Sub(staticFiles, "static")
//	app.Static("/static", sub, framework.StaticConfig{MaxAge: time.Hour})
func (a *App) Static(prefix string, fsys fs.FS, cfg StaticConfig) *Route {
	return a.GET(strings.TrimSuffix(prefix, "/")+"/*filepath", FileServer(fsys, cfg))
}

// Static serves the files of fsys under the group's prefix plus prefix,
// with the group's middleware. See App.Static.
func (g *Group) Static(prefix string, fsys fs.FS, cfg StaticConfig) *Route {
	return g.GET(strings.TrimSuffix(prefix, "/")+"/*filepath", FileServer(fsys, cfg))
}

// FileServer returns a Handler that serves the file of fsys named by the
// route's catch-all parameter "filepath". App.Static uses it; register it
// yourself to put it behind other middleware or under another pattern
// that ends in "/*filepath".
func FileServer(fsys fs.FS, cfg StaticConfig) Handler {
	if fsys == nil {
		panic("groundup: FileServer with a nil fs.FS")
	}
	return func(c *Ctx) error {
		raw := c.Param("filepath")
		name := strings.TrimPrefix(raw, "/")
		// fs.ValidPath refuses a trailing slash, but "docs/" is how a
		// browser names a directory: take it off and remember it.
		dirSlash := strings.HasSuffix(name, "/")
		name = strings.TrimSuffix(name, "/")
		if name == "" {
			name = "."
		}
		if reason := staticBadName(name); reason != "" {
			c.Logger().Debug("static: refused path", "path", raw, "reason", reason)
			return errFileNotFound
		}
		slash := routeNoSlash
		if dirSlash {
			slash = routeWithSlash
		}
		return serveFile(c, fsys, name, cfg, "", slash)
	}
}

// routeSlash says how a request from the file server named its file: with
// a trailing slash, or without. File and Attachment pass routeNone.
type routeSlash int8

const (
	routeNone routeSlash = iota - 1
	routeNoSlash
	routeWithSlash
)

// File serves the file name of fsys, with all that Static does: content
// type, ETag and Last-Modified, conditional requests, a single Range and
// HEAD. name is a path inside fsys ("docs/report.pdf"), checked as for
// Static. Cache-Control is "no-cache" unless the handler set one already;
// a Content-Type the handler set is kept.
func (c *Ctx) File(fsys fs.FS, name string) error {
	if reason := staticBadName(name); reason != "" {
		c.Logger().Debug("static: refused path", "path", name, "reason", reason)
		return errFileNotFound
	}
	return serveFile(c, fsys, name, StaticConfig{}, "", routeNone)
}

// Attachment serves the file name of fsys like File, and asks the browser
// to save it as downloadName (the file's base name when empty) instead of
// showing it, with Content-Disposition (RFC 6266). The name is sent twice:
// as a plain ASCII fallback, and UTF-8 percent-encoded (RFC 8187) for
// browsers that read filename*.
func (c *Ctx) Attachment(fsys fs.FS, name, downloadName string) error {
	if reason := staticBadName(name); reason != "" {
		c.Logger().Debug("static: refused path", "path", name, "reason", reason)
		return errFileNotFound
	}
	if downloadName == "" {
		downloadName = path.Base(name)
	}
	return serveFile(c, fsys, name, StaticConfig{}, contentDisposition("attachment", downloadName), routeNone)
}

// contentDisposition builds the field value: the disposition type, a
// quoted ASCII filename, and filename* in the UTF-8 ext-value form.
func contentDisposition(kind, name string) string {
	name = strings.ToValidUTF8(name, "_")
	var ascii, ext strings.Builder
	for _, r := range name {
		// The quoted fallback keeps printable ASCII only; quotes and
		// backslashes are replaced rather than escaped, since browsers
		// disagree on quoted-pair inside filename.
		if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' {
			ascii.WriteByte('_')
		} else {
			ascii.WriteRune(r)
		}
	}
	var buf [utf8.UTFMax]byte
	for _, r := range name {
		n := utf8.EncodeRune(buf[:], r)
		for _, b := range buf[:n] {
			if isAttrChar(b) {
				ext.WriteByte(b)
			} else {
				fmt.Fprintf(&ext, "%%%02X", b)
			}
		}
	}
	return kind + `; filename="` + ascii.String() + `"; filename*=UTF-8''` + ext.String()
}

// isAttrChar reports whether b may appear unencoded in an RFC 8187
// ext-value (attr-char).
func isAttrChar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}

var errFileNotFound = &HTTPError{Code: StatusNotFound, Message: "file not found"}

// staticBadName returns why name must not be opened, or "" if it may.
func staticBadName(name string) string {
	switch {
	case strings.IndexByte(name, 0) >= 0:
		return "NUL byte"
	case strings.IndexByte(name, '\\') >= 0:
		// fs.ValidPath allows a backslash, but some file systems
		// (os.DirFS on Windows) take it as a separator.
		return "backslash"
	case !fs.ValidPath(name):
		return "not a valid fs path (.., //, or a trailing /)"
	}
	return ""
}

// serveFile is the shared machinery of FileServer, File and Attachment.
// name has passed staticBadName. disposition, if set, is sent as
// Content-Disposition; slash says how the route named the file.
func serveFile(c *Ctx, fsys fs.FS, name string, cfg StaticConfig, disposition string, slash routeSlash) error {
	log := c.Logger()
	f, info, err := openStatic(fsys, name)
	if err == nil && info.IsDir() {
		f.Close()
		if !cfg.Index {
			log.Debug("static: directory not served", "name", name)
			return errFileNotFound
		}
		if slash == routeNoSlash && name != "." {
			// Relative links in docs/index.html are meant to resolve
			// under /docs/, so the browser must ask for that URL. The
			// "./" keeps a segment such as "a:b" from reading as a
			// scheme.
			to := "./" + url.PathEscape(path.Base(name)) + "/"
			if q := c.RawQuery(); q != "" {
				to += "?" + q
			}
			return c.Redirect(StatusMovedPermanently, to)
		}
		name = path.Join(name, "index.html")
		f, info, err = openStatic(fsys, name)
		if err == nil && info.IsDir() {
			f.Close()
			log.Debug("static: index.html is a directory", "name", name)
			return errFileNotFound
		}
	} else if err == nil && slash == routeWithSlash {
		// "a.txt/" names a directory that does not exist.
		f.Close()
		log.Debug("static: trailing slash on a file", "name", name)
		return errFileNotFound
	}
	if err != nil {
		return staticOpenError(log, name, err)
	}
	defer f.Close()

	size := info.Size()
	mod := info.ModTime()
	if mod.IsZero() || mod.Equal(time.Unix(0, 0)) {
		mod = time.Time{}
	}
	mod = mod.Truncate(time.Second) // HTTP dates have whole seconds
	etag, err := staticETag(fsys, name, size, mod)
	if err != nil {
		return staticOpenError(log, name, err)
	}

	h := c.Header()
	// Fields that a 304 must repeat (RFC 9110 §15.4.5), and Accept-Ranges.
	h.Set("ETag", etag)
	if !mod.IsZero() {
		h.Set("Last-Modified", mod.UTC().Format(TimeFormat))
	}
	if !h.Has("Cache-Control") {
		h.Set("Cache-Control", cfg.cacheControl())
	}
	h.Set("Accept-Ranges", "bytes")

	switch checkPreconditions(c, etag, mod) {
	case preconditionFailed:
		staticUnsetHeaders(c)
		log.Debug("static: precondition failed", "name", name)
		return &HTTPError{Code: StatusPreconditionFailed, Message: "precondition failed"}
	case notModified:
		h.Del("Accept-Ranges")
		return c.NoContent(StatusNotModified)
	}

	start, length, code := int64(0), size, StatusOK
	if c.Method() == "GET" {
		switch r, ok := parseRange(c, size, etag, mod); {
		case !ok:
			h.Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
			h.Del("ETag")
			h.Del("Last-Modified")
			h.Del("Cache-Control")
			log.Debug("static: range not satisfiable", "name", name, "range", c.RequestHeader("Range"), "size", size)
			return &HTTPError{Code: StatusRequestedRangeNotSatisfiable, Message: "range not satisfiable"}
		case r.length >= 0:
			start, length, code = r.start, r.length, StatusPartialContent
			h.Set("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+
				strconv.FormatInt(start+length-1, 10)+"/"+strconv.FormatInt(size, 10))
		}
	}

	if !h.Has("Content-Type") {
		h.Set("Content-Type", contentTypeByName(name))
	}
	h.Set("X-Content-Type-Options", "nosniff")
	if disposition != "" {
		h.Set("Content-Disposition", disposition)
	}
	// A body that fits the response buffer is left to the writer, which
	// sends its Content-Length once the handler returns; until then it
	// can still be compressed by Gzip. A larger one is declared up front
	// and streamed as it is read. HEAD declares it, and sends nothing.
	if c.Method() == "HEAD" || length > MaxBufferedBody {
		h.Set("Content-Length", strconv.FormatInt(length, 10))
	}
	c.Status(code)
	if c.Method() == "HEAD" || length == 0 {
		return nil
	}

	body, err := staticSection(f, start, length)
	if err != nil {
		staticUnsetHeaders(c)
		log.Error("static: cannot seek", "name", name, "err", err)
		return &HTTPError{Code: StatusInternalServerError, Err: err}
	}
	sw := staticWriter{c: c}
	n, err := io.Copy(&sw, body)
	switch {
	case sw.err != nil:
		// The client went away or stopped reading: nothing to answer,
		// and the writer has already marked the connection to close.
		log.Debug("static: write failed", "name", name, "sent", n, "err", sw.err)
	case err != nil && !c.Committed():
		staticUnsetHeaders(c)
		log.Error("static: read failed", "name", name, "err", err)
		return &HTTPError{Code: StatusInternalServerError, Err: err}
	case err != nil || n < length:
		// Part of the file is on the wire with a Content-Length that
		// promised more; the writer closes the connection after it, so
		// the client sees a truncated body rather than a wrong one.
		log.Error("static: file ended early or failed mid-way", "name", name, "sent", n, "want", length, "err", err)
	}
	return nil
}

// staticWriter tells write errors apart from read errors in io.Copy.
type staticWriter struct {
	c   *Ctx
	err error
}

func (w *staticWriter) Write(p []byte) (int, error) {
	n, err := w.c.Write(p)
	if err != nil {
		w.err = err
	}
	return n, err
}

// staticUnsetHeaders undoes what serveFile set before an error response,
// so that the error page does not claim the file's validators or length,
// and an ErrorHandler can choose its own status.
func staticUnsetHeaders(c *Ctx) {
	for _, name := range [...]string{"ETag", "Last-Modified", "Cache-Control", "Accept-Ranges", "Content-Range",
		"Content-Type", "X-Content-Type-Options", "Content-Disposition", "Content-Length"} {
		c.res.header.Del(name)
	}
	c.res.status = 0
}

func openStatic(fsys fs.FS, name string) (fs.File, fs.FileInfo, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, info, nil
}

// staticOpenError maps an open or stat error to a status and logs it.
func staticOpenError(log *slog.Logger, name string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrInvalid), errors.Is(err, syscall.ENOTDIR):
		// ENOTDIR: "a.txt/b" on a real disk, where a.txt is a file.
		log.Debug("static: file not found", "name", name, "err", err)
		return errFileNotFound
	case errors.Is(err, fs.ErrPermission):
		log.Warn("static: permission denied", "name", name, "err", err)
		return &HTTPError{Code: StatusForbidden, Message: "forbidden", Err: err}
	}
	log.Error("static: cannot open file", "name", name, "err", err)
	return &HTTPError{Code: StatusInternalServerError, Err: err}
}

// staticSection returns a reader of length bytes of f from start: a
// SectionReader when f can read at offsets, else a Seek, else reading and
// discarding up to start.
func staticSection(f fs.File, start, length int64) (io.Reader, error) {
	if ra, ok := f.(io.ReaderAt); ok {
		return io.NewSectionReader(ra, start, length), nil
	}
	if start > 0 {
		if s, ok := f.(io.Seeker); ok {
			if _, err := s.Seek(start, io.SeekStart); err != nil {
				return nil, err
			}
		} else if _, err := io.CopyN(io.Discard, f, start); err != nil {
			return nil, err
		}
	}
	return io.LimitReader(f, length), nil
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

// ---- Content types ----

// staticTypes is consulted before mime.TypeByExtension, so that the
// common web types do not depend on the machine's /etc/mime.types.
var staticTypes = map[string]string{
	".html":  "text/html; charset=utf-8",
	".htm":   "text/html; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".json":  "application/json",
	".map":   "application/json",
	".txt":   "text/plain; charset=utf-8",
	".xml":   "application/xml",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".jpg":   "image/jpeg",
	".jpeg":  "image/jpeg",
	".gif":   "image/gif",
	".webp":  "image/webp",
	".avif":  "image/avif",
	".ico":   "image/x-icon",
	".woff":  "font/woff",
	".woff2": "font/woff2",
	".wasm":  "application/wasm",
	".pdf":   "application/pdf",
}

// contentTypeByName returns the media type for a file name's extension.
// An unknown extension gets application/octet-stream: the content is not
// sniffed, because a guess can turn an uploaded file into a script.
func contentTypeByName(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := staticTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); ext != "" && t != "" {
		return t
	}
	return "application/octet-stream"
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
	hd := c.Head()
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
