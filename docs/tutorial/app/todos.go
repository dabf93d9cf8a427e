package main

import (
	"errors"
	"strings"
	"sync"
	"unicode/utf8"

	"example.com/todo/views"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/session"
)

// Todos is the controller: its methods are the handlers, its fields what
// they need. The list lives in memory, behind a mutex, since handlers run
// on many connections at once.
type Todos struct {
	mu    sync.Mutex
	items []views.Todo
}

// TodoInput is what a client sends to add a todo, from a form or as JSON:
// the tags name the form field and the JSON key that c.Bind reads.
type TodoInput struct {
	Title string `form:"title" json:"title"`
}

// Validate returns the problem with each field, or nil. c.Bind calls it
// after binding; its FieldErrors come back from Bind as a 422.
func (in *TodoInput) Validate() error {
	in.Title = strings.TrimSpace(in.Title)
	errs := framework.FieldErrors{}
	switch {
	case in.Title == "":
		errs.Add("title", "Say what there is to do.")
	case utf8.RuneCountInString(in.Title) > 100:
		errs.Add("title", "Keep it under 100 characters.")
	}
	return errs.Err()
}

// add stores a valid input and returns the new todo.
func (h *Todos) add(in TodoInput) views.Todo {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := views.Todo{ID: len(h.items) + 1, Title: in.Title}
	h.items = append(h.items, t)
	return t
}

// list returns a copy of the list, safe to render after the lock.
func (h *Todos) list() []views.Todo {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]views.Todo(nil), h.items...)
}

// Index shows the list and the empty form.
func (h *Todos) Index(c *framework.Ctx) error {
	return c.Render(framework.StatusOK, views.Todos(h.list(), views.TodoForm{}))
}

// Create adds a todo from the form, then redirects to the list with a
// flash message; invalid input shows the form again, with 422.
func (h *Todos) Create(c *framework.Ctx) error {
	var in TodoInput
	var errs framework.FieldErrors
	if err := c.Bind(&in); errors.As(err, &errs) {
		return c.Render(framework.StatusUnprocessableEntity, views.Todos(h.list(), views.TodoForm{Title: in.Title, Errors: errs}))
	} else if err != nil {
		return err // a malformed or oversized form: 400 or 413
	}
	t := h.add(in)
	session.From(c).AddFlash("success", "Added “"+t.Title+"”.")
	return c.Redirect(framework.StatusSeeOther, framework.URLFor(c.Context(), "todos"))
}

// APIList answers the list as JSON.
func (h *Todos) APIList(c *framework.Ctx) error {
	return c.JSON(framework.StatusOK, h.list())
}

// APICreate adds a todo sent as JSON and answers 201 with it.
func (h *Todos) APICreate(c *framework.Ctx) error {
	var in TodoInput
	if err := c.Bind(&in); err != nil {
		return err // a 400, 415 or 422 that says what was wrong
	}
	return c.JSON(framework.StatusCreated, h.add(in))
}
