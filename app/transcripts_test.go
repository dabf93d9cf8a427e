package main

import (
	"flag"
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
	produce := map[string]func() string{}
	for name, gen := range appOutputs {
		produce[name] = func() string { return gen(t, newTestClient(t, testKey)) }
	}
	docs.CheckOutputs(t, files, func(name string) bool { return strings.HasPrefix(name, "app-") },
		produce, *update, "go test ./app/ -run TestDocsOutputBlocks -update")
}
