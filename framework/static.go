package framework

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/url"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
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

// serveFile is the shared machinery of FileServer, File and Attachment,
// the steps of the outline above in order. name has passed
// staticBadName. disposition, if set, is sent as Content-Disposition;
// slash says how the route named the file.
func serveFile(c *Ctx, fsys fs.FS, name string, cfg StaticConfig, disposition string, slash routeSlash) error {
	f, info, name, err := openRequested(c, fsys, name, cfg.Index, slash)
	if f == nil {
		return err // refused, failed, or answered with a redirect
	}
	defer f.Close()
	etag, mod, err := fileValidators(fsys, name, info)
	if err != nil {
		return staticOpenError(c.Logger(), name, err)
	}
	setValidatorFields(c, etag, mod, cfg)
	if answered, err := answerPreconditions(c, name, etag, mod); answered {
		return err
	}
	start, length, code, err := selectRange(c, name, info.Size(), etag, mod)
	if err != nil {
		return err
	}
	setContentFields(c, name, disposition, length)
	c.Status(code)
	if c.Method() == "HEAD" || length == 0 {
		return nil
	}
	return sendSection(c, f, name, start, length)
}

// openRequested opens the file that name and slash ask for (step 2). A
// directory is served as its index.html when index is set, after a
// redirect that adds the trailing slash its relative links need. It
// returns the open file, its info and the name actually opened. A nil
// file comes with the error to answer, or with no error when the request
// has been answered already (the redirect).
func openRequested(c *Ctx, fsys fs.FS, name string, index bool, slash routeSlash) (fs.File, fs.FileInfo, string, error) {
	log := c.Logger()
	f, info, err := openStatic(fsys, name)
	switch {
	case err != nil:
		return nil, nil, name, staticOpenError(log, name, err)
	case !info.IsDir() && slash == routeWithSlash:
		// "a.txt/" names a directory that does not exist.
		f.Close()
		log.Debug("static: trailing slash on a file", "name", name)
		return nil, nil, name, errFileNotFound
	case !info.IsDir():
		return f, info, name, nil
	}
	f.Close()
	if !index {
		log.Debug("static: directory not served", "name", name)
		return nil, nil, name, errFileNotFound
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
		return nil, nil, name, c.Redirect(StatusMovedPermanently, to)
	}
	name = path.Join(name, "index.html")
	f, info, err = openStatic(fsys, name)
	if err != nil {
		return nil, nil, name, staticOpenError(log, name, err)
	}
	if info.IsDir() {
		f.Close()
		log.Debug("static: index.html is a directory", "name", name)
		return nil, nil, name, errFileNotFound
	}
	return f, info, name, nil
}

// setContentFields sets the fields that describe the body (step 6):
// its type, unless the handler chose one, nosniff, the disposition, and
// the length where it must be declared up front.
func setContentFields(c *Ctx, name, disposition string, length int64) {
	h := c.Header()
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
}

// sendSection copies length bytes of f from start into the response
// (step 6). A failure before anything is sent is an error to answer; a
// failure after is logged, and the writer closes the connection.
func sendSection(c *Ctx, f fs.File, name string, start, length int64) error {
	log := c.Logger()
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
