package frameworktest_test

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
	"github.com/groundup-go/groundup/framework/session"
)

// Test sends one request through a handler in memory and parses the
// response.
func ExampleTest() {
	app := framework.New()
	app.POST("/echo", func(c *framework.Ctx) error {
		return c.String(201, "got "+c.FormValue("word"))
	})
	req := frameworktest.NewRequest("POST", "/echo").WithForm(map[string][]string{"word": {"hello"}})
	res := frameworktest.Test(app.Serve, req)
	fmt.Println(res.Status, res.Get("Content-Type"))
	fmt.Println(string(res.Body))
	// Output:
	// 201 text/plain; charset=utf-8
	// got hello
}

// Raw shows the exact response bytes; here the Date header is dropped to
// keep the output stable.
func ExampleRaw() {
	app := framework.New()
	app.GET("/", func(c *framework.Ctx) error { return c.String(200, "hi") })
	out := frameworktest.Raw(app.Serve, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
	for _, line := range strings.Split(out, "\r\n") {
		if !strings.HasPrefix(line, "Date: ") {
			fmt.Printf("%q\n", line)
		}
	}
	// Output:
	// "HTTP/1.1 200 OK"
	// "Content-Type: text/plain; charset=utf-8"
	// "Content-Length: 2"
	// "Server: groundup"
	// ""
	// "hi"
}

// ServeBytes runs pipelined requests through a Server of one's own; the
// responses come back in order, in one stream.
func ExampleServeBytes() {
	srv := &framework.Server{
		ServerName: "-",
		Handler: func(c *framework.Ctx) error {
			c.Header().Set("Date", "Mon, 02 Jan 2006 15:04:05 GMT")
			return c.String(200, c.Path())
		},
	}
	out := frameworktest.ServeBytes(srv, []byte("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"))
	res, _ := frameworktest.ParseResponses(out, false)
	for _, r := range res {
		fmt.Println(r.Status, string(r.Body))
	}
	// Output:
	// 200 /a
	// 200 /b
}

// A Client keeps the session cookie and the CSRF token between requests,
// as a browser does, and follows the redirect after a post.
func ExampleClient() {
	app := framework.New()
	app.Use(session.Sessions(session.Config{Keys: [][]byte{[]byte("use 32 random bytes, not this!!!")}}))
	pages := app.Group("", session.CSRF(session.CSRFConfig{}))
	pages.GET("/note", func(c *framework.Ctx) error {
		return c.Render(200, templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			for _, f := range session.Flashes(ctx) {
				fmt.Fprintf(w, "<p>%s</p>", f.Message)
			}
			io.WriteString(w, `<form method="post">`)
			session.CSRFField(ctx).Render(ctx, w)
			_, err := io.WriteString(w, `<input name="text"></form>`)
			return err
		}))
	})
	pages.POST("/note", func(c *framework.Ctx) error {
		session.From(c).AddFlash("success", "Noted: "+c.FormValue("text"))
		return c.Redirect(framework.StatusSeeOther, "/note")
	})

	c := frameworktest.NewClient(app.Serve)
	c.FollowRedirects = true
	c.Get("/note") // the session cookie and the form's token
	res := c.PostForm("/note", url.Values{"text": {"hello"}})
	fmt.Println(res.Status, res.URL)
	body := string(res.Body)
	fmt.Println(body[:strings.Index(body, "<form")])
	// Output:
	// 200 /note
	// <p>Noted: hello</p>
}
