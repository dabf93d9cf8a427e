// Package controllers holds the example app's controllers. A controller
// is a struct that holds its dependencies; its methods are the handlers
// that app/routes.go registers. Controllers read the request, call the
// models, and pick a view or a status; they hold no SQL and no markup.
package controllers

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/groundup-go/groundup/app/feed"
	"github.com/groundup-go/groundup/app/models"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/middleware"
	"github.com/groundup-go/groundup/framework/session"
	"github.com/groundup-go/groundup/views"
)

// Entries is the guestbook's HTML controller. Resource maps its Index,
// New, Create, Show, Edit, Update and Destroy methods to the
// conventional routes; Live is the feed of new entries.
type Entries struct {
	Store   *models.Entries
	Feed    feed.Broker
	Log     *slog.Logger
	PerPage int // entries per page; 10 when zero
}

func (h *Entries) perPage() int {
	if h.PerPage <= 0 {
		return 10
	}
	return h.PerPage
}

// Index lists one page of entries, newest first, with the form to post.
// Pages are found by keyset (models.Window): ?before=<id> lists the
// entries older than that one, ?after=<id> those newer, so any page costs
// the same. The numbered pages of old (?page=N) lead to the first page.
func (h *Entries) Index(c *framework.Ctx) error {
	if c.Query("page") != "" {
		return c.Redirect(framework.StatusMovedPermanently, framework.URLFor(c.Context(), "entries.index"))
	}
	after, err := cursorParam(c, "after")
	if err != nil {
		return err
	}
	before, err := cursorParam(c, "before")
	if err != nil {
		return err
	}
	if after > 0 && before > 0 {
		return framework.NewError(framework.StatusBadRequest, "give before or after, not both")
	}
	ctx, cancel := dbContext(c)
	defer cancel()
	w, err := h.Store.Window(ctx, after, before, h.perPage())
	if err != nil {
		return err
	}
	return c.Render(framework.StatusOK, views.EntriesIndex(w, views.EntryForm{}))
}

// cursorParam reads an entry id that names a page: 0 when absent, a 400
// when it is not a positive integer.
func cursorParam(c *framework.Ctx, name string) (int64, error) {
	raw := c.Query(name)
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 1 {
		return 0, framework.NewError(framework.StatusBadRequest, name+" must be an entry id, a whole number from 1, not "+strconv.Quote(raw))
	}
	return n, nil
}

// New shows the empty form.
func (h *Entries) New(c *framework.Ctx) error {
	if _, ok, err := pageUser(c); !ok {
		return err
	}
	return c.Render(framework.StatusOK, views.EntryNew(views.EntryForm{}))
}

// Create stores a new entry, then redirects to the list with a flash
// message (post, redirect, get: a reload does not post twice). Invalid
// input shows the form again with 422 and stores nothing.
func (h *Entries) Create(c *framework.Ctx) error {
	u, ok, err := pageUser(c)
	if !ok {
		return err
	}
	in, errs, err := entryInput(c)
	if err != nil {
		return err
	}
	if errs != nil {
		refused(c, errs)
		in.Normalize()
		return c.Render(framework.StatusUnprocessableEntity, views.EntryNew(views.EntryForm{Input: in, Errors: errs}))
	}
	ctx, cancel := dbContext(c)
	defer cancel()
	e, err := h.Store.Create(ctx, u.ID, in)
	if err != nil {
		return err
	}
	h.Publish(e)
	if s := session.From(c); s != nil {
		s.AddFlash("success", "Thank you, "+e.Name+". Your entry is in the guestbook.")
	}
	return c.RedirectTo(framework.StatusSeeOther, "entries.index")
}

// Show shows one entry.
func (h *Entries) Show(c *framework.Ctx) error {
	e, err := loadEntry(c, h.Store)
	if err != nil {
		return err
	}
	return c.Render(framework.StatusOK, views.EntryShow(e))
}

// Edit shows the form filled with the entry, to its author alone.
func (h *Entries) Edit(c *framework.Ctx) error {
	e, ok, err := h.ownEntry(c)
	if !ok {
		return err
	}
	form := views.EntryForm{Input: models.EntryInput{Name: e.Name, Message: e.Message}}
	return c.Render(framework.StatusOK, views.EntryEdit(e, form))
}

// Update saves the edited entry and redirects to it with a flash
// message. Invalid input shows the form again with 422.
func (h *Entries) Update(c *framework.Ctx) error {
	e, ok, err := h.ownEntry(c)
	if !ok {
		return err
	}
	in, errs, err := entryInput(c)
	if err != nil {
		return err
	}
	if errs != nil {
		refused(c, errs)
		in.Normalize()
		return c.Render(framework.StatusUnprocessableEntity, views.EntryEdit(e, views.EntryForm{Input: in, Errors: errs}))
	}
	ctx, cancel := dbContext(c)
	defer cancel()
	updated, err := h.Store.Update(ctx, e.ID, in)
	if err != nil {
		return notFoundAs(err, c.Param("id"))
	}
	if s := session.From(c); s != nil {
		s.AddFlash("success", "Your changes are saved.")
	}
	return c.RedirectTo(framework.StatusSeeOther, "entries.show", strconv.FormatInt(updated.ID, 10))
}

// Destroy deletes the entry and redirects to the list.
func (h *Entries) Destroy(c *framework.Ctx) error {
	u, ok, err := pageUser(c)
	if !ok {
		return err
	}
	if err := deleteEntry(c, h.Store, u); err != nil {
		return err
	}
	if s := session.From(c); s != nil {
		s.AddFlash("info", "The entry is deleted.")
	}
	return c.RedirectTo(framework.StatusSeeOther, "entries.index")
}

// ownEntry loads the entry named by :id for a change: 404 when there is
// none; then a visitor who is not logged in goes to the login page, one who is not its author gets
// a 403. ok is false when err is the answer.
func (h *Entries) ownEntry(c *framework.Ctx) (e models.Entry, ok bool, err error) {
	if e, err = loadEntry(c, h.Store); err != nil {
		return e, false, err
	}
	u, ok, err := pageUser(c)
	if !ok {
		return e, false, err
	}
	if !e.CanChange(u.ID) {
		return e, false, forbidden()
	}
	return e, true, nil
}

// FormExpired is what a form posted with a stale CSRF token says.
const FormExpired = "Your form expired, send it again. Nothing was saved."

// Expired answers a form whose CSRF token no longer matches the session
// (session.CSRFConfig.Expired): most often a page left open while the
// session ended, or while the server restarted with a new key. The new
// and edit forms come back with the user's input and a fresh token, with
// 403; nothing is stored. Any other form gets the message on the error
// page.
func (h *Entries) Expired(c *framework.Ctx) error {
	route := c.Route()
	if route == nil {
		return framework.NewError(framework.StatusForbidden, FormExpired)
	}
	var form views.EntryForm
	switch {
	case c.Method() == "POST" && route.Path == "/entries":
		in, _, err := entryInput(c)
		if err != nil {
			return err
		}
		form = views.EntryForm{Input: in, Notice: FormExpired}
		return c.Render(framework.StatusForbidden, views.EntryNew(form))
	case (c.Method() == "PUT" || c.Method() == "PATCH") && route.Path == "/entries/:id":
		e, err := loadEntry(c, h.Store)
		if err != nil {
			return err
		}
		in, _, err := entryInput(c)
		if err != nil {
			return err
		}
		form = views.EntryForm{Input: in, Notice: FormExpired}
		return c.Render(framework.StatusForbidden, views.EntryEdit(e, form))
	}
	return framework.NewError(framework.StatusForbidden, FormExpired)
}

// liveEntry is what the live feed sends for each new entry: the entry
// plus what a page needs to show it.
type liveEntry struct {
	models.Entry
	URL         string `json:"url"`
	CreatedText string `json:"created_text"`
}

// Live streams new entries as server-sent events of type "entry", each
// with the entry as JSON. A client that reconnects with Last-Event-ID
// first gets the entries it missed. The stream ends when the client
// leaves or the server shuts down.
func (h *Entries) Live(c *framework.Ctx) error {
	if c.Method() == "HEAD" {
		// A HEAD gets the stream's head and no stream to wait on.
		c.Header().Set("Content-Type", "text/event-stream")
		c.Header().Set("Cache-Control", "no-cache")
		return c.NoContent(framework.StatusOK)
	}
	// Subscribe before looking for missed entries, so that nothing
	// created in between is lost; sent tracks what went out to skip
	// duplicates.
	entries, cancel := h.Feed.Subscribe()
	defer cancel()
	var sent int64
	var missed []models.Entry
	if last := c.RequestHeader("Last-Event-ID"); last != "" {
		id, err := strconv.ParseInt(last, 10, 64)
		if err != nil || id < 0 {
			return framework.NewError(framework.StatusBadRequest, "Last-Event-ID must be an entry id")
		}
		sent = id
		ctx, cancelDB := dbContext(c)
		missed, err = h.Store.Since(ctx, id, 100)
		cancelDB()
		if err != nil {
			return err
		}
	}
	es, err := c.EventStream()
	if err != nil {
		return err
	}
	send := func(e models.Entry) error {
		if e.ID <= sent {
			return nil
		}
		sent = e.ID
		data, err := json.Marshal(h.live(c.Context(), e))
		if err != nil {
			return err
		}
		return es.Send(framework.Event{ID: strconv.FormatInt(e.ID, 10), Event: "entry", Data: string(data)})
	}
	// A retry hint, and a first event that tells the client the stream
	// is open even when nothing is posted for a while.
	if err := es.Send(framework.Event{Event: "ready", Data: "{}", Retry: 3 * time.Second}); err != nil {
		return nil
	}
	for _, e := range missed {
		if err := send(e); err != nil {
			return nil
		}
	}
	ping := time.NewTicker(20 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-es.Done():
			return nil // the client left, or the server is closing
		case <-ping.C:
			if err := es.Comment("ping"); err != nil {
				return nil
			}
		case e, ok := <-entries:
			if !ok {
				return nil // the feed closed: the server is shutting down
			}
			if err := send(e); err != nil {
				return nil // the client is gone; there is no one to answer
			}
		}
	}
}

func (h *Entries) live(ctx context.Context, e models.Entry) liveEntry {
	return liveEntry{Entry: e, URL: framework.URLFor(ctx, "entries.show", strconv.FormatInt(e.ID, 10)), CreatedText: views.FormatTime(e.CreatedAt)}
}

// Publish sends a new entry to the live feed.
func (h *Entries) Publish(e models.Entry) {
	if missed := h.Feed.Publish(e); missed > 0 && h.Log != nil {
		h.Log.Warn("live feed: slow subscribers missed an entry", "id", e.ID, "missed", missed)
	}
}

// loadEntry loads the entry named by the :id parameter, or answers 404.
// The HTML and JSON controllers share it.
func loadEntry(c *framework.Ctx, store *models.Entries) (models.Entry, error) {
	id, err := entryID(c)
	if err != nil {
		return models.Entry{}, err
	}
	ctx, cancel := dbContext(c)
	defer cancel()
	e, err := store.Get(ctx, id)
	if err != nil {
		return e, notFoundAs(err, c.Param("id"))
	}
	return e, nil
}

// deleteEntry deletes the entry named by the :id parameter for u, its
// author: 404 when there is none, 403 when u is not its author. The HTML
// and JSON controllers share it.
func deleteEntry(c *framework.Ctx, store *models.Entries, u models.User) error {
	e, err := loadEntry(c, store)
	if err != nil {
		return err
	}
	if !e.CanChange(u.ID) {
		return forbidden()
	}
	ctx, cancel := dbContext(c)
	defer cancel()
	if err := store.Delete(ctx, e.ID); err != nil {
		return notFoundAs(err, c.Param("id"))
	}
	return nil
}

// entryInput binds the entry form. A body that is not a well-formed form
// of those fields is a 400, one past the body limit a 413. Invalid input
// is not an error here: it comes back as the Errors that Bind's call of
// Validate found, for the form to show.
func entryInput(c *framework.Ctx) (models.EntryInput, models.Errors, error) {
	var in models.EntryInput
	err := c.Bind(&in)
	var errs models.Errors
	if errors.As(err, &errs) {
		return in, errs, nil
	}
	return in, nil, err
}

// entryID parses the :id parameter. An id that is not a positive integer
// names no entry: 404.
func entryID(c *framework.Ctx) (int64, error) {
	raw := c.Param("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, framework.NewError(framework.StatusNotFound, "no entry with id "+strconv.Quote(raw))
	}
	return id, nil
}

// refused logs why input was refused with a 422, so that each refusal
// leaves a reason in the log beside the request line.
func refused(c *framework.Ctx, errs models.Errors) {
	c.Logger().Info("input refused", "method", c.Method(), "path", c.Path(), "status", framework.StatusUnprocessableEntity,
		"reason", errs.Error(), "request_id", middleware.RequestIDFrom(c))
}

// notFoundAs turns models.ErrNotFound into a 404 that names the id.
func notFoundAs(err error, id string) error {
	if errors.Is(err, models.ErrNotFound) {
		return &framework.HTTPError{Code: framework.StatusNotFound, Message: "no entry with id " + strconv.Quote(id), Err: err}
	}
	return err
}

// pageParam reads a page number from the query: 1 when absent, a 400
// when it is not a positive integer.
func pageParam(c *framework.Ctx, name string) (int, error) {
	raw := c.Query(name)
	if raw == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, framework.NewError(framework.StatusBadRequest, name+" must be a whole number from 1, not "+strconv.Quote(raw))
	}
	return n, nil
}

// dbContext returns the context for the models' queries in a request:
// the request's context, so that a query stops when the client goes away
// or the server gives up on shutdown, bounded by a timeout so that a
// stuck database cannot hold a request forever.
func dbContext(c *framework.Ctx) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.Context(), 10*time.Second)
}
