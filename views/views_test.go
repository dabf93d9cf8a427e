package views

import (
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"

	"github.com/groundup-go/groundup/app/models"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
	"github.com/groundup-go/groundup/framework/session"
)

// render renders c as a handler of the app would: inside a request with
// a session, which the forms' CSRF fields need.
func render(t *testing.T, c templ.Component) string {
	t.Helper()
	return renderAs(t, "", c)
}

// renderAs renders c in a request whose session has the account
// userID logged in ("" for none).
func renderAs(t *testing.T, userID string, c templ.Component) string {
	t.Helper()
	var b strings.Builder
	var err error
	app := framework.New()
	app.Use(session.Sessions(session.Config{Keys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")}}))
	app.GET("/", func(ctx *framework.Ctx) error {
		if userID != "" {
			session.From(ctx).Set(SessionUserKey, userID)
		}
		err = c.Render(ctx.Context(), &b)
		return ctx.NoContent(204)
	})
	frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/"))
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestComponents(t *testing.T) {
	when := time.Date(2026, 1, 2, 15, 4, 0, 0, time.UTC)
	tests := []struct {
		name    string
		c       templ.Component
		want    []string
		notWant []string
	}{
		{"field with an error", FormField(Field{Name: "name", Label: "Name", Value: `"><b>x`, Error: "Name is required.", MaxLen: 80, Required: true}),
			[]string{`class="field has-error"`, `value="&#34;&gt;&lt;b&gt;x"`, `maxlength="80"`, ` required`,
				`aria-invalid="true"`, `aria-describedby="f-name-error"`, `<p class="field-error" id="f-name-error">Name is required.</p>`},
			[]string{"<b>x"}},
		{"field without an error", FormField(Field{Name: "email", Label: "Email", Type: "email"}),
			[]string{`type="email"`, `class="field"`},
			[]string{"aria-invalid", "field-error", "maxlength", "required"}},
		{"textarea keeps lines", FormField(Field{Name: "message", Label: "Message", Value: "a\n</textarea><script>", Multiline: true}),
			[]string{"<textarea", ">a\n&lt;/textarea&gt;&lt;script&gt;</textarea>"},
			[]string{"<script>"}},
		{"entry escapes its text", EntryItem(models.Entry{ID: 7, Name: "<i>Eve</i>", Message: "x & y", CreatedAt: when}),
			[]string{`id="entry-7"`, "&lt;i&gt;Eve&lt;/i&gt;", "x &amp; y", `datetime="2026-01-02T15:04:00Z"`, "2 Jan 2026, 15:04 UTC"},
			[]string{"<i>"}},
		{"summary of one error", FormSummary(models.Errors{"name": "x"}), []string{"Please correct the field marked below."}, nil},
		{"summary of two errors", FormSummary(models.Errors{"name": "x", "email": "y"}), []string{"Please correct the 2 fields marked below."}, nil},
		{"no summary", FormSummary(nil), nil, []string{"Please"}},
		{"one page needs no pager", Pager(models.Window{PerPage: 10, First: true}), nil, []string{"pagination"}},
		{"a middle page links both ways", Pager(models.Window{PerPage: 10, Newer: 30, Older: 21}),
			[]string{`?after=30"`, `?before=21"`, `>Newest</a>`}, nil},
		{"error page", ErrorPage(404, "Not Found", "no entry with id \"3\""),
			[]string{`<p class="error-code">404</p>`, "no entry with id &#34;3&#34;", "<title>404 Not Found · groundup</title>"}, nil},
		{"docs page", Docs(DocPage{Slug: "01-sockets", Title: "1. Sockets", HTML: "<h1>1. Sockets</h1>",
			Nav: []DocLink{{"", "Overview"}, {"01-sockets", "1. Sockets"}}}),
			[]string{`<a href="/docs">Overview</a>`, `<a href="/docs/01-sockets" aria-current="page">1. Sockets</a>`, "<h1>1. Sockets</h1>", `class="container wide"`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := render(t, tc.c)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("lacks %s\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("holds %s\n%s", w, out)
				}
			}
		})
	}
}

func TestCurlExamples(t *testing.T) {
	got := curlExamples("localhost:8000")
	if lines := strings.Split(got, "\n"); len(lines) != 7 || !strings.HasPrefix(lines[0], "curl -i http://localhost:8000/api/entries") {
		t.Errorf("curlExamples:\n%s", got)
	}
}

func TestEntryItemHasEditAndDelete(t *testing.T) {
	e := models.Entry{ID: 7, Name: "Eve", Message: "hi", UserID: 3}
	// Others, and visitors, get neither button.
	for _, viewer := range []string{"", "4"} {
		if out := renderAs(t, viewer, EntryItem(e)); strings.Contains(out, ">Edit<") || strings.Contains(out, "DELETE") {
			t.Errorf("viewer %q sees edit or delete:\n%s", viewer, out)
		}
	}
	// No one may change an entry from before accounts.
	if out := renderAs(t, "3", EntryItem(models.Entry{ID: 8, Name: "Old", Message: "x"})); strings.Contains(out, ">Edit<") {
		t.Errorf("an anonymous entry shows edit:\n%s", out)
	}
	out := renderAs(t, "3", EntryItem(e))
	for _, want := range []string{
		`>Edit<span class="visually-hidden"> Eve&#39;s entry</span></a>`,
		`<form class="inline-form" method="post"`, `name="_method" value="DELETE"`, `name="_csrf" value="`, `data-confirm="Delete this entry?"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %s\n%s", want, out)
		}
	}
}
