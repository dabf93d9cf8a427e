package docs

import (
	"net/url"
	"path"
	"strings"
	"unicode"
)

// SourceURL is where the repository's files are browsed on the code
// host. Links from the docs to source files (../framework/conn.go) lead
// there, since the app serves only the Markdown.
const SourceURL = "https://github.com/groundup-go/groundup"

// URL returns the app's path for the page with slug: "/docs" for the
// index (""), "/docs/01-sockets" for a chapter.
func URL(slug string) string {
	if slug == "" {
		return "/docs"
	}
	return "/docs/" + slug
}

// ValidSlug accepts the names docs files have: letters, digits, '-' and
// '_'. Anything else (dots, slashes, escapes) names no page.
func ValidSlug(s string) bool {
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

// RewriteLink maps a link found in docs/*.md to where it leads in the
// app. Absolute URLs and in-page anchors stay as they are.
//
//	02-http-by-hand.md           → /docs/02-http-by-hand
//	04-connection.md#timeouts    → /docs/04-connection#timeouts
//	README.md                    → /docs
//	../framework/conn.go         → SourceURL/blob/main/framework/conn.go
//	ch01/                        → SourceURL/tree/main/docs/ch01
func RewriteLink(dst string) string {
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
		return URL(slug) + suffix
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
