package docs

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Output blocks: a fenced block in a chapter that shows what a command
// prints (terminal output, an od -c dump, a curl reply) is marked
//
//	<!-- output: name -->
//
// on the line before its fence. A test produces the same output from the
// code it describes, under that name, and fails when the block differs;
// run it with -update to rewrite the block. So the transcripts in the docs
// cannot go stale, as the Go excerpts cannot (docs_test.go).

var outputRE = regexp.MustCompile(`^<!-- output: (\S+) -->$`)

// OutputBlock is one marked output block of a Markdown file.
type OutputBlock struct {
	Name string
	Line int    // 1-based line of the marker
	Text string // the block's lines, without the fences, ending in "\n"
}

// OutputBlocks returns the marked output blocks of a Markdown file. A
// marker not followed by a fence is an error.
func OutputBlocks(md string) ([]OutputBlock, error) {
	var out []OutputBlock
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		m := outputRE.FindStringSubmatch(strings.TrimSpace(lines[i]))
		if m == nil {
			continue
		}
		b := OutputBlock{Name: m[1], Line: i + 1}
		if i+1 >= len(lines) || !strings.HasPrefix(strings.TrimSpace(lines[i+1]), "```") {
			return nil, fmt.Errorf("line %d: output marker %q is not followed by a fenced block", i+1, m[1])
		}
		indent := lines[i+1][:len(lines[i+1])-len(strings.TrimLeft(lines[i+1], " "))]
		j := i + 2
		var body strings.Builder
		for ; j < len(lines) && strings.TrimSpace(lines[j]) != "```"; j++ {
			body.WriteString(strings.TrimPrefix(lines[j], indent) + "\n")
		}
		if j == len(lines) {
			return nil, fmt.Errorf("line %d: output block %q has no closing fence", i+1, m[1])
		}
		b.Text = body.String()
		out = append(out, b)
		i = j
	}
	return out, nil
}

// ReplaceOutput returns md with the block marked name holding text
// instead (text ends in "\n"), keeping the fence's indentation.
func ReplaceOutput(md, name, text string) string {
	lines := strings.Split(md, "\n")
	var res []string
	for i := 0; i < len(lines); i++ {
		res = append(res, lines[i])
		m := outputRE.FindStringSubmatch(strings.TrimSpace(lines[i]))
		if m == nil || m[1] != name || i+1 >= len(lines) {
			continue
		}
		fence := lines[i+1]
		indent := fence[:len(fence)-len(strings.TrimLeft(fence, " "))]
		res = append(res, fence)
		for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
			if l != "" {
				l = indent + l
			}
			res = append(res, l)
		}
		j := i + 2
		for j < len(lines) && strings.TrimSpace(lines[j]) != "```" {
			j++
		}
		i = j - 1 // the closing fence comes next
	}
	return strings.Join(res, "\n")
}

// OD formats b as od -c does: rows of 16 bytes, each led by its offset in
// octal, seven digits; printable bytes as themselves, the C escapes for
// \0 \a \b \f \n \r \t \v, other bytes as three octal digits; and the
// total length alone on the last row. A row equal to the one before is
// shown as one "*", as od does.
func OD(b []byte) string {
	var s strings.Builder
	var prev string
	star := false
	for off := 0; off < len(b); off += 16 {
		var row strings.Builder
		for _, c := range b[off:min(off+16, len(b))] {
			row.WriteString(odChar(c))
		}
		if off > 0 && row.String() == prev {
			if !star {
				s.WriteString("*\n")
				star = true
			}
			continue
		}
		prev, star = row.String(), false
		fmt.Fprintf(&s, "%07o%s\n", off, row.String())
	}
	fmt.Fprintf(&s, "%07o\n", len(b))
	return s.String()
}

func odChar(c byte) string {
	switch c {
	case 0:
		return "  \\0"
	case '\a':
		return "  \\a"
	case '\b':
		return "  \\b"
	case '\f':
		return "  \\f"
	case '\n':
		return "  \\n"
	case '\r':
		return "  \\r"
	case '\t':
		return "  \\t"
	case '\v':
		return "  \\v"
	}
	if c >= 0x20 && c < 0x7f {
		return "   " + string(c)
	}
	return fmt.Sprintf(" %03o", c)
}

// Reporter is the part of testing.TB that CheckOutputs needs; the docs
// package does not import testing, since the app serves it.
type Reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// CheckOutputs compares the output blocks of the markdown files that
// mine claims with what produce makes under their names, and reports each
// that differs, naming rerun (the command that rewrites them) and what
// the code gives now; with update it rewrites the files instead. A
// claimed block that nothing produces, and a produced name that no file
// marks, are reported too.
func CheckOutputs(r Reporter, files []string, mine func(name string) bool, produce map[string]func() string, update bool, rerun string) {
	r.Helper()
	used := map[string]bool{}
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			r.Errorf("%v", err)
			continue
		}
		md := string(b)
		blocks, err := OutputBlocks(md)
		if err != nil {
			r.Errorf("%s: %v", path, err)
			continue
		}
		for _, blk := range blocks {
			if !mine(blk.Name) {
				continue
			}
			gen, ok := produce[blk.Name]
			if !ok {
				r.Errorf("%s:%d: no test produces output %q", path, blk.Line, blk.Name)
				continue
			}
			used[blk.Name] = true
			want := gen()
			switch {
			case blk.Text == want:
			case update:
				md = ReplaceOutput(md, blk.Name, want)
			default:
				r.Errorf("%s:%d: output %q is stale (%s rewrites it); the code gives:\n%s", path, blk.Line, blk.Name, rerun, want)
			}
		}
		if update && md != string(b) {
			if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
				r.Errorf("%v", err)
			}
		}
	}
	for name := range produce {
		if !used[name] {
			r.Errorf("output %q is marked in no document", name)
		}
	}
}
