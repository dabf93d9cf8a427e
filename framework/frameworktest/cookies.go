package frameworktest

import (
	"strconv"
	"strings"
	"time"

	"github.com/groundup-go/groundup/framework"
)

// SetCookies returns the response's Set-Cookie field values, in order.
func (r *Response) SetCookies() []string {
	var out []string
	for _, f := range r.Header.Fields() {
		if strings.EqualFold(f.Name, "Set-Cookie") {
			out = append(out, f.Value)
		}
	}
	return out
}

// CookiePair returns "name=value" of the first Set-Cookie of that name,
// ready for a Cookie request header, or "" if the response sets none.
func (r *Response) CookiePair(name string) string {
	for _, sc := range r.SetCookies() {
		pair, _, _ := strings.Cut(sc, ";")
		if strings.HasPrefix(strings.TrimSpace(pair), name+"=") {
			return strings.TrimSpace(pair)
		}
	}
	return ""
}

// ParseSetCookie reads a Set-Cookie field value as a browser does
// (RFC 6265 §5.2): the name=value pair, then the attributes Path,
// Domain, Expires, Max-Age, Secure, HttpOnly and SameSite, each
// case-insensitive; unknown attributes and an unparsable Expires or
// Max-Age are ignored. "Max-Age=0" and negative values come back as
// MaxAge -1, framework.Cookie's "delete at once". ok is false when the
// value has no name=value pair.
func ParseSetCookie(v string) (ck framework.Cookie, ok bool) {
	parts := strings.Split(v, ";")
	name, value, found := strings.Cut(parts[0], "=")
	name = strings.TrimSpace(name)
	if !found || name == "" {
		return ck, false
	}
	value = strings.TrimSpace(value)
	if len(value) > 1 && value[0] == '"' && value[len(value)-1] == '"' {
		value = value[1 : len(value)-1]
	}
	ck.Name, ck.Value = name, value
	for _, attr := range parts[1:] {
		k, v, _ := strings.Cut(attr, "=")
		setCookieAttr(&ck, strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v))
	}
	return ck, true
}

// setCookieAttr applies one Set-Cookie attribute as a browser reads it;
// an attribute it does not know, or a value it cannot read, is ignored.
func setCookieAttr(ck *framework.Cookie, k, v string) {
	switch k {
	case "path":
		if strings.HasPrefix(v, "/") {
			ck.Path = v
		}
	case "domain":
		ck.Domain = strings.ToLower(strings.TrimPrefix(v, "."))
	case "expires":
		if t, err := time.Parse(framework.TimeFormat, v); err == nil {
			ck.Expires = t
		}
	case "max-age":
		if n, err := strconv.Atoi(v); err == nil {
			ck.MaxAge = max(n, -1)
			if n == 0 {
				ck.MaxAge = -1
			}
		}
	case "secure":
		ck.Secure = true
	case "httponly":
		ck.HttpOnly = true
	case "samesite":
		switch strings.ToLower(v) {
		case "lax":
			ck.SameSite = framework.SameSiteLax
		case "strict":
			ck.SameSite = framework.SameSiteStrict
		case "none":
			ck.SameSite = framework.SameSiteNone
		}
	}
}
