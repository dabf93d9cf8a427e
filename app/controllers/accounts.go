package controllers

import (
	"errors"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/groundup-go/groundup/app/models"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/session"
	"github.com/groundup-go/groundup/views"
)

// Accounts logs people in and out and manages their API tokens. Its
// Authenticate middleware finds who is asking, for every request; the
// controllers decide what that person may do.
type Accounts struct {
	Users   *models.Users
	Limiter *Limiter
	Log     *slog.Logger
}

// LoginFailed is what every failed login says: the same words for an
// unknown email and for a wrong password.
const LoginFailed = "Unknown email or wrong password."

// viewer is who is asking: an account, and how it proved it.
type viewer struct {
	user  models.User
	token bool // by an API token rather than the session cookie
}

type viewerKey struct{}

// Authenticate finds the account behind the request: an API token in
// Authorization: Bearer, or else the account id in the session. It only
// finds; it refuses nothing but a bad token (401), so anonymous visitors
// read as before. A session naming an account that no longer exists is
// logged out.
func (h *Accounts) Authenticate(next framework.Handler) framework.Handler {
	return func(c *framework.Ctx) error {
		ctx, cancel := dbContext(c)
		defer cancel()
		if auth := c.RequestHeader("Authorization"); auth != "" {
			scheme, token, _ := strings.Cut(auth, " ")
			if !strings.EqualFold(scheme, "Bearer") {
				return unauthorized(c, `Bearer realm="groundup", error="invalid_request"`, "the API takes Authorization: Bearer <token>")
			}
			u, err := h.Users.UserByToken(ctx, strings.TrimSpace(token))
			if errors.Is(err, models.ErrNotFound) {
				return unauthorized(c, `Bearer realm="groundup", error="invalid_token"`, "the token is unknown or revoked")
			}
			if err != nil {
				return err
			}
			c.Set(viewerKey{}, &viewer{user: u, token: true})
			return next(c)
		}
		if s := session.From(c); s != nil {
			if raw := s.Get(views.SessionUserKey); raw != "" {
				id, _ := strconv.ParseInt(raw, 10, 64)
				u, err := h.Users.Get(ctx, id)
				switch {
				case err == nil:
					c.Set(viewerKey{}, &viewer{user: u})
				case errors.Is(err, models.ErrNotFound):
					s.Delete(views.SessionUserKey)
				default:
					return err
				}
			}
		}
		return next(c)
	}
}

// CurrentUser returns the account behind the request, if any.
func CurrentUser(c *framework.Ctx) (models.User, bool) {
	v, _ := c.Value(viewerKey{}).(*viewer)
	if v == nil {
		return models.User{}, false
	}
	return v.user, true
}

// APICSRF guards the API's writes made with the session cookie, as a
// browser script on our own pages makes them: those pass session.CSRF's
// checks (origin, and the token in X-CSRF-Token). A request with an API
// token, or with no account, skips it: a token is not sent by the
// browser on its own, so a forged request cannot carry one.
func APICSRF(cfg session.CSRFConfig) framework.Middleware {
	csrf := session.CSRF(cfg)
	return func(next framework.Handler) framework.Handler {
		guarded := csrf(next)
		return func(c *framework.Ctx) error {
			if v, _ := c.Value(viewerKey{}).(*viewer); v != nil && !v.token {
				return guarded(c)
			}
			return next(c)
		}
	}
}

// unauthorized answers 401 with WWW-Authenticate, as RFC 9110 asks.
func unauthorized(c *framework.Ctx, challenge, msg string) error {
	c.Header().Set("WWW-Authenticate", challenge)
	return framework.NewError(framework.StatusUnauthorized, msg)
}

// apiUser returns the account an API write is made for, or a 401.
func apiUser(c *framework.Ctx) (models.User, error) {
	u, ok := CurrentUser(c)
	if !ok {
		return u, unauthorized(c, `Bearer realm="groundup"`, "writing needs an API token: Authorization: Bearer <token>")
	}
	return u, nil
}

// pageUser returns the account a page that writes is used by. Without
// one, it answers with a redirect to the login page, which comes back
// here after, and ok is false: the handler returns err at once.
func pageUser(c *framework.Ctx) (u models.User, ok bool, err error) {
	if u, ok := CurrentUser(c); ok {
		return u, true, nil
	}
	if s := session.From(c); s != nil {
		s.AddFlash("info", "Log in to write in the guestbook.")
	}
	next := c.Path()
	if c.Method() != "GET" {
		next = "" // a form post cannot be replayed: go back to the list
	}
	to := framework.URLFor(c.Context(), "login")
	if next != "" {
		to += "?next=" + url.QueryEscape(next)
	}
	return u, false, c.Redirect(framework.StatusSeeOther, to)
}

// forbidden is the 403 for a change to another's entry.
func forbidden() error {
	return framework.NewError(framework.StatusForbidden, "only the entry's author may change it")
}

// logIn starts a new session for u: the session is cleared first, so
// nothing from before the login (the CSRF secret included) carries over.
func logIn(c *framework.Ctx, u models.User) {
	if s := session.From(c); s != nil {
		s.Clear()
		s.Set(views.SessionUserKey, strconv.FormatInt(u.ID, 10))
	}
}

// LoginPage shows the login form.
func (h *Accounts) LoginPage(c *framework.Ctx) error {
	return c.Render(framework.StatusOK, views.Login(views.LoginForm{Next: safeNext(c.Query("next"))}))
}

// loginInput is the login form.
type loginInput struct {
	Email    string `form:"email"`
	Password string `form:"password"`
	Next     string `form:"next"`
}

// Login checks the email and password. A failure says LoginFailed with
// 422, whichever half was wrong; repeated failures from one address or
// for one email are slowed down by the Limiter (429 with Retry-After). A
// success starts a new session and redirects to next, or the guestbook.
func (h *Accounts) Login(c *framework.Ctx) error {
	var in loginInput
	if err := c.Bind(&in); err != nil {
		return err
	}
	in.Email = strings.TrimSpace(in.Email)
	in.Next = safeNext(in.Next)
	form := views.LoginForm{Email: in.Email, Next: in.Next}
	keys := []string{"addr:" + clientIP(c), "email:" + strings.ToLower(in.Email)}
	if wait := h.Limiter.Wait(keys...); wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		c.Header().Set("Retry-After", strconv.Itoa(secs))
		c.Logger().Warn("login: too many failures", "remote", c.RemoteAddr(), "retry_after", secs)
		form.Message = "Too many failed attempts. Try again in " + strconv.Itoa(secs) + " seconds."
		return c.Render(framework.StatusTooManyRequests, views.Login(form))
	}
	ctx, cancel := dbContext(c)
	defer cancel()
	u, err := h.Users.Authenticate(ctx, in.Email, in.Password)
	if errors.Is(err, models.ErrBadCredentials) {
		h.Limiter.Fail(keys...)
		c.Logger().Info("login failed", "remote", c.RemoteAddr())
		form.Message = LoginFailed
		return c.Render(framework.StatusUnprocessableEntity, views.Login(form))
	}
	if err != nil {
		return err
	}
	h.Limiter.Reset(keys[1])
	logIn(c, u)
	c.Logger().Info("login", "user_id", u.ID)
	if s := session.From(c); s != nil {
		s.AddFlash("success", "Welcome back, "+u.Name+".")
	}
	if in.Next != "" {
		return c.Redirect(framework.StatusSeeOther, in.Next)
	}
	return c.RedirectTo(framework.StatusSeeOther, "entries.index")
}

// Logout ends the session and goes to the start page.
func (h *Accounts) Logout(c *framework.Ctx) error {
	if s := session.From(c); s != nil {
		s.Clear()
		s.AddFlash("info", "You are logged out.")
	}
	return c.RedirectTo(framework.StatusSeeOther, "entries.index")
}

// Account shows the account and its API tokens.
func (h *Accounts) Account(c *framework.Ctx) error {
	u, ok, err := pageUser(c)
	if !ok {
		return err
	}
	return h.renderAccount(c, framework.StatusOK, views.AccountPage{User: u})
}

func (h *Accounts) renderAccount(c *framework.Ctx, code int, p views.AccountPage) error {
	ctx, cancel := dbContext(c)
	defer cancel()
	tokens, err := h.Users.Tokens(ctx, p.User.ID)
	if err != nil {
		return err
	}
	p.Tokens = tokens
	c.Header().Set("Cache-Control", "no-store") // a new token is on it
	return c.Render(code, views.Account(p))
}

// CreateToken makes an API token and shows it, this once, on the account
// page (rendered, not redirected to: the token never goes into a cookie).
func (h *Accounts) CreateToken(c *framework.Ctx) error {
	u, ok, err := pageUser(c)
	if !ok {
		return err
	}
	form, err := c.Form()
	if err != nil {
		return err
	}
	ctx, cancel := dbContext(c)
	defer cancel()
	secret, t, err := h.Users.CreateToken(ctx, u.ID, form.Get("name"))
	var errs models.Errors
	if errors.As(err, &errs) {
		refused(c, errs)
		return h.renderAccount(c, framework.StatusUnprocessableEntity, views.AccountPage{User: u, Errors: errs})
	}
	if err != nil {
		return err
	}
	c.Logger().Info("API token created", "user_id", u.ID, "token_id", t.ID)
	return h.renderAccount(c, framework.StatusCreated, views.AccountPage{User: u, NewToken: secret, NewName: t.Name})
}

// RevokeToken deletes one of the account's tokens: it stops working at
// once.
func (h *Accounts) RevokeToken(c *framework.Ctx) error {
	u, ok, err := pageUser(c)
	if !ok {
		return err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return framework.NewError(framework.StatusNotFound, "no token with id "+strconv.Quote(c.Param("id")))
	}
	ctx, cancel := dbContext(c)
	defer cancel()
	if err := h.Users.RevokeToken(ctx, u.ID, id); errors.Is(err, models.ErrNotFound) {
		return framework.NewError(framework.StatusNotFound, "no token with id "+strconv.Quote(c.Param("id")))
	} else if err != nil {
		return err
	}
	c.Logger().Info("API token revoked", "user_id", u.ID, "token_id", id)
	if s := session.From(c); s != nil {
		s.AddFlash("info", "The token is revoked.")
	}
	return c.RedirectTo(framework.StatusSeeOther, "account")
}

// safeNext keeps a post-login destination only when it is a path on
// this site: "/entries/new", not "//evil.example" or "https://...".
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") {
		return ""
	}
	return next
}

// clientIP is the client's address without its port.
func clientIP(c *framework.Ctx) string {
	addr := c.RemoteAddr()
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
