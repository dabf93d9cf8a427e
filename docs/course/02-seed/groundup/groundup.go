// Package groundup is exercise 2's reference: the seed's three routes on
// groundup's App, served by groundup's Server, through its exported API.
package groundup

import (
	"fmt"
	"html"
	"log/slog"
	"net"

	"github.com/groundup-go/groundup/docs/course/02-seed/seed"
	"github.com/groundup-go/groundup/framework"
)

const homePage = `<!doctype html>
<html><head><meta charset="utf-8"><title>groundup, exercise 2</title></head>
<body>
<h1>Hello from a socket</h1>
<img src="/test.jpg" alt="a gradient" width="160" height="90">
<form method="post" action="/register">
<label>Name <input name="name"></label>
<label>Email <input name="email" type="email"></label>
<button>Register</button>
</form>
</body></html>
`

// Serve is seed.Serve on the framework.
func Serve(ln net.Listener) error {
	app := framework.New()
	app.GET("/", func(c *framework.Ctx) error { return c.HTML(200, homePage) })
	app.GET("/test.jpg", func(c *framework.Ctx) error { return c.Blob(200, "image/jpeg", seed.Picture()) })
	app.POST("/register", func(c *framework.Ctx) error {
		page := fmt.Sprintf("<!doctype html>\n<title>registered</title>\n<h1>register success</h1>\n"+
			"<p>Name: %s</p>\n<p>Email: %s</p>\n",
			html.EscapeString(c.FormValue("name")), html.EscapeString(c.FormValue("email")))
		return c.HTML(200, page)
	})
	srv := &framework.Server{Handler: app.Serve, Logger: slog.New(slog.DiscardHandler)}
	return srv.Serve(ln)
}
