package docs

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestRewriteLink(t *testing.T) {
	tests := []struct{ in, want string }{
		{"02-http-by-hand.md", "/docs/02-http-by-hand"},
		{"04-connection.md#timeouts", "/docs/04-connection#timeouts"},
		{"./api.md", "/docs/api"},
		{"README.md", "/docs"},
		{"README.md#the-pipeline", "/docs#the-pipeline"},
		{"../docs/03-parser.md", "/docs/03-parser"},
		{"../framework/conn.go", SourceURL + "/blob/main/framework/conn.go"},
		{"../framework/http1/", SourceURL + "/tree/main/framework/http1"},
		{"ch01/main.go", SourceURL + "/blob/main/docs/ch01/main.go"},
		{"ch01/", SourceURL + "/tree/main/docs/ch01"},
		{"../README.md", SourceURL + "/blob/main/README.md"},
		{"ch01/notes.md", SourceURL + "/blob/main/docs/ch01/notes.md"},
		{"#anchor", "#anchor"},
		{"https://pkg.go.dev/net", "https://pkg.go.dev/net"},
		{"mailto:a@b.c", "mailto:a@b.c"},
		{"/docs/01-sockets", "/docs/01-sockets"},
		{"../../outside.md", "../../outside.md"},
	}
	for _, tc := range tests {
		if got := RewriteLink(tc.in); got != tc.want {
			t.Errorf("RewriteLink(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"What TCP gives you", "what-tcp-gives-you"},
		{"1. Sockets", "1-sockets"},
		{"Keep-alive & pipelining", "keep-alive--pipelining"},
		{"`Ctx.Param` and *friends*", "ctxparam-and-friends"},
		{"The [parser](03-parser.md) rules", "the-parser-rules"},
		{"snake_case stays", "snake_case-stays"},
		{"Ünïcödé headings", "ünïcödé-headings"},
		{"RFC 9112 §6.1", "rfc-9112-61"},
		{"_method: PUT and DELETE from a form", "_method-put-and-delete-from-a-form"},
	}
	for _, tc := range tests {
		if got := Slugify(tc.in); got != tc.want {
			t.Errorf("Slugify(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func testSite() *Site {
	return NewSite(fstest.MapFS{
		"README.md":          {Data: []byte("# groundup docs\n\nStart with [sockets](01-sockets.md).\n")},
		"02-http-by-hand.md": {Data: []byte("# 2. HTTP by hand\n\nBack to [1](01-sockets.md#what-tcp-gives-you).\n")},
		"01-sockets.md": {Data: []byte("# 1. Sockets\n\n## What TCP gives you\n\n## Try it\n\n## Try it\n\n### `_method`: PUT, _not_ GET\n\n## See [the parser](03-parser.md)\n\n" +
			"See [the server](../framework/server.go) and [next](02-http-by-hand.md).\n\n" +
			"<script>alert(1)</script>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")},
		"api.md":    {Data: []byte("# API reference\n")},
		"notes.txt": {Data: []byte("not a page")},
	}, true)
}

func TestSiteRender(t *testing.T) {
	d := testSite()
	p, err := d.Page("01-sockets")
	if err != nil {
		t.Fatal(err)
	}
	if p.Title != "1. Sockets" {
		t.Errorf("title %q", p.Title)
	}
	for _, want := range []string{
		`<h1 id="1-sockets">1. Sockets</h1>`,
		`<h2 id="what-tcp-gives-you">`,
		`<h2 id="try-it">`, `<h2 id="try-it-1">`,
		`<h3 id="_method-put-not-get">`, `<h2 id="see-the-parser">`,
		`href="` + SourceURL + `/blob/main/framework/server.go"`,
		`href="/docs/02-http-by-hand"`,
		`<table>`,
	} {
		if !strings.Contains(p.HTML, want) {
			t.Errorf("rendered page lacks %s\n%s", want, p.HTML)
		}
	}
	if strings.Contains(p.HTML, "<script>") {
		t.Errorf("raw HTML passed through:\n%s", p.HTML)
	}
	nav, err := d.Nav()
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, l := range nav {
		titles = append(titles, l.Slug+"="+l.Title)
	}
	if got := strings.Join(titles, ", "); got != "=Overview, 01-sockets=1. Sockets, 02-http-by-hand=2. HTTP by hand, api=API reference" {
		t.Errorf("nav: %s", got)
	}
	if _, err := d.Page("missing"); err == nil {
		t.Error("a missing page rendered")
	}
}

func TestValidSlug(t *testing.T) {
	for _, s := range []string{"01-sockets", "api", "http_support"} {
		if !ValidSlug(s) {
			t.Errorf("ValidSlug(%q) = false", s)
		}
	}
	for _, s := range []string{"", "..", "a/b", "a.md", "a%2fb", "a b", strings.Repeat("a", 101)} {
		if ValidSlug(s) {
			t.Errorf("ValidSlug(%q) = true", s)
		}
	}
}
