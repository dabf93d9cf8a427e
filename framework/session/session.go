// Package session keeps per-visitor data in a signed cookie (Sessions,
// Session, flash messages) and guards forms against cross-site request
// forgery with it (CSRF, CSRFField). It uses framework's exported API
// alone, as an application's own middleware would.
//
// Mount Sessions app-wide and CSRF on the routes that serve HTML forms:
//
//	app.Use(session.Sessions(session.Config{Keys: keys}))
//	pages := app.Group("", session.CSRF(session.CSRFConfig{}))
package session

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/groundup-go/groundup/framework"
)

// Sessions live in a signed cookie, so that app instances stay stateless
// (see docs on scaling): the browser holds the data, and the server only
// checks that it wrote it. The cookie value is
//
//	base64url(JSON payload) "." base64url(HMAC-SHA256(key, name "|" payload))
//
// where payload is the base64url text, so the signature is checked before
// anything is decoded, and name binds the value to its cookie: a value
// copied into another cookie name does not verify. The data is signed, not
// encrypted: the user can read it, so keep secrets out of sessions.

// DefaultCookieName is the session cookie's name when
// Config.CookieName is empty.
const DefaultCookieName = "groundup_session"

// maxSessionCookie bounds the session cookie's value, in both directions:
// browsers keep at most about 4096 bytes per cookie (RFC 6265 §6.1), so
// anything longer was not set by us.
const maxSessionCookie = 4096

// b64Strict decodes base64url without padding and refuses non-zero
// trailing bits, so that each value has exactly one valid spelling.
var b64Strict = base64.RawURLEncoding.Strict()

// sessionSkew is how far in the future an issued-at time may lie, for
// instances whose clocks disagree slightly.
const sessionSkew = 5 * time.Minute

// Server-side expiry. A signed cookie stays valid for as long as its key
// does, so the server, not the browser, must say when a session ends: a
// cookie stolen or kept past its Max-Age must not work for ever.
const (
	// DefaultLifetime is how long a session lasts from its creation when
	// Config.Lifetime is zero, however active the visitor.
	DefaultLifetime = 14 * 24 * time.Hour
	// DefaultIdleTimeout is how long a session lasts without a request
	// that reads it when Config.IdleTimeout is zero.
	DefaultIdleTimeout = 24 * time.Hour
)

// CacheControl is the Cache-Control value Sessions puts on every
// response that read or wrote the session: such a response is for one
// visitor (their flash, their CSRF token, their cookie), so no shared
// cache may keep it ("private") and no cache at all may store it, the
// browser's back-forward and disk caches included ("no-store"), so that a
// token or message never shows to the next person at a shared computer.
const CacheControl = "private, no-store"

// Config configures Sessions.
type Config struct {
	// Keys sign the cookie. The first key signs; every key verifies, so
	// keys can be rotated: put the new key first and keep the old one
	// until the sessions it signed have expired. A session verified by an
	// older key is re-signed with the first one. Each key must be at least
	// 32 random bytes; Sessions panics otherwise.
	Keys [][]byte
	// CookieName is the cookie's name, DefaultCookieName when empty.
	CookieName string
	// Path is the cookie's path, "/" when empty.
	Path string
	// MaxAge is the cookie's Max-Age, and how long a session lasts after
	// the cookie was last written. Zero makes a browser-session cookie,
	// which the browser drops when it closes; Lifetime and IdleTimeout
	// still end it on the server.
	MaxAge time.Duration
	// Lifetime is how long a session lasts from its creation, whatever
	// the visitor does: DefaultLifetime when zero. The creation time
	// (issued-at) is signed into the cookie and kept when it is written
	// again; Session.Clear starts a new session.
	Lifetime time.Duration
	// IdleTimeout ends a session that no request has read for this long:
	// DefaultIdleTimeout when zero. The last-seen time is signed into the
	// cookie, which is written again when a request reads a session last
	// seen more than a quarter of IdleTimeout ago, so a session ends
	// between 3/4 and all of IdleTimeout after the visitor left.
	IdleTimeout time.Duration
	// Secure sends the cookie over HTTPS only. Turn it on in production.
	Secure bool
	// SameSite defaults to Lax: the cookie goes with top-level
	// navigations from other sites, but not with their form posts.
	SameSite framework.SameSite
}

// Flash is a one-time message for the next page the user sees: "Saved.",
// "Wrong password.". Kind is free-form; "info", "success" and "error" are
// usual, and views use it as a CSS class.
type Flash struct {
	Kind    string `json:"k"`
	Message string `json:"m"`
}

// Session is the data of one visitor, kept in a signed cookie by the
// Sessions middleware. It is read from the cookie on first use, and
// written back only if it changed. A Session belongs to one request: it
// is not safe for concurrent use, and must not be kept after the request.
type Session struct {
	c  *framework.Ctx
	st *sessionStore

	loaded    bool
	hadCookie bool  // the request carried a session cookie, valid or not
	issued    int64 // when the session began, Unix seconds; 0 for a new one
	values    map[string]string
	flashes   []Flash // pending: not shown yet
	consumed  []Flash // shown during this request
	changed   bool
}

type sessionKey struct{}

// Sessions keeps a Session for every visitor in a signed cookie; handlers
// reach it with From, views with Value and Flashes.
//
// The cookie is read lazily, and a cookie that is tampered with, expired,
// over 4096 bytes or malformed yields an empty session and a debug log
// line, never an error response: to the visitor it looks like a new
// session.
//
// A session ends on the server, whatever the browser keeps: Lifetime after
// it began, IdleTimeout after a request last read it, MaxAge after the
// cookie was last written (see Config). An expired cookie is ignored like
// a tampered one.
//
// A response that read or wrote the session (a flash shown, a CSRF token
// rendered, a value read or set) is for one visitor, so it gets
// Cache-Control: private, no-store (CacheControl), unless its
// Cache-Control already says no-store. Pages need nothing of their own.
//
// The cookie is written only if the session changed (Set, Delete, Clear,
// a flash added or read), or to refresh its last-seen time. It is a header field, and header fields must be
// set before the response head is sent, so it is added just before the
// head goes out (framework.Ctx.BeforeCommit): when the handler returns,
// or at its first Flush. A change made after the head has gone out (after
// a Flush, RenderStream, or a body over framework.MaxBufferedBody) cannot
// be saved, and a warning is logged. Change the session before streaming.
//
// The session is saved even when the handler returns an error (the error
// page then carries the cookie), but not when it panics, whether
// middleware.Recover turned the panic into an error or not.
func Sessions(cfg Config) framework.Middleware {
	st := newSessionStore(cfg)
	return func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			s := &Session{c: c, st: st}
			c.Set(sessionKey{}, s)
			c.BeforeCommit(s.save)
			// A panic leaves the session as it found it, half-done: drop
			// the change, whether the panic is still unwinding (Recover
			// outside Sessions) or came back as an error (Recover inside).
			finished := false
			defer func() {
				if !finished {
					s.changed = false
				}
			}()
			err := next(c)
			finished = true
			if pe := (framework.PanicError{}); err != nil && errors.As(err, &pe) {
				s.changed = false
			}
			return err
		}
	}
}

// errNoSessions is the panic of a Session method called on the nil that
// From returns without the Sessions middleware.
const errNoSessions = "groundup: no session: the Sessions middleware does not wrap this handler; add it with app.Use(session.Sessions(cfg)) (or on the route's group) before using sessions or flashes"

// From returns the request's Session, or nil if the Sessions
// middleware does not wrap the handler. Every Session method called on
// that nil panics with a message naming Sessions.
func From(c *framework.Ctx) *Session {
	if c == nil {
		return nil
	}
	s, _ := c.Value(sessionKey{}).(*Session)
	return s
}

// Get returns the value stored under key, or "".
func (s *Session) Get(key string) string {
	s.load()
	return s.values[key]
}

// Set stores value under key.
func (s *Session) Set(key, value string) {
	s.load()
	if old, ok := s.values[key]; ok && old == value {
		return
	}
	if s.values == nil {
		s.values = make(map[string]string)
	}
	s.values[key] = value
	s.touch()
}

// Delete removes key.
func (s *Session) Delete(key string) {
	s.load()
	if _, ok := s.values[key]; ok {
		delete(s.values, key)
		s.touch()
	}
}

// Clear empties the session, flashes included, and deletes its cookie:
// what logging out needs. The CSRF token goes too, so a new one is made.
func (s *Session) Clear() {
	s.load()
	if len(s.values) > 0 || len(s.flashes) > 0 || s.hadCookie {
		s.touch()
	}
	s.values = nil
	s.flashes = nil
	s.issued = 0 // what is stored next starts a new session
}

// AddFlash queues a message for the next page that shows flashes,
// usually the one a redirect leads to.
func (s *Session) AddFlash(kind, message string) {
	s.load()
	s.flashes = append(s.flashes, Flash{Kind: kind, Message: message})
	s.touch()
}

// Flashes returns the pending flash messages and removes them from the
// session, so that each is shown once.
func (s *Session) Flashes() []Flash {
	s.load()
	out := s.flashes
	if len(out) > 0 {
		s.flashes = nil
		s.consumed = append(s.consumed, out...)
		s.touch()
	}
	return out
}

// Flashes returns the flash messages for the page being rendered, for
// views and layouts: those pending in the session, which it removes, plus
// those already read during this request. A layout that calls it, after a
// handler that called Session.Flashes, or twice, shows the same messages;
// the next request no longer has them. It returns nil outside a request
// or without the Sessions middleware.
func Flashes(ctx context.Context) []Flash {
	s := From(framework.FromContext(ctx))
	if s == nil {
		return nil
	}
	s.Flashes()
	return s.consumed[:len(s.consumed):len(s.consumed)]
}

// Value returns the session value under key for views, or ""
// outside a request or without the Sessions middleware.
func Value(ctx context.Context, key string) string {
	s := From(framework.FromContext(ctx))
	if s == nil {
		return ""
	}
	return s.Get(key)
}

// load reads the session from the request's cookie, once. Several cookies
// of the name can arrive (set with different paths, say): the first that
// verifies wins.
func (s *Session) load() {
	if s == nil {
		panic(errNoSessions)
	}
	if s.loaded {
		return
	}
	s.loaded = true
	c := s.c
	now := time.Now()
	for value := range c.CookieValues(s.st.name) {
		s.hadCookie = true
		p, signer, reason := s.st.decode(value, now)
		if reason != "" {
			c.Logger().Debug("ignoring session cookie", "reason", reason, "path", c.Path(), "remote", c.RemoteAddr())
			continue
		}
		s.values, s.flashes, s.issued = p.Values, p.Flashes, p.Issued
		switch {
		case signer > 0:
			// Signed by an older key: write it back under the current
			// one, so that the old key can be retired.
			s.touch()
		case now.Unix()-p.lastSeen() > int64(s.st.idle/time.Second)/4:
			// Refresh the last-seen time, no more often than this, so
			// that an active visitor stays signed in without a cookie
			// on every response. Not a change: after the head has
			// gone out it is silently skipped.
			s.changed = true
		}
		return
	}
}

// touch marks the session changed. After the response head has gone out
// the cookie can no longer be sent, so the change is lost: say so.
func (s *Session) touch() {
	s.changed = true
	if s.c.Committed() {
		s.c.Logger().Warn("session changed after the response started; change not saved",
			"method", s.c.Method(), "path", s.c.Path())
	}
}

// save marks a response that used the session as private, and writes
// the cookie if the session changed. It runs just before the response
// head is sent (framework.Ctx.BeforeCommit), whenever that is: never
// after a Hijack, which sends no head.
func (s *Session) save() {
	c := s.c
	if s.loaded && !strings.Contains(c.Header().Get("Cache-Control"), "no-store") {
		c.Header().Set("Cache-Control", CacheControl)
	}
	if !s.changed {
		return
	}
	st := s.st
	log := c.Logger()
	ck := &framework.Cookie{Name: st.name, Path: st.path, Secure: st.secure, HttpOnly: true, SameSite: st.sameSite}
	if len(s.values) == 0 && len(s.flashes) == 0 {
		if !s.hadCookie {
			return // nothing stored, nothing to delete
		}
		ck.MaxAge = -1
		ck.Expires = time.Unix(0, 0)
		c.SetCookie(ck)
		return
	}
	now := time.Now().Unix()
	v, err := st.encode(&sessionPayload{Values: s.values, Flashes: s.flashes, Issued: cmp.Or(s.issued, now), Seen: now})
	if err != nil {
		log.Error("cannot encode session; not saved", "path", c.Path(), "err", err)
		return
	}
	if len(v) > maxSessionCookie {
		log.Error("session too large for a cookie; not saved", "path", c.Path(), "bytes", len(v), "max", maxSessionCookie)
		return
	}
	ck.Value = v
	if st.maxAge > 0 {
		ck.MaxAge = max(1, int(st.maxAge/time.Second))
	}
	c.SetCookie(ck)
}
