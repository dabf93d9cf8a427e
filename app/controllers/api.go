package controllers

import (
	"errors"
	"mime"
	"strconv"

	"github.com/groundup-go/groundup/app/models"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/views"
)

// API is the guestbook's JSON API under /api/entries. Its errors are JSON
// bodies from ErrorHandler, {"error": "...", "status": 404}; a 422 also
// names each bad field.
type API struct {
	Store *models.Entries
	// Publish, when set, is called with each created entry; the HTML
	// controller's feed uses it too.
	Publish func(models.Entry)
}

// MaxPerPage bounds per_page in the API.
const MaxPerPage = 100

// Index is the HTML page that describes the API.
func (h *API) Index(c *framework.Ctx) error {
	return c.Render(framework.StatusOK, views.APIIndex(c.Host()))
}

// List answers a page of entries: ?page=1&per_page=20.
func (h *API) List(c *framework.Ctx) error {
	page, err := pageParam(c, "page")
	if err != nil {
		return err
	}
	per := 20
	if raw := c.Query("per_page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > MaxPerPage {
			return framework.NewError(framework.StatusBadRequest, "per_page must be a whole number from 1 to "+strconv.Itoa(MaxPerPage)+", not "+strconv.Quote(raw))
		}
		per = n
	}
	ctx, cancel := dbContext(c)
	defer cancel()
	p, err := h.Store.List(ctx, page, per)
	if err != nil {
		return err
	}
	return c.JSON(framework.StatusOK, p)
}

// Get answers one entry, or 404.
func (h *API) Get(c *framework.Ctx) error {
	e, err := loadEntry(c, h.Store)
	if err != nil {
		return err
	}
	return c.JSON(framework.StatusOK, e)
}

// Create stores the entry in the JSON body, {"name": "...", "message":
// "..."}, written by the account of the request's token, and answers
// 201 with its Location. Without an account it is a 401. A body that is
// not that JSON object is a 400 (415 for another Content-Type); invalid
// fields are a 422 that names each one. Either way nothing is stored.
func (h *API) Create(c *framework.Ctx) error {
	u, err := apiUser(c)
	if err != nil {
		return err
	}
	// The API speaks JSON only: Bind would take a form too.
	if mt, _, _ := mime.ParseMediaType(c.RequestHeader("Content-Type")); mt != "application/json" {
		return framework.NewError(framework.StatusUnsupportedMediaType, "expected Content-Type application/json")
	}
	var in models.EntryInput
	err = c.Bind(&in) // the JSON body, then in.Validate
	var errs models.Errors
	if errors.As(err, &errs) {
		refused(c, errs)
		return c.JSON(framework.StatusUnprocessableEntity, jsonError{
			Error: "invalid entry: " + errs.Error(), Status: framework.StatusUnprocessableEntity, Fields: errs})
	}
	if err != nil {
		return err
	}
	ctx, cancel := dbContext(c)
	defer cancel()
	e, err := h.Store.Create(ctx, u.ID, in)
	if err != nil {
		return err
	}
	if h.Publish != nil {
		h.Publish(e)
	}
	c.Header().Set("Location", framework.URLFor(c.Context(), "api.entries.get", strconv.FormatInt(e.ID, 10)))
	return c.JSON(framework.StatusCreated, e)
}

// Delete removes the entry: 204, 404 when there is none, 403 when the
// token's account is not its author.
func (h *API) Delete(c *framework.Ctx) error {
	u, err := apiUser(c)
	if err != nil {
		return err
	}
	if err := deleteEntry(c, h.Store, u); err != nil {
		return err
	}
	return c.NoContent(framework.StatusNoContent)
}
