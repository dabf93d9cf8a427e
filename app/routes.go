package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/groundup-go/groundup/app/controllers"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/middleware"
	"github.com/groundup-go/groundup/framework/session"
	"github.com/groundup-go/groundup/static"
)

// maxFormBytes bounds request bodies: the largest valid entry is 2000
// characters, a few KiB as a form or as JSON.
const maxFormBytes = 64 << 10

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
	a.Use(
		middleware.RequestID(),
		middleware.Logger(log),     // one line per request: the seed's image request shows here
		middleware.SecureHeaders(), // outside Recover: a 500 page keeps them
		middleware.Recover(),
		middleware.BodyLimit(maxFormBytes),
		middleware.MethodOverride(), // before routing: a form's _method=DELETE reaches DELETE routes
		middleware.Gzip(middleware.GzipConfig{}),
		session.Sessions(session.Config{Keys: cfg.sessionKeys, Secure: cfg.https}),
		h.accounts.Authenticate, // who is asking: a Bearer token or the session; refuses nothing else
	)

	// The seed demo, as the article tried it. The form changes nothing on
	// the server, so it needs no CSRF token, and curl can post it.
	a.GET("/", h.home.Index).Name("home")
	a.POST("/register", h.home.Register).Name("register")
	a.GET("/test.jpg", h.home.TestImage).Name("test.jpg")
	a.GET("/favicon.ico", h.home.Favicon).Name("favicon")
	a.GET("/healthz", h.home.Health).Name("healthz")
	a.Static("/static", static.FS, framework.StaticConfig{}).Name("static")

	// The guestbook: HTML forms that change state, so behind CSRF.
	// A form whose token went stale with its session comes back filled
	// in, asking to be sent again (entries.Expired).
	pages := a.Group("", session.CSRF(session.CSRFConfig{Expired: h.entries.Expired}))
	pages.Resource("/entries", h.entries)
	pages.GET("/login", h.accounts.LoginPage).Name("login")
	pages.POST("/login", h.accounts.Login).Name("login.create")
	pages.POST("/logout", h.accounts.Logout).Name("logout")
	pages.GET("/account", h.accounts.Account).Name("account")
	pages.POST("/account/tokens", h.accounts.CreateToken).Name("account.tokens.create")
	pages.DELETE("/account/tokens/:id", h.accounts.RevokeToken).Name("account.tokens.revoke")
	// "live" beside ":id": the router keeps the two in separate trees,
	// and the static segment wins.
	a.GET("/entries/live", h.entries.Live).Name("entries.live")
	a.GET("/live/entries", movedTo("/entries/live"))

	// The JSON API: errors answer in JSON. A write made with an API
	// token needs no CSRF check, since no browser sends the token by
	// itself; one made with the session cookie passes the pages' checks.
	a.GET("/api", h.api.Index).Name("api.index")
	api := a.Group("/api", controllers.APICSRF(session.CSRFConfig{})).API() // errors answer in JSON, whatever Accept says
	api.GET("/entries", h.api.List).Name("api.entries.list")
	api.POST("/entries", h.api.Create).Name("api.entries.create")
	api.GET("/entries/:id", h.api.Get).Name("api.entries.get")
	api.DELETE("/entries/:id", h.api.Delete).Name("api.entries.delete")

	// The docs, rendered from docs/*.md.
	a.GET("/docs", h.docs.Index).Name("docs.index")
	a.GET("/docs/:page", h.docs.Show).Name("docs.show")
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
