package framework_test

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

var stMod = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

const stHello = "Hello, world!\n" // 14 bytes

// stFiles is the test tree: with modification times, like a disk.
func stFiles() fstest.MapFS {
	f := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s), ModTime: stMod} }
	return fstest.MapFS{
		"hello.txt":         f(stHello),
		"index.html":        f("<h1>root</h1>"),
		"css/app.css":       f("body{}"),
		"js/app.js":         f("let a=1"),
		"js/mod.MJS":        f("export{}"),
		"img/logo.svg":      f("<svg/>"),
		"img/pic.webp":      f("RIFF"),
		"img/photo.jpg":     f("\xff\xd8"),
		"img/photo.JPEG":    f("\xff\xd8"),
		"font/f.woff2":      f("wOF2"),
		"favicon.ico":       f("\x00\x00"),
		"data.json":         f("{}"),
		"page.html":         f("<p>"),
		"noext":             f("<html>sniff me not</html>"),
		"file.unknownzz":    f("?"),
		"empty.txt":         f(""),
		"docs/index.html":   f("<h1>docs</h1>"),
		"docs/guide.txt":    f("guide"),
		"nodex/readme.txt":  f("no index here"),
		"trap/index.html/x": f("index.html is a directory"),
		"a b/ü.txt":         f("spaced"),
	}
}

// stEmbedLike is a file system without modification times, like embed.FS,
// and, like it, comparable (a pointer), so its ETags can be cached.
type stEmbedLike struct {
	m     fstest.MapFS
	opens atomic.Int32
}

func (e *stEmbedLike) Open(name string) (fs.File, error) {
	e.opens.Add(1)
	return e.m.Open(name)
}

func newEmbedLike() *stEmbedLike {
	m := stFiles()
	for _, f := range m {
		f.ModTime = time.Time{}
	}
	return &stEmbedLike{m: m}
}

func stStaticApp(fsys fs.FS, cfg framework.StaticConfig) *framework.App {
	app := framework.New()
	app.Static("/static", fsys, cfg)
	return app
}

// stGet runs one raw request through app in memory.
func stGet(t *testing.T, app *framework.App, method, target string, fields ...string) *frameworktest.Response {
	t.Helper()
	out := stTransports[0].do(t, app.Serve, stReq(method, target, fields...))
	return stParse(t, out, method == "HEAD")
}

func TestStaticContentTypes(t *testing.T) {
	app := stStaticApp(stFiles(), framework.StaticConfig{})
	tests := []struct{ path, want string }{
		{"/static/hello.txt", "text/plain; charset=utf-8"},
		{"/static/page.html", "text/html; charset=utf-8"},
		{"/static/css/app.css", "text/css; charset=utf-8"},
		{"/static/js/app.js", "text/javascript; charset=utf-8"},
		{"/static/js/mod.MJS", "text/javascript; charset=utf-8"},
		{"/static/img/logo.svg", "image/svg+xml"},
		{"/static/img/pic.webp", "image/webp"},
		{"/static/img/photo.jpg", "image/jpeg"},
		{"/static/img/photo.JPEG", "image/jpeg"},
		{"/static/font/f.woff2", "font/woff2"},
		{"/static/favicon.ico", "image/x-icon"},
		{"/static/data.json", "application/json"},
		{"/static/noext", "application/octet-stream"},
		{"/static/file.unknownzz", "application/octet-stream"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := stGet(t, app, "GET", tt.path)
			if res.Status != 200 {
				t.Fatalf("status %d, want 200\n%s", res.Status, res.Raw)
			}
			if got := res.Get("Content-Type"); got != tt.want {
				t.Errorf("Content-Type %q, want %q", got, tt.want)
			}
			if got := res.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q, want nosniff", got)
			}
			if res.Get("Accept-Ranges") != "bytes" {
				t.Errorf("no Accept-Ranges: bytes")
			}
		})
	}
}

func TestStaticCacheControl(t *testing.T) {
	tests := []struct {
		cfg  framework.StaticConfig
		want string
	}{
		{framework.StaticConfig{}, "no-cache"},
		{framework.StaticConfig{Immutable: true}, "no-cache"},
		{framework.StaticConfig{MaxAge: time.Hour}, "public, max-age=3600"},
		{framework.StaticConfig{MaxAge: 365 * 24 * time.Hour, Immutable: true}, "public, max-age=31536000, immutable"},
	}
	for _, tt := range tests {
		res := stGet(t, stStaticApp(stFiles(), tt.cfg), "GET", "/static/hello.txt")
		if got := res.Get("Cache-Control"); got != tt.want {
			t.Errorf("%+v: Cache-Control %q, want %q", tt.cfg, got, tt.want)
		}
	}
}

// TestStaticTraversal tries to reach a file outside the served directory
// of a real disk tree. Every attempt must end in a 404, a 400 from the
// parser, or the router's clean-path redirect, and never in the file.
func TestStaticTraversal(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "public", "sub"), 0o755)
	os.WriteFile(filepath.Join(root, "public", "ok.txt"), []byte("public"), 0o644)
	os.WriteFile(filepath.Join(root, "public", "sub", "s.txt"), []byte("sub"), 0o644)
	os.WriteFile(filepath.Join(root, "go.mod"), []byte("SECRET"), 0o644)
	app := stStaticApp(os.DirFS(filepath.Join(root, "public")), framework.StaticConfig{})

	tests := []struct {
		target string
		status int    // 0: 400 or 404
		to     string // Location of a redirect
	}{
		{"/static/ok.txt", 200, ""},
		{"/static/../go.mod", 404, ""},
		{"/static/%2e%2e/go.mod", 404, ""},
		{"/static/%2E%2E/go.mod", 404, ""},
		{"/static/..%2fgo.mod", 404, ""},
		{"/static/..%2Fgo.mod", 404, ""},
		{"/static/sub/../../go.mod", 404, ""},
		{"/static/sub/%2e%2e/%2e%2e/go.mod", 404, ""},
		{"/static/..%5cgo.mod", 404, ""},
		{"/static/sub%5c..%5c..%5cgo.mod", 404, ""},
		{`/static/..\go.mod`, 0, ""},
		{"/static/ok.txt%00", 404, ""},
		{"/static/ok.txt%00.png", 404, ""},
		{"/static//go.mod", 404, ""},
		{"/static/.%2e/go.mod", 404, ""},
		// Dot segments are resolved before the catch-all matches, as
		// nginx does: to a redirect inside the root, a 404 outside it.
		{"/static/./ok.txt", 301, "/static/ok.txt"},
		{"/static/%2e/ok.txt", 301, "/static/ok.txt"},
		{"/static/sub/../ok.txt", 301, "/static/ok.txt"},
		{"/static/sub/./s.txt", 301, "/static/sub/s.txt"},
		{"/static/%2fetc/passwd", 404, ""},
		{"/static/ok.txt/", 404, ""},
		{"/static/ok.txt/..", 404, ""},
		{"/static/%", 400, ""},
		{"/../static/ok.txt", 301, "/static/ok.txt"},
		{"/x/../static/ok.txt", 301, "/static/ok.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			out := stTransports[0].do(t, app.Serve, stReq("GET", tt.target))
			res := stParse(t, out, false)
			if bytes.Contains(out, []byte("SECRET")) {
				t.Fatalf("the file outside the root was served:\n%s", out)
			}
			switch {
			case tt.status == 0 && (res.Status == 400 || res.Status == 404):
			case res.Status != tt.status && tt.status != 0:
				t.Fatalf("status %d, want %d\n%s", res.Status, tt.status, out)
			case tt.status == 0:
				t.Fatalf("status %d, want 400 or 404\n%s", res.Status, out)
			}
			if tt.to != "" && res.Get("Location") != tt.to {
				t.Errorf("Location %q, want %q", res.Get("Location"), tt.to)
			}
		})
	}

	t.Run("refusals are logged at debug", func(t *testing.T) {
		lg := &stLog{}
		srv := &framework.Server{Handler: app.Serve, Logger: slog.New(lg)}
		frameworktest.ServeBytes(srv, []byte(stReq("GET", "/static/%2e%2e/go.mod")))
		if !lg.has(slog.LevelDebug, "static: refused path") {
			t.Errorf("no debug record of the refused path")
		}
	})
}

func TestStaticDirectories(t *testing.T) {
	files := stFiles()
	off := stStaticApp(files, framework.StaticConfig{})
	on := stStaticApp(files, framework.StaticConfig{Index: true})
	tests := []struct {
		app    *framework.App
		index  bool
		target string
		status int
		body   string
		to     string
	}{
		{off, false, "/static/", 404, "", ""},
		{off, false, "/static/docs", 404, "", ""},
		{off, false, "/static/docs/", 404, "", ""},
		{off, false, "/static/docs/guide.txt", 200, "guide", ""},
		{on, true, "/static/", 200, "<h1>root</h1>", ""},
		{on, true, "/static/docs/", 200, "<h1>docs</h1>", ""},
		{on, true, "/static/docs", 301, "", "./docs/"},
		{on, true, "/static/docs?x=1", 301, "", "./docs/?x=1"},
		{on, true, "/static/a%20b", 301, "", "./a%20b/"},
		{on, true, "/static/nodex/", 404, "", ""},
		{on, true, "/static/trap/", 404, "", ""},
		{on, true, "/static/docs/index.html", 200, "<h1>docs</h1>", ""},
		{on, true, "/static/a%20b/%C3%BC.txt", 200, "spaced", ""},
		{on, true, "/static", 301, "", "/static/"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.index, tt.target), func(t *testing.T) {
			res := stGet(t, tt.app, "GET", tt.target)
			if res.Status != tt.status {
				t.Fatalf("status %d, want %d\n%s", res.Status, tt.status, res.Raw)
			}
			if tt.status == 200 && string(res.Body) != tt.body {
				t.Errorf("body %q, want %q", res.Body, tt.body)
			}
			if res.Get("Location") != tt.to {
				t.Errorf("Location %q, want %q", res.Get("Location"), tt.to)
			}
		})
	}
}

func TestCtxFileAndAttachment(t *testing.T) {
	files := stFiles()
	app := framework.New()
	app.GET("/file/*name", func(c *framework.Ctx) error {
		return c.File(files, strings.TrimPrefix(c.Param("name"), "/"))
	})
	app.GET("/typed", func(c *framework.Ctx) error {
		c.Header().Set("Content-Type", "text/markdown")
		c.Header().Set("Cache-Control", "private, max-age=60")
		return c.File(files, "hello.txt")
	})
	app.GET("/download", func(c *framework.Ctx) error {
		return c.Attachment(files, "hello.txt", c.Query("as"))
	})
	app.GET("/download-missing", func(c *framework.Ctx) error {
		return c.Attachment(files, "nope.txt", "x.txt")
	})

	t.Run("File", func(t *testing.T) {
		res := stGet(t, app, "GET", "/file/css/app.css")
		if res.Status != 200 || string(res.Body) != "body{}" || res.Get("Content-Type") != "text/css; charset=utf-8" {
			t.Errorf("got %d %q %q", res.Status, res.Body, res.Get("Content-Type"))
		}
		for _, target := range []string{"/file/../x", "/file/docs", "/file/nope"} {
			if res := stGet(t, app, "GET", target); res.Status != 404 {
				t.Errorf("%s: status %d, want 404", target, res.Status)
			}
		}
	})
	t.Run("File keeps the handler's Content-Type and Cache-Control", func(t *testing.T) {
		res := stGet(t, app, "GET", "/typed")
		if res.Get("Content-Type") != "text/markdown" || res.Get("Cache-Control") != "private, max-age=60" {
			t.Errorf("Content-Type %q, Cache-Control %q", res.Get("Content-Type"), res.Get("Cache-Control"))
		}
	})

	tests := []struct {
		as       string
		want     string
		filename string // as decoded by mime.ParseMediaType, which reads filename*
	}{
		{"", `attachment; filename="hello.txt"; filename*=UTF-8''hello.txt`, "hello.txt"},
		{"report 2025.txt", `attachment; filename="report 2025.txt"; filename*=UTF-8''report%202025.txt`, "report 2025.txt"},
		{`résumé "final".pdf`, `attachment; filename="r_sum_ _final_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf`, `résumé "final".pdf`},
		{"a\\b;c=d'e.txt", `attachment; filename="a_b;c=d'e.txt"; filename*=UTF-8''a%5Cb%3Bc%3Dd%27e.txt`, "a\\b;c=d'e.txt"},
		{"日本.txt", `attachment; filename="__.txt"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt`, "日本.txt"},
		{"line\r\nX-Evil: 1", `attachment; filename="line__X-Evil: 1"; filename*=UTF-8''line%0D%0AX-Evil%3A%201`, "line\r\nX-Evil: 1"},
	}
	for _, tt := range tests {
		t.Run("Attachment "+tt.as, func(t *testing.T) {
			res := stGet(t, app, "GET", "/download?as="+urlQueryEscape(tt.as))
			got := res.Get("Content-Disposition")
			if res.Status != 200 || got != tt.want {
				t.Fatalf("status %d, Content-Disposition\n %s\nwant\n %s", res.Status, got, tt.want)
			}
			if res.Header.Has("X-Evil") {
				t.Fatalf("header injection:\n%s", res.Raw)
			}
			_, params, err := mime.ParseMediaType(got)
			if err != nil || params["filename"] != tt.filename {
				t.Errorf("ParseMediaType: %v, filename %q, want %q", err, params["filename"], tt.filename)
			}
		})
	}
	t.Run("Attachment of a missing file", func(t *testing.T) {
		res := stGet(t, app, "GET", "/download-missing")
		if res.Status != 404 || res.Header.Has("Content-Disposition") {
			t.Errorf("status %d, Content-Disposition %q", res.Status, res.Get("Content-Disposition"))
		}
	})
}

func urlQueryEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

// TestStaticNetHTTPClient checks the file server against a real client:
// net/http's own conditional and range handling must agree with ours.
func TestStaticNetHTTPClient(t *testing.T) {
	app := framework.New()
	app.Static("/assets/", stFiles(), framework.StaticConfig{MaxAge: time.Minute})
	g := app.Group("/v1")
	g.Static("/files", stFiles(), framework.StaticConfig{})
	s := stStart(t, app.Serve)
	cl := stClient(t)

	get := func(path string, hdr ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", s.URL(path), nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := get("/assets/hello.txt")
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != stHello || res.ContentLength != 14 || res.Header.Get("Cache-Control") != "public, max-age=60" {
		t.Fatalf("got %d %q len %d %q", res.StatusCode, body, res.ContentLength, res.Header.Get("Cache-Control"))
	}
	etag := res.Header.Get("ETag")

	res = get("/assets/hello.txt", "If-None-Match", etag)
	res.Body.Close()
	if res.StatusCode != 304 {
		t.Errorf("If-None-Match: %d", res.StatusCode)
	}
	res = get("/assets/hello.txt", "Range", "bytes=-3")
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 206 || string(body) != "d!\n" {
		t.Errorf("Range: %d %q", res.StatusCode, body)
	}
	res = get("/v1/files/css/app.css")
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != "body{}" {
		t.Errorf("group static: %d %q", res.StatusCode, body)
	}
	req, _ := http.NewRequest("HEAD", s.URL("/assets/hello.txt"), nil)
	res, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.ContentLength != 14 {
		t.Errorf("HEAD: %d, length %d", res.StatusCode, res.ContentLength)
	}
}

func TestStaticEmptyFile(t *testing.T) {
	app := stStaticApp(stFiles(), framework.StaticConfig{})
	res := stGet(t, app, "GET", "/static/empty.txt")
	if res.Status != 200 || len(res.Body) != 0 || res.Get("Content-Length") != "0" {
		t.Errorf("got %d %q Content-Length %q", res.Status, res.Body, res.Get("Content-Length"))
	}
	if res := stGet(t, app, "GET", "/static/empty.txt", "Range: bytes=0-"); res.Status != 416 {
		t.Errorf("range of an empty file: %d, want 416", res.Status)
	}
}

func ExampleApp_Static() {
	files := fstest.MapFS{
		"css/app.css": {Data: []byte("body{margin:0}")},
	}
	app := framework.New()
	app.Static("/static", files, framework.StaticConfig{MaxAge: time.Hour})

	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/static/css/app.css"))
	fmt.Println(res.Status, res.Get("Content-Type"))
	fmt.Println(res.Get("Cache-Control"))
	fmt.Println(string(res.Body))

	res = frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/static/../secret"))
	fmt.Println(res.Status)
	// Output:
	// 200 text/css; charset=utf-8
	// public, max-age=3600
	// body{margin:0}
	// 404
}
