package controllers

import (
	"errors"
	"log/slog"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/middleware"
	"github.com/groundup-go/groundup/views"
)

// ErrorHandler answers every error a handler returns. API clients, and
// every request under /api/ (a group marked API), get JSON: {"error":
// "...", "status": 404}, as framework.PrefersJSON decides; the message is
// framework.PublicMessage's.
// Browsers get the error page in the app's layout. In dev mode HTML
// errors go to the framework's default page, which shows the failing
// layer and the stack.
//
// 5xx errors are logged with their details at error level; a 4xx is
// logged at info level with the reason the client was given, so that each
// refused request leaves a line that says why.
func ErrorHandler(log *slog.Logger, dev bool) framework.ErrorHandler {
	return func(c *framework.Ctx, err error) {
		code := framework.StatusCode(err)
		msg := framework.PublicMessage(err)
		if code >= 500 {
			log.Error("request failed", "method", c.Method(), "path", c.Path(), "status", code, "err", err,
				"request_id", middleware.RequestIDFrom(c))
		} else {
			log.Info("request refused", "method", c.Method(), "path", c.Path(), "status", code, "reason", msg,
				"request_id", middleware.RequestIDFrom(c))
		}
		wantsJSON := framework.PrefersJSON(c)
		if dev && !wantsJSON {
			framework.DefaultErrorHandler(c, err)
			return
		}
		c.Header().Set("Cache-Control", "no-store")
		if wantsJSON {
			out := jsonError{Error: msg, Status: code}
			errors.As(err, &out.Fields) // a 422 from Bind lists its fields
			if dev {
				out.Detail = err.Error()
			}
			c.JSON(code, out)
			return
		}
		if rerr := c.Render(code, views.ErrorPage(code, framework.StatusText(code), msg)); rerr != nil {
			log.Error("rendering the error page failed", "err", rerr)
			framework.DefaultErrorHandler(c, err)
		}
	}
}

// jsonError is the body of every JSON error.
type jsonError struct {
	Error  string                `json:"error"`
	Status int                   `json:"status"`
	Fields framework.FieldErrors `json:"fields,omitempty"` // per-field problems of a 422
	Detail string                `json:"detail,omitempty"` // the internal error, in dev mode only
}
