package framework_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing/fstest"
	"time"

	"github.com/a-h/templ"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

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

// A JSON API: BindJSON decodes the body strictly, and its errors say what
// was wrong in words a client can act on.
func ExampleCtx_BindJSON() {
	type entry struct {
		Name    string `json:"name"`
		Message string `json:"message"`
	}
	app := framework.New()
	app.POST("/entries", func(c *framework.Ctx) error {
		var in entry
		if err := c.BindJSON(&in); err != nil {
			return err
		}
		return c.JSON(201, in)
	})

	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("POST", "/entries").
		WithJSON(map[string]string{"name": "Ada", "message": "hello"}))
	fmt.Print(res.Status, " ", string(res.Body))

	res = frameworktest.Test(app.Serve, frameworktest.NewRequest("POST", "/entries").
		WithBody("application/json", []byte(`{"name": 7}`)))
	fmt.Print(res.Status, " ", string(res.Body))
	// Output:
	// 201 {"name":"Ada","message":"hello"}
	// 400 {"error":"invalid JSON: field \"name\" must be a string, not number","status":400}
}

// An HTML form: Form parses url-encoded and multipart bodies alike, and
// FormValue reads one field.
func ExampleCtx_Form() {
	app := framework.New()
	app.POST("/register", func(c *framework.Ctx) error {
		form, err := c.Form()
		if err != nil {
			return err // 400 for a malformed body, 413 past the body limit
		}
		return c.String(200, "hello "+c.FormValue("name")+", "+strings.Join(form["lang"], "+"))
	})

	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("POST", "/register").
		WithForm(url.Values{"name": {"Ada"}, "lang": {"go", "c"}}))
	fmt.Println(res.Status, string(res.Body))
	// Output: 200 hello Ada, go+c
}

// SetCookie refuses a cookie it cannot send as written, so a bad value
// fails where it is set; Cookie reads one back.
func ExampleCtx_SetCookie() {
	app := framework.New()
	app.GET("/", func(c *framework.Ctx) error {
		if theme, ok := c.Cookie("theme"); ok {
			return c.String(200, "theme "+theme)
		}
		c.SetCookie(&framework.Cookie{Name: "theme", Value: "dark", Path: "/",
			MaxAge: 3600, HttpOnly: true, SameSite: framework.SameSiteLax})
		return c.String(200, "theme set")
	})

	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/"))
	fmt.Println(res.Get("Set-Cookie"))
	res = frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/").Set("Cookie", "theme=dark"))
	fmt.Println(string(res.Body))
	// Output:
	// theme=dark; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax
	// theme dark
}

// FileServer serves an fs.FS under a pattern that ends in "/*filepath",
// behind whatever middleware the route has; conditional requests come
// for free.
func ExampleFileServer() {
	files := fstest.MapFS{"hello.txt": {Data: []byte("Hello, world!\n")}}
	app := framework.New()
	app.GET("/files/*filepath", framework.FileServer(files, framework.StaticConfig{}))

	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/files/hello.txt"))
	fmt.Print(res.Status, " ", res.Get("Content-Type"), " ", string(res.Body))
	etag := res.Get("ETag")
	res = frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/files/hello.txt").Set("If-None-Match", etag))
	fmt.Println(res.Status)
	// Output:
	// 200 text/plain; charset=utf-8 Hello, world!
	// 304
}
