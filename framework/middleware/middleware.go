// Package middleware is the stock middleware of groundup: request
// logging, panic recovery, request ids, body limits, security headers,
// the _method override of HTML forms, gzip, and the client's address
// behind trusted proxies (RealIP, first in the chain). Sessions and CSRF
// protection are in package session.
//
// Each is a framework.Middleware, the one model of framework/handler.go:
// a function from the next Handler to a Handler that runs code around
// it. The package uses framework's exported API alone, so each of them
// is something an application could have written itself. A typical
// app-wide chain, outermost first:
//
//	app.Use(
//		middleware.RequestID(),        // so that every later log line can carry the id
//		middleware.SecureHeaders(),    // outside Recover, which drops fields set inside it
//		middleware.Logger(log),        // one line per request, after errors are answered
//		middleware.Recover(),          // a panic becomes a 500 that Logger sees
//		middleware.MethodOverride(),   // before routing: App.Use wraps the router
//		middleware.Gzip(middleware.GzipConfig{}),
//		session.Sessions(cfg),
//	)
//
// and session.CSRF(session.CSRFConfig{}) on the group of HTML routes.
package middleware

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/http1"
)

// Logger logs one line per request: method, path, status, bytes,
// duration, request id (see RequestID) and remote address. The level is
// Info below 500 and Error from 500 up, and Warn when no response went
// out. A nil log means the server's logger.
//
// The line is written once the response is complete
// (framework.Ctx.AfterResponse), and its status is what went on the wire
// (framework.Ctx.SentStatus): a redirect whose header field was refused
// is logged as the 500 the client got, and a connection cut before any
// head was sent is logged with status 0, not with the status the handler
// meant to send.
//
// When the handler returns an error, Logger hands it to c.Error first and
// returns nil, so that the error is answered inside it. Middleware
// outside Logger therefore sees no error.
func Logger(log *slog.Logger) framework.Middleware {
	return func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			start := time.Now()
			c.AfterResponse(func() {
				l := log
				if l == nil {
					l = c.Logger()
				}
				status := c.SentStatus()
				level := slog.LevelInfo
				switch {
				case status == 0:
					level = slog.LevelWarn
				case status >= 500:
					level = slog.LevelError
				}
				attrs := [...]slog.Attr{
					slog.String("method", c.Method()),
					slog.String("path", c.Path()),
					slog.Int("status", status),
					slog.Int64("bytes", c.Written()),
					slog.Duration("duration", time.Since(start)),
					slog.String("request_id", RequestIDFrom(c)),
					slog.String("remote", c.RemoteAddr()),
				}
				// context.Background, not c.Context(): asking for the
				// request context would start the client-gone watch for
				// nothing.
				l.LogAttrs(context.Background(), level, "request", attrs[:]...)
			})
			if err := next(c); err != nil {
				c.Error(err)
			}
			return nil
		}
	}
}

// Recover turns a panic in the handlers after it into a 500
// *framework.HTTPError, whose Err is a framework.PanicError with the
// panic value and the stack (dev error pages show it), and logs the stack
// at error level. The panic framework.ErrAbortHandler is passed on: it
// means "cut the connection", which the server does.
//
// Header fields added after Recover ran, and any buffered body, are
// dropped, so that a half-built response (a login cookie, say) never goes
// out with the error page. If the response had already started, the
// error can only end the connection.
//
// The server recovers panics too, as a last resort; Recover inside Logger
// lets the 500 be logged like any other response.
func Recover() framework.Middleware {
	return func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) (err error) {
			mark := c.Header().Mark()
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == framework.ErrAbortHandler {
					panic(v)
				}
				stack := debug.Stack()
				c.Logger().Error("panic recovered", "method", c.Method(), "path", c.Path(),
					"panic", v, "stack", string(stack))
				if !c.Committed() {
					// Fields first: ResetResponse deletes some, which
					// would move the mark.
					c.Header().Truncate(mark)
					c.ResetResponse()
				}
				layer := c.Layer()
				if layer == "" {
					layer = framework.LayerController
				}
				err = &framework.HTTPError{Code: framework.StatusInternalServerError, Err: framework.PanicError{Value: v, Stack: stack}, Layer: layer}
			}()
			return next(c)
		}
	}
}

// requestIDKey is the Ctx value key of the request id.
type requestIDKey struct{}

// maxRequestIDLen bounds an incoming X-Request-ID: it is copied into
// every log line of the request.
const maxRequestIDLen = 64

// RequestID gives every request an id, for tying log lines together. An
// incoming X-Request-ID is kept when it is a sane token: 1 to 64 bytes of
// letters, digits and "-_.:+/=" (what proxies and tracing systems send).
// Anything else is replaced by 16 random bytes in hex. The id is sent
// back in the X-Request-ID response header; read it with RequestIDFrom.
func RequestID() framework.Middleware {
	return func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			id := c.RequestHeader("X-Request-ID")
			if !saneRequestID(id) {
				if id != "" {
					c.Logger().Debug("replacing malformed X-Request-ID", "len", len(id))
				}
				id = newRequestID()
			}
			c.Set(requestIDKey{}, id)
			c.Header().Set("X-Request-ID", id)
			return next(c)
		}
	}
}

// RequestIDFrom returns the request's id, or "" when RequestID is not in
// the chain.
func RequestIDFrom(c *framework.Ctx) string {
	id, _ := c.Value(requestIDKey{}).(string)
	return id
}

func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		case strings.IndexByte("-_.:+/=", b) >= 0:
		default:
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	// crypto/rand.Read never fails on supported platforms (it aborts the
	// program instead), so the error needs no branch.
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// BodyLimit sets the request body limit of the requests it wraps to n
// bytes, below or above the server's MaxBodyBytes. A body that declares a
// larger Content-Length is refused at once with 413; a chunked body fails
// with 413 when a read passes the limit.
//
// A larger limit on a route only helps if the server's own limit allows
// it: the server refuses a declared length above MaxBodyBytes before any
// handler runs.
func BodyLimit(n int64) framework.Middleware {
	return func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			c.SetBodyLimit(n)
			if cl := c.ContentLength(); cl > n {
				c.Logger().Debug("request body over the route's limit", "method", c.Method(), "path", c.Path(),
					"content_length", cl, "limit", n)
				return framework.ErrBodyTooLarge
			}
			return next(c)
		}
	}
}

// The headers SecureHeaders sets, in order.
var secureHeaderDefaults = [...][2]string{
	{"X-Content-Type-Options", "nosniff"},
	{"X-Frame-Options", "DENY"},
	{"Referrer-Policy", "strict-origin-when-cross-origin"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
	{"Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"},
}

// SecureHeaders sets conservative security headers on every response:
//
//	X-Content-Type-Options: nosniff
//	X-Frame-Options: DENY
//	Referrer-Policy: strict-origin-when-cross-origin
//	Cross-Origin-Opener-Policy: same-origin
//	Content-Security-Policy: default-src 'self'; img-src 'self' data:;
//	  style-src 'self'; script-src 'self'; frame-ancestors 'none';
//	  base-uri 'self'; form-action 'self'
//
// Each is set before the handler runs, and only if not already present,
// so an earlier middleware's value is kept and a handler replaces one with
// c.Header().Set (a page that needs an inline script, say). The policy allows
// no inline scripts or styles: templ's script helpers need a nonce or a
// relaxed policy.
func SecureHeaders() framework.Middleware {
	return func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			h := c.Header()
			for _, kv := range secureHeaderDefaults {
				if !h.Has(kv[0]) {
					h.Set(kv[0], kv[1])
				}
			}
			return next(c)
		}
	}
}

// HSTS sets Strict-Transport-Security: max-age=<maxAge in seconds> on
// every response, so that a browser that has reached the site over HTTPS
// goes on using HTTPS only, for that long, and never lets its user click
// through a certificate warning (RFC 6797). Use it only when the site is
// served over HTTPS (by the app itself, or by a proxy in front): browsers
// ignore the field over plain HTTP, but the promise is hard to take back
// once given. Subdomains are not included; an app that wants them sets the
// field itself. Put it outside Recover, as SecureHeaders, so that error
// pages carry it too.
func HSTS(maxAge time.Duration) framework.Middleware {
	value := "max-age=" + strconv.FormatInt(int64(maxAge/time.Second), 10)
	return func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			if !c.Header().Has("Strict-Transport-Security") {
				c.Header().Set("Strict-Transport-Security", value)
			}
			return next(c)
		}
	}
}

// MethodOverride lets an HTML form, which can only GET or POST, reach PUT,
// PATCH and DELETE routes: a POST whose form has a field _method of
// "PUT", "PATCH" or "DELETE" (any case) is routed as that method. Any
// other _method value is answered with 400. Only POST is ever overridden,
// so a GET (which must stay safe) cannot be turned into a DELETE by a link.
//
// A cross-site request is never overridden: it is refused with 403. A
// form on another site can POST to us, and since MethodOverride runs
// before routing, "_method=DELETE" would otherwise reach a DELETE route
// that no CSRF check guards (a JSON API, say), with the visitor's cookies.
// The check is the origin half of session.CSRF: Sec-Fetch-Site, when the
// browser sends it, must be "same-origin" or "none"; otherwise Origin, or
// failing that Referer, must name the request's own Host. A request with
// none of the three comes from a client other than a browser, which a
// forged form cannot drive, and may override. Behind a reverse proxy that
// rewrites Host, have it pass the original one.
//
// It must run before routing, so add it with App.Use: it is declared
// framework.AppOnly, and on a group or route it panics at registration.
// Reading _method parses the form, which the handler then finds
// already parsed; a malformed form is answered as Form answers it (400 or
// 413). Since this happens before routing, a route's BodyLimit does not
// apply to that read: the server's MaxBodyBytes does. Bodies that are not
// forms, such as JSON, are not read.
func MethodOverride() framework.Middleware {
	return framework.AppOnly("middleware.MethodOverride", "it changes the method the router matches, and on a group the route is already chosen (a form's POST would get 405)", methodOverride)
}

func methodOverride(next framework.Handler) framework.Handler {
	return func(c *framework.Ctx) error {
		if c.Method() != "POST" {
			return next(c)
		}
		// Only form bodies are read: a JSON or binary body stays
		// untouched for the handler.
		ct := c.RequestHeader("Content-Type")
		if !http1.HasPrefixFold(ct, "application/x-www-form-urlencoded") && !http1.HasPrefixFold(ct, "multipart/form-data") {
			return next(c)
		}
		form, err := c.Form()
		if err != nil {
			return err
		}
		vs, ok := form["_method"]
		if !ok || len(vs) == 0 {
			return next(c)
		}
		switch m := strings.ToUpper(strings.TrimSpace(vs[0])); m {
		case "PUT", "PATCH", "DELETE":
			if reason := framework.CrossSite(c, nil); reason != "" {
				c.Logger().Warn("refused cross-site _method override", "path", c.Path(), "method", m,
					"reason", reason, "remote", c.RemoteAddr())
				return errCrossSiteOverride
			}
			c.SetMethod(m)
		default:
			c.Logger().Debug("refused _method override", "path", c.Path(), "value", vs[0])
			return &framework.HTTPError{Code: framework.StatusBadRequest, Layer: framework.LayerMiddleware,
				Message: "invalid _method " + quoteForMessage(vs[0]) + ": a POST form may only override to PUT, PATCH or DELETE"}
		}
		return next(c)
	}
}

// errCrossSiteOverride answers a _method override from another site.
var errCrossSiteOverride = &framework.HTTPError{Code: framework.StatusForbidden, Layer: framework.LayerMiddleware,
	Message: "cross-site request refused: _method may only be overridden by this site's own forms"}

// quoteForMessage quotes a client-sent value for an error message, cut
// short so that the message stays small.
func quoteForMessage(s string) string {
	const max = 32
	if len(s) > max {
		return strconv.Quote(s[:max]) + "…"
	}
	return strconv.Quote(s)
}
