// Package models holds the guestbook's data and rules: plain Go types and
// functions over database/sql. There is no ORM. The database is SQLite
// through the pure-Go driver modernc.org/sqlite, so the app builds without
// cgo; the same code runs on PostgreSQL with another driver and small
// changes to the SQL.
package models

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Open opens the SQLite database at path, creating its directory and the
// file when missing, and migrates the schema to the latest version.
//
// Every connection runs in WAL mode, so readers never block the writer,
// with a busy timeout, so that two writers queue for the lock instead of
// failing at once with SQLITE_BUSY. Write transactions take the lock when
// they begin (BEGIN IMMEDIATE): a transaction that starts as a reader and
// later writes could otherwise deadlock against another writer.
func Open(ctx context.Context, path string) (*sql.DB, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("models: create the database directory: %w", err)
		}
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("models: open %s: %w", path, err)
	}
	// A handful of connections is plenty: SQLite runs one writer at a time
	// however many there are, and readers are fast.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("models: open %s: %w", path, err)
	}
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// migrations are applied in order, each once, each in its own
// transaction. Append new ones; never edit one that has shipped.
var migrations = []string{
	1: `CREATE TABLE entries (
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		name       TEXT    NOT NULL,
		message    TEXT    NOT NULL,
		created_at INTEGER NOT NULL, -- Unix milliseconds, UTC
		updated_at INTEGER NOT NULL
	)`,
	2: `CREATE INDEX entries_created_at ON entries (created_at DESC, id DESC)`,
}

// Migrate brings the schema up to date. The schema_migrations table
// records which versions have run, so Migrate is safe to call at every
// start.
func Migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("models: create schema_migrations: %w", err)
	}
	for v := 1; v < len(migrations); v++ {
		if err := migrate(ctx, db, v); err != nil {
			return err
		}
	}
	return nil
}

// migrate runs migration v unless it has run already. The check and the
// change share one transaction, so two processes starting at once cannot
// both apply it.
func migrate(ctx context.Context, db *sql.DB, v int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("models: migration %d: %w", v, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, v).Scan(&n); err != nil {
		return fmt.Errorf("models: migration %d: %w", v, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return fmt.Errorf("models: migration %d: %w", v, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		v, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("models: migration %d: %w", v, err)
	}
	return tx.Commit()
}

// SchemaVersion returns the latest migration applied.
func SchemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var v sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	return int(v.Int64), err
}
