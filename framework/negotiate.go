package framework

import "strings"

// Which format an error answers in. Browsers ask for text/html; API
// clients ask for JSON, send JSON, or take anything (curl sends
// "Accept: */*"); and a route group can say that it is an API whatever
// the client sends.

// API marks the group's routes, and every path under its prefix,
// including the paths that match no route, as a JSON API: their errors
// answer in JSON whatever the client's Accept says. It returns g.
func (g *Group) API() *Group {
	g.api = true
	g.app.apiPrefixes = append(g.app.apiPrefixes, g.prefix+"/")
	return g
}

// API marks the route as a JSON API: its errors answer in JSON whatever
// the client's Accept says. It returns r.
func (r *Route) API() *Route {
	r.api = true
	return r
}

// PrefersJSON reports whether an error for this request should be JSON
// rather than HTML:
//
//   - the route, or the group whose prefix the path is under, is marked
//     with API;
//   - or the Accept header does not name text/html and either names JSON
//     (application/json, a +json type) or takes anything ("*/*", as curl
//     sends);
//   - or there is no Accept header and the request's body is JSON.
//
// A browser always names text/html, so it gets HTML.
func PrefersJSON(c *Ctx) bool {
	if c.route != nil && c.route.api {
		return true
	}
	if c.app != nil {
		for _, p := range c.app.apiPrefixes {
			if strings.HasPrefix(c.path, p) || c.path+"/" == p {
				return true
			}
		}
	}
	accept := c.RequestHeader("Accept")
	if accept == "" {
		ct := c.RequestHeader("Content-Type")
		return strings.HasPrefix(ct, "application/json") || strings.Contains(ct, "+json")
	}
	if strings.Contains(accept, "text/html") {
		return false
	}
	return strings.Contains(accept, "json") || strings.Contains(accept, "*/*")
}
