package framework_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
	templruntime "github.com/a-h/templ/runtime"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// TestRenderStreamFlushesInsideGeneratedCode renders a component written
// the way templ generates code (through templ's buffer), and checks that
// templ.Flush() puts the top of the page on the wire before the rest is
// rendered.
func TestRenderStreamFlushesInsideGeneratedCode(t *testing.T) {
	release := make(chan struct{})
	page := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		buf, isBuf := templruntime.GetBuffer(w)
		if !isBuf {
			defer templruntime.ReleaseBuffer(buf)
		}
		buf.WriteString("<p>top</p>")
		if err := templ.Flush().Render(ctx, buf); err != nil {
			return err
		}
		<-release
		_, err := buf.WriteString("<p>bottom</p>")
		return err
	})
	app := framework.New()
	app.GET("/", func(c *framework.Ctx) error { return c.RenderStream(200, page) })
	addr, _, _ := startServer(t, app.Serve)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(nc, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	br := bufio.NewReader(nc)
	var seen strings.Builder
	for !strings.Contains(seen.String(), "<p>top</p>") {
		line, err := br.ReadString('\n')
		seen.WriteString(line)
		if err != nil {
			t.Fatalf("top of the page never arrived before the rest was rendered:\n%s", seen.String())
		}
	}
	if strings.Contains(seen.String(), "bottom") {
		t.Fatal("bottom arrived before it was rendered")
	}
	close(release)
	rest, _ := io.ReadAll(br)
	if !strings.Contains(string(rest), "<p>bottom</p>") || !strings.HasSuffix(string(rest), "0\r\n\r\n") {
		t.Errorf("rest of the stream: %q", rest)
	}
}

// TestRequestContextOutlivesTheRequest: a context handed to a goroutine
// (a database driver watching it, say) stays safe after the Ctx has gone
// back to the pool, and no longer leads to it.
func TestRequestContextOutlivesTheRequest(t *testing.T) {
	kept := make(chan context.Context, 2)
	app := framework.New()
	app.GET("/", func(c *framework.Ctx) error {
		kept <- c.Context()
		return c.Render(200, templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			kept <- ctx
			if framework.FromContext(ctx) != c {
				t.Error("view context does not lead to the Ctx")
			}
			_, err := io.WriteString(w, "ok")
			return err
		}))
	})
	frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/"))
	for range 2 {
		ctx := <-kept
		if framework.FromContext(ctx) != nil {
			t.Error("a context kept after the request still leads to a pooled Ctx")
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
		_ = ctx.Err()
		_ = ctx.Value("anything")
	}
}
