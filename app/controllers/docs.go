package controllers

import (
	"bytes"
	"errors"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/views"
)

// SourceURL is where the repository's files are browsed on the code
// host. Docs links to source files (../framework/conn.go) lead there,
// since the app serves only the Markdown.
const SourceURL = "https://github.com/groundup-go/groundup"

// Docs serves the Markdown files of the docs directory as pages in the
// app's layout: README.md at /docs, NN-name.md at /docs/NN-name.
//
// Links between chapters are written for a code host (02-http-by-hand.md,
// 04-connection.md#timeouts) and rewritten here to the app's URLs, so one
// set of files reads well in both places. Heading ids follow the code
// host's rules, so "#anchor" links work in both as well.
type Docs struct {
	fsys  fs.FS
	md    goldmark.Markdown
	cache bool

	mu    sync.Mutex
	pages map[string]views.DocPage // rendered pages, by slug, when caching
	nav   []views.DocLink
}

// NewDocs returns the docs controller over fsys, which holds README.md
// and the chapters. With cache, each page is rendered once; without it
// (in dev mode) every request reads and renders the file again.
func NewDocs(fsys fs.FS, cache bool) *Docs {
	return &Docs{
		fsys:  fsys,
		cache: cache,
		pages: map[string]views.DocPage{},
		md: goldmark.New(
			goldmark.WithExtensions(extension.GFM),
			goldmark.WithParserOptions(
				parser.WithASTTransformers(util.Prioritized(docTransformer{}, 100)),
			),
			// Raw HTML in the Markdown is left out (goldmark's default):
			// the docs need none, and the page stays safe whatever a
			// chapter holds.
		),
	}
}

// Index renders README.md, the map of the docs.
func (d *Docs) Index(c *framework.Ctx) error {
	return d.serve(c, "")
}

// Show renders the chapter named by the :page parameter. "/docs/x.md"
// redirects to "/docs/x", so that links that kept their .md work too.
func (d *Docs) Show(c *framework.Ctx) error {
	slug := c.Param("page")
	if s, ok := strings.CutSuffix(slug, ".md"); ok {
		if s == "README" {
			s = ""
		}
		return c.Redirect(framework.StatusMovedPermanently, docURL(s))
	}
	if slug == "README" {
		return c.Redirect(framework.StatusMovedPermanently, docURL(""))
	}
	if !validSlug(slug) {
		return framework.NewError(framework.StatusNotFound, "no docs page "+strconv.Quote(slug))
	}
	return d.serve(c, slug)
}

func (d *Docs) serve(c *framework.Ctx, slug string) error {
	p, err := d.page(slug)
	if errors.Is(err, fs.ErrNotExist) {
		return &framework.HTTPError{Code: framework.StatusNotFound, Message: "no docs page " + strconv.Quote(slug), Err: err}
	}
	if err != nil {
		return err
	}
	return c.Render(framework.StatusOK, views.Docs(p))
}

// page returns the rendered page for slug, "" being the index.
func (d *Docs) page(slug string) (views.DocPage, error) {
	if d.cache {
		d.mu.Lock()
		p, ok := d.pages[slug]
		d.mu.Unlock()
		if ok {
			return p, nil
		}
	}
	nav, err := d.Nav()
	if err != nil {
		return views.DocPage{}, err
	}
	src, err := fs.ReadFile(d.fsys, fileOf(slug))
	if err != nil {
		return views.DocPage{}, err
	}
	html, title, err := d.Render(src)
	if err != nil {
		return views.DocPage{}, err
	}
	if title == "" {
		title = titleOf(slug)
	}
	p := views.DocPage{Slug: slug, Title: title, HTML: html, Nav: nav}
	if d.cache {
		d.mu.Lock()
		d.pages[slug] = p
		d.mu.Unlock()
	}
	return p, nil
}

// Nav lists the pages: the index first, then the numbered chapters in
// order, then the other pages (the API reference, HTTP support) by name.
// Each title is the page's first heading.
func (d *Docs) Nav() ([]views.DocLink, error) {
	if d.cache {
		d.mu.Lock()
		nav := d.nav
		d.mu.Unlock()
		if nav != nil {
			return nav, nil
		}
	}
	names, err := fs.Glob(d.fsys, "*.md")
	if err != nil {
		return nil, err
	}
	slices.SortFunc(names, func(a, b string) int {
		if ra, rb := navRank(a), navRank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	nav := make([]views.DocLink, 0, len(names))
	for _, name := range names {
		slug := strings.TrimSuffix(name, ".md")
		if slug == "README" {
			slug = ""
		}
		title := titleOf(slug)
		if src, err := fs.ReadFile(d.fsys, name); err == nil {
			if t := firstHeading(d.md, src); t != "" {
				title = t
			}
		}
		if slug == "" {
			title = "Overview"
		}
		nav = append(nav, views.DocLink{Slug: slug, Title: title})
	}
	if d.cache {
		d.mu.Lock()
		d.nav = nav
		d.mu.Unlock()
	}
	return nav, nil
}

// Render turns Markdown into HTML, with heading ids and rewritten links,
// and returns the text of its first level-1 heading.
func (d *Docs) Render(src []byte) (html, title string, err error) {
	doc := d.md.Parser().Parse(text.NewReader(src))
	var buf bytes.Buffer
	if err := d.md.Renderer().Render(&buf, src, doc); err != nil {
		return "", "", err
	}
	return buf.String(), headingText(doc, src), nil
}

func firstHeading(md goldmark.Markdown, src []byte) string {
	doc := md.Parser().Parse(text.NewReader(src))
	return headingText(doc, src)
}

// headingText returns the plain text of the first level-1 heading.
func headingText(doc ast.Node, src []byte) string {
	var title string
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering && h.Level == 1 {
			title = plainText(h, src)
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return title
}

// plainText collects the text of n's descendants, without markup.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	ast.Walk(n, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := n.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(src))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

func navRank(name string) int {
	switch {
	case name == "README.md":
		return 0
	case name[0] >= '0' && name[0] <= '9':
		return 1
	}
	return 2
}

func fileOf(slug string) string {
	if slug == "" {
		return "README.md"
	}
	return slug + ".md"
}

func docURL(slug string) string {
	if slug == "" {
		return "/docs"
	}
	return "/docs/" + slug
}

// titleOf makes a title from a file name: "http-support" → "Http support".
func titleOf(slug string) string {
	if slug == "" {
		return "Docs"
	}
	t := strings.ReplaceAll(slug, "-", " ")
	return strings.ToUpper(t[:1]) + t[1:]
}

// validSlug accepts the names docs files have: letters, digits, '-' and
// '_'. Anything else (dots, slashes, escapes) names no page.
func validSlug(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '-' || b == '_') {
			return false
		}
	}
	return true
}

// docTransformer adjusts the parsed docs for the app. It gives each
// heading the id a code host gives it, so that "#anchor" links written
// for the code host work here too. And it points relative links at the
// right place: another page of the docs becomes its /docs URL, and any
// other file of the repository its page on the code host.
type docTransformer struct{}

// Transform implements parser.ASTTransformer.
func (docTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	used := map[string]bool{}
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			n.SetAttributeString("id", []byte(uniqueID(used, Slugify(plainText(n, src)))))
		case *ast.Link:
			n.Destination = []byte(RewriteDocLink(string(n.Destination)))
		case *ast.Image:
			if dst := string(n.Destination); isRelative(dst) {
				if to, ok := repoPath(dst); ok {
					n.Destination = []byte(SourceURL + "/raw/main/" + to)
				}
			}
		}
		return ast.WalkContinue, nil
	})
}

// uniqueID returns base, or base-1, base-2 and so on when taken, as code
// hosts number repeated headings.
func uniqueID(used map[string]bool, base string) string {
	if base == "" {
		base = "section"
	}
	id := base
	for i := 1; used[id]; i++ {
		id = base + "-" + strconv.Itoa(i)
	}
	used[id] = true
	return id
}

// RewriteDocLink maps a link found in docs/*.md to where it leads in the
// app. Absolute URLs and in-page anchors stay as they are.
//
//	02-http-by-hand.md           → /docs/02-http-by-hand
//	04-connection.md#timeouts    → /docs/04-connection#timeouts
//	README.md                    → /docs
//	../framework/conn.go         → SourceURL/blob/main/framework/conn.go
//	ch01/                        → SourceURL/tree/main/docs/ch01
func RewriteDocLink(dst string) string {
	if !isRelative(dst) {
		return dst
	}
	p, frag, _ := strings.Cut(dst, "#")
	p, query, _ := strings.Cut(p, "?")
	if p == "" {
		return dst
	}
	to, ok := repoPath(p)
	if !ok {
		return dst // leaves the repository: nothing better to offer
	}
	suffix := ""
	if query != "" {
		suffix += "?" + query
	}
	if frag != "" {
		suffix += "#" + frag
	}
	if dir, file := path.Split(to); dir == "docs/" && strings.HasSuffix(file, ".md") {
		slug := strings.TrimSuffix(file, ".md")
		if slug == "README" {
			slug = ""
		}
		return docURL(slug) + suffix
	}
	kind := "blob"
	if strings.HasSuffix(p, "/") || !strings.Contains(path.Base(to), ".") {
		kind = "tree"
	}
	return SourceURL + "/" + kind + "/main/" + to + suffix
}

// isRelative reports whether dst is a relative reference with a path:
// no scheme, no host, not absolute, not only a fragment.
func isRelative(dst string) bool {
	if dst == "" || dst[0] == '#' || dst[0] == '/' {
		return false
	}
	u, err := url.Parse(dst)
	return err == nil && u.Scheme == "" && u.Host == ""
}

// repoPath resolves a link relative to docs/ into a path from the
// repository root, or reports that it leaves the repository.
func repoPath(p string) (string, bool) {
	if unescaped, err := url.PathUnescape(p); err == nil {
		p = unescaped
	}
	to := path.Join("docs", p)
	if to == ".." || strings.HasPrefix(to, "../") {
		return "", false
	}
	return to, true
}

// Slugify turns a heading's text into an anchor id as GitHub does:
// lower case; letters, digits, '-' and '_' kept; each space turned into
// '-'; all other punctuation dropped. "3. The parser: Feed & friends"
// gives "3-the-parser-feed--friends", and "_method: PUT" gives
// "_method-put". Markup must be gone from text already: Markdown link
// targets, if any are left, are dropped.
func Slugify(text string) string {
	text = dropLinkTargets(text)
	var b strings.Builder
	for _, r := range strings.TrimSpace(text) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_':
			b.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// dropLinkTargets removes the "(url)" part of Markdown links and images,
// "[text](url)" → "[text]", which headings rarely hold but must not
// leak into an id.
func dropLinkTargets(s string) string {
	for {
		i := strings.Index(s, "](")
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], ')')
		if j < 0 {
			return s
		}
		s = s[:i+1] + s[i+j+1:]
	}
}
