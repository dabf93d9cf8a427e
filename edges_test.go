package groundup_test

// End-to-end tests of the app's edges: attacks and corner cases that a
// trusted server must answer well. They use the helpers of
// framework_test.go.

import (
	"net/url"
	"strings"
	"testing"
)

// TestCrossSiteMethodOverride is the attack of a form on another site
// that POSTs _method=DELETE to the JSON API, whose DELETE route has no
// CSRF check: it must be refused, and the guestbook's own forms must
// still override.
func TestCrossSiteMethodOverride(t *testing.T) {
	app := startApp(t)
	c := newClient(t, app.URL)
	c.postJSON("/api/entries", `{"name": "Ada", "message": "keep me"}`).expect(t, 201, "create")
	c.postJSON("/api/entries", `{"name": "Bob", "message": "delete me"}`).expect(t, 201, "create")
	before := app.dump()

	for _, hdr := range [][]string{
		{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"},
		{"Origin", "https://evil.example"},
		{"Referer", "https://evil.example/page"},
		{"Sec-Fetch-Site", "same-site"},
	} {
		body := strings.NewReader(url.Values{"_method": {"DELETE"}}.Encode())
		r := c.do("POST", "/api/entries/1", body, append([]string{"Content-Type", "application/x-www-form-urlencoded"}, hdr...)...)
		r.expect(t, 403, "a cross-site _method=DELETE "+strings.Join(hdr, " ")).mustContain(t, "refusal", "cross-site request refused")
	}
	if after := app.dump(); after != before {
		t.Fatalf("a cross-site form deleted an entry:\nbefore %s\nafter %s", before, after)
	}

	// The guestbook's own delete form: same origin, with its token.
	page := c.get("/entries/2").expect(t, 200, "GET /entries/2")
	body := strings.NewReader(url.Values{"_csrf": {csrfToken(t, page)}, "_method": {"DELETE"}}.Encode())
	c.do("POST", "/entries/2", body, "Content-Type", "application/x-www-form-urlencoded",
		"Origin", app.URL, "Sec-Fetch-Site", "same-origin").expect(t, 303, "a same-site delete form")
	c.get("/entries/2").expect(t, 404, "the entry the form deleted")
	c.get("/entries/1").expect(t, 200, "the entry the attack tried to delete")
}
