package framework

import (
	"errors"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/groundup-go/groundup/framework/http1"
)

// Cookies, as RFC 6265 defines them. A browser sends every cookie of a
// request in Cookie header fields, as "a=b; c=d" (§5.4); the server sets
// one cookie per Set-Cookie field (§4.1). Reading a cookie is a scan of
// the request head with no allocation: the value returned is a substring
// of the head, so it stays valid after the request.

// SameSite is a cookie's SameSite attribute (RFC 6265bis §4.1.2.7): whether
// the browser sends the cookie on requests that other sites start.
type SameSite int

// The SameSite values. SameSiteDefault sends no attribute, which modern
// browsers treat as Lax. SameSiteNone needs Secure, or browsers drop the
// cookie.
const (
	SameSiteDefault SameSite = iota
	SameSiteLax
	SameSiteStrict
	SameSiteNone
)

// Cookie is one cookie, to send with SetCookie or as read by Cookies.
type Cookie struct {
	Name  string
	Value string

	Path   string // the URL path prefix the cookie applies to; the request's directory when empty
	Domain string // the host, and its subdomains, the cookie applies to; this host only when empty

	// Expires and MaxAge bound the cookie's life. MaxAge, in seconds, wins
	// in every current browser; zero values of both make a session cookie
	// that ends when the browser closes. A MaxAge below zero deletes the
	// cookie at once (sent as "Max-Age=0").
	Expires time.Time
	MaxAge  int

	Secure   bool // send only over HTTPS
	HttpOnly bool // hide from JavaScript
	SameSite SameSite
}

// String returns the cookie serialised as a Set-Cookie field value
// (RFC 6265 §4.1), or "" if the cookie cannot be sent as it is:
//
//	Name     must be a token (RFC 9110 §5.6.2)
//	Value    cookie-octets only; a value with spaces or commas is quoted,
//	         as net/http does; '"', ';', '\' and control bytes are refused
//	Path     no ';', no control bytes, ASCII only
//	Domain   a host name or IPv4 address (a leading '.' is dropped)
//	__Secure-  names need Secure; __Host- names need Secure, Path "/"
//	         and no Domain (browsers drop them otherwise)
//
// Refusing beats repairing: a cookie silently cut short would fail later,
// far from the code that set it. SetCookie logs the reason.
func (ck *Cookie) String() string {
	s, err := ck.serialize()
	if err != nil {
		return ""
	}
	return s
}

// Valid returns nil if the cookie can be sent, or the reason String and
// SetCookie refuse it (see String), such as "cookie name \"my session\"
// is not a token". Middleware that sets a cookie of a configured name
// (session.Sessions) calls it once at start-up, so that a bad
// configuration fails there rather than on every response.
func (ck *Cookie) Valid() error {
	_, err := ck.serialize()
	return err
}

// serialize is String with the reason for a refusal: the cookie is
// checked, then written out.
func (ck *Cookie) serialize() (string, error) {
	quote, err := ck.check()
	if err != nil {
		return "", err
	}
	domain := strings.TrimPrefix(ck.Domain, ".")
	b := make([]byte, 0, len(ck.Name)+len(ck.Value)+len(ck.Path)+len(domain)+110)
	b = append(b, ck.Name...)
	b = append(b, '=')
	if quote {
		b = append(b, '"')
	}
	b = append(b, ck.Value...)
	if quote {
		b = append(b, '"')
	}
	b = ck.appendAttributes(b, domain)
	return string(b), nil
}

// check validates the cookie, the rules of String, and reports whether
// its value must go in DQUOTEs.
func (ck *Cookie) check() (quote bool, err error) {
	if !http1.IsToken(ck.Name) {
		return false, errors.New("cookie name " + strconv.Quote(ck.Name) + " is not a token")
	}
	for i := 0; i < len(ck.Value); i++ {
		b := ck.Value[i]
		if b == ' ' || b == ',' {
			// Not cookie-octets, but common; browsers accept them
			// inside DQUOTEs (net/http sends them the same way).
			quote = true
			continue
		}
		if !isCookieOctet(b) {
			return false, errors.New("cookie " + ck.Name + ": value holds byte " + strconv.QuoteRune(rune(b)) + ", not allowed in a cookie value")
		}
	}
	if !validCookiePath(ck.Path) {
		return false, errors.New("cookie " + ck.Name + ": invalid Path " + strconv.Quote(ck.Path))
	}
	if ck.Domain != "" && !validCookieDomain(strings.TrimPrefix(ck.Domain, ".")) {
		return false, errors.New("cookie " + ck.Name + ": invalid Domain " + strconv.Quote(ck.Domain))
	}
	// Cookie name prefixes (RFC 6265bis §4.1.3), matched case-insensitively
	// as browsers do.
	if http1.HasPrefixFold(ck.Name, "__Secure-") && !ck.Secure {
		return false, errors.New("cookie " + ck.Name + ": a __Secure- cookie needs Secure")
	}
	if http1.HasPrefixFold(ck.Name, "__Host-") && (!ck.Secure || ck.Path != "/" || ck.Domain != "") {
		return false, errors.New("cookie " + ck.Name + ": a __Host- cookie needs Secure, Path \"/\" and no Domain")
	}
	return quote, nil
}

// appendAttributes appends the attributes that follow name=value.
func (ck *Cookie) appendAttributes(b []byte, domain string) []byte {
	if ck.Path != "" {
		b = append(b, "; Path="...)
		b = append(b, ck.Path...)
	}
	if domain != "" {
		b = append(b, "; Domain="...)
		b = append(b, domain...)
	}
	// Dates before 1601 are refused by RFC 6265 §5.1.1 parsers; they can
	// only be a mistake, so the attribute is left out.
	if !ck.Expires.IsZero() && ck.Expires.Year() >= 1601 {
		b = append(b, "; Expires="...)
		b = ck.Expires.UTC().AppendFormat(b, TimeFormat)
	}
	switch {
	case ck.MaxAge > 0:
		b = append(b, "; Max-Age="...)
		b = strconv.AppendInt(b, int64(ck.MaxAge), 10)
	case ck.MaxAge < 0:
		b = append(b, "; Max-Age=0"...)
	}
	if ck.HttpOnly {
		b = append(b, "; HttpOnly"...)
	}
	if ck.Secure {
		b = append(b, "; Secure"...)
	}
	switch ck.SameSite {
	case SameSiteLax:
		b = append(b, "; SameSite=Lax"...)
	case SameSiteStrict:
		b = append(b, "; SameSite=Strict"...)
	case SameSiteNone:
		b = append(b, "; SameSite=None"...)
	}
	return b
}

// isCookieOctet reports whether b is a cookie-octet (RFC 6265 §4.1.1):
// US-ASCII visible characters except DQUOTE, comma, semicolon and
// backslash.
func isCookieOctet(b byte) bool {
	return b > 0x20 && b < 0x7f && b != '"' && b != ',' && b != ';' && b != '\\'
}

// validCookiePath: path-value is any CHAR except CTLs and ';' (RFC 6265
// §4.1.1).
func validCookiePath(p string) bool {
	for i := 0; i < len(p); i++ {
		if b := p[i]; b < 0x20 || b >= 0x7f || b == ';' {
			return false
		}
	}
	return true
}

// validCookieDomain accepts host names (letters, digits, '-' and '.',
// labels not empty) and IPv4 addresses, which is what browsers store.
func validCookieDomain(d string) bool {
	if d == "" || len(d) > 253 {
		return false
	}
	label := 0
	for i := 0; i < len(d); i++ {
		b := d[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '-', b == '_':
			label++
			if label > 63 {
				return false
			}
		case b == '.':
			if label == 0 {
				return false
			}
			label = 0
		default:
			return false
		}
	}
	return label > 0
}

// Cookie returns the value of the named request cookie, and whether the
// request carried it. It scans every Cookie header field; the first
// match wins. Surrounding double quotes are removed from the value. It
// does not allocate.
func (c *Ctx) Cookie(name string) (string, bool) {
	var val string
	found := false
	c.eachCookie(func(n, v string) bool {
		if n == name {
			val, found = v, true
			return false
		}
		return true
	})
	return val, found
}

// Cookies returns every cookie of the request, in the order sent. Only
// Name and Value are set: browsers send nothing else.
func (c *Ctx) Cookies() []Cookie {
	var out []Cookie
	c.eachCookie(func(n, v string) bool {
		out = append(out, Cookie{Name: n, Value: v})
		return true
	})
	return out
}

// CookieValues returns the values of every request cookie of that name,
// in the order sent: a browser sends several when cookies of one name
// were set for different paths or domains, and cannot say which is
// which. session.Sessions tries each until one verifies. Values are
// read as Cookie reads them; iterating does not allocate.
func (c *Ctx) CookieValues(name string) iter.Seq[string] {
	return func(yield func(string) bool) {
		c.eachCookie(func(n, v string) bool {
			return n != name || yield(v)
		})
	}
}

// eachCookie calls yield with each well-formed name/value pair of the
// request's Cookie fields until yield returns false. Malformed pairs are
// skipped, so that one bad cookie set by some other application on the
// same domain does not hide the rest (net/http does the same).
func (c *Ctx) eachCookie(yield func(name, value string) bool) {
	for i := range c.head.Fields {
		f := &c.head.Fields[i]
		if !strings.EqualFold(f.Name, "Cookie") {
			continue
		}
		line := f.Value
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ";")
			part = strings.Trim(part, " \t")
			if part == "" {
				continue
			}
			name, val, _ := strings.Cut(part, "=")
			name = strings.Trim(name, " \t")
			val = strings.Trim(val, " \t")
			if !http1.IsToken(name) {
				continue
			}
			val, ok := parseCookieValue(val)
			if !ok {
				continue
			}
			if !yield(name, val) {
				return
			}
		}
	}
}

// parseCookieValue strips one pair of surrounding DQUOTEs and checks the
// rest. Spaces and commas are let through on input: browsers send what
// servers set, and some servers set them.
func parseCookieValue(v string) (string, bool) {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	for i := 0; i < len(v); i++ {
		if b := v[i]; !isCookieOctet(b) && b != ' ' && b != ',' {
			return "", false
		}
	}
	return v, true
}

// SetCookie adds a Set-Cookie field to the response. A cookie that
// String refuses is not sent; the reason is logged at error level, since
// it is a bug in the code that built the cookie. Like any header, it has
// no effect once the response has been committed.
func (c *Ctx) SetCookie(ck *Cookie) {
	s, err := ck.serialize()
	if err != nil {
		c.Logger().Error("refused to send an invalid cookie", "method", c.Method(), "path", c.Path(), "err", err)
		return
	}
	if c.res.committed {
		c.Logger().Warn("cookie set after the response started; not sent", "method", c.Method(), "path", c.Path(), "cookie", ck.Name)
		return
	}
	c.res.header.Add("Set-Cookie", s)
}

// DeleteCookie tells the browser to drop the named cookie. The path must
// match the one the cookie was set with; the Domain must too, so a cookie
// set with a Domain is deleted with SetCookie and MaxAge -1 instead.
func (c *Ctx) DeleteCookie(name, path string) {
	ck := &Cookie{Name: name, Path: path, MaxAge: -1, Expires: time.Unix(0, 0)}
	// Browsers ignore a deletion of a prefixed cookie that lacks the
	// attributes the prefix demands.
	if http1.HasPrefixFold(name, "__Secure-") || http1.HasPrefixFold(name, "__Host-") {
		ck.Secure = true
	}
	c.SetCookie(ck)
}
