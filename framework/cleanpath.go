package framework

import (
	"net/url"
	"strings"

	"github.com/julienschmidt/httprouter"
)

// The router's redirects: a path that is not clean (dot segments, double
// slashes) or that differs from a route only by its trailing slash goes
// to the form that has a route, 301 for GET and HEAD, 308 otherwise.

// redirectCode is the status of the router's redirects: 301 for GET and
// HEAD, 308 for other methods, which keeps the method and body.
func redirectCode(method string) int {
	if method == "GET" || method == "HEAD" {
		return StatusMovedPermanently
	}
	return StatusPermanentRedirect
}

// hasDotSegment reports whether path holds a "." or ".." segment. Every
// request asks, and most paths hold no dot at all: it hops from dot to
// dot with IndexByte, which costs less than looking for "/.".
func hasDotSegment(path string) bool {
	for i := strings.IndexByte(path, '.'); i >= 0; {
		if i > 0 && path[i-1] == '/' {
			rest := path[i+1:] // after "/."
			if rest == "" || rest[0] == '/' || rest[0] == '.' && (len(rest) == 1 || rest[1] == '/') {
				return true
			}
		}
		j := strings.IndexByte(path[i+1:], '.')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

// cleanTarget returns the clean form of path, escaped, when it differs
// and has a route.
func (a *App) cleanTarget(method, path string, ex *Explanation) (string, bool) {
	clean := httprouter.CleanPath(path)
	if clean == path {
		return "", false
	}
	hit := a.found(method, clean)
	if ex != nil {
		ex.step(-1, "the clean form of the path is %s: %s", clean, hitWord(hit, "a route matches it, so redirect"))
	}
	if hit {
		return (&url.URL{Path: clean}).EscapedPath(), true
	}
	return "", false
}

// redirectTarget returns where a missed path should go, if anywhere.
// tryClean is false when the clean form was already tried.
func (a *App) redirectTarget(method, path string, tryClean bool, ex *Explanation) (string, bool) {
	if a.RedirectCleanPath && tryClean {
		if to, ok := a.cleanTarget(method, path, ex); ok {
			return to, true
		}
	}
	if a.RedirectTrailingSlash && path != "/" {
		if to, try := a.slashForm(method, path); try {
			hit := a.found(method, to)
			// Escape the decoded form: the raw one could hold "%2F", and
			// "//host" must never leave as a Location.
			ok := hit && !strings.HasPrefix(to, "//")
			if ex != nil {
				ex.step(-1, "with the trailing slash toggled, %s: %s", to, hitWord(ok, "a route matches it, so redirect"))
			}
			if ok {
				return (&url.URL{Path: to}).EscapedPath(), true
			}
		}
	}
	return "", false
}

// slashForm returns path with its trailing slash toggled, and whether it
// is worth a lookup. httprouter's hint (tsr) is not enough on its own: it
// misses "/entries/" when "/entries" has a route and "/entries/" is an
// inner node of its tree, and "/a/b" when only "/:x/b/*rest" takes
// "/a/b/". So the form without the slash, a substring, is always tried;
// the form with it, which costs an allocation, when a tree hints at it or
// the app has a catch-all behind a parameter.
func (a *App) slashForm(method, path string) (string, bool) {
	if strings.HasSuffix(path, "/") {
		return path[:len(path)-1], true
	}
	if a.paramCatchAll || a.hinted(method, path) || method == "HEAD" && a.hinted("GET", path) {
		return path + "/", true
	}
	return "", false
}

func hitWord(hit bool, yes string) string {
	if hit {
		return yes
	}
	return "no route"
}
