package middleware_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
	"github.com/groundup-go/groundup/framework/middleware"
)

// gzipBody is compressible text above the default MinSize.
var gzipBody = strings.Repeat("groundup compresses text well. ", 100)

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("bad gzip: %v", err)
	}
	return string(out)
}

func gzipApp(mw framework.Middleware) *framework.App {
	app := framework.New()
	app.Use(mw)
	text := func(ct, body string) framework.Handler {
		return func(c *framework.Ctx) error { return c.Blob(200, ct, []byte(body)) }
	}
	app.GET("/text", text("text/html; charset=utf-8", gzipBody))
	app.GET("/small", text("text/plain", "tiny"))
	app.GET("/png", text("image/png", gzipBody))
	app.GET("/svg", text("image/svg+xml", gzipBody))
	app.GET("/woff2", text("font/woff2", gzipBody))
	app.GET("/zip", text("application/zip", gzipBody))
	app.GET("/video", text("video/mp4", gzipBody))
	app.GET("/untyped", func(c *framework.Ctx) error { _, err := c.WriteString(gzipBody); return err })
	app.GET("/encoded", func(c *framework.Ctx) error {
		c.Header().Set("Content-Encoding", "br")
		return c.Blob(200, "text/plain", []byte(gzipBody))
	})
	app.GET("/partial", func(c *framework.Ctx) error {
		c.Header().Set("Content-Range", "bytes 0-3099/5000")
		return c.Blob(206, "text/plain", []byte(gzipBody))
	})
	app.GET("/nocontent", func(c *framework.Ctx) error { return c.NoContent(204) })
	app.GET("/etag", func(c *framework.Ctx) error {
		c.Header().Set("ETag", `"v1"`)
		c.Header().Set("Accept-Ranges", "bytes")
		return c.Blob(200, "text/css", []byte(gzipBody))
	})
	app.GET("/weak", func(c *framework.Ctx) error {
		c.Header().Set("ETag", `W/"v1"`)
		return c.Blob(200, "text/css", []byte(gzipBody))
	})
	app.GET("/vary", func(c *framework.Ctx) error {
		c.Header().Set("Vary", "Cookie")
		return c.Blob(200, "text/plain", []byte(gzipBody))
	})
	app.GET("/stream", func(c *framework.Ctx) error {
		c.Header().Set("Content-Type", "text/plain")
		c.WriteString(gzipBody)
		if err := c.Flush(); err != nil {
			return err
		}
		_, err := c.WriteString(gzipBody)
		return err
	})
	app.GET("/random", func(c *framework.Ctx) error {
		// Incompressible bytes: gzip would make them larger.
		b := make([]byte, 4096)
		x := uint32(2463534242)
		for i := range b {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			b[i] = byte(x)
		}
		return c.Blob(200, "text/plain", b)
	})
	app.GET("/error", func(c *framework.Ctx) error { return framework.NewError(400, strings.Repeat("bad input ", 200)) })
	return app
}

func TestGzipNegotiation(t *testing.T) {
	app := gzipApp(middleware.Gzip(middleware.GzipConfig{}))
	tests := []struct {
		accept string
		want   bool
	}{
		{"gzip", true},
		{"GZIP", true},
		{"x-gzip", true},
		{"gzip, deflate, br", true},
		{"br;q=1.0, gzip;q=0.8, *;q=0.1", true},
		{"gzip;q=0.001", true},
		{"gzip; q=1", true},
		{"gzip;Q=0.5", true},
		{"*", true},
		{"identity, *;q=0.5", true},
		{"", false},
		{"identity", false},
		{"deflate, br", false},
		{"gzip;q=0", false},
		{"gzip;q=0.000", false},
		{"gzip;q=0, *", false},
		{"*;q=0", false},
		{"*, gzip;q=0", false},
		{"gzip;q=1.5", false},
		{"gzip;q=abc", false},
		{"gzip;q=0.0001", false},
		{"gzipper", false},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			req := frameworktest.NewRequest("GET", "/text")
			if tt.accept != "" {
				req.Set("Accept-Encoding", tt.accept)
			}
			res, _ := frameworktest.Do(app.Serve, req)
			got := res.Get("Content-Encoding") == "gzip"
			if got != tt.want {
				t.Fatalf("compressed = %v, want %v\n%s", got, tt.want, res.Raw)
			}
			if res.Get("Vary") != "Accept-Encoding" {
				t.Errorf("Vary = %q", res.Get("Vary"))
			}
			body := string(res.Body)
			if got {
				body = gunzip(t, res.Body)
				if len(res.Body) >= len(gzipBody) || res.Get("Content-Length") != fmt.Sprint(len(res.Body)) {
					t.Errorf("compressed %d bytes into %d, Content-Length %q", len(gzipBody), len(res.Body), res.Get("Content-Length"))
				}
			}
			if body != gzipBody {
				t.Errorf("body differs from what the handler wrote")
			}
		})
	}
}

func TestGzipMultipleAcceptEncodingFields(t *testing.T) {
	app := gzipApp(middleware.Gzip(middleware.GzipConfig{}))
	raw := "GET /text HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\nAccept-Encoding: gzip\r\n\r\n"
	rs, err := frameworktest.ParseResponses([]byte(frameworktest.Raw(app.Serve, raw)), false)
	if err != nil || rs[0].Get("Content-Encoding") != "gzip" {
		t.Errorf("gzip in a second Accept-Encoding field not seen: %v", err)
	}
}

func TestGzipWhatIsSkipped(t *testing.T) {
	app := gzipApp(middleware.Gzip(middleware.GzipConfig{}))
	tests := []struct {
		path     string
		method   string
		want     bool
		wantVary string
	}{
		{"/text", "GET", true, "Accept-Encoding"},
		{"/svg", "GET", true, "Accept-Encoding"},
		{"/small", "GET", false, "Accept-Encoding"},
		{"/png", "GET", false, "Accept-Encoding"},
		{"/woff2", "GET", false, "Accept-Encoding"},
		{"/zip", "GET", false, "Accept-Encoding"},
		{"/video", "GET", false, "Accept-Encoding"},
		{"/untyped", "GET", false, "Accept-Encoding"},
		{"/encoded", "GET", false, "Accept-Encoding"},
		{"/partial", "GET", false, "Accept-Encoding"},
		{"/nocontent", "GET", false, "Accept-Encoding"},
		{"/stream", "GET", false, "Accept-Encoding"},
		{"/random", "GET", false, "Accept-Encoding"},
		{"/error", "GET", false, "Accept-Encoding"},
		{"/vary", "GET", true, "Cookie, Accept-Encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest(tt.method, tt.path).Set("Accept-Encoding", "gzip"))
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if got := res.Get("Content-Encoding") == "gzip"; got != tt.want {
				t.Fatalf("compressed = %v, want %v\n%s", got, tt.want, res.Raw)
			}
			var vary []string
			for _, f := range res.Header.Fields() {
				if f.Name == "Vary" {
					vary = append(vary, f.Value)
				}
			}
			if strings.Join(vary, ", ") != tt.wantVary {
				t.Errorf("Vary = %q, want %q", vary, tt.wantVary)
			}
		})
	}
}

func TestGzipHeaders(t *testing.T) {
	app := gzipApp(middleware.Gzip(middleware.GzipConfig{}))
	res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/etag").Set("Accept-Encoding", "gzip"))
	if res.Get("ETag") != `W/"v1"` || res.Header.Has("Accept-Ranges") {
		t.Errorf("ETag %q, Accept-Ranges %q: want a weak ETag and no Accept-Ranges", res.Get("ETag"), res.Get("Accept-Ranges"))
	}
	res, _ = frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/weak").Set("Accept-Encoding", "gzip"))
	if res.Get("ETag") != `W/"v1"` {
		t.Errorf("weak ETag became %q", res.Get("ETag"))
	}
	res, _ = frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/etag"))
	if res.Get("ETag") != `"v1"` || res.Get("Accept-Ranges") != "bytes" {
		t.Errorf("identity response changed: ETag %q", res.Get("ETag"))
	}
}

func TestGzipHead(t *testing.T) {
	app := gzipApp(middleware.Gzip(middleware.GzipConfig{}))
	get, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/etag").Set("Accept-Encoding", "gzip"))
	head, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("HEAD", "/etag").Set("Accept-Encoding", "gzip"))
	if head.Status != 200 || head.Get("Content-Encoding") != "gzip" || head.Get("ETag") != get.Get("ETag") {
		t.Errorf("HEAD fields differ from GET's:\n%s", head.Raw)
	}
	if head.Header.Has("Content-Length") && head.Get("Content-Length") != get.Get("Content-Length") {
		t.Errorf("HEAD Content-Length %q, GET sent %q", head.Get("Content-Length"), get.Get("Content-Length"))
	}
	if !bytes.HasSuffix(head.Raw, []byte("\r\n\r\n")) {
		t.Errorf("HEAD response has a body:\n%q", head.Raw)
	}
	// A small HEAD body: identity, with the identity length.
	head, _ = frameworktest.Do(app.Serve, frameworktest.NewRequest("HEAD", "/small").Set("Accept-Encoding", "gzip"))
	if head.Header.Has("Content-Encoding") || head.Get("Content-Length") != "4" {
		t.Errorf("small HEAD:\n%s", head.Raw)
	}
}

func TestGzipWithConfig(t *testing.T) {
	app := gzipApp(middleware.Gzip(middleware.GzipConfig{Level: gzip.BestSpeed, MinSize: -1}))
	res, _ := frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/small").Set("Accept-Encoding", "gzip"))
	// "tiny" gets larger in gzip: still sent as is.
	if res.Header.Has("Content-Encoding") || string(res.Body) != "tiny" {
		t.Errorf("tiny body: %s", res.Raw)
	}
	app = gzipApp(middleware.Gzip(middleware.GzipConfig{MinSize: 10 << 10}))
	res, _ = frameworktest.Do(app.Serve, frameworktest.NewRequest("GET", "/text").Set("Accept-Encoding", "gzip"))
	if res.Header.Has("Content-Encoding") {
		t.Errorf("body under MinSize compressed")
	}
	defer func() {
		if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "Gzip") {
			t.Errorf("bad level: panic %v", v)
		}
	}()
	middleware.Gzip(middleware.GzipConfig{Level: 42})
}

func TestGzipWithNetHTTPClient(t *testing.T) {
	app := gzipApp(middleware.Gzip(middleware.GzipConfig{}))
	addr, _ := frameworktest.Listen(t, app.Serve)
	base, client := "http://"+addr, jarClient(t)
	for range 3 { // pooled writers and buffers are reused
		res, err := client.Get(base + "/text")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		// net/http asks for gzip itself and decodes it transparently.
		if !res.Uncompressed || string(body) != gzipBody {
			t.Errorf("Uncompressed=%v, body ok=%v", res.Uncompressed, string(body) == gzipBody)
		}
	}
	req, _ := http.NewRequest("GET", base+"/text", nil)
	req.Header.Set("Accept-Encoding", "identity")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Header.Get("Content-Encoding") != "" || string(body) != gzipBody {
		t.Errorf("identity request got %q", res.Header.Get("Content-Encoding"))
	}
}

// TestGzipCompressesStaticFiles: a static file that fits the response
// buffer is compressed like any other body.
func TestGzipCompressesStaticFiles(t *testing.T) {
	css := strings.Repeat("body { color: #222; }\n", 200)
	app := framework.New()
	app.Use(middleware.Gzip(middleware.GzipConfig{}))
	app.Static("/static", fstest.MapFS{"app.css": {Data: []byte(css)}}, framework.StaticConfig{})
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/static/app.css").Set("Accept-Encoding", "gzip"))
	if res.Status != 200 || res.Get("Content-Encoding") != "gzip" || len(res.Body) >= len(css) {
		t.Fatalf("status %d, encoding %q, %d bytes for %d", res.Status, res.Get("Content-Encoding"), len(res.Body), len(css))
	}
	zr, err := gzip.NewReader(bytes.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(zr); string(b) != css {
		t.Error("decompressed file differs")
	}
}

// jarClient is net/http's client, the oracle, with a cookie jar; it does
// not follow redirects, and its idle connections close when the test ends.
func jarClient(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{
		Jar:           jar,
		Timeout:       5 * time.Second,
		Transport:     &http.Transport{},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	t.Cleanup(client.CloseIdleConnections)
	return client
}
