package controllers

import (
	"errors"
	"github.com/groundup-go/groundup/app/models"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/static"
	"github.com/groundup-go/groundup/views"
)

// Home serves the seed demo: the start page with test.jpg and the
// registration form, and the form's answer.
type Home struct{}

// Index renders the start page.
func (h *Home) Index(c *framework.Ctx) error {
	return c.Render(framework.StatusOK, views.Home(views.RegisterForm{}))
}

// Register checks the registration form. Valid input gets the "register
// success" page with the values; invalid input gets the form again, with
// 422 and a message next to each bad field. Nothing is stored.
func (h *Home) Register(c *framework.Ctx) error {
	var r models.Registration
	err := c.Bind(&r) // reads the form, then calls r.Validate
	r.Normalize()
	var errs models.Errors
	if errors.As(err, &errs) {
		refused(c, errs)
		return c.Render(framework.StatusUnprocessableEntity, views.Home(views.RegisterForm{Values: r, Errors: errs}))
	}
	if err != nil {
		return err
	}
	return c.Render(framework.StatusOK, views.RegisterSuccess(r))
}

// TestImage serves static/test.jpg at /test.jpg, where the seed's page
// asks for it.
func (h *Home) TestImage(c *framework.Ctx) error {
	return c.File(static.FS, "test.jpg")
}

// Favicon serves /favicon.ico, which browsers ask for on their own.
func (h *Home) Favicon(c *framework.Ctx) error {
	return c.File(static.FS, "favicon.ico")
}

// Health answers "ok" while the server runs, for load balancers and
// tests.
func (h *Home) Health(c *framework.Ctx) error {
	c.Header().Set("Cache-Control", "no-store")
	return c.String(framework.StatusOK, "ok\n")
}
