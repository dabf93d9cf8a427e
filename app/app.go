package main

import (
	"context"
	"database/sql"
	"io/fs"
	"log/slog"
	"os"

	"github.com/groundup-go/groundup/app/controllers"
	"github.com/groundup-go/groundup/app/feed"
	"github.com/groundup-go/groundup/app/models"
	"github.com/groundup-go/groundup/docs"
	"github.com/groundup-go/groundup/framework"
)

// app is the running application: the server and what it holds open.
type app struct {
	srv  *framework.Server
	db   *sql.DB
	feed feed.Broker
}

// newApp opens the database (migrating it), builds the controllers and
// the router, and returns the server, not yet listening.
func newApp(ctx context.Context, cfg config, log *slog.Logger) (*app, error) {
	db, err := models.Open(ctx, cfg.db)
	if err != nil {
		return nil, err
	}
	store := models.NewEntries(db)
	// One process on SQLite fans entries out in memory; instances that
	// share a PostgreSQL database hear each other's through NOTIFY.
	var broker feed.Broker = feed.NewInProcess()
	if models.IsPostgres(db) {
		if broker, err = feed.NewPostgres(ctx, cfg.db, store, log); err != nil {
			db.Close()
			return nil, err
		}
	}

	var docsFS fs.FS = docs.FS
	if cfg.dev {
		// In dev mode, read the docs from disk when run from the
		// repository, so that edits show on reload.
		if _, err := os.Stat("docs/README.md"); err == nil {
			docsFS = os.DirFS("docs")
			log.Debug("docs: reading from ./docs")
		}
	}
	entries := &controllers.Entries{Store: store, Feed: broker, Log: log}
	users := models.NewUsers(db)
	h := handlers{
		accounts: &controllers.Accounts{Users: users, Limiter: controllers.NewLimiter(), Log: log},
		home:     &controllers.Home{Users: users},
		entries:  entries,
		api:      &controllers.API{Store: entries.Store, Publish: entries.Publish},
		docs:     &controllers.Docs{Site: docs.NewSite(docsFS, !cfg.dev)},
	}

	a := framework.New()
	a.Dev = cfg.dev
	a.ErrorHandler = controllers.ErrorHandler(log, cfg.dev)
	if cfg.dev {
		// Every request is traced, and the traces are browsed at
		// /_groundup/requests from this machine.
		a.Traces = &framework.TraceStore{}
	}
	routes(a, h, cfg, log)

	srv := &framework.Server{
		Handler:      a.Serve,
		Logger:       log,
		MaxBodyBytes: 1 << 20,
		Trace:        a.Traces,
	}
	return &app{srv: srv, db: db, feed: broker}, nil
}

// handlers are the controllers that routes registers.
type handlers struct {
	accounts *controllers.Accounts
	home     *controllers.Home
	entries  *controllers.Entries
	api      *controllers.API
	docs     *controllers.Docs
}

func (a *app) close() {
	a.feed.Close()
	a.db.Close()
}
