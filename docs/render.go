package docs

import (
	"bytes"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// The rendering lives beside the files it renders: which pages exist and
// in what order, how their links are written and what their headings'
// ids are, are facts about this directory. The app's docs controller
// only maps URLs to pages and puts them in its layout.

// Page is one rendered docs page.
type Page struct {
	Slug  string // the URL segment: "" for the index, "01-sockets" for a chapter
	Title string // the text of its first level-1 heading
	HTML  string // rendered by goldmark, which leaves raw HTML out
}

// Link names one page in the docs navigation.
type Link struct {
	Slug  string
	Title string
}

// Site renders the Markdown files of a directory as HTML pages:
// README.md is the index (slug ""), NN-name.md the chapter "NN-name".
//
// Links between pages are written for a code host (02-http-by-hand.md,
// 04-connection.md#timeouts) and rewritten to the app's URLs (see
// RewriteLink), so one set of files reads well in both places. Heading
// ids follow the code host's rules (see Slugify), so "#anchor" links work
// in both as well. A Site is safe for concurrent use.
type Site struct {
	fsys  fs.FS
	md    goldmark.Markdown
	cache bool

	mu    sync.Mutex
	pages map[string]Page // rendered pages, by slug, when caching
	nav   []Link
}

// NewSite returns a Site over fsys, which holds README.md and the
// chapters (FS, or os.DirFS("docs") to see edits at once). With cache,
// each page is rendered once; without it every call reads and renders
// the file again.
func NewSite(fsys fs.FS, cache bool) *Site {
	return &Site{
		fsys:  fsys,
		cache: cache,
		pages: map[string]Page{},
		md: goldmark.New(
			goldmark.WithExtensions(extension.GFM),
			goldmark.WithParserOptions(
				parser.WithASTTransformers(util.Prioritized(linkTransformer{}, 100)),
			),
			// Raw HTML in the Markdown is left out (goldmark's default):
			// the docs need none, and the page stays safe whatever a
			// chapter holds.
		),
	}
}

// Page returns the rendered page for slug, "" being the index. The slug
// should pass ValidSlug. A page with no file gives an error that matches
// fs.ErrNotExist.
func (s *Site) Page(slug string) (Page, error) {
	if s.cache {
		s.mu.Lock()
		p, ok := s.pages[slug]
		s.mu.Unlock()
		if ok {
			return p, nil
		}
	}
	src, err := fs.ReadFile(s.fsys, fileOf(slug))
	if err != nil {
		return Page{}, err
	}
	html, title, err := s.Render(src)
	if err != nil {
		return Page{}, err
	}
	if title == "" {
		title = titleOf(slug)
	}
	p := Page{Slug: slug, Title: title, HTML: html}
	if s.cache {
		s.mu.Lock()
		s.pages[slug] = p
		s.mu.Unlock()
	}
	return p, nil
}

// Nav lists the pages: the index first, then the numbered chapters in
// order, then the other pages (the API reference, HTTP support) by name.
// Each title is the page's first heading.
func (s *Site) Nav() ([]Link, error) {
	if s.cache {
		s.mu.Lock()
		nav := s.nav
		s.mu.Unlock()
		if nav != nil {
			return nav, nil
		}
	}
	names, err := fs.Glob(s.fsys, "*.md")
	if err != nil {
		return nil, err
	}
	slices.SortFunc(names, func(a, b string) int {
		if ra, rb := navRank(a), navRank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	nav := make([]Link, 0, len(names))
	for _, name := range names {
		slug := strings.TrimSuffix(name, ".md")
		if slug == "README" {
			slug = ""
		}
		title := titleOf(slug)
		if src, err := fs.ReadFile(s.fsys, name); err == nil {
			if t := firstHeading(s.md, src); t != "" {
				title = t
			}
		}
		if slug == "" {
			title = "Overview"
		}
		nav = append(nav, Link{Slug: slug, Title: title})
	}
	if s.cache {
		s.mu.Lock()
		s.nav = nav
		s.mu.Unlock()
	}
	return nav, nil
}

// Render turns Markdown into HTML, with heading ids and rewritten links,
// and returns the text of its first level-1 heading.
func (s *Site) Render(src []byte) (html, title string, err error) {
	doc := s.md.Parser().Parse(text.NewReader(src))
	var buf bytes.Buffer
	if err := s.md.Renderer().Render(&buf, src, doc); err != nil {
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

// titleOf makes a title from a file name: "http-support" → "Http support".
func titleOf(slug string) string {
	if slug == "" {
		return "Docs"
	}
	t := strings.ReplaceAll(slug, "-", " ")
	return strings.ToUpper(t[:1]) + t[1:]
}

// linkTransformer adjusts the parsed docs for the app. It gives each
// heading the id a code host gives it, so that "#anchor" links written
// for the code host work here too. And it points relative links at the
// right place: another page of the docs becomes its /docs URL, and any
// other file of the repository its page on the code host.
type linkTransformer struct{}

// Transform implements parser.ASTTransformer.
func (linkTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
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
			n.Destination = []byte(RewriteLink(string(n.Destination)))
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
