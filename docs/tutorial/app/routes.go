package main

import (
	"errors"
	"log/slog"
	"strings"

	"example.com/todo/static"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/middleware"
	"github.com/groundup-go/groundup/framework/session"
)

// newApp builds the app: middleware, then every route, in one place.
func newApp(log *slog.Logger, sessionKey []byte) *framework.App {
	a := framework.New()
	a.ErrorHandler = errorHandler
	a.Use(
		middleware.Logger(log),
		middleware.Recover(),
		middleware.BodyLimit(64<<10),
		session.Sessions(session.Config{Keys: [][]byte{sessionKey}}),
	)
	a.Static("/static", static.FS, framework.StaticConfig{})

	todos := &Todos{}
	pages := a.Group("", session.CSRF(session.CSRFConfig{}))
	pages.GET("/", todos.Index).Name("todos")
	pages.POST("/todos", todos.Create).Name("todos.create")

	api := a.Group("/api")
	api.GET("/todos", todos.APIList).Name("api.todos")
	api.POST("/todos", todos.APICreate).Name("api.todos.create")
	return a
}

// errorHandler answers errors under /api/ in JSON, whatever the client's
// Accept says, and leaves the others to the framework's error page.
func errorHandler(c *framework.Ctx, err error) {
	if !strings.HasPrefix(c.Path(), "/api/") {
		framework.DefaultErrorHandler(c, err)
		return
	}
	code := framework.StatusCode(err)
	if code >= 500 {
		c.Logger().Error("request failed", "path", c.Path(), "err", err)
	}
	body := map[string]any{"error": framework.PublicMessage(err), "status": code}
	var fields framework.FieldErrors
	if errors.As(err, &fields) {
		body["fields"] = fields // a 422 from Bind: what is wrong with each field
	}
	c.JSON(code, body)
}
