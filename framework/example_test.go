package framework_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// The seed's first lesson, before any HTTP: a TCP server that answers
// "Yes" to whoever asks, using only package net.
func Example_canYouHearMe() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()

	// The server: accept a connection, read one line, answer it.
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // the listener was closed
			}
			go func() {
				defer conn.Close()
				line, _ := bufio.NewReader(conn).ReadString('\n')
				if strings.TrimSpace(line) == "can you hear me?" {
					io.WriteString(conn, "Yes\n")
				}
			}()
		}
	}()

	// The client: dial, ask, read the answer.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	io.WriteString(conn, "can you hear me?\n")
	answer, _ := bufio.NewReader(conn).ReadString('\n')
	fmt.Print(answer)
	// Output: Yes
}

// A whole app: routes, a handler, and the bytes on the wire, in memory.
func Example() {
	app := framework.New()
	app.GET("/hello/:name", func(c *framework.Ctx) error {
		return c.String(200, "Hello, "+c.Param("name")+"!")
	})
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/hello/gopher"))
	fmt.Println(res.Status, res.Get("Content-Type"))
	fmt.Println(string(res.Body))
	// Output:
	// 200 text/plain; charset=utf-8
	// Hello, gopher!
}

func ExampleApp_URL() {
	app := framework.New()
	app.GET("/entries/:id", func(c *framework.Ctx) error { return nil }).Name("entry")
	app.GET("/files/*path", func(c *framework.Ctx) error { return nil }).Name("file")
	u, _ := app.URL("entry", "42")
	fmt.Println(u)
	u, _ = app.URL("file", "photos/a b.jpg")
	fmt.Println(u)
	_, err := app.URL("entry")
	fmt.Println(err)
	// Output:
	// /entries/42
	// /files/photos/a%20b.jpg
	// groundup: route "entry" needs a value for "id"
}

func ExampleApp_Group() {
	app := framework.New()
	api := app.Group("/api", func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			c.Header().Set("X-API", "1")
			return next(c)
		}
	})
	api.GET("/ping", func(c *framework.Ctx) error { return c.String(200, "pong") })
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/api/ping"))
	fmt.Println(res.Get("X-API"), string(res.Body))
	for _, r := range app.Routes() {
		fmt.Println(r.Method, r.Path)
	}
	// Output:
	// 1 pong
	// GET /api/ping
}

// The router answers what httprouter's ServeHTTP used to: redirects,
// 405 with Allow, automatic OPTIONS, and HEAD from GET.
func ExampleApp_Serve() {
	app := framework.New()
	app.GET("/users", func(c *framework.Ctx) error { return c.String(200, "users") })
	app.POST("/users", func(c *framework.Ctx) error { return c.NoContent(201) })
	for _, req := range []string{"GET /users/", "DELETE /users", "OPTIONS /users", "HEAD /users"} {
		method, target, _ := strings.Cut(req, " ")
		res := frameworktest.Test(app.Serve, frameworktest.NewRequest(method, target))
		fmt.Printf("%-14s → %d Location=%q Allow=%q\n", req, res.Status, res.Get("Location"), res.Get("Allow"))
	}
	// Output:
	// GET /users/    → 301 Location="/users" Allow=""
	// DELETE /users  → 405 Location="" Allow="GET, HEAD, OPTIONS, POST"
	// OPTIONS /users → 204 Location="" Allow="GET, HEAD, OPTIONS, POST"
	// HEAD /users    → 200 Location="" Allow=""
}

// Handlers return errors; one error handler answers them, with HTML for
// browsers and JSON for API clients.
func ExampleHTTPError() {
	app := framework.New()
	app.GET("/entries/:id", func(c *framework.Ctx) error {
		return framework.NewError(404, "no entry "+c.Param("id"))
	})
	req := frameworktest.NewRequest("GET", "/entries/7").Set("Accept", "application/json")
	res := frameworktest.Test(app.Serve, req)
	fmt.Println(res.Status, string(res.Body))
	// Output: 404 {"error":"no entry 7","status":404}
}

func hello(name string) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		_, err := io.WriteString(w, "<p>Hello, "+templ.EscapeString(name)+"!</p>")
		return err
	})
}

// Render sends a templ component; the page is rendered in full before
// the status line goes out.
func ExampleCtx_Render() {
	app := framework.New()
	app.GET("/", func(c *framework.Ctx) error { return c.Render(200, hello("<gopher>")) })
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/"))
	fmt.Println(res.Get("Content-Type"), res.Get("Content-Length"))
	fmt.Println(string(res.Body))
	// Output:
	// text/html; charset=utf-8 29
	// <p>Hello, &lt;gopher&gt;!</p>
}

// Shutdown lets the request in flight finish, then returns.
func ExampleServer_Shutdown() {
	app := framework.New()
	started := make(chan struct{})
	app.GET("/slow", func(c *framework.Ctx) error {
		close(started)
		time.Sleep(100 * time.Millisecond)
		return c.String(200, "finished")
	})
	srv := &framework.Server{Handler: app.Serve, Logger: slog.New(slog.DiscardHandler)}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)

	got := make(chan string)
	go func() {
		res, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		got <- string(b)
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	fmt.Println("shutdown:", srv.Shutdown(ctx))
	fmt.Println("client got:", <-got)
	// Output:
	// shutdown: <nil>
	// client got: finished
}

// Hijack hands the socket to the handler, which then speaks a protocol of
// its own on it: here, after a 101, an echo in capitals of whatever the
// client sent behind the request head.
func ExampleCtx_Hijack() {
	app := framework.New()
	app.GET("/upgrade", func(c *framework.Ctx) error {
		nc, buffered, err := c.Hijack()
		if err != nil {
			return err
		}
		defer nc.Close()
		io.WriteString(nc, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: shout\r\nConnection: Upgrade\r\n\r\n")
		nc.Write(bytes.ToUpper(buffered))
		return nil
	})
	out := frameworktest.Raw(app.Serve, "GET /upgrade HTTP/1.1\r\nHost: example.com\r\nUpgrade: shout\r\nConnection: Upgrade\r\n\r\nhello")
	fmt.Printf("%q\n", out)
	// Output:
	// "HTTP/1.1 101 Switching Protocols\r\nUpgrade: shout\r\nConnection: Upgrade\r\n\r\nHELLO"
}
