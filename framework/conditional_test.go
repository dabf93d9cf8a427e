package framework_test

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// TestStaticConditionalAndRange is the table of validators, preconditions
// and ranges, run over both kinds of file system and both transports.
func TestStaticConditionalAndRange(t *testing.T) {
	lastMod := stMod.Format(framework.TimeFormat)
	before := stMod.Add(-time.Hour).Format(framework.TimeFormat)
	after := stMod.Add(time.Hour).Format(framework.TimeFormat)
	const etagVar = "$ETAG" // replaced by the file's ETag

	tests := []conditionalCase{
		{"plain GET", "GET", nil, conditionalWant{200, stHello, ""}, false},
		{"HEAD", "HEAD", nil, conditionalWant{200, "", ""}, false},
		{"If-None-Match equal", "GET", []string{"If-None-Match: " + etagVar}, conditionalWant{304, "", ""}, false},
		{"If-None-Match weak form matches", "GET", []string{"If-None-Match: W/" + etagVar}, conditionalWant{304, "", ""}, false},
		{"If-None-Match in a list", "GET", []string{`If-None-Match: "x", "y,z", ` + etagVar}, conditionalWant{304, "", ""}, false},
		{"If-None-Match on a second line", "GET", []string{`If-None-Match: "x"`, "If-None-Match: " + etagVar}, conditionalWant{304, "", ""}, false},
		{"If-None-Match star", "GET", []string{"If-None-Match: *"}, conditionalWant{304, "", ""}, false},
		{"If-None-Match other", "GET", []string{`If-None-Match: "other"`}, conditionalWant{200, stHello, ""}, false},
		{"If-None-Match HEAD", "HEAD", []string{"If-None-Match: " + etagVar}, conditionalWant{304, "", ""}, false},
		{"If-Modified-Since equal", "GET", []string{"If-Modified-Since: " + lastMod}, conditionalWant{304, "", ""}, true},
		{"If-Modified-Since later", "GET", []string{"If-Modified-Since: " + after}, conditionalWant{304, "", ""}, true},
		{"If-Modified-Since earlier", "GET", []string{"If-Modified-Since: " + before}, conditionalWant{200, stHello, ""}, false},
		{"If-Modified-Since garbage", "GET", []string{"If-Modified-Since: yesterday"}, conditionalWant{200, stHello, ""}, false},
		{"If-Modified-Since RFC 850 date", "GET", []string{"If-Modified-Since: " + stMod.Format("Monday, 02-Jan-06 15:04:05 GMT")}, conditionalWant{304, "", ""}, true},
		{"If-Modified-Since asctime date", "GET", []string{"If-Modified-Since: " + stMod.Format("Mon Jan _2 15:04:05 2006")}, conditionalWant{304, "", ""}, true},
		{"If-Modified-Since ignored beside If-None-Match", "GET", []string{`If-None-Match: "other"`, "If-Modified-Since: " + lastMod}, conditionalWant{200, stHello, ""}, false},
		{"If-Match equal", "GET", []string{"If-Match: " + etagVar}, conditionalWant{200, stHello, ""}, false},
		{"If-Match star", "GET", []string{"If-Match: *"}, conditionalWant{200, stHello, ""}, false},
		{"If-Match other", "GET", []string{`If-Match: "other"`}, conditionalWant{412, "", ""}, false},
		{"If-Match weak never matches", "GET", []string{"If-Match: W/" + etagVar}, conditionalWant{412, "", ""}, false},
		{"If-Unmodified-Since earlier", "GET", []string{"If-Unmodified-Since: " + before}, conditionalWant{412, "", ""}, true},
		{"If-Unmodified-Since equal", "GET", []string{"If-Unmodified-Since: " + lastMod}, conditionalWant{200, stHello, ""}, false},
		{"If-Unmodified-Since ignored beside If-Match", "GET", []string{"If-Match: " + etagVar, "If-Unmodified-Since: " + before}, conditionalWant{200, stHello, ""}, false},
		{"If-Match before If-None-Match", "GET", []string{`If-Match: "other"`, "If-None-Match: " + etagVar}, conditionalWant{412, "", ""}, false},

		{"Range a-b", "GET", []string{"Range: bytes=0-4"}, conditionalWant{206, "Hello", "bytes 0-4/14"}, false},
		{"Range a-", "GET", []string{"Range: bytes=7-"}, conditionalWant{206, "world!\n", "bytes 7-13/14"}, false},
		{"Range -n", "GET", []string{"Range: bytes=-6"}, conditionalWant{206, "orld!\n", "bytes 8-13/14"}, false},
		{"Range -n past the start", "GET", []string{"Range: bytes=-100"}, conditionalWant{206, stHello, "bytes 0-13/14"}, false},
		{"Range end clamped", "GET", []string{"Range: bytes=12-999"}, conditionalWant{206, "!\n", "bytes 12-13/14"}, false},
		{"Range last byte", "GET", []string{"Range: bytes=13-13"}, conditionalWant{206, "\n", "bytes 13-13/14"}, false},
		{"Range spaces and case", "GET", []string{"Range: Bytes = 1-2"}, conditionalWant{206, "el", "bytes 1-2/14"}, false},
		{"Range reversed is ignored", "GET", []string{"Range: bytes=5-2"}, conditionalWant{200, stHello, ""}, false},
		{"Range garbage is ignored", "GET", []string{"Range: bytes=abc"}, conditionalWant{200, stHello, ""}, false},
		{"Range sign is ignored", "GET", []string{"Range: bytes=+1-2"}, conditionalWant{200, stHello, ""}, false},
		{"Range end of 19 digits clamped", "GET", []string{"Range: bytes=12-9223372036854775807"}, conditionalWant{206, "!\n", "bytes 12-13/14"}, false},
		{"Range past int64 is ignored", "GET", []string{"Range: bytes=0-9223372036854775808"}, conditionalWant{200, stHello, ""}, false},
		{"Range other unit is ignored", "GET", []string{"Range: items=0-1"}, conditionalWant{200, stHello, ""}, false},
		{"Range start past the end", "GET", []string{"Range: bytes=14-"}, conditionalWant{416, "", "bytes */14"}, false},
		{"Range suffix zero", "GET", []string{"Range: bytes=-0"}, conditionalWant{416, "", "bytes */14"}, false},
		{"Range several is the whole file", "GET", []string{"Range: bytes=0-1,3-4"}, conditionalWant{200, stHello, ""}, false},
		{"Range on HEAD is ignored", "HEAD", []string{"Range: bytes=0-4"}, conditionalWant{200, "", ""}, false},
		{"If-Range ETag equal", "GET", []string{"Range: bytes=0-4", "If-Range: " + etagVar}, conditionalWant{206, "Hello", "bytes 0-4/14"}, false},
		{"If-Range ETag other", "GET", []string{"Range: bytes=0-4", `If-Range: "other"`}, conditionalWant{200, stHello, ""}, false},
		{"If-Range weak ETag", "GET", []string{"Range: bytes=0-4", "If-Range: W/" + etagVar}, conditionalWant{200, stHello, ""}, false},
		{"If-Range date equal", "GET", []string{"Range: bytes=0-4", "If-Range: " + lastMod}, conditionalWant{206, "Hello", "bytes 0-4/14"}, true},
		{"If-Range date other", "GET", []string{"Range: bytes=0-4", "If-Range: " + before}, conditionalWant{200, stHello, ""}, false},
		{"304 wins over Range", "GET", []string{"Range: bytes=0-4", "If-None-Match: " + etagVar}, conditionalWant{304, "", ""}, false},
	}

	systems := []struct {
		name   string
		fsys   fs.FS
		hasMod bool
	}{
		{"MapFS", stFiles(), true},
		{"embed-like", newEmbedLike(), false},
	}
	for _, sys := range systems {
		app := stStaticApp(sys.fsys, framework.StaticConfig{})
		etag := stGet(t, app, "GET", "/static/hello.txt").Get("ETag")
		if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 4 {
			t.Fatalf("%s: ETag %q is not a strong entity-tag", sys.name, etag)
		}
		for _, tr := range stTransports {
			for _, tt := range tests {
				if tt.needMod && !sys.hasMod {
					continue
				}
				t.Run(sys.name+"/"+tr.name+"/"+tt.name, func(t *testing.T) {
					fields := make([]string, len(tt.fields))
					for i, f := range tt.fields {
						fields[i] = strings.ReplaceAll(f, etagVar, etag)
					}
					out := tr.do(t, app.Serve, stReq(tt.method, "/static/hello.txt", fields...))
					checkConditional(t, tt, out, etag, lastMod, sys.hasMod)
				})
			}
		}
	}
}

// conditionalCase is one row of TestStaticConditionalAndRange.
type conditionalCase struct {
	name    string
	method  string
	fields  []string
	want    conditionalWant
	needMod bool // only meaningful when the file system has mod times
}

type conditionalWant struct {
	status       int
	body         string
	contentRange string
}

// checkConditional checks one response of TestStaticConditionalAndRange.
func checkConditional(t *testing.T, tt conditionalCase, out []byte, etag, lastMod string, hasMod bool) {
	t.Helper()
	res := stParse(t, out, tt.method == "HEAD")
	if res.Status != tt.want.status {
		t.Fatalf("status %d, want %d\n%s", res.Status, tt.want.status, out)
	}
	if string(res.Body) != tt.want.body && tt.want.status != 412 && tt.want.status != 416 {
		t.Errorf("body %q, want %q", res.Body, tt.want.body)
	}
	if got := res.Get("Content-Range"); got != tt.want.contentRange {
		t.Errorf("Content-Range %q, want %q", got, tt.want.contentRange)
	}
	switch tt.want.status {
	case 200, 206:
		wantLen := len(tt.want.body)
		if tt.method == "HEAD" {
			wantLen = len(stHello)
		}
		if got := res.Get("Content-Length"); got != fmt.Sprint(wantLen) {
			t.Errorf("Content-Length %q, want %d", got, wantLen)
		}
		if res.Get("ETag") != etag || res.Get("Accept-Ranges") != "bytes" {
			t.Errorf("ETag %q, Accept-Ranges %q", res.Get("ETag"), res.Get("Accept-Ranges"))
		}
		if tt.method == "HEAD" && !bytes.HasSuffix(out, []byte("\r\n\r\n")) {
			t.Errorf("HEAD response carries a body:\n%q", out)
		}
	case 304:
		check304(t, res, out, etag, lastMod, hasMod)
	case 412, 416:
		if res.Header.Has("ETag") || res.Header.Has("Last-Modified") {
			t.Errorf("error response claims the file's validators:\n%s", out)
		}
	}
}

// check304 checks a 304 of TestStaticConditionalAndRange. RFC 9110
// §15.4.5: the validators and caching fields again, and nothing of the
// body.
func check304(t *testing.T, res *frameworktest.Response, out []byte, etag, lastMod string, hasMod bool) {
	t.Helper()
	if res.Get("ETag") != etag || res.Get("Cache-Control") != "no-cache" {
		t.Errorf("304 lost ETag or Cache-Control:\n%s", out)
	}
	if hasMod && res.Get("Last-Modified") != lastMod {
		t.Errorf("304 Last-Modified %q, want %q", res.Get("Last-Modified"), lastMod)
	}
	if !bytes.HasSuffix(out, []byte("\r\n\r\n")) || res.Header.Has("Content-Type") {
		t.Errorf("304 carries a body or Content-Type:\n%q", out)
	}
}

func TestStaticValidators(t *testing.T) {
	t.Run("Last-Modified and a stable ETag", func(t *testing.T) {
		app := stStaticApp(stFiles(), framework.StaticConfig{})
		a := stGet(t, app, "GET", "/static/hello.txt")
		b := stGet(t, stStaticApp(stFiles(), framework.StaticConfig{}), "GET", "/static/hello.txt")
		if a.Get("Last-Modified") != "Fri, 14 Mar 2025 15:09:26 GMT" {
			t.Errorf("Last-Modified %q", a.Get("Last-Modified"))
		}
		if a.Get("ETag") == "" || a.Get("ETag") != b.Get("ETag") {
			t.Errorf("ETag not stable: %q then %q", a.Get("ETag"), b.Get("ETag"))
		}
		if other := stGet(t, app, "GET", "/static/css/app.css").Get("ETag"); other == a.Get("ETag") {
			t.Errorf("two files share ETag %q", other)
		}
		changed := stFiles()
		changed["hello.txt"].ModTime = stMod.Add(time.Second)
		if c := stGet(t, stStaticApp(changed, framework.StaticConfig{}), "GET", "/static/hello.txt"); c.Get("ETag") == a.Get("ETag") {
			t.Errorf("ETag %q did not change with the modification time", c.Get("ETag"))
		}
	})
	t.Run("content hash, computed once, without modification times", func(t *testing.T) {
		fsys := newEmbedLike()
		app := stStaticApp(fsys, framework.StaticConfig{})
		a := stGet(t, app, "GET", "/static/hello.txt")
		first := fsys.opens.Load()
		b := stGet(t, app, "GET", "/static/hello.txt")
		if a.Header.Has("Last-Modified") {
			t.Errorf("Last-Modified %q without a modification time", a.Get("Last-Modified"))
		}
		if a.Get("ETag") != b.Get("ETag") {
			t.Errorf("ETag not stable: %q then %q", a.Get("ETag"), b.Get("ETag"))
		}
		if again := fsys.opens.Load() - first; again != 1 {
			t.Errorf("second request opened the file %d times, want 1 (hash cached)", again)
		}
		// The hash follows the content: another file system with the
		// same bytes (a map, so never cached) gives the same tag.
		same := stGet(t, stStaticApp(newEmbedLike().m, framework.StaticConfig{}), "GET", "/static/hello.txt")
		if same.Get("ETag") != a.Get("ETag") {
			t.Errorf("same content, ETag %q vs %q", same.Get("ETag"), a.Get("ETag"))
		}
		if other := stGet(t, app, "GET", "/static/page.html"); other.Get("ETag") == a.Get("ETag") {
			t.Errorf("different content, same ETag %q", other.Get("ETag"))
		}
	})
	t.Run("embed.FS", func(t *testing.T) {
		want, err := os.ReadFile("st_helpers_test.go")
		if err != nil {
			t.Fatal(err)
		}
		app := stStaticApp(stEmbedded, framework.StaticConfig{MaxAge: 24 * time.Hour, Immutable: true})
		a := stGet(t, app, "GET", "/static/st_helpers_test.go")
		b := stGet(t, app, "GET", "/static/st_helpers_test.go")
		if a.Status != 200 || !bytes.Equal(a.Body, want) {
			t.Fatalf("status %d, body of %d bytes, want the file's %d", a.Status, len(a.Body), len(want))
		}
		if a.Get("ETag") == "" || a.Get("ETag") != b.Get("ETag") || a.Header.Has("Last-Modified") {
			t.Errorf("ETag %q then %q, Last-Modified %q", a.Get("ETag"), b.Get("ETag"), a.Get("Last-Modified"))
		}
		if a.Get("Cache-Control") != "public, max-age=86400, immutable" {
			t.Errorf("Cache-Control %q", a.Get("Cache-Control"))
		}
		if r := stGet(t, app, "GET", "/static/st_helpers_test.go", "If-None-Match: "+a.Get("ETag")); r.Status != 304 {
			t.Errorf("revalidation: status %d, want 304", r.Status)
		}
	})
}

//go:embed st_helpers_test.go
var stEmbedded embed.FS
