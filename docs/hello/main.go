// Command hello is the first groundup app a reader meets, in the README.
package main

import (
	"flag"
	"log/slog"
	"os"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/middleware"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8000", "listen `address`, such as :8080")
	flag.Parse()
	srv := &framework.Server{Addr: *addr, Handler: newApp().Serve}
	slog.Info("serving", "url", "http://"+*addr)
	if err := srv.ListenAndServe(); err != nil {
		slog.Error("server stopped", "err", err)
		os.Exit(1)
	}
}

func newApp() *framework.App {
	app := framework.New()
	app.Use(middleware.Logger(slog.Default()), middleware.Recover())
	app.GET("/", func(c *framework.Ctx) error {
		return c.HTML(200, `<form method="post" action="/greet">
	<input name="name"><button>Greet</button></form>`)
	})
	app.POST("/greet", func(c *framework.Ctx) error {
		name := c.FormValue("name")
		if name == "" {
			return framework.NewError(422, "name is required")
		}
		return c.JSON(200, map[string]string{"greeting": "Hello, " + name + "!"})
	})
	return app
}
