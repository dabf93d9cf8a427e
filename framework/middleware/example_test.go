package middleware_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
	"github.com/groundup-go/groundup/framework/middleware"
)

// ExampleRecover turns a handler's panic into a 500 that the error
// handler answers, here in JSON; the panic and its stack go to the log.
func ExampleRecover() {
	app := framework.New()
	app.Use(middleware.Recover())
	app.GET("/", func(c *framework.Ctx) error {
		c.Header().Set("X-Half-Built", "yes") // dropped with the rest
		panic("the database handle is nil")
	})

	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/").Set("Accept", "application/json"))
	fmt.Println(res.Status, res.Get("X-Half-Built") == "")
	fmt.Println(string(res.Body))
	// Output:
	// 500 true
	// {"error":"Internal Server Error","status":500}
}

// ExampleMethodOverride lets an HTML form, which can only POST, reach a
// DELETE route through a hidden _method field.
func ExampleMethodOverride() {
	app := framework.New()
	app.Use(middleware.MethodOverride())
	app.DELETE("/entries/:id", func(c *framework.Ctx) error {
		return c.String(200, c.Method()+" entry "+c.Param("id"))
	})

	form := url.Values{"_method": {"DELETE"}}
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("POST", "/entries/7").WithForm(form))
	fmt.Println(res.Status, string(res.Body))

	form = url.Values{"_method": {"GET"}}
	res = frameworktest.Test(app.Serve, frameworktest.NewRequest("POST", "/entries/7").WithForm(form).Set("Accept", "application/json"))
	fmt.Println(res.Status, string(res.Body))
	// Output:
	// 200 DELETE entry 7
	// 400 {"error":"invalid _method \"GET\": a POST form may only override to PUT, PATCH or DELETE","status":400}
}

// ExampleLogger shows the line Logger writes for each request. Time and
// duration are dropped here so that the output is stable.
func ExampleLogger() {
	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	}))
	app := framework.New()
	app.Use(middleware.RequestID(), middleware.Logger(log))
	app.GET("/hello", func(c *framework.Ctx) error { return c.String(200, "Hello!") })

	frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/hello").Set("X-Request-ID", "abc123"))
	frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/nope").Set("X-Request-ID", "abc124").Set("Accept", "application/json"))
	// Output:
	// level=INFO msg=request method=GET path=/hello status=200 bytes=6 request_id=abc123 remote=192.0.2.1:1234
	// level=INFO msg=request method=GET path=/nope status=404 bytes=35 request_id=abc124 remote=192.0.2.1:1234
}

// ExampleGzip compresses a page for a client that accepts gzip, and
// leaves it alone for one that does not.
func ExampleGzip() {
	app := framework.New()
	app.Use(middleware.Gzip(middleware.GzipConfig{}))
	page := strings.Repeat("<p>Hello, compressed world.</p>\n", 100)
	app.GET("/", func(c *framework.Ctx) error { return c.HTML(200, page) })

	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/").Set("Accept-Encoding", "gzip, br"))
	zr, _ := gzip.NewReader(bytes.NewReader(res.Body))
	plain, _ := io.ReadAll(zr)
	fmt.Println(res.Get("Content-Encoding"), res.Get("Vary"))
	fmt.Println("smaller than a tenth:", len(res.Body) < len(page)/10, "intact:", string(plain) == page)

	res = frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/"))
	fmt.Printf("%q %s %d\n", res.Get("Content-Encoding"), res.Get("Vary"), len(res.Body))
	// Output:
	// gzip Accept-Encoding
	// smaller than a tenth: true intact: true
	// "" Accept-Encoding 3200
}
