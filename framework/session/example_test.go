package session_test

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
	"github.com/groundup-go/groundup/framework/session"
)

// ExampleSessions keeps a value and a flash message across requests in a
// signed cookie.
func ExampleSessions() {
	app := framework.New()
	app.Use(session.Sessions(session.Config{
		Keys:   [][]byte{[]byte("use 32 random bytes, not this!!!")},
		MaxAge: 24 * time.Hour,
	}))
	app.POST("/login", func(c *framework.Ctx) error {
		s := session.From(c)
		s.Set("user", c.FormValue("user"))
		s.AddFlash("success", "Welcome back.")
		return c.Redirect(framework.StatusSeeOther, "/")
	})
	app.GET("/", func(c *framework.Ctx) error {
		s := session.From(c)
		msg := "user=" + s.Get("user")
		for _, f := range s.Flashes() {
			msg += " [" + f.Kind + "] " + f.Message
		}
		return c.String(200, msg)
	})

	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("POST", "/login").WithForm(url.Values{"user": {"ada"}}))
	cookie, _, _ := strings.Cut(res.Get("Set-Cookie"), ";")
	fmt.Println(res.Status, res.Get("Location"))

	res = frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/").Set("Cookie", cookie))
	fmt.Println(string(res.Body))
	cookie, _, _ = strings.Cut(res.Get("Set-Cookie"), ";") // the flash is gone from it

	res = frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/").Set("Cookie", cookie))
	fmt.Println(string(res.Body))

	res = frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/").Set("Cookie", strings.Replace(cookie, "=", "=x", 1)))
	fmt.Println(string(res.Body), "(tampered cookie: empty session)")
	// Output:
	// 303 /
	// user=ada [success] Welcome back.
	// user=ada
	// user= (tampered cookie: empty session)
}

// ExampleCSRF protects a form: the page embeds the token with CSRFField,
// and a post without it, or from another origin, is refused.
func ExampleCSRF() {
	app := framework.New()
	app.Use(session.Sessions(session.Config{Keys: [][]byte{[]byte("use 32 random bytes, not this!!!")}}))
	pages := app.Group("", session.CSRF(session.CSRFConfig{}))
	pages.GET("/comment", func(c *framework.Ctx) error {
		return c.Render(200, templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			io.WriteString(w, `<form method="post">`)
			session.CSRFField(ctx).Render(ctx, w)
			_, err := io.WriteString(w, `<textarea name="text"></textarea></form>`)
			return err
		}))
	})
	pages.POST("/comment", func(c *framework.Ctx) error { return c.String(201, "thanks") })

	page := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/comment"))
	cookie, _, _ := strings.Cut(page.Get("Set-Cookie"), ";")
	token := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(string(page.Body))[1]

	post := func(form url.Values, origin string) {
		req := frameworktest.NewRequest("POST", "/comment").Set("Cookie", cookie).Set("Accept", "application/json").WithForm(form)
		if origin != "" {
			req.Set("Origin", origin)
		}
		res := frameworktest.Test(app.Serve, req)
		fmt.Println(res.Status, strings.TrimSpace(string(res.Body)))
	}
	post(url.Values{"text": {"hi"}}, "")
	post(url.Values{"text": {"hi"}, "_csrf": {token}}, "https://evil.example")
	post(url.Values{"text": {"hi"}, "_csrf": {token}}, "http://example.com")
	// Output:
	// 403 {"error":"CSRF token missing or invalid","status":403}
	// 403 {"error":"cross-origin request refused","status":403}
	// 201 thanks
}
