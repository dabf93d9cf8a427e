package framework_test

import (
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// TestCannedErrorsAreNosniff checks that the answers the connection loop
// writes itself carry X-Content-Type-Options: their body is plain text
// that echoes part of the request, and must never be sniffed as HTML.
func TestCannedErrorsAreNosniff(t *testing.T) {
	h := func(c *framework.Ctx) error { return c.String(200, "ok") }
	for _, raw := range []string{
		"GET / HTTP/1.1\r\n\r\n",                                        // no Host: 400
		"GET / HTTP/1.1\r\nHost: a\r\nX: <script>\x00\r\n\r\n",          // NUL: 400
		"GET / HTTP/2.0\r\nHost: a\r\n\r\n",                             // 505
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", // 501
	} {
		out := frameworktest.Raw(h, raw)
		if !strings.Contains(out, "\r\nX-Content-Type-Options: nosniff\r\n") || strings.HasPrefix(out, "HTTP/1.1 200") {
			t.Errorf("%q answered without nosniff:\n%s", raw, out)
		}
	}
}

// TestRefusedHeaderKeepsSecurityFields checks the 500 that replaces a
// response with a refused header field: it keeps the security headers and
// the request id, drops the rest (a half-built redirect, its cookie), and
// is nosniff.
func TestRefusedHeaderKeepsSecurityFields(t *testing.T) {
	h := func(c *framework.Ctx) error {
		c.Header().Set("X-Request-ID", "req-7")
		c.Header().Set("Content-Security-Policy", "default-src 'self'")
		c.Header().Set("Strict-Transport-Security", "max-age=60")
		c.Header().Set("Set-Cookie", "login=1")
		return c.Redirect(301, "/next\r\nX-Injected: 1")
	}
	res := frameworktest.Test(h, frameworktest.NewRequest("GET", "/"))
	if res.Status != 500 {
		t.Fatalf("status %d\n%s", res.Status, res.Raw)
	}
	for name, want := range map[string]string{
		"X-Request-ID":              "req-7",
		"Content-Security-Policy":   "default-src 'self'",
		"Strict-Transport-Security": "max-age=60",
		"X-Content-Type-Options":    "nosniff",
		"Content-Type":              "text/plain; charset=utf-8",
		"Set-Cookie":                "",
		"Location":                  "",
		"X-Injected":                "",
	} {
		if got := res.Get(name); got != want {
			t.Errorf("%s = %q, want %q\n%s", name, got, want, res.Raw)
		}
	}
}
