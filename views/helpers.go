// Package views holds the app's templ components: the layout, partials
// (navigation, flash messages, form fields, pagination) and one page per
// screen. Components read request data through the context templ passes
// them: the current path, the flash messages, the CSRF field and route
// URLs, each through a framework helper.
//
// Edit the .templ files, then run `go tool templ generate`; the generated
// *_templ.go files are committed.
package views

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/groundup-go/groundup/app/models"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/session"
)

// url returns the path of the named route; see framework.URLFor.
func url(ctx context.Context, name string, params ...string) string {
	return framework.URLFor(ctx, name, params...)
}

// entryURL returns the URL of the named entry route for e.
func entryURL(ctx context.Context, name string, e models.Entry) string {
	return framework.URLFor(ctx, name, strconv.FormatInt(e.ID, 10))
}

// currentPath returns the request's path, or "" outside a request.
func currentPath(ctx context.Context) string {
	if c := framework.FromContext(ctx); c != nil {
		return c.Path()
	}
	return ""
}

// navCurrent reports whether the request is in the section of the nav
// link to prefix, which then gets aria-current="page".
func navCurrent(ctx context.Context, prefix string) bool {
	p := currentPath(ctx)
	switch prefix {
	case "/":
		return p == "/" || p == "/register"
	}
	return p == prefix || strings.HasPrefix(p, prefix+"/")
}

// FormatTime formats a stored time for pages, in UTC.
func FormatTime(t time.Time) string {
	return t.UTC().Format("2 Jan 2006, 15:04 UTC")
}

// isoTime formats t for a <time datetime> attribute.
func isoTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

// windowURL is the guestbook page beside another: ?before=<id> for older
// entries, ?after=<id> for newer ones.
func windowURL(ctx context.Context, dir string, id int64) string {
	return url(ctx, "entries.index") + "?" + dir + "=" + strconv.FormatInt(id, 10)
}

// firstPage is the list's data-page: "1" on the newest page, where the
// live script adds new entries at the top, "" elsewhere.
func firstPage(w models.Window) string {
	if w.First {
		return "1"
	}
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }

// Field describes one form field for the FormField partial.
type Field struct {
	Name         string // the form field name, also the base of the element id
	Label        string
	Type         string // input type; "text" when empty
	Value        string
	Error        string // shown under the field, and marks it invalid
	Hint         string // shown beside the label
	Autocomplete string
	MaxLen       int // maxlength, in characters; none when 0
	Required     bool
	Multiline    bool // a textarea instead of an input
}

func (f Field) id() string      { return "f-" + f.Name }
func (f Field) errorID() string { return "f-" + f.Name + "-error" }

func (f Field) inputType() string {
	if f.Type == "" {
		return "text"
	}
	return f.Type
}

// SessionUserKey is the session key under which the logged-in account's
// id is kept, in decimal.
const SessionUserKey = "user_id"

// viewerID returns the id of the account logged in to this browser, or
// 0.
func viewerID(ctx context.Context) int64 {
	id, _ := strconv.ParseInt(session.Value(ctx, SessionUserKey), 10, 64)
	return id
}

// canChange reports whether the visitor may edit and delete e: the pages
// show those buttons only then.
func canChange(ctx context.Context, e models.Entry) bool {
	return e.CanChange(viewerID(ctx))
}

// LoginForm is the login form with its values and its one message,
// which never says whether the email or the password was wrong.
type LoginForm struct {
	Email   string
	Next    string // where to go after logging in
	Message string
}

// AccountPage is what the account page shows: the account, its tokens,
// and a token just made, shown this once.
type AccountPage struct {
	User     models.User
	Tokens   []models.Token
	NewToken string
	NewName  string
	Errors   models.Errors
}

// RegisterForm is the seed demo's form with its values and errors.
type RegisterForm struct {
	Values models.Registration
	Errors models.Errors
}

// EntryForm is the guestbook form with its values and errors.
type EntryForm struct {
	Input  models.EntryInput
	Errors models.Errors
	Notice string // a message about the whole form, such as "your form expired"
}

// DocLink is one chapter in the docs navigation.
type DocLink struct {
	Slug  string // the URL segment: "" for the index, "01-sockets" for a chapter
	Title string
}

// DocPage is one rendered docs page.
type DocPage struct {
	Slug  string
	Title string
	HTML  string // rendered by goldmark, which escapes raw HTML in the source
	Nav   []DocLink
}

// curlExamples is the API page's list of commands to try against host.
// It is a Go string because templ joins the lines of literal text.
func curlExamples(host string) string {
	base := "http://" + host
	return strings.Join([]string{
		"curl -i " + base + "/api/entries",
		"TOKEN=gu_...   # from your account page, shown once",
		"curl -i -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \\",
		`     -d '{"name": "Ada", "message": "Hello from curl"}' ` + base + "/api/entries",
		"curl -i " + base + "/api/entries/1",
		"curl -i -X DELETE -H \"Authorization: Bearer $TOKEN\" " + base + "/api/entries/1",
		"curl -N " + base + "/entries/live",
	}, "\n")
}
