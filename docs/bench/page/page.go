// Package page holds the HTML page every benchmark server sends on /page:
// a heading and a 10-row table whose text needs HTML escaping. It is
// written twice, once with html/template and once with templ, and the two
// produce the same bytes (page_test.go checks it), so that the servers are
// compared on equal output.
package page

import (
	"bytes"
	"html/template"
	"io"
	"sync"
)

// Row is one line of the table.
type Row struct {
	ID      int
	Author  string
	Year    int
	Message string
}

// Data is what the page shows.
type Data struct {
	Title string
	Rows  []Row
}

// Sample is the page data every server renders. Each row holds at least
// one of the characters HTML escapes (< > & ' "), so the escaping code runs
// on every request; none holds '+', which html/template escapes and templ
// does not.
var Sample = Data{
	Title: "Fortunes & <friends>",
	Rows: []Row{
		{1, "Ada", 1843, `A <b>bold</b> claim: 2 < 3 & 3 > 2.`},
		{2, "Brian & Dennis", 1978, `"Hello, world" was printed first in C.`},
		{3, "Grace", 1988, `It's easier to ask forgiveness than permission.`},
		{4, "Ken", 1985, `When in doubt, use brute force & patience.`},
		{5, "Rob", 2012, `Clear is better than clever; <script>alert(1)</script>`},
		{6, "Edsger", 1975, `Simplicity is prerequisite for "reliability".`},
		{7, "Barbara", 1974, `Abstraction <em>is</em> the key to managing complexity.`},
		{8, "Donald", 1974, `Premature optimisation is the root of all evil (or most of it).`},
		{9, "Margaret", 1969, `There's no such thing as a small change & no such "bug".`},
		{10, "Linus", 2000, `Talk is cheap. Show me the code -> now.`},
	},
}

// stdSource is the html/template version. It is one line because templ
// drops the whitespace between most elements and the outputs must match;
// the one space before <tbody> is the one templ keeps.
const stdSource = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Title}}</title>` +
	`<style>table{border-collapse:collapse}td,th{padding:2px 8px;border:1px solid #ccc}</style></head>` +
	`<body><h1>{{.Title}}</h1><table><thead><tr><th>#</th><th>Author</th><th>Year</th><th>Message</th></tr></thead> <tbody>` +
	`{{range .Rows}}<tr class="row"><td>{{.ID}}</td><td title="{{.Author}}">{{.Author}}</td><td>{{.Year}}</td><td>{{.Message}}</td></tr>{{end}}` +
	`</tbody></table><footer><p>Quotes collected for the benchmark; authors &amp; years are approximate.</p></footer></body></html>`

// Std is the page as an html/template template, parsed once.
var Std = template.Must(template.New("page").Parse(stdSource))

// bufPool holds render buffers, so that a server can send the page with a
// Content-Length as groundup and templ's own handler do, without
// allocating a buffer per request.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// GetBuffer returns an empty pooled buffer.
func GetBuffer() *bytes.Buffer {
	b := bufPool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

// PutBuffer returns b to the pool.
func PutBuffer(b *bytes.Buffer) { bufPool.Put(b) }

// RenderStd writes the page with html/template.
func RenderStd(w io.Writer, d Data) error { return Std.Execute(w, d) }
