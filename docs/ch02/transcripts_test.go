package main

import (
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/docs"
)

var update = flag.Bool("update", false, "rewrite chapter 2's ch02-* output blocks from what the server sends now")

// TestChapterOutputBlocks checks chapter 2's output blocks named ch02-*
// (see docs/transcript.go) against what this server sends.
func TestChapterOutputBlocks(t *testing.T) {
	addr := strings.TrimPrefix(startServer(t), "http://")
	outputs := map[string]func() string{
		// The start of the answer to the browser's GET /test.jpg: the
		// head as sent, then the first body bytes.
		"ch02-image-response": func() string {
			res := exchange(t, addr, "GET /test.jpg HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n\r\n")
			head, body, _ := strings.Cut(res, "\r\n\r\n")
			var b strings.Builder
			for _, line := range strings.Split(head+"\r\n", "\r\n") {
				b.WriteString(line + `\r\n` + "\n")
			}
			for _, c := range []byte(body[:min(6, len(body))]) {
				fmt.Fprintf(&b, `\x%02x`, c)
			}
			b.WriteString(" …\n")
			return b.String()
		},
	}
	docs.CheckOutputs(t, []string{"../02-http-by-hand.md"}, func(name string) bool { return strings.HasPrefix(name, "ch02-") },
		outputs, *update, "go test ./docs/ch02/ -run TestChapterOutputBlocks -update")
}
