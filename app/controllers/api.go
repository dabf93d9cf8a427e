package controllers

import (
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"

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
//
// Text that is not UTF-8 is a 422, as in the HTML form: encoding/json
// would store it as U+FFFD, a change the client never sees (see jsonText).
func (h *API) Create(c *framework.Ctx) error {
	u, err := apiUser(c)
	if err != nil {
		return err
	}
	var body struct {
		Name    jsonText `json:"name"`
		Message jsonText `json:"message"`
	}
	if err := c.BindJSON(&body); err != nil {
		return err
	}
	in := models.EntryInput{Name: string(body.Name), Message: string(body.Message)}
	var errs models.Errors
	if errors.As(in.Validate(), &errs) {
		refused(c, errs)
		return c.JSON(framework.StatusUnprocessableEntity, jsonError{
			Error: "invalid entry: " + errs.Error(), Status: framework.StatusUnprocessableEntity, Fields: errs})
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

// jsonText is a JSON string that keeps its invalid UTF-8 visible to the
// model. encoding/json replaces each invalid byte, and each escaped
// surrogate that is not part of a pair ("\ud800"), with U+FFFD, so the
// model, which refuses text that is not UTF-8, would see valid text and
// store something else than was sent. jsonText notices either, and then
// holds a byte that is not UTF-8, which the model refuses with the
// form's own message: one rule, in one place.
type jsonText string

// UnmarshalJSON decodes a JSON string, or null, as encoding/json does.
func (t *jsonText) UnmarshalJSON(raw []byte) error {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	if !utf8.Valid(raw) || loneSurrogate(raw) {
		s += "\xff"
	}
	*t = jsonText(s)
	return nil
}

// loneSurrogate reports whether the JSON text raw holds a \u escape of
// a UTF-16 surrogate that is not a high one followed by a low one.
func loneSurrogate(raw []byte) bool {
	hex4 := func(b []byte) rune {
		if len(b) < 4 {
			return -1
		}
		n, err := strconv.ParseUint(string(b[:4]), 16, 16)
		if err != nil {
			return -1
		}
		return rune(n)
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++ // the escaped byte: '\\' itself is skipped here
		if i >= len(raw) || raw[i] != 'u' {
			continue
		}
		r := hex4(raw[i+1:])
		i += 4
		switch {
		case r >= 0xdc00 && r <= 0xdfff:
			return true
		case r >= 0xd800 && r <= 0xdbff:
			if i+2 >= len(raw) || raw[i+1] != '\\' || raw[i+2] != 'u' {
				return true
			}
			if lo := hex4(raw[i+3:]); lo < 0xdc00 || lo > 0xdfff {
				return true
			}
			i += 6
		}
	}
	return false
}
