// Package models holds the guestbook's data and rules: plain Go types and
// functions over database/sql. There is no ORM. The database is SQLite
// through the pure-Go driver modernc.org/sqlite, so the app builds without
// cgo, or PostgreSQL through pgx's database/sql driver: one code path, with
// what differs between the two in dialect.go.
package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"               // registers the "sqlite" driver
)

// Open opens the database named by dsn and migrates its schema to the
// latest version: a postgres:// (or postgresql://) URL is a PostgreSQL
// database, anything else the path of a SQLite file (see openSQLite).
func Open(ctx context.Context, dsn string) (*sql.DB, error) {
	if isPostgresURL(dsn) {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

// openPostgres opens the PostgreSQL database at url through pgx's
// database/sql driver.
func openPostgres(ctx context.Context, url string) (*sql.DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("models: open PostgreSQL: %w", err)
	}
	// Each instance keeps a few connections; several instances share the
	// server's max_connections (100 by default).
	db.SetMaxOpenConns(10)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("models: open PostgreSQL: %w", err)
	}
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openSQLite opens the SQLite database at path, creating its directory and the
// file when missing, and migrates the schema to the latest version.
//
// Every connection runs in WAL mode, so readers never block the writer,
// with a busy timeout, so that two writers queue for the lock instead of
// failing at once with SQLITE_BUSY. Write transactions take the lock when
// they begin (BEGIN IMMEDIATE): a transaction that starts as a reader and
// later writes could otherwise deadlock against another writer.
func openSQLite(ctx context.Context, path string) (*sql.DB, error) {
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
	if err := pingSQLite(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("models: open %s: %w", path, err)
	}
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// pingSQLite opens the first connection, which sets the pragmas. On a
// new database, journal_mode(WAL) switches the file to WAL under an
// exclusive lock, and a connection that asks while another holds it gets
// SQLITE_BUSY at once, busy timeout or not: processes that open one new
// database together meet it (TestMigrateConcurrently). The ping is tried
// again while the busy timeout would have waited; once the file is in WAL
// mode, the pragma takes no lock.
func pingSQLite(ctx context.Context, db *sql.DB) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := db.PingContext(ctx)
		var e *sqlite.Error
		if err == nil || !errors.As(err, &e) || e.Code()&0xff != 5 || time.Now().After(deadline) {
			return err // 5 is SQLITE_BUSY; its extended codes keep it in the low byte
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// migrations are applied in order, each once, each in its own
// transaction. Append new ones; never edit one that has shipped. {id},
// {millis} and {ref} are the dialect's identity column, time column and
// reference-to-an-id column types.
var migrations = []string{
	1: `CREATE TABLE entries (
		id         {id},
		name       TEXT    NOT NULL,
		message    TEXT    NOT NULL,
		created_at {millis} NOT NULL, -- Unix milliseconds, UTC
		updated_at {millis} NOT NULL
	)`,
	2: `CREATE INDEX entries_created_at ON entries (created_at DESC, id DESC)`,
	3: `CREATE TABLE users (
		id            {id},
		name          TEXT    NOT NULL,
		email         TEXT    NOT NULL,
		password_hash TEXT    NOT NULL, -- argon2id, as a PHC string
		created_at    {millis} NOT NULL
	)`,
	// One account per email, whatever its case: lower() in a unique
	// index works on both databases.
	4: `CREATE UNIQUE INDEX users_email ON users (lower(email))`,
	// Entries written before accounts keep a NULL author: anonymous, and
	// read-only, since no one is their author.
	5: `ALTER TABLE entries ADD COLUMN user_id {ref} REFERENCES users (id) ON DELETE SET NULL`,
	6: `CREATE TABLE api_tokens (
		id         {id},
		user_id    {ref} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
		name       TEXT    NOT NULL,
		token_hash TEXT    NOT NULL UNIQUE, -- SHA-256 of the token, hex
		created_at {millis} NOT NULL
	)`,
}

// Migrate brings the schema up to date. The schema_migrations table
// records which versions have run, so Migrate is safe to call at every
// start, and from several processes starting at once: on PostgreSQL they
// queue on an advisory lock, held on one connection for the whole run;
// on SQLite each migration's transaction takes the database's write lock
// as it begins, and checks again under it.
func Migrate(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("models: migrate: %w", err)
	}
	defer conn.Close()
	d := dialectOf(db)
	if d.lock != "" {
		if _, err := conn.ExecContext(ctx, d.lock); err != nil {
			return fmt.Errorf("models: migrate: take the lock: %w", err)
		}
		// The lock is the session's: release it before the connection
		// goes back to the pool. A failed release ends with the session.
		defer conn.ExecContext(context.WithoutCancel(ctx), d.unlock)
	}
	if _, err := conn.ExecContext(ctx, d.ddl.Replace(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at {millis} NOT NULL
	)`)); err != nil {
		return fmt.Errorf("models: create schema_migrations: %w", err)
	}
	for v := 1; v < len(migrations); v++ {
		if err := migrate(ctx, conn, d, v); err != nil {
			return err
		}
	}
	return nil
}

// migrate runs migration v unless it has run already. The check and the
// change share one transaction; should another process record v first
// all the same, the unique violation means it is done.
func migrate(ctx context.Context, conn *sql.Conn, d *dialect, v int) error {
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("models: migration %d: %w", v, err)
	}
	defer sqlTx.Rollback()
	tx := dbq{q: sqlTx, d: d}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, v).Scan(&n); err != nil {
		return fmt.Errorf("models: migration %d: %w", v, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, d.ddl.Replace(migrations[v])); err != nil {
		return fmt.Errorf("models: migration %d: %w", v, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		v, time.Now().UnixMilli()); err != nil {
		if d.unique(err) {
			return nil
		}
		return fmt.Errorf("models: migration %d: %w", v, err)
	}
	return sqlTx.Commit()
}

// SchemaVersion returns the latest migration applied.
func SchemaVersion(ctx context.Context, db *sql.DB) (int, error) {
	var v sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	return int(v.Int64), err
}
