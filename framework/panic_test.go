package framework_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/groundup-go/groundup/framework"
)

// Every piece of user code the framework calls runs under a recover: a
// panic in any of them ends in a logged 500 or a closed connection, and
// the server goes on answering.
func TestUserCodePanicsNeverCrash(t *testing.T) {
	panicky := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error { panic("component boom") })
	app := framework.New()
	app.ErrorHandler = func(c *framework.Ctx, err error) {
		if c.Query("eh") != "" {
			panic("error handler boom")
		}
		framework.DefaultErrorHandler(c, err)
	}
	app.Use(func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			if c.Path() == "/middleware" {
				panic("middleware boom")
			}
			return next(c)
		}
	})
	app.GET("/hello", func(c *framework.Ctx) error { return c.String(200, "hello") })
	app.GET("/handler", func(c *framework.Ctx) error { panic("handler boom") })
	app.GET("/middleware", func(c *framework.Ctx) error { return c.String(200, "unreached") })
	app.GET("/hook", func(c *framework.Ctx) error {
		c.BeforeCommit(func() { panic("hook boom") })
		return c.String(200, "unreached")
	})
	app.GET("/hook-flush", func(c *framework.Ctx) error {
		c.BeforeCommit(func() { panic("hook boom at flush") })
		c.WriteString("unreached")
		return c.Flush()
	})
	app.GET("/error", func(c *framework.Ctx) error { return errors.New("plain failure") })
	app.GET("/render", func(c *framework.Ctx) error { return c.Render(200, panicky) })
	app.GET("/render-stream", func(c *framework.Ctx) error { return c.RenderStream(200, panicky) })
	app.GET("/stream", func(c *framework.Ctx) error {
		es, err := c.EventStream()
		if err != nil {
			return err
		}
		es.Send(framework.Event{Data: "one"})
		panic("stream boom")
	})
	addr, _, logs := startServer(t, app.Serve)

	tests := []struct {
		target string
		want   string // in the answer; "" for a connection cut after the head
	}{
		{"/handler", "500 Internal Server Error"},
		{"/handler?eh=1", "500 Internal Server Error"},
		{"/middleware", "500 Internal Server Error"},
		{"/hook", "500 Internal Server Error"},
		{"/hook?eh=1", "500 Internal Server Error"},
		{"/hook-flush", "500 Internal Server Error"},
		{"/error?eh=1", "500 Internal Server Error"},
		{"/render", "500 Internal Server Error"},
		{"/render?eh=1", "500 Internal Server Error"},
		{"/render-stream", "200 OK"},
		{"/stream", "data: one"},
	}
	for _, tt := range tests {
		out := exchange(t, addr, "GET "+tt.target+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if !strings.Contains(out, tt.want) {
			t.Errorf("GET %s:\n%s\nwant %q", tt.target, out, tt.want)
		}
		// The server is still there, and answers the next request.
		if out := exchange(t, addr, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); !strings.HasSuffix(out, "\r\n\r\nhello") {
			t.Fatalf("after GET %s, /hello got:\n%s", tt.target, out)
		}
	}
	for _, want := range []string{"handler boom", "middleware boom", "hook boom", "hook boom at flush", "error handler boom", "component boom", "stream boom"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q", want)
		}
	}
}
