package docs_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// The docs are checked like code: every relative link and anchor must
// resolve, and every Go excerpt must still stand, verbatim, in the file it
// names, so that the docs cannot drift from the code they teach.

// root is the repository root, one level above docs/.
const root = ".."

// markdownFiles returns the docs chapters and the README files that link
// into them.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("bench/*.md")
	files = append(files, more...)
	files = append(files, filepath.Join(root, "README.md"))
	return files
}

var (
	linkRE   = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	fromRE   = regexp.MustCompile(`^<!-- from: (\S+) -->$`)
	headerRE = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
)

// parsed is a Markdown file split into what the checks need.
type parsed struct {
	links    []string
	anchors  map[string]bool
	excerpts []excerpt
	bareGo   []int // lines of ```go fences with no from: marker
}

type excerpt struct {
	from string
	code string
	line int
}

func parse(t *testing.T, path string) parsed {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p := parsed{anchors: map[string]bool{}}
	seen := map[string]int{}
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fence := strings.TrimSpace(line)
			lang := strings.TrimPrefix(fence, "```")
			start := i
			var body []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
				body = append(body, lines[i])
			}
			if lang == "go" {
				from := ""
				for j := start - 1; j >= 0 && j >= start-2; j-- {
					if m := fromRE.FindStringSubmatch(strings.TrimSpace(lines[j])); m != nil {
						from = m[1]
						break
					}
				}
				if from == "" {
					p.bareGo = append(p.bareGo, start+1)
				} else {
					p.excerpts = append(p.excerpts, excerpt{from, strings.Join(body, "\n"), start + 1})
				}
			}
			continue
		}
		if m := headerRE.FindStringSubmatch(line); m != nil {
			slug := slugify(m[2])
			if n := seen[slug]; n > 0 {
				p.anchors[slug+"-"+strconv.Itoa(n)] = true
			} else {
				p.anchors[slug] = true
			}
			seen[slug]++
		}
		for _, m := range linkRE.FindAllStringSubmatch(stripCode(line), -1) {
			p.links = append(p.links, m[1])
		}
	}
	return p
}

// stripCode drops `inline code` so that link-like text inside it is not
// taken for a link.
func stripCode(line string) string {
	var b strings.Builder
	in := false
	for _, r := range line {
		if r == '`' {
			in = !in
			continue
		}
		if !in {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// slugify makes a GitHub-style heading anchor: lower case, punctuation
// dropped, spaces turned into hyphens.
func slugify(heading string) string {
	heading = regexp.MustCompile("`|\\*\\*").ReplaceAllString(heading, "")
	heading = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`).ReplaceAllString(heading, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

func TestLinksResolve(t *testing.T) {
	cache := map[string]parsed{}
	get := func(path string) parsed {
		if p, ok := cache[path]; ok {
			return p
		}
		p := parse(t, path)
		cache[path] = p
		return p
	}
	for _, file := range markdownFiles(t) {
		for _, link := range get(file).links {
			if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
				continue
			}
			target, anchor, _ := strings.Cut(link, "#")
			path := file
			if target != "" {
				path = filepath.Join(filepath.Dir(file), target)
				if _, err := os.Stat(path); err != nil {
					t.Errorf("%s: broken link %q: %v", file, link, err)
					continue
				}
			}
			if anchor != "" && strings.HasSuffix(path, ".md") && !get(path).anchors[anchor] {
				t.Errorf("%s: link %q: no heading with anchor #%s in %s", file, link, anchor, path)
			}
		}
	}
}

func TestGoExcerptsMatchTheCode(t *testing.T) {
	for _, file := range markdownFiles(t) {
		p := parse(t, file)
		for _, line := range p.bareGo {
			t.Errorf("%s:%d: a ```go block needs a <!-- from: path --> line before it, naming the file it is copied from", file, line)
		}
		for _, ex := range p.excerpts {
			src, err := os.ReadFile(filepath.Join(root, ex.from))
			if err != nil {
				t.Errorf("%s:%d: excerpt from %s: %v", file, ex.line, ex.from, err)
				continue
			}
			if !strings.Contains(string(src), ex.code) {
				t.Errorf("%s:%d: excerpt is no longer in %s verbatim:\n%s", file, ex.line, ex.from, firstLines(ex.code, 6))
			}
		}
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = append(lines[:n], "...")
	}
	return strings.Join(lines, "\n")
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Keep-alive":                      "keep-alive",
		"Request smuggling, byte by byte": "request-smuggling-byte-by-byte",
		"The `Ctx` type":                  "the-ctx-type",
		"HTTP/1.0 and HTTP/1.1":           "http10-and-http11",
		"What's not supported":            "whats-not-supported",
	} {
		if got := slugify(in); got != want {
			t.Errorf("slugify(%q) = %q, want %q", in, got, want)
		}
	}
}
