package docs_test

import (
	"flag"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/docs"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

var update = flag.Bool("update", false, "rewrite the docs' output blocks from what the code prints now")

// curlRequest is the request head curl 7.88 sends for
// curl http://127.0.0.1:9001/, as chapter 2 shows it.
const curlRequest = "GET / HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"

// smuggled is chapter 3's TE.CL smuggling example.
const smuggled = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n" +
	"20\r\nGET /admin HTTP/1.1\r\nHost: x\r\n\r\n\r\n0\r\n\r\n"

// outputs produce the marked output blocks of the docs (see
// docs/transcript.go). Names that start with "app-" come from the
// example app, and app/transcripts_test.go checks them; "ch02-" from
// chapter 2's server, checked by docs/ch02/transcripts_test.go.
var outputs = map[string]func(t *testing.T) string{
	"od-curl-request": func(t *testing.T) string { return docs.OD([]byte(curlRequest)) },
	"chunked-wire": func(t *testing.T) string {
		app := framework.New()
		app.GET("/", func(c *framework.Ctx) error {
			for _, part := range []string{"part 0\n", "part 1\n"} {
				c.WriteString(part)
				if err := c.Flush(); err != nil {
					return err
				}
			}
			return nil
		})
		raw := frameworktest.Raw(app.Serve, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		raw = dateRE.ReplaceAllString(raw, "Date: Mon, 30 Nov 2026 12:00:00 GMT")
		// Written out as in chapter 2: each CR and LF shown, a line
		// break after each LF.
		return strings.NewReplacer("\r", `\r`, "\n", `\n`+"\n").Replace(raw)
	},
	"parser-te-and-cl": func(t *testing.T) string {
		out := frameworktest.Raw(framework.New().Serve, smuggled)
		return StableHead(out)
	},
}

// StableHead turns raw response bytes into the lines a terminal shows,
// with the Date fixed so that the block does not change on every run.
func StableHead(raw string) string {
	raw = dateRE.ReplaceAllString(raw, "Date: Mon, 30 Nov 2026 12:00:00 GMT")
	out := strings.ReplaceAll(raw, "\r\n", "\n")
	if !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return out
}

var dateRE = regexp.MustCompile(`Date: [^\r\n]+`)

func TestOutputBlocks(t *testing.T) {
	produce := map[string]func() string{}
	for name, gen := range outputs {
		produce[name] = func() string { return gen(t) }
	}
	// app-* and ch02-* blocks are checked by app/transcripts_test.go and
	// docs/ch02/transcripts_test.go.
	mine := func(name string) bool { return !strings.HasPrefix(name, "app-") && !strings.HasPrefix(name, "ch02-") }
	docs.CheckOutputs(t, markdownFiles(t), mine, produce, *update, "go test ./docs/ -run TestOutputBlocks -update")
}

// TestODMatchesSystemOD checks docs.OD against the system's od -c, where
// there is one.
func TestODMatchesSystemOD(t *testing.T) {
	od, err := exec.LookPath("od")
	if err != nil {
		t.Skip("no od here")
	}
	for _, in := range []string{
		curlRequest,
		"",
		"\x00\x01\a\b\t\n\v\f\r\x1b \x7f\x80\xff~",
		strings.Repeat("0123456789abcdef", 4) + "tail",
	} {
		cmd := exec.Command(od, "-c")
		cmd.Stdin = strings.NewReader(in)
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		want, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		if got := docs.OD([]byte(in)); got != string(want) {
			t.Errorf("OD(%q):\n%s\nod -c:\n%s", in, got, want)
		}
	}
}

func TestOutputBlocksParse(t *testing.T) {
	md := "x\n<!-- output: a -->\n```text\nold\n```\n  <!-- output: b -->\n  ```text\n  one\n\n  two\n  ```\n"
	blocks, err := docs.OutputBlocks(md)
	if err != nil || len(blocks) != 2 || blocks[0].Text != "old\n" || blocks[1].Text != "one\n\ntwo\n" || blocks[1].Line != 6 {
		t.Fatalf("OutputBlocks = %+v, %v", blocks, err)
	}
	got := docs.ReplaceOutput(md, "b", "new\n")
	if want := "x\n<!-- output: a -->\n```text\nold\n```\n  <!-- output: b -->\n  ```text\n  new\n  ```\n"; got != want {
		t.Errorf("ReplaceOutput:\n%s\nwant:\n%s", got, want)
	}
	for _, bad := range []string{"<!-- output: a -->\ntext\n", "<!-- output: a -->\n```\nno end\n"} {
		if _, err := docs.OutputBlocks(bad); err == nil {
			t.Errorf("OutputBlocks(%q) gave no error", bad)
		}
	}
}
