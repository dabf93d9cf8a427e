package middleware

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/groundup-go/groundup/framework"
)

// CORSConfig says which other origins may call the routes CORS wraps.
type CORSConfig struct {
	// AllowOrigins lists the origins allowed, as a browser sends them in
	// Origin: scheme, host and port, "https://app.example" or
	// "http://127.0.0.1:8080". "*" allows every origin. A malformed
	// entry panics in CORS.
	AllowOrigins []string
	// AllowOriginFunc, when set, is asked about the origins that
	// AllowOrigins does not list.
	AllowOriginFunc func(origin string) bool
	// AllowMethods lists the methods a preflight may ask for; GET, HEAD
	// and POST when empty. The Fetch standard lets GET, HEAD and POST
	// through without being listed.
	AllowMethods []string
	// AllowHeaders lists the request header fields, beyond the ones the
	// Fetch standard always allows, that a preflight may ask for
	// (matched in any case). "*" allows any, but not with credentials.
	AllowHeaders []string
	// ExposeHeaders lists the response header fields that the calling
	// page's script may read.
	ExposeHeaders []string
	// AllowCredentials lets the call carry cookies and HTTP
	// authentication. It cannot be combined with the "*" origin: CORS
	// panics.
	AllowCredentials bool
	// MaxAge is how long a browser may cache a preflight's answer, in
	// whole seconds; 0 sends no Access-Control-Max-Age (the browser's
	// default, 5 seconds in Chromium).
	MaxAge time.Duration
}

// CORS answers cross-origin requests as the Fetch standard describes
// (fetch.spec.whatwg.org, "CORS protocol"). It works at any level:
// added with App.Use it sees every request; on a group or route it is
// declared framework.AnswersOptions, so that the router's own OPTIONS
// answers for those routes go through it.
//
// A preflight is an OPTIONS request with Origin and
// Access-Control-Request-Method. From an allowed origin asking for an
// allowed method and header fields, it is answered 204 with
// Access-Control-Allow-Origin, -Methods, -Headers, -Credentials and
// -Max-Age; otherwise 204 without them, which the browser takes as a
// refusal (logged at debug level with the reason). Either way the
// handlers behind CORS do not run.
//
// Any other request with an Origin is handled as usual, with
// Access-Control-Allow-Origin (and -Credentials, -Expose-Headers) added
// when its origin is allowed. Responses carry "Vary: Origin", so that a
// cache does not hand one origin's answer to another. A request without
// Origin is not a CORS request and passes through untouched.
func CORS(cfg CORSConfig) framework.Middleware {
	p := newCORSPolicy(cfg)
	return framework.AnswersOptions(func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			origin := c.RequestHeader("Origin")
			if origin == "" {
				return next(c)
			}
			h := c.Header()
			h.Add("Vary", "Origin")
			reqMethod := c.RequestHeader("Access-Control-Request-Method")
			if c.Method() == "OPTIONS" && reqMethod != "" {
				h.Add("Vary", "Access-Control-Request-Method")
				h.Add("Vary", "Access-Control-Request-Headers")
				if why := p.preflight(c, origin, reqMethod); why != "" {
					c.Logger().Debug("CORS preflight refused", "path", c.Path(), "origin", origin,
						"method", reqMethod, "reason", why)
				}
				return c.NoContent(framework.StatusNoContent)
			}
			if p.allowed(origin) {
				p.allowOrigin(h, origin)
				if p.expose != "" {
					h.Set("Access-Control-Expose-Headers", p.expose)
				}
			}
			return next(c)
		}
	})
}

type corsPolicy struct {
	any         bool
	origins     []string
	originFunc  func(string) bool
	methods     []string
	headers     []string // lower case
	anyHeader   bool
	credentials bool
	allowMeth   string
	expose      string
	maxAge      string
}

func newCORSPolicy(cfg CORSConfig) *corsPolicy {
	p := &corsPolicy{originFunc: cfg.AllowOriginFunc, credentials: cfg.AllowCredentials}
	for _, o := range cfg.AllowOrigins {
		if o == "*" {
			p.any = true
			continue
		}
		u, err := url.Parse(o)
		if err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
			panic("groundup: CORSConfig.AllowOrigins: " + strconv.Quote(o) + " is not an origin such as \"https://app.example\"")
		}
		p.origins = append(p.origins, strings.ToLower(o))
	}
	if p.any && p.credentials {
		panic("groundup: CORSConfig: AllowCredentials with the \"*\" origin is refused by browsers; list the origins")
	}
	p.methods = cfg.AllowMethods
	if len(p.methods) == 0 {
		p.methods = []string{"GET", "HEAD", "POST"}
	}
	p.allowMeth = strings.Join(p.methods, ", ")
	for _, h := range cfg.AllowHeaders {
		if h == "*" {
			if p.credentials {
				panic("groundup: CORSConfig: AllowHeaders \"*\" with AllowCredentials is refused by browsers; list the fields")
			}
			p.anyHeader = true
			continue
		}
		p.headers = append(p.headers, strings.ToLower(h))
	}
	p.expose = strings.Join(cfg.ExposeHeaders, ", ")
	if cfg.MaxAge > 0 {
		p.maxAge = strconv.FormatInt(int64(cfg.MaxAge/time.Second), 10)
	}
	return p
}

func (p *corsPolicy) allowed(origin string) bool {
	if p.any {
		return true
	}
	if slices.Contains(p.origins, strings.ToLower(origin)) {
		return true
	}
	return p.originFunc != nil && p.originFunc(origin)
}

func (p *corsPolicy) allowOrigin(h *framework.Header, origin string) {
	if p.any && !p.credentials {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
	}
	if p.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
}

// corsSafelisted are the request header fields a preflight never needs
// to ask for (Fetch, "CORS-safelisted request-header"), though a browser
// lists them when their values are not the simple ones.
var corsSafelisted = []string{"accept", "accept-language", "content-language", "content-type", "range"}

// preflight sets the answer's fields when the preflight is allowed, and
// otherwise returns why not.
func (p *corsPolicy) preflight(c *framework.Ctx, origin, method string) string {
	if !p.allowed(origin) {
		return "origin not allowed"
	}
	if !slices.Contains(p.methods, method) && method != "GET" && method != "HEAD" && method != "POST" {
		return "method not allowed"
	}
	asked := c.RequestHeader("Access-Control-Request-Headers")
	for _, f := range strings.Split(asked, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "" || p.anyHeader || slices.Contains(p.headers, f) || slices.Contains(corsSafelisted, f) {
			continue
		}
		return "header field " + strconv.Quote(f) + " not allowed"
	}
	h := c.Header()
	p.allowOrigin(h, origin)
	h.Set("Access-Control-Allow-Methods", p.allowMeth)
	if strings.TrimSpace(asked) != "" {
		h.Set("Access-Control-Allow-Headers", asked)
	}
	if p.maxAge != "" {
		h.Set("Access-Control-Max-Age", p.maxAge)
	}
	return ""
}
