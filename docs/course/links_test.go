package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// TestBriefLinks checks that every relative link in the course's READMEs
// leads to a file, and every #anchor to a heading of that file, as
// docs/docs_test.go does for the chapters.
func TestBriefLinks(t *testing.T) {
	briefs, _ := filepath.Glob("*/README.md")
	briefs = append(briefs, "README.md")
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, brief := range briefs {
		b, err := os.ReadFile(brief)
		if err != nil {
			t.Fatal(err)
		}
		text := regexp.MustCompile("`[^`]*`").ReplaceAllString(stripFences(string(b)), "")
		for _, m := range link.FindAllStringSubmatch(text, -1) {
			target, anchor, _ := strings.Cut(m[1], "#")
			if strings.Contains(target, "://") {
				continue
			}
			path := brief
			if target != "" {
				path = filepath.Join(filepath.Dir(brief), target)
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s: broken link %q", brief, m[1])
				continue
			}
			if anchor != "" && !anchors(t, path)[anchor] {
				t.Errorf("%s: link %q: no heading #%s in %s", brief, m[1], anchor, path)
			}
		}
	}
}

// stripFences drops fenced code blocks, whose text is not Markdown
// (inline code is dropped by the caller).
func stripFences(s string) string {
	var out []string
	in := false
	for line := range strings.SplitSeq(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			in = !in
			continue
		}
		if !in {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// anchors returns the GitHub-style anchors of a Markdown file's headings.
func anchors(t *testing.T, path string) map[string]bool {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	seen := map[string]int{}
	for line := range strings.SplitSeq(stripFences(string(b)), "\n") {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		heading := strings.TrimSpace(strings.TrimLeft(line, "#"))
		heading = strings.NewReplacer("`", "", "**", "").Replace(heading)
		var s strings.Builder
		for _, r := range strings.ToLower(heading) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				s.WriteRune(r)
			case r == ' ':
				s.WriteByte('-')
			}
		}
		slug := s.String()
		if n := seen[slug]; n > 0 {
			out[slug+"-"+string(rune('0'+n))] = true
		} else {
			out[slug] = true
		}
		seen[slug]++
	}
	return out
}

// TestLessonAnchors checks the "read:" pointers of the suites' failure
// messages: every "docs/NN-chapter.md#anchor" literal, and every
// chapter + "#anchor", must name a heading of that chapter.
func TestLessonAnchors(t *testing.T) {
	suites, _ := filepath.Glob("*/*/*_test.go")
	literal := regexp.MustCompile(`"docs/([0-9a-z-]+\.md)#([^"]+)"`)
	chapterConst := regexp.MustCompile(`chapter\s*=\s*"docs/([0-9a-z-]+\.md)`)
	relative := regexp.MustCompile(`chapter\s*\+\s*"#([^"]+)"`)
	for _, suite := range suites {
		b, err := os.ReadFile(suite)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		check := func(md, anchor string) {
			if !anchors(t, filepath.Join("..", md))[anchor] {
				t.Errorf("%s: a message points to docs/%s#%s, which is not a heading there", suite, md, anchor)
			}
		}
		for _, m := range literal.FindAllStringSubmatch(src, -1) {
			check(m[1], m[2])
		}
		if c := chapterConst.FindStringSubmatch(src); c != nil {
			for _, m := range relative.FindAllStringSubmatch(src, -1) {
				check(c[1], m[1])
			}
		}
	}
}
