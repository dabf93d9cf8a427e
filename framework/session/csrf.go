package session

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"html"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/groundup-go/groundup/framework"
)

// CSRF protection: a request that changes state must come from our own
// pages. Two independent checks, so that either alone stops the attack:
//
//  1. Origin. Browsers say where a request comes from. Sec-Fetch-Site,
//     when present, must be "same-origin" or "none" (typed by the user);
//     otherwise the Origin header, or failing that the Referer, must
//     name the request's own Host. A request with none of the three
//     comes from a non-browser client, which a CSRF attack cannot use,
//     and passes this check.
//  2. Token. Each session holds a random secret; forms carry it in a
//     hidden field (CSRFField) and scripts in a header. An attacker's page
//     cannot read it.
//
// The token a page gets is the secret XORed with a fresh random mask, and
// the mask sent along: every page shows different bytes for the same
// secret. That defeats BREACH, which recovers a secret repeated in
// compressed (Gzip) responses byte by byte.

// csrfSessionKey is the session key the CSRF secret is stored under; it
// is reserved.
const csrfSessionKey = "groundup.csrf"

// csrfSecretLen is the size of the per-session secret.
const csrfSecretLen = 32

// CSRFConfig configures CSRF. The zero value is ready to use.
type CSRFConfig struct {
	// FieldName is the form field that carries the token, "_csrf" when
	// empty.
	FieldName string
	// HeaderName is the request header that carries the token, for
	// scripts, "X-CSRF-Token" when empty. It is read before the form.
	HeaderName string
	// TrustedOrigins are other origins allowed to post to us, written as
	// browsers send them in Origin: "https://admin.example.com". Each
	// still needs a valid token. A malformed entry panics in CSRF.
	TrustedOrigins []string
	// Expired, when set, answers a request from our own origin whose
	// token does not match the session, in place of the 403 error. That
	// is most often a form left open while its session ended: the cookie
	// expired, or the server restarted with another key. The handler
	// should show the form again with the user's input (c.Form() still
	// reads it) and ask to send it again: the form it renders carries a
	// fresh token. It runs instead of the route's handler and must change
	// nothing; a 403 status suits its answer. A cross-origin request never
	// reaches it.
	Expired framework.Handler
}

// csrfConf is a CSRFConfig checked and filled in.
type csrfConf struct {
	field, header string
	trusted       []string // lower-case scheme://host[:port]
	expired       framework.Handler
}

type csrfKey struct{}

// Errors CSRF answers with. Both are 403s whose message says what is
// wrong, without saying which check a forger should work around next.
var (
	errCSRFToken  = &framework.HTTPError{Code: framework.StatusForbidden, Message: "CSRF token missing or invalid", Layer: framework.LayerMiddleware}
	errCSRFOrigin = &framework.HTTPError{Code: framework.StatusForbidden, Message: "cross-origin request refused", Layer: framework.LayerMiddleware}
)

// CSRF refuses unsafe requests, every method except GET, HEAD, OPTIONS
// and TRACE, that fail the origin check or lack the session's token in
// the form field or header. A refusal is a 403 *framework.HTTPError,
// "CSRF token missing or invalid" or "cross-origin request refused", and
// a warning in the log.
//
// CSRF keeps its secret in the Session, so Sessions must run before it:
// without it, every request panics with a message saying so (Recover, or
// the server, turns that into a 500). A session whose cookie the browser
// does not keep (Secure on plain HTTP, say) can never post.
//
// Mount it on the routes that serve HTML forms, not on a JSON API: a
// client that sends no cookies has no session and so no token. An API
// authenticated by a header token is not open to CSRF in the first place.
//
// The origin check compares with the Host header. Behind a reverse proxy,
// have the proxy pass the original Host (nginx: proxy_set_header Host
// $host), or list the public origin in TrustedOrigins.
func CSRF(cfg CSRFConfig) framework.Middleware {
	conf := &csrfConf{field: cfg.FieldName, header: cfg.HeaderName, expired: cfg.Expired}
	if conf.field == "" {
		conf.field = "_csrf"
	}
	if conf.header == "" {
		conf.header = "X-CSRF-Token"
	}
	for _, o := range cfg.TrustedOrigins {
		norm, ok := normalizeOrigin(o)
		if u, err := url.Parse(o); !ok || err != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			panic("groundup: CSRFConfig.TrustedOrigins: " + strconv.Quote(o) + " is not an origin such as \"https://example.com\"")
		}
		conf.trusted = append(conf.trusted, norm)
	}
	return func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			s := From(c)
			if s == nil {
				panic("groundup: CSRF needs the Sessions middleware earlier in the chain: app.Use(session.Sessions(cfg)) before session.CSRF(...)")
			}
			c.Set(csrfKey{}, conf)
			switch c.Method() {
			case "GET", "HEAD", "OPTIONS", "TRACE":
				return next(c)
			}
			if reason := conf.originRefusal(c); reason != "" {
				c.Logger().Warn("CSRF: cross-origin request refused", "method", c.Method(), "path", c.Path(),
					"reason", reason, "remote", c.RemoteAddr())
				return errCSRFOrigin
			}
			token := c.RequestHeader(conf.header)
			if token == "" {
				form, err := c.Form()
				if err != nil {
					return err
				}
				token = form.Get(conf.field)
			}
			if !s.checkCSRF(token) {
				reason := "token does not match the session"
				if token == "" {
					reason = "no token in " + conf.header + " or form field " + conf.field
				}
				c.Logger().Warn("CSRF: token missing or invalid", "method", c.Method(), "path", c.Path(),
					"reason", reason, "remote", c.RemoteAddr())
				if conf.expired != nil {
					return conf.expired(c)
				}
				return errCSRFToken
			}
			return next(c)
		}
	}
}

// originRefusal returns why the request's origin is refused, or "" if it
// passes.
func (conf *csrfConf) originRefusal(c *framework.Ctx) string {
	if len(conf.trusted) == 0 {
		return framework.CrossSite(c, nil)
	}
	return framework.CrossSite(c, conf.isTrusted)
}

// isTrusted reports whether the origin of u, an Origin or Referer value,
// is one of the trusted origins.
func (conf *csrfConf) isTrusted(u string) bool {
	if len(conf.trusted) == 0 {
		return false
	}
	o, ok := normalizeOrigin(u)
	if !ok {
		return false
	}
	for _, t := range conf.trusted {
		if o == t {
			return true
		}
	}
	return false
}

// normalizeOrigin turns a URL into its origin, "scheme://host[:port]" in
// lower case, with the scheme's default port dropped. A Referer's path is
// dropped; CSRF refuses a trusted origin written with one.
func normalizeOrigin(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
		return "", false
	}
	host := strings.ToLower(u.Host)
	host = framework.StripDefaultPort(u.Scheme, host)
	return u.Scheme + "://" + host, true
}

// csrfSecret returns the session's CSRF secret, making one if needed.
func (s *Session) csrfSecret() []byte {
	if v := s.Get(csrfSessionKey); v != "" {
		if b, err := b64Strict.DecodeString(v); err == nil && len(b) == csrfSecretLen {
			return b
		}
	}
	b := make([]byte, csrfSecretLen)
	rand.Read(b)
	s.Set(csrfSessionKey, b64Strict.EncodeToString(b))
	return b
}

// checkCSRF reports whether token is a masked form of the session's
// secret, in constant time. A session without a secret has issued no
// token, so nothing matches.
func (s *Session) checkCSRF(token string) bool {
	v := s.Get(csrfSessionKey)
	if v == "" || len(token) != b64Strict.EncodedLen(2*csrfSecretLen) {
		return false
	}
	secret, err := b64Strict.DecodeString(v)
	if err != nil || len(secret) != csrfSecretLen {
		return false
	}
	var buf [2 * csrfSecretLen]byte
	if _, err := b64Strict.Decode(buf[:], []byte(token)); err != nil {
		return false
	}
	mask, masked := buf[:csrfSecretLen], buf[csrfSecretLen:]
	subtle.XORBytes(masked, masked, mask)
	return subtle.ConstantTimeCompare(masked, secret) == 1
}

// CSRFToken returns a token for the request's session, to put in a form
// (see CSRFField) or in a meta tag for scripts to send in the X-CSRF-Token
// header. Each call returns different bytes for the same session secret.
// It returns "" outside a request or without the Sessions middleware.
//
// The first token of a session creates its secret, which changes the
// session: render it before the response starts streaming, or the secret
// is not saved.
func CSRFToken(ctx context.Context) string {
	return csrfTokenFor(framework.FromContext(ctx))
}

func csrfTokenFor(c *framework.Ctx) string {
	s := From(c)
	if s == nil {
		return ""
	}
	secret := s.csrfSecret()
	var buf [2 * csrfSecretLen]byte
	mask, masked := buf[:csrfSecretLen], buf[csrfSecretLen:]
	rand.Read(mask)
	subtle.XORBytes(masked, secret, mask)
	return b64Strict.EncodeToString(buf[:])
}

// errNoCSRFSession is the render error of CSRFField outside a session.
var errNoCSRFSession = errors.New("groundup: CSRFField rendered without a session: mount Sessions (and CSRF) on this route")

// CSRFField renders the hidden form field that carries the CSRF token:
//
//	<input type="hidden" name="_csrf" value="...">
//
// with the field name of the CSRF middleware on the route. Rendered
// outside a request with Sessions it fails, so that a form that could
// never post is caught on first render, not on first submit.
func CSRFField(ctx context.Context) templ.Component {
	return templ.ComponentFunc(func(rctx context.Context, w io.Writer) error {
		c := framework.FromContext(ctx)
		if c == nil {
			c = framework.FromContext(rctx)
		}
		token := csrfTokenFor(c)
		if token == "" {
			return errNoCSRFSession
		}
		name := "_csrf"
		// c is not nil here: csrfTokenFor found a session in it.
		if conf, ok := c.Value(csrfKey{}).(*csrfConf); ok {
			name = conf.field
		}
		_, err := io.WriteString(w, `<input type="hidden" name="`+html.EscapeString(name)+`" value="`+html.EscapeString(token)+`">`)
		return err
	})
}
