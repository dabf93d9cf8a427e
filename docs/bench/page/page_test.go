package page

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestTemplatesMatch checks that html/template and templ render the same
// bytes, so that /page costs the servers the same output.
func TestTemplatesMatch(t *testing.T) {
	var std, tpl bytes.Buffer
	if err := RenderStd(&std, Sample); err != nil {
		t.Fatal(err)
	}
	if err := View(Sample).Render(context.Background(), &tpl); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(std.Bytes(), tpl.Bytes()) {
		a, b := std.String(), tpl.String()
		i := 0
		for i < len(a) && i < len(b) && a[i] == b[i] {
			i++
		}
		t.Fatalf("outputs differ at byte %d:\nhtml/template: %q\ntempl:         %q", i, a[i:min(len(a), i+80)], b[i:min(len(b), i+80)])
	}
	if n := std.Len(); n < 1800 || n > 2400 {
		t.Errorf("page is %d bytes, want about 2 KB", n)
	}
}

// TestEscaping checks that the page escapes what the rows hold.
func TestEscaping(t *testing.T) {
	var b bytes.Buffer
	if err := RenderStd(&b, Sample); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	tests := []struct {
		name string
		want string
	}{
		{"title ampersand and angle brackets", "<title>Fortunes &amp; &lt;friends&gt;</title>"},
		{"script tag", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"double quotes", "&#34;Hello, world&#34;"},
		{"apostrophe", "It&#39;s"},
		{"attribute", `title="Brian &amp; Dennis"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(out, tt.want) {
				t.Errorf("page lacks %q", tt.want)
			}
		})
	}
	if strings.Contains(out, "<script>") {
		t.Error("page holds an unescaped <script>")
	}
	if got := strings.Count(out, `<tr class="row">`); got != 10 {
		t.Errorf("page has %d rows, want 10", got)
	}
}

func BenchmarkRenderStd(b *testing.B) {
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		RenderStd(&buf, Sample)
	}
}

func BenchmarkRenderTempl(b *testing.B) {
	var buf bytes.Buffer
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		View(Sample).Render(ctx, &buf)
	}
}
