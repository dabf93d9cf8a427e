package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/groundup-go/groundup/app/controllers"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/middleware"
	"github.com/groundup-go/groundup/framework/session"
	"github.com/groundup-go/groundup/static"
)

// maxFormBytes bounds request bodies: the largest valid entry is 2000
// characters, a few KiB as a form or as JSON.
const maxFormBytes = 64 << 10

// A session ends on the server a week after it began, or after 12 hours
// without a visit, whatever the browser keeps.
const (
	sessionLifetime = 7 * 24 * time.Hour
	sessionIdle     = 12 * time.Hour
)

// hstsMaxAge is how long browsers keep to HTTPS after a visit, when the
// app serves TLS itself: a year, what the HSTS preload list asks for.
const hstsMaxAge = 365 * 24 * time.Hour

// routes registers every route of the app, in one place: any URL in a bug
// report leads here, and from here to its controller.
//
//	GET    /                      home.Index         the seed demo: test.jpg and a form
//	POST   /register              home.Register      makes an account, logs in: "register success", or 422
//	GET    /login                 accounts.LoginPage
//	POST   /login                 accounts.Login     303, 422 (one message for both halves) or 429
//	POST   /logout                accounts.Logout    303 to /entries
//	GET    /account               accounts.Account   the account and its API tokens
//	POST   /account/tokens        accounts.CreateToken  201, the token shown once
//	DELETE /account/tokens/:id    accounts.RevokeToken  or POST with _method=DELETE
//	GET    /test.jpg              home.TestImage     image/jpeg
//	GET    /favicon.ico           home.Favicon
//	GET    /healthz               home.Health
//	GET    /static/*filepath      static files, with ETag and 304s
//	GET    /entries               entries.Index      the guestbook, paginated
//	GET    /entries/new           entries.New        static beside :id: see chapter 6
//	POST   /entries               entries.Create     303 to /entries with a flash
//	GET    /entries/:id           entries.Show
//	GET    /entries/:id/edit      entries.Edit
//	PUT    /entries/:id           entries.Update     also PATCH, or POST with _method
//	DELETE /entries/:id           entries.Destroy    or POST with _method=DELETE
//	GET    /entries/live          entries.Live       server-sent events
//	GET    /live/entries          301 to /entries/live, its old address
//	GET    /ws/echo               sockets.Echo       WebSocket: every message back
//	GET    /ws/entries            sockets.Live       WebSocket: new entries, who is here
//	GET    /api                   api.Index          the API described, in HTML
//	GET    /api/entries           api.List           JSON
//	POST   /api/entries           api.Create         201, 400, 401, 415 or 422
//	GET    /api/entries/:id       api.Get            200 or 404
//	DELETE /api/entries/:id       api.Delete         204, 401, 403 or 404
//
// Writing needs an account: pages that write redirect to /login, the
// API answers 401. Only an entry's author may edit or delete it (403).
//
//	GET    /docs                  docs.Index         docs/README.md
//	GET    /docs/:page            docs.Show          docs/<page>.md
func routes(a *framework.App, h handlers, cfg config, log *slog.Logger) {
	if len(cfg.trustedProxies) > 0 {
		// First: everything after it, the log line included, sees the
		// client's address rather than the proxy's.
		a.Use(middleware.RealIP(middleware.RealIPConfig{TrustedProxies: cfg.trustedProxies}))
	}
	if cfg.tlsCert != "" {
		// The app serves TLS itself: browsers should come back over
		// HTTPS only. (Behind a TLS proxy, the proxy sends it.)
		a.Use(middleware.HSTS(hstsMaxAge))
	}
	a.Use(
		middleware.RequestID(),
		middleware.Logger(log),     // one line per request: the seed's image request shows here
		middleware.SecureHeaders(), // outside Recover: a 500 page keeps them
		middleware.Recover(),
		middleware.BodyLimit(maxFormBytes),
		middleware.MethodOverride(), // before routing: a form's _method=DELETE reaches DELETE routes
		middleware.Gzip(middleware.GzipConfig{}),
		session.Sessions(session.Config{Keys: cfg.sessionKeys, Secure: cfg.https, Lifetime: sessionLifetime, IdleTimeout: sessionIdle}),
	)

	// Files that are the same for everyone: no account is looked up, so
	// they stay cacheable (a response that reads the session is private).
	a.GET("/test.jpg", h.home.TestImage).Name("test.jpg")
	a.GET("/favicon.ico", h.home.Favicon).Name("favicon")
	a.GET("/healthz", h.home.Health).Name("healthz")
	a.Static("/static", static.FS, framework.StaticConfig{}).Name("static")

	// Everything else knows who is asking: a Bearer token or the session.
	// Authenticate finds the account and refuses nothing but a bad token;
	// the controllers decide what that person may do.
	site := a.Group("", h.accounts.Authenticate)

	// The seed demo, as the article tried it: the form makes an account,
	// and curl can post it.
	site.GET("/", h.home.Index).Name("home")
	site.POST("/register", h.home.Register).Name("register")

	// The guestbook: HTML forms that change state, so behind CSRF.
	// A form whose token went stale with its session comes back filled
	// in, asking to be sent again (entries.Expired).
	pages := site.Group("", session.CSRF(session.CSRFConfig{Expired: h.entries.Expired}))
	pages.Resource("/entries", h.entries)
	pages.GET("/login", h.accounts.LoginPage).Name("login")
	pages.POST("/login", h.accounts.Login).Name("login.create")
	pages.POST("/logout", h.accounts.Logout).Name("logout")
	pages.GET("/account", h.accounts.Account).Name("account")
	pages.POST("/account/tokens", h.accounts.CreateToken).Name("account.tokens.create")
	pages.DELETE("/account/tokens/:id", h.accounts.RevokeToken).Name("account.tokens.revoke")
	// "live" beside ":id": the router keeps the two in separate trees,
	// and the static segment wins.
	site.GET("/entries/live", h.entries.Live).Name("entries.live")
	a.GET("/live/entries", movedTo("/entries/live"))

	// WebSocket: the echo the docs use, and the live feed with a count of
	// who is here; the page falls back to /entries/live without them.
	// The sockets controller shares the entries controller's store and
	// feed.
	sockets := &controllers.Sockets{Entries: h.entries}
	site.GET("/ws/echo", sockets.Echo).Name("ws.echo")
	site.GET("/ws/entries", sockets.Live).Name("ws.entries")

	// The JSON API: errors answer in JSON. A write made with an API
	// token needs no CSRF check, since no browser sends the token by
	// itself; one made with the session cookie passes the pages' checks.
	site.GET("/api", h.api.Index).Name("api.index")
	api := site.Group("/api", controllers.APICSRF(session.CSRFConfig{})).API() // errors answer in JSON, whatever Accept says
	api.GET("/entries", h.api.List).Name("api.entries.list")
	api.POST("/entries", h.api.Create).Name("api.entries.create")
	api.GET("/entries/:id", h.api.Get).Name("api.entries.get")
	api.DELETE("/entries/:id", h.api.Delete).Name("api.entries.delete")

	// The docs, rendered from docs/*.md.
	site.GET("/docs", h.docs.Index).Name("docs.index")
	site.GET("/docs/:page", h.docs.Show).Name("docs.show")
}

// movedTo answers with a permanent redirect to path, for an address that
// has moved: 301, which browsers and feeds remember. The query follows.
func movedTo(path string) framework.Handler {
	return func(c *framework.Ctx) error {
		to := path
		if q := c.RawQuery(); q != "" {
			to += "?" + q
		}
		return c.Redirect(framework.StatusMovedPermanently, to)
	}
}

// printRoutes writes the route table: method, pattern, name, the route's
// own middleware (App.Use middleware runs for every request) and handler.
func printRoutes(w io.Writer, a *framework.App) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tPATTERN\tNAME\tMIDDLEWARE\tHANDLER")
	for _, r := range a.Routes() {
		mw := strings.Join(r.MiddlewareNames(), ", ")
		if mw == "" {
			mw = "-"
		}
		name := r.RouteName()
		if name == "" {
			name = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Method, r.Path, name, mw, r.HandlerName())
	}
	return tw.Flush()
}

// explain writes the router's decision for a request given as
// "METHOD /path" (GET when the method is left out).
func explain(w io.Writer, a *framework.App, req string) error {
	method, target, ok := strings.Cut(strings.TrimSpace(req), " ")
	if !ok {
		method, target = "GET", method
	}
	target = strings.TrimSpace(target)
	if !strings.HasPrefix(target, "/") && target != "*" {
		return fmt.Errorf("-explain %q: want a method and a path, as in \"GET /entries/7\"", req)
	}
	_, err := io.WriteString(w, a.Explain(strings.ToUpper(method), target).String())
	return err
}
