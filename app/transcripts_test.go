package main

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/docs"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

var update = flag.Bool("update", false, "rewrite the docs' app-* output blocks from what the app answers now")

// appOutputs produce the docs' output blocks named app-*: what the
// example app answers to the commands the docs show (see
// docs/transcript.go). Each request runs in memory, through the app's
// real routes and middleware.
var appOutputs = map[string]func(t *testing.T, c *frameworktest.Client) string{
	"app-http10-head": func(t *testing.T, c *frameworktest.Client) string {
		out := frameworktest.ServeBytes(c.Server, []byte("GET / HTTP/1.0\r\n\r\n"))
		head, _, _ := strings.Cut(string(out), "\r\n\r\n")
		return stable(head + "\r\n\r\n")
	},
	"app-api-json-errors": func(t *testing.T, c *frameworktest.Client) string {
		var b strings.Builder
		signUp(t, c, "Bo", "bo@example.com")
		token := newToken(t, c, "docs")
		c.ClearCookies() // curl sends no cookie
		for _, tc := range []struct{ cmd, ct, body string }{
			{`curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"name":"Bo","mesage":"x"}'`, "application/json", `{"name":"Bo","mesage":"x"}`},
			{`curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"name": 5}'`, "application/json", `{"name": 5}`},
			{`curl -s -X POST -H "Authorization: Bearer $TOKEN" -d 'name=Bo'`, "application/x-www-form-urlencoded", `name=Bo`},
		} {
			res := c.Do(frameworktest.NewRequest("POST", "/api/entries").Set("Accept", "*/*").
				Set("Authorization", "Bearer "+token).WithBody(tc.ct, []byte(tc.body)))
			b.WriteString("$ " + tc.cmd + " http://127.0.0.1:8000/api/entries\n")
			b.WriteString(strings.TrimSuffix(string(res.Body), "\n") + "\n")
		}
		return b.String()
	},
	"app-range": func(t *testing.T, c *frameworktest.Client) string {
		res := c.Do(frameworktest.NewRequest("GET", "/static/css/app.css").Set("Range", "bytes=0-9"))
		return "$ curl -si -H 'Range: bytes=0-9' http://127.0.0.1:8000/static/css/app.css\n" + stable(string(res.Raw))
	},
}

var (
	dateRE  = regexp.MustCompile(`Date: [^\r\n]+`)
	reqIDRE = regexp.MustCompile(`X-Request-ID: [0-9a-f]+`)
)

// stable turns response bytes into the lines a terminal shows, with the
// Date and the request id fixed, so that a block does not change on every
// run.
func stable(raw string) string {
	raw = dateRE.ReplaceAllString(raw, "Date: Mon, 30 Nov 2026 12:00:00 GMT")
	raw = reqIDRE.ReplaceAllString(raw, "X-Request-ID: 5e2c0b1d9a7f4e3c8b6a2d1f0e9c8b7a")
	return strings.TrimRight(strings.ReplaceAll(raw, "\r\n", "\n"), "\n") + "\n"
}

func TestDocsOutputBlocks(t *testing.T) {
	files, _ := filepath.Glob("../docs/*.md")
	files = append(files, "../README.md")
	used := map[string]bool{}
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		md := string(b)
		blocks, err := docs.OutputBlocks(md)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, blk := range blocks {
			if !strings.HasPrefix(blk.Name, "app-") {
				continue
			}
			gen, ok := appOutputs[blk.Name]
			if !ok {
				t.Errorf("%s:%d: no test produces output %q", path, blk.Line, blk.Name)
				continue
			}
			used[blk.Name] = true
			want := gen(t, newTestClient(t, testKey))
			if blk.Text == want {
				continue
			}
			if *update {
				md = docs.ReplaceOutput(md, blk.Name, want)
				continue
			}
			t.Errorf("%s:%d: output %q is stale (go test ./app/ -run TestDocsOutputBlocks -update rewrites it); the app answers:\n%s", path, blk.Line, blk.Name, want)
		}
		if *update && md != string(b) {
			if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name := range appOutputs {
		if !used[name] {
			t.Errorf("output %q is marked in no document", name)
		}
	}
}
