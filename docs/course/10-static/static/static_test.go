package static_test

import (
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/groundup-go/groundup/docs/course/10-static/groundup"
	"github.com/groundup-go/groundup/docs/course/10-static/static"
	"github.com/groundup-go/groundup/docs/course/internal/mode"
	"github.com/groundup-go/groundup/docs/course/internal/teach"
)

// The steps run in source order; `go run ./docs/course` reports the first
// that fails.

func serve(fsys fs.FS, req static.Request) (res static.Response) {
	var err error
	defer func() {
		if err != nil {
			res = static.Response{Status: -1, Body: "(" + err.Error() + ")"}
		}
	}()
	defer teach.Recover(&err, "Serve")
	if mode.Reader() {
		return static.Serve(fsys, req)
	}
	return groundup.Serve(fsys, req)
}

const (
	chapter     = "docs/10-static-and-caching.md"
	files       = chapter + "#files-from-an-fsfs"
	traversal   = chapter + "#traversal-safety"
	types       = chapter + "#content-types"
	validators  = chapter + "#validators-etag-and-last-modified"
	conditional = chapter + "#conditional-requests-in-rfc-9110s-order"
	ranges      = chapter + "#range-requests-and-416"
	headRead    = chapter + "#head"
)

const hello = "Hello, static world!\n" // 21 bytes

var modTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func fsys() fs.FS {
	return fstest.MapFS{
		"hello.txt":     {Data: []byte(hello), ModTime: modTime},
		"css/site.css":  {Data: []byte("body{margin:0}"), ModTime: modTime},
		"img/dot.png":   {Data: []byte("\x89PNG\r\n\x1a\n"), ModTime: modTime},
		"css/other.css": {Data: []byte("p{}"), ModTime: modTime},
	}
}

func get(path string, header ...string) static.Request {
	h := map[string]string{}
	for i := 0; i+1 < len(header); i += 2 {
		h[header[i]] = header[i+1]
	}
	return static.Request{Method: "GET", Path: path, Header: h}
}

func show(r static.Response) string {
	keys := slices.Sorted(maps.Keys(r.Header))
	var b strings.Builder
	fmt.Fprintf(&b, "%d", r.Status)
	for _, k := range keys {
		fmt.Fprintf(&b, "\n%s: %s", k, r.Header[k])
	}
	fmt.Fprintf(&b, "\nbody %q", r.Body)
	return b.String()
}

func showReq(r static.Request) string {
	s := r.Method + " " + r.Path
	for _, k := range slices.Sorted(maps.Keys(r.Header)) {
		s += fmt.Sprintf(", %s: %s", k, r.Header[k])
	}
	return s
}

// anyBody accepts any body, for an error status whose page is the
// server's to choose.
const anyBody = "\x00any"

// expect checks status and body, and each wanted field ("" means absent).
func expect(t *testing.T, req static.Request, status int, body string, fields map[string]string, rule, read string) static.Response {
	t.Helper()
	res := serve(fsys(), req)
	bad := res.Status != status || (body != anyBody && res.Body != body)
	for k, v := range fields {
		if res.Header[k] != v {
			bad = true
		}
	}
	if bad {
		want := fmt.Sprintf("%d, body %q", status, body)
		if body == anyBody {
			want = fmt.Sprintf("%d (any short body)", status)
		}
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			if fields[k] == "" {
				want += fmt.Sprintf(", no %s", k)
			} else {
				want += fmt.Sprintf(", %s: %s", k, fields[k])
			}
		}
		teach.Fatal(t, teach.Lesson{Sent: showReq(req), Got: show(res), Want: want, Rule: rule, Read: read})
	}
	return res
}

func etag(t *testing.T) string {
	t.Helper()
	res := serve(fsys(), get("/hello.txt"))
	e := res.Header["ETag"]
	if len(e) < 2 || !strings.HasSuffix(e, `"`) || !(strings.HasPrefix(e, `"`) || strings.HasPrefix(e, `W/"`)) {
		teach.Fatal(t, teach.Lesson{
			Sent: "GET /hello.txt",
			Got:  show(res),
			Want: `an ETag field with a quoted value, such as "5e8f-15"`,
			Rule: `RFC 9110 §8.8.3: entity-tag = [ weak ] opaque-tag; opaque-tag = DQUOTE *etagc DQUOTE`,
			Read: validators,
		})
	}
	return e
}

func TestStep1_ServeFile(t *testing.T) {
	expect(t, get("/hello.txt"), 200, hello, map[string]string{"Content-Type": "text/plain; charset=utf-8"},
		"the path names a file of fsys without its leading '/': fs.ReadFile(fsys, \"hello.txt\")", files)
}

func TestStep2_ContentTypes(t *testing.T) {
	expect(t, get("/css/site.css"), 200, "body{margin:0}", map[string]string{"Content-Type": "text/css; charset=utf-8"},
		"RFC 9110 §8.3: Content-Type from the extension (mime.TypeByExtension); a browser refuses a stylesheet served as text/plain", types)
	expect(t, get("/img/dot.png"), 200, "\x89PNG\r\n\x1a\n", map[string]string{"Content-Type": "image/png"},
		"RFC 9110 §8.3: image/png for .png", types)
}

func TestStep3_NotFound(t *testing.T) {
	for _, p := range []string{"/nope.txt", "/css", "/css/", "/../hello.txt", "/css/../../hello.txt", "/hello.txt/x", "/a\\..\\hello.txt"} {
		t.Run(p, func(t *testing.T) {
			res := serve(fsys(), get(p))
			if res.Status != 404 && !(res.Status >= 300 && res.Status < 400) {
				teach.Error(t, teach.Lesson{
					Sent: "GET " + p,
					Got:  show(res),
					Want: "404 (or a redirect to the clean path); never a directory listing, never a file outside the tree",
					Rule: "fs.ValidPath refuses \"..\", empty and rooted names; a directory is not a file; a missing file is 404 and says nothing more",
					Read: traversal,
				})
			}
		})
	}
}

func TestStep4_Validators(t *testing.T) {
	e := etag(t)
	expect(t, get("/hello.txt"), 200, hello, map[string]string{
		"Last-Modified": modTime.Format(http.TimeFormat),
		"ETag":          e,
	}, "RFC 9110 §8.8.2: Last-Modified in IMF-fixdate (\"Sun, 01 Mar 2026 12:00:00 GMT\", time.Format with http.TimeFormat, in UTC)", validators)
	other := serve(fsys(), get("/css/other.css")).Header["ETag"]
	if other == e {
		teach.Fatal(t, teach.Lesson{Sent: "GET /hello.txt and GET /css/other.css", Got: "the same ETag " + e + " for two different files", Want: "a different ETag for different content", Rule: "RFC 9110 §8.8.3: an ETag identifies one representation; derive it from the content or from size and time", Read: validators})
	}
}

func TestStep5_IfNoneMatch(t *testing.T) {
	e := etag(t)
	weak := e
	if !strings.HasPrefix(weak, "W/") {
		weak = "W/" + e
	}
	rule := "RFC 9110 §13.1.2: If-None-Match matches if any listed tag (or \"*\") matches the current ETag by the weak comparison (W/ ignored); then a GET gets 304 Not Modified, with the ETag and no body"
	for _, v := range []string{e, `"nope", ` + e, "*", weak} {
		t.Run(v, func(t *testing.T) {
			expect(t, get("/hello.txt", "If-None-Match", v), 304, "", map[string]string{"ETag": e}, rule, conditional)
		})
	}
	t.Run("no match", func(t *testing.T) {
		expect(t, get("/hello.txt", "If-None-Match", `"nope"`), 200, hello, nil, "no tag matches: the whole file, 200", conditional)
	})
}

func TestStep6_IfModifiedSince(t *testing.T) {
	expect(t, get("/hello.txt", "If-Modified-Since", modTime.Format(http.TimeFormat)), 304, "", nil,
		"RFC 9110 §13.1.3: not modified since the date given (Last-Modified <= date): 304", conditional)
	expect(t, get("/hello.txt", "If-Modified-Since", modTime.Add(-time.Hour).Format(http.TimeFormat)), 200, hello, nil,
		"RFC 9110 §13.1.3: modified after the date: 200 and the file", conditional)
	expect(t, get("/hello.txt", "If-Modified-Since", "yesterday"), 200, hello, nil,
		"RFC 9110 §13.1.3: an invalid date is ignored", conditional)
	expect(t, get("/hello.txt", "If-None-Match", `"nope"`, "If-Modified-Since", modTime.Format(http.TimeFormat)), 200, hello, nil,
		"RFC 9110 §13.1.3: a recipient MUST ignore If-Modified-Since if the request contains If-None-Match: the ETag is the better validator", conditional)
}

func TestStep7_IfMatch(t *testing.T) {
	e := etag(t)
	expect(t, get("/hello.txt", "If-Match", `"old"`), 412, anyBody, nil,
		"RFC 9110 §13.1.1: If-Match with no matching tag (strong comparison): 412 Precondition Failed", conditional)
	if !strings.HasPrefix(e, "W/") {
		expect(t, get("/hello.txt", "If-Match", e), 200, hello, nil, "RFC 9110 §13.1.1: the tag matches: serve as usual", conditional)
	}
	expect(t, get("/hello.txt", "If-Unmodified-Since", modTime.Add(-time.Hour).Format(http.TimeFormat)), 412, anyBody, nil,
		"RFC 9110 §13.1.4: modified after the date given: 412", conditional)
}

func TestStep8_HEAD(t *testing.T) {
	req := get("/hello.txt")
	req.Method = "HEAD"
	expect(t, req, 200, "", map[string]string{"Content-Length": "21", "Content-Type": "text/plain; charset=utf-8"},
		"RFC 9110 §9.3.2: HEAD gets GET's fields, Content-Length included, and no body", headRead)
}

func TestStep9_Range(t *testing.T) {
	rule := "RFC 9110 §14.2: Range: bytes=first-last (inclusive), first- (to the end), -n (the last n); answer 206 Partial Content with Content-Range: bytes first-last/size"
	for _, c := range []struct{ rng, body, cr string }{
		{"bytes=0-4", "Hello", "bytes 0-4/21"},
		{"bytes=7-12", "static", "bytes 7-12/21"},
		{"bytes=14-", "world!\n", "bytes 14-20/21"},
		{"bytes=-7", "world!\n", "bytes 14-20/21"},
		{"bytes=14-999", "world!\n", "bytes 14-20/21"},
	} {
		t.Run(c.rng, func(t *testing.T) {
			expect(t, get("/hello.txt", "Range", c.rng), 206, c.body, map[string]string{"Content-Range": c.cr}, rule, ranges)
		})
	}
	res := serve(fsys(), get("/hello.txt"))
	if res.Header["Accept-Ranges"] != "bytes" {
		teach.Error(t, teach.Lesson{Sent: "GET /hello.txt", Got: show(res), Want: "Accept-Ranges: bytes", Rule: "RFC 9110 §14.3: tell clients they may ask for ranges", Read: ranges})
	}
}

func TestStep10_Unsatisfiable(t *testing.T) {
	for _, rng := range []string{"bytes=21-30", "bytes=100-"} {
		t.Run(rng, func(t *testing.T) {
			expect(t, get("/hello.txt", "Range", rng), 416, anyBody, map[string]string{"Content-Range": "bytes */21"},
				"RFC 9110 §15.5.17: no range overlaps the file: 416 Range Not Satisfiable, with Content-Range: bytes */size", ranges)
		})
	}
	for _, rng := range []string{"bytes=abc", "items=0-4", "bytes=5-1", "bytes=0-1,3-4"} {
		t.Run(rng, func(t *testing.T) {
			expect(t, get("/hello.txt", "Range", rng), 200, hello, nil,
				"RFC 9110 §14.2: a server MAY ignore a Range it cannot or will not serve: invalid syntax, another unit, or (groundup's choice) several ranges; then the whole file, 200", ranges)
		})
	}
}

func TestStep11_IfRange(t *testing.T) {
	e := etag(t)
	if !strings.HasPrefix(e, "W/") {
		expect(t, get("/hello.txt", "Range", "bytes=0-4", "If-Range", e), 206, "Hello", nil,
			"RFC 9110 §13.1.5: If-Range with the current (strong) ETag: the range is still good, 206", ranges)
	}
	expect(t, get("/hello.txt", "Range", "bytes=0-4", "If-Range", `"old"`), 200, hello, nil,
		"RFC 9110 §13.1.5: If-Range that does not match: the client's copy is stale, so send the whole file, 200, not a range of the new one", ranges)
}
