// Package groundup is exercise 9's reference: groundup's Ctx.Render (the
// buffered render of framework/view.go), run in memory, and templ's
// escaper, which groundup's templ views use for every expression, behind
// the exercise's interface.
package groundup

import (
	"context"
	"io"
	"log/slog"

	"github.com/a-h/templ"
	"github.com/groundup-go/groundup/docs/course/09-view/view"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// Render is view.Render by Ctx.Render.
func Render(ctx context.Context, w io.Writer, status int, c view.Component) error {
	var renderErr error
	app := framework.New()
	app.GET("/", func(fc *framework.Ctx) error {
		renderErr = fc.Render(status, templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
			return c.Render(ctx, w)
		}))
		return renderErr
	})
	srv := &framework.Server{Handler: app.Serve, Logger: slog.New(slog.DiscardHandler), ServerName: "-"}
	_, err := w.Write(frameworktest.ServeBytes(srv, []byte("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")))
	if renderErr != nil {
		return renderErr
	}
	return err
}

// Escape is view.Escape by templ.EscapeString.
func Escape(s string) string { return templ.EscapeString(s) }
