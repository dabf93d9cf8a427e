package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// ErrNotFound is returned when no row has the requested id.
var ErrNotFound = errors.New("models: not found")

// Limits on an entry's fields, in characters.
const (
	MaxNameLen    = 80
	MaxMessageLen = 2000
)

// Entry is one guestbook entry.
type Entry struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Message   string    `json:"message"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// UserID is the author's account; 0 for an entry written before
	// accounts existed, which no one may change.
	UserID int64 `json:"user_id,omitempty"`
}

// CanChange reports whether the account userID may edit or delete the
// entry: its author alone, and no one for an anonymous entry.
func (e Entry) CanChange(userID int64) bool {
	return userID != 0 && e.UserID == userID
}

// EntryInput is what a visitor submits, from a form or as JSON.
// Ctx.Bind fills it from either, and calls Validate.
type EntryInput struct {
	Name    string `form:"name" json:"name"`
	Message string `form:"message" json:"message"`
}

// Normalize trims the fields and turns CRLF line breaks into LF.
func (in *EntryInput) Normalize() {
	in.Name = normalizeText(in.Name)
	in.Message = normalizeText(in.Message)
}

// Validate checks a normalized copy of the input, as framework.Validator
// asks: an Errors, or nil.
func (in EntryInput) Validate() error {
	in.Normalize()
	return in.Check().Err()
}

// Check checks the input: a name of 1 to 80 characters on one line, a
// message of 1 to 2000 characters, and no control characters in either.
// Call Normalize first.
func (in EntryInput) Check() Errors {
	errs := Errors{}
	checkText(errs, "name", "Name", in.Name, true, MaxNameLen, false)
	checkText(errs, "message", "Message", in.Message, true, MaxMessageLen, true)
	return errs
}

// Entries is the store of guestbook entries.
type Entries struct {
	db  store
	now func() time.Time
}

// NewEntries returns the entry store over db.
func NewEntries(db *sql.DB) *Entries {
	return &Entries{db: newStore(db), now: time.Now}
}

// Page is one page of entries, newest first.
type Page struct {
	Entries []Entry `json:"entries"`
	Page    int     `json:"page"`
	PerPage int     `json:"per_page"`
	Total   int     `json:"total"`
}

// Pages returns how many pages the entries fill; at least 1.
func (p Page) Pages() int {
	if p.Total == 0 || p.PerPage <= 0 {
		return 1
	}
	return (p.Total + p.PerPage - 1) / p.PerPage
}

// HasPrev reports whether a previous page exists.
func (p Page) HasPrev() bool { return p.Page > 1 }

// HasNext reports whether a next page exists.
func (p Page) HasNext() bool { return p.Page < p.Pages() }

// List returns page number page (from 1) of perPage entries, newest first.
func (s *Entries) List(ctx context.Context, page, perPage int) (Page, error) {
	p := Page{Page: max(page, 1), PerPage: max(perPage, 1), Entries: []Entry{}}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM entries`).Scan(&p.Total); err != nil {
		return p, fmt.Errorf("models: count entries: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, message, created_at, updated_at, coalesce(user_id, 0)
		FROM entries ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
		p.PerPage, (p.Page-1)*p.PerPage)
	if err != nil {
		return p, fmt.Errorf("models: list entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return p, err
		}
		p.Entries = append(p.Entries, e)
	}
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("models: list entries: %w", err)
	}
	return p, nil
}

// Window is one page of the guestbook found by keyset pagination: the
// page is named by the id it starts after, not by its number, so that
// the database seeks to it through the primary key instead of counting
// and skipping every entry before it (OFFSET). Any page costs about the
// same, the last of a million rows as the first. There is no total and
// no page number: neither can be had without counting.
type Window struct {
	Entries []Entry
	PerPage int
	First   bool // the newest page: live entries appear at its top
	// Newer and Older are the cursors of the pages beside this one, for
	// ?after= and ?before= links; 0 when there is no such page.
	Newer, Older int64
}

// Window returns perPage entries, newest (highest id) first: the newest
// when after and before are 0, else those just older than id before, or
// just newer than id after. A newer window that reaches the newest entry
// is the first page, full.
func (s *Entries) Window(ctx context.Context, after, before int64, perPage int) (Window, error) {
	w := Window{PerPage: max(perPage, 1), Entries: []Entry{}}
	var q string
	var arg int64
	switch {
	case after > 0:
		q, arg = `SELECT id, name, message, created_at, updated_at, coalesce(user_id, 0) FROM entries WHERE id > ? ORDER BY id LIMIT ?`, after
	case before > 0:
		q, arg = `SELECT id, name, message, created_at, updated_at, coalesce(user_id, 0) FROM entries WHERE id < ? ORDER BY id DESC LIMIT ?`, before
	default:
		q, arg = `SELECT id, name, message, created_at, updated_at, coalesce(user_id, 0) FROM entries WHERE id < ? ORDER BY id DESC LIMIT ?`, math.MaxInt64
	}
	// One row more than the page says whether the next page exists.
	got, err := s.query(ctx, "list entries", q, arg, w.PerPage+1)
	if err != nil {
		return w, err
	}
	more := len(got) > w.PerPage
	got = got[:min(len(got), w.PerPage)]
	if after > 0 {
		if !more {
			return s.Window(ctx, 0, 0, perPage) // reached the top: the first page
		}
		slices.Reverse(got)
	}
	w.Entries = got
	w.First = after == 0 && before == 0
	if len(got) == 0 {
		return w, nil
	}
	newest, oldest := got[0].ID, got[len(got)-1].ID
	olderExists, newerExists := more, false
	switch {
	case after > 0:
		newerExists = true // more rows came back than the page holds
		olderExists, err = s.exists(ctx, `SELECT 1 FROM entries WHERE id < ? LIMIT 1`, oldest)
	case before > 0:
		newerExists, err = s.exists(ctx, `SELECT 1 FROM entries WHERE id > ? LIMIT 1`, newest)
	}
	if olderExists {
		w.Older = oldest
	}
	if newerExists {
		w.Newer = newest
	}
	return w, err
}

// query runs a query of entries with an id bound and a limit; what names
// it in errors.
func (s *Entries) query(ctx context.Context, what, q string, id int64, limit int) ([]Entry, error) {
	rows, err := s.db.QueryContext(ctx, q, id, limit)
	if err != nil {
		return nil, fmt.Errorf("models: %s: %w", what, err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("models: %s: %w", what, err)
	}
	return out, nil
}

// exists reports whether a query over an id finds a row. It selects a
// constant with LIMIT 1 rather than EXISTS(...), whose result SQLite
// gives as an integer and PostgreSQL as a boolean.
func (s *Entries) exists(ctx context.Context, q string, id int64) (bool, error) {
	var one int64
	switch err := s.db.QueryRowContext(ctx, q, id).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("models: list entries: %w", err)
	}
	return true, nil
}

// Count returns the number of entries.
func (s *Entries) Count(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM entries`).Scan(&n)
	return n, err
}

// Get returns the entry with id, or ErrNotFound.
func (s *Entries) Get(ctx context.Context, id int64) (Entry, error) {
	row := s.db.QueryRowContext(ctx, `SELECT id, name, message, created_at, updated_at, coalesce(user_id, 0)
		FROM entries WHERE id = ?`, id)
	e, err := scanEntry(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, ErrNotFound
	}
	return e, err
}

// Create normalizes and validates in, then stores it as written by the
// account userID (0: anonymous). Invalid input returns Errors and
// changes nothing.
func (s *Entries) Create(ctx context.Context, userID int64, in EntryInput) (Entry, error) {
	in.Normalize()
	if err := in.Check().Err(); err != nil {
		return Entry{}, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	// The insert and its announcement (on PostgreSQL, a NOTIFY that other
	// instances' live feeds hear) commit together or not at all.
	sqlTx, tx, err := s.db.begin(ctx)
	if err != nil {
		return Entry{}, fmt.Errorf("models: create entry: %w", err)
	}
	defer sqlTx.Rollback()
	var id int64
	var author any // NULL for anonymous
	if userID != 0 {
		author = userID
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO entries (name, message, created_at, updated_at, user_id)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, in.Name, in.Message, now.UnixMilli(), now.UnixMilli(), author).Scan(&id); err != nil {
		return Entry{}, fmt.Errorf("models: create entry: %w", err)
	}
	if err := tx.announce(ctx, id); err != nil {
		return Entry{}, fmt.Errorf("models: create entry: announce: %w", err)
	}
	if err := sqlTx.Commit(); err != nil {
		return Entry{}, fmt.Errorf("models: create entry: %w", err)
	}
	return Entry{ID: id, Name: in.Name, Message: in.Message, CreatedAt: now, UpdatedAt: now, UserID: userID}, nil
}

// Update normalizes and validates in, then replaces the entry's name and
// message. It returns ErrNotFound when there is no such entry, and Errors
// for invalid input; either way nothing changes.
func (s *Entries) Update(ctx context.Context, id int64, in EntryInput) (Entry, error) {
	in.Normalize()
	if err := in.Check().Err(); err != nil {
		return Entry{}, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	res, err := s.db.ExecContext(ctx, `UPDATE entries SET name = ?, message = ?, updated_at = ?
		WHERE id = ?`, in.Name, in.Message, now.UnixMilli(), id)
	if err != nil {
		return Entry{}, fmt.Errorf("models: update entry %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return Entry{}, fmt.Errorf("models: update entry %d: %w", id, err)
	} else if n == 0 {
		return Entry{}, ErrNotFound
	}
	return s.Get(ctx, id)
}

// Delete removes the entry with id, or returns ErrNotFound.
func (s *Entries) Delete(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM entries WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("models: delete entry %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("models: delete entry %d: %w", id, err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface{ Scan(dest ...any) error }

func scanEntry(row scanner) (Entry, error) {
	var e Entry
	var created, updated int64
	if err := row.Scan(&e.ID, &e.Name, &e.Message, &created, &updated, &e.UserID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return e, err
		}
		return e, fmt.Errorf("models: read entry: %w", err)
	}
	e.CreatedAt = time.UnixMilli(created).UTC()
	e.UpdatedAt = time.UnixMilli(updated).UTC()
	return e, nil
}

// LatestID returns the highest entry id, or 0 when there are none: where
// a live feed starts.
func (s *Entries) LatestID(ctx context.Context) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM entries`).Scan(&id)
	return id, err
}

// Since returns up to limit entries with an id above id, oldest first:
// what a live client that saw entry id has missed.
func (s *Entries) Since(ctx context.Context, id int64, limit int) ([]Entry, error) {
	return s.query(ctx, "entries since "+strconv.FormatInt(id, 10), `SELECT id, name, message, created_at, updated_at, coalesce(user_id, 0)
		FROM entries WHERE id > ? ORDER BY id LIMIT ?`, id, limit)
}
