package controllers

import (
	"errors"
	"net/url"
	"strings"

	"github.com/groundup-go/groundup/app/models"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/static"
	"github.com/groundup-go/groundup/views"
)

// Home serves the seed demo: the start page with test.jpg and the
// registration form, and the form's answer.
type Home struct {
	Users *models.Users
}

// Index renders the start page.
func (h *Home) Index(c *framework.Ctx) error {
	return c.Render(framework.StatusOK, views.Home(views.RegisterForm{}))
}

// Register creates the account the registration form describes and logs
// its owner in: valid input gets the "register success" page with the
// values (never the password). Invalid input, or an email that another
// account has in any case, gets the form again, with 422 and a message
// next to each bad field.
//
// The form carries no CSRF token, so that curl can post it as the seed
// did; a post that a browser says comes from another site is refused,
// so no other site can log a visitor in to an account of its making.
func (h *Home) Register(c *framework.Ctx) error {
	if crossSite(c) {
		c.Logger().Warn("register: cross-site post refused", "origin", c.RequestHeader("Origin"), "remote", c.RemoteAddr())
		return framework.NewError(framework.StatusForbidden, "cross-origin request refused")
	}
	var r models.Registration
	err := c.Bind(&r) // reads the form, then calls r.Validate
	r.Normalize()
	var errs models.Errors
	if errors.As(err, &errs) {
		return h.refuse(c, r, errs)
	}
	if err != nil {
		return err
	}
	ctx, cancel := dbContext(c)
	defer cancel()
	u, err := h.Users.CreateUser(ctx, r)
	if errors.Is(err, models.ErrEmailTaken) {
		return h.refuse(c, r, models.Errors{"email": "An account with this email exists. Log in instead."})
	}
	if err != nil {
		return err
	}
	logIn(c, u)
	c.Logger().Info("account created", "user_id", u.ID)
	r.Password = ""
	return c.Render(framework.StatusOK, views.RegisterSuccess(r))
}

// refuse shows the registration form again with errs, with 422. The
// password is not sent back.
func (h *Home) refuse(c *framework.Ctx, r models.Registration, errs models.Errors) error {
	refused(c, errs)
	r.Password = ""
	return c.Render(framework.StatusUnprocessableEntity, views.Home(views.RegisterForm{Values: r, Errors: errs}))
}

// crossSite reports whether the browser says the request comes from
// another site: Sec-Fetch-Site "cross-site", or an Origin whose host is
// not the request's. Clients that send neither (curl) pass.
func crossSite(c *framework.Ctx) bool {
	if c.RequestHeader("Sec-Fetch-Site") == "cross-site" {
		return true
	}
	o := c.RequestHeader("Origin")
	if o == "" {
		return false
	}
	u, err := url.Parse(o)
	return err != nil || !strings.EqualFold(u.Host, c.Host())
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
