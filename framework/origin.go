package framework

import (
	"net/url"
	"strings"
)

// CrossSite returns why the request comes from a site other than the one
// it is addressed to, or "" when it comes from this site or from a client
// that is not a browser. It is the origin rule of session.CSRF and of
// middleware.MethodOverride, in one place:
//
//  1. an Origin that trusted accepts passes (nil trusts none);
//  2. Sec-Fetch-Site, the browser's own verdict (which also covers
//     requests whose Origin a privacy setting hid), must be
//     "same-origin" or "none";
//  3. without it, Origin, or failing that Referer (which trusted may
//     also accept), must name the request's Host;
//  4. a request with none of the three comes from a client that is not a
//     browser (curl, a script), which a forging page cannot drive.
//
// Hosts are compared with a default port matching its absence, and
// without the scheme: behind a TLS-terminating proxy the server cannot
// know it. "Origin: null" and unparsable values never match.
func CrossSite(c *Ctx, trusted func(u string) bool) string {
	origin := c.RequestHeader("Origin")
	if origin != "" && trusted != nil && trusted(origin) {
		return ""
	}
	if site := c.RequestHeader("Sec-Fetch-Site"); site != "" {
		if site == "same-origin" || site == "none" {
			return ""
		}
		return "Sec-Fetch-Site is " + site
	}
	if origin != "" {
		if sameHost(origin, c.Host()) {
			return ""
		}
		return "Origin " + origin + " is not Host " + c.Host()
	}
	if ref := c.RequestHeader("Referer"); ref != "" {
		if trusted != nil && trusted(ref) || sameHost(ref, c.Host()) {
			return ""
		}
		return "Referer host differs from Host " + c.Host()
	}
	return ""
}

// sameHost reports whether the URL u (an Origin or a Referer) names the
// host and port of the Host header.
func sameHost(u, host string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" || (p.Scheme != "http" && p.Scheme != "https") {
		return false
	}
	return strings.EqualFold(StripDefaultPort(p.Scheme, p.Host), StripDefaultPort(p.Scheme, host))
}

// StripDefaultPort drops ":80" from an http host and ":443" from an https
// one, so that "example.com:443" and "example.com" compare equal.
func StripDefaultPort(scheme, hostport string) string {
	switch {
	case scheme == "http" && strings.HasSuffix(hostport, ":80"):
		return hostport[:len(hostport)-3]
	case scheme == "https" && strings.HasSuffix(hostport, ":443"):
		return hostport[:len(hostport)-4]
	}
	return hostport
}
