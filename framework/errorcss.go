package framework

import "strings"

// The error pages' stylesheet. A page's inline <style> is blocked by a
// Content-Security-Policy of style-src 'self' (the one SecureHeaders
// sends), which left the error pages, dev pages included, unstyled. So
// the pages link to a stylesheet the App serves itself, from its own
// origin, which that policy allows.

// ErrorCSSPath is where an App serves the stylesheet of the framework's
// error pages (DefaultErrorHandler). The router answers GET and HEAD for
// it before any route, so no route can take this one path.
const ErrorCSSPath = "/_groundup/error.css"

// errorCSS is the stylesheet at ErrorCSSPath.
const errorCSS = `body{font:16px/1.5 system-ui,sans-serif;max-width:50rem;margin:3rem auto;padding:0 1rem;color:#222}
pre{background:#f5f5f5;padding:1rem;overflow:auto;font-size:13px}
table{border-collapse:collapse}td,th{padding:.25rem .75rem;border-bottom:1px solid #ddd;text-align:left}
`

// errorStyle is the <head> part of an error page that styles it: a link
// to ErrorCSSPath when an App serves it, else the same rules inline (a
// bare Handler has no App to serve the file, and no CSP of the App's).
func errorStyle(c *Ctx) string {
	if c.app != nil {
		return `<link rel="stylesheet" href="` + ErrorCSSPath + `">`
	}
	return "<style>" + strings.ReplaceAll(errorCSS, "\n", "") + "</style>"
}

// serveErrorCSS answers a request for ErrorCSSPath. The stylesheet
// changes only with the framework, so it may be cached for a day.
func serveErrorCSS(c *Ctx) error {
	c.Header().Set("Cache-Control", "public, max-age=86400")
	c.Header().Set("X-Content-Type-Options", "nosniff")
	return c.Blob(StatusOK, "text/css; charset=utf-8", []byte(errorCSS))
}
