package deploy

import (
	"os"
	"strings"
	"testing"
)

// The chapter quotes the config files, as docs/docs_test.go makes it quote
// Go code: each ```nginx block must still stand in nginx.conf and each
// ```ini block in groundup@.service, so that what the reader copies is what
// TestNginxInFront ran. Indentation may differ, since excerpts are shown
// dedented.

// excerptSources maps a fence's language to the file its blocks come from.
var excerptSources = map[string]string{
	"nginx": "nginx.conf",
	"ini":   "groundup@.service",
}

// fencedBlocks returns the blocks of md fenced as ```lang, with the line
// each starts on.
func fencedBlocks(md, lang string) (blocks []string, lines []int) {
	all := strings.Split(md, "\n")
	for i := 0; i < len(all); i++ {
		if strings.TrimSpace(all[i]) != "```"+lang {
			continue
		}
		start := i + 1
		for i++; i < len(all) && strings.TrimSpace(all[i]) != "```"; i++ {
		}
		blocks = append(blocks, strings.Join(all[start:i], "\n"))
		lines = append(lines, start)
	}
	return blocks, lines
}

// unindent trims the leading white space of every line.
func unindent(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimLeft(l, " \t")
	}
	return strings.Join(lines, "\n")
}

func TestChapterQuotesTheConfigFiles(t *testing.T) {
	md, err := os.ReadFile("../13-deploying.md")
	if err != nil {
		t.Fatal(err)
	}
	for lang, file := range excerptSources {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		blocks, lines := fencedBlocks(string(md), lang)
		if len(blocks) == 0 {
			t.Errorf("13-deploying.md quotes nothing from %s", file)
		}
		for i, b := range blocks {
			if strings.TrimSpace(b) == "" || !strings.Contains(unindent(string(src)), unindent(b)) {
				t.Errorf("13-deploying.md:%d: this ```%s block is not in %s:\n%s", lines[i], lang, file, b)
			}
		}
	}
}

func TestFencedBlocks(t *testing.T) {
	md := "text\n```nginx\na;\n  b;\n```\n```ini\nx=1\n```\n```nginx\nc;\n```\n"
	tests := []struct {
		lang  string
		want  []string
		lines []int
	}{
		{"nginx", []string{"a;\n  b;", "c;"}, []int{2, 9}},
		{"ini", []string{"x=1"}, []int{6}},
		{"go", nil, nil},
	}
	for _, tt := range tests {
		got, lines := fencedBlocks(md, tt.lang)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(lines) != len(tt.lines) {
			t.Errorf("fencedBlocks(%s) = %q at %v, want %q at %v", tt.lang, got, lines, tt.want, tt.lines)
			continue
		}
		for i := range lines {
			if lines[i] != tt.lines[i] {
				t.Errorf("fencedBlocks(%s) lines = %v, want %v", tt.lang, lines, tt.lines)
			}
		}
	}
}
