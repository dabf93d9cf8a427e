package models

import (
	"net/mail"
	"strings"
)

// Registration is the seed demo's form: who signs up. Users.CreateUser
// stores the account; the page echoes the other fields back. Ctx.Bind
// fills it from the form, and calls Validate. Password is never shown,
// logged or stored in clear.
type Registration struct {
	Name     string `form:"name"`
	Email    string `form:"email"`
	Password string `form:"password"`
	About    string `form:"about"`
}

// Normalize trims the fields.
func (r *Registration) Normalize() {
	r.Name = normalizeText(r.Name)
	r.Email = strings.TrimSpace(r.Email)
	r.About = normalizeText(r.About)
}

// Validate checks a normalized copy of the registration, as
// framework.Validator asks: an Errors, or nil.
func (r Registration) Validate() error {
	r.Normalize()
	return r.Check().Err()
}

// Check checks the registration: a name of 1 to 80 characters, a
// plain email address, a password of 8 to 1024 bytes, and an optional
// note of at most 500 characters.
// Call Normalize first.
func (r Registration) Check() Errors {
	errs := Errors{}
	checkText(errs, "name", "Name", r.Name, true, MaxNameLen, false)
	checkText(errs, "email", "Email", r.Email, true, 254, false)
	if _, ok := errs["email"]; !ok {
		// mail.ParseAddress accepts "Name <a@b>" too; a form field wants
		// the bare address, so the parsed address must be all there is.
		a, err := mail.ParseAddress(r.Email)
		if err != nil || a.Address != r.Email || !strings.Contains(r.Email[strings.LastIndexByte(r.Email, '@')+1:], ".") {
			errs.Add("email", "Email must be an address such as ada@example.com.")
		}
	}
	switch {
	case len(r.Password) < MinPasswordLen:
		errs.Add("password", "Password must be at least 8 characters.")
	case len(r.Password) > MaxPasswordLen:
		errs.Add("password", "Password must be at most 1024 bytes.")
	}
	checkText(errs, "about", "About you", r.About, false, 500, true)
	return errs
}
