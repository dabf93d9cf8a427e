package frameworktest_test

import (
	"fmt"
	"strings"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
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
