package framework_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// Tests of the extension points that framework/middleware and
// framework/session are built on, written from outside the package as
// their users are.

func TestSetMethod(t *testing.T) {
	tests := []struct {
		name   string
		set    string
		method string // request method
		want   string // route that answers, Method, and the method before it was set
	}{
		{"POST routed as PUT", "PUT", "POST", "put PUT POST"},
		{"empty method ignored", "", "POST", "post POST POST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := framework.New()
			app.Use(func(next framework.Handler) framework.Handler {
				return func(c *framework.Ctx) error {
					c.Set("sent", c.Method())
					c.SetMethod(tt.set)
					return next(c)
				}
			})
			answer := func(route string) framework.Handler {
				return func(c *framework.Ctx) error { return c.String(200, route+" "+c.Method()+" "+c.Value("sent").(string)) }
			}
			app.PUT("/x", answer("put"))
			app.POST("/x", answer("post"))
			res := frameworktest.Test(app.Serve, frameworktest.NewRequest(tt.method, "/x"))
			if string(res.Body) != tt.want {
				t.Errorf("got %q, want %q", res.Body, tt.want)
			}
		})
	}
}

func TestContentLength(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want string
	}{
		{"declared", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", "3"},
		{"no body", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "-1"},
		{"chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := frameworktest.Raw(func(c *framework.Ctx) error {
				return c.String(200, fmt.Sprint(c.ContentLength()))
			}, tt.raw)
			if !strings.HasSuffix(out, "\r\n\r\n"+tt.want) {
				t.Errorf("got\n%s\nwant body %q", out, tt.want)
			}
		})
	}
}

func TestLayer(t *testing.T) {
	var seen []framework.Layer
	record := func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error { seen = append(seen, c.Layer()); return next(c) }
	}
	app := framework.New()
	app.Use(record)
	app.GET("/", func(c *framework.Ctx) error { seen = append(seen, c.Layer()); return c.NoContent(204) }, record)
	frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/"))
	frameworktest.Test(func(c *framework.Ctx) error { seen = append(seen, c.Layer()); return nil }, frameworktest.NewRequest("GET", "/"))
	want := []framework.Layer{framework.LayerMiddleware, framework.LayerMiddleware, framework.LayerController, framework.LayerServer}
	if !slices.Equal(seen, want) {
		t.Errorf("layers %v, want %v", seen, want)
	}
}

// replaceAfter is middleware that, once the handler has returned, reads
// the buffered body and replaces it with what change makes of it,
// recording ReplaceBody's error.
func replaceAfter(change func([]byte) []byte, errs *[]error) framework.Middleware {
	return func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			if err := next(c); err != nil {
				return err
			}
			body, ok := c.BufferedBody()
			if !ok {
				*errs = append(*errs, c.ReplaceBody(nil))
				return nil
			}
			*errs = append(*errs, c.ReplaceBody(change(body)))
			return nil
		}
	}
}

func TestBufferedBodyReplaceBody(t *testing.T) {
	upper := func(b []byte) []byte { return []byte(strings.ToUpper(string(b)) + "!") }
	tests := []struct {
		name    string
		method  string
		handler framework.Handler
		change  func([]byte) []byte
		wantErr error
		want    string // status, Content-Length and body
	}{
		{"replaced", "GET", func(c *framework.Ctx) error { return c.String(200, "hello") }, upper,
			nil, "200 6 HELLO!"},
		{"handler's Content-Length dropped", "GET", func(c *framework.Ctx) error {
			c.WriteString("hello")
			c.Header().Set("Content-Length", "5")
			return nil
		}, upper, nil, "200 6 HELLO!"},
		{"emptied for HEAD", "HEAD", func(c *framework.Ctx) error { return c.String(200, "hello") },
			func([]byte) []byte { return nil }, nil, "200  "},
		{"flushed: too late", "GET", func(c *framework.Ctx) error {
			c.WriteString("hello")
			return c.Flush()
		}, upper, framework.ErrCommitted, "200  hello"},
		{"status without a body", "GET", func(c *framework.Ctx) error { return c.NoContent(204) }, upper,
			framework.ErrBodyNotAllowed, "204  "},
		{"larger than the buffer", "GET", func(c *framework.Ctx) error { return c.String(200, "hello") },
			func([]byte) []byte { return make([]byte, framework.MaxBufferedBody+1) }, errors.New("any"), "200 5 hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs []error
			app := framework.New()
			app.Use(replaceAfter(tt.change, &errs))
			app.GET("/", tt.handler)
			res := frameworktest.Test(app.Serve, frameworktest.NewRequest(tt.method, "/"))
			if got := fmt.Sprintf("%d %s %s", res.Status, res.Get("Content-Length"), res.Body); got != tt.want {
				t.Errorf("response %q, want %q\n%s", got, tt.want, res.Raw)
			}
			if len(errs) != 1 {
				t.Fatalf("middleware ran %d times", len(errs))
			}
			switch err := errs[0]; {
			case tt.wantErr == nil && err != nil, tt.wantErr != nil && err == nil:
				t.Errorf("ReplaceBody: %v, want %v", err, tt.wantErr)
			case tt.wantErr != nil && tt.wantErr.Error() != "any" && !errors.Is(err, tt.wantErr):
				t.Errorf("ReplaceBody: %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestReplaceBodyWritten(t *testing.T) {
	var written int64
	app := framework.New()
	app.Use(func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			next(c)
			c.ReplaceBody([]byte("ab"))
			written = c.Written()
			return nil
		}
	})
	app.GET("/", func(c *framework.Ctx) error { return c.String(200, "hello") })
	frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/"))
	if written != 2 {
		t.Errorf("Written after ReplaceBody = %d, want 2", written)
	}
}

func TestHeaderMarkTruncate(t *testing.T) {
	tests := []struct {
		name   string
		before func(h *framework.Header) // set before the mark
		after  func(h *framework.Header) // set after it, then truncated
		want   string                    // status and the fields sent by the handler
	}{
		{"fields after the mark dropped", func(h *framework.Header) { h.Set("X-Kept", "1") },
			func(h *framework.Header) { h.Set("X-Dropped", "1"); h.Add("Set-Cookie", "a=1") }, "200 X-Kept"},
		{"writer's fields forgotten too", nil,
			func(h *framework.Header) { h.Set("Content-Length", "99"); h.Set("Connection", "close") }, "200 "},
		{"refusal after the mark forgotten", nil,
			func(h *framework.Header) { h.Set("X-Bad", "a\r\nb") }, "200 "},
		{"refusal before the mark kept", func(h *framework.Header) { h.Set("X-Bad", "a\r\nb") },
			func(h *framework.Header) { h.Set("X-Dropped", "1") }, "500 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := func(c *framework.Ctx) error {
				hd := c.Header()
				if tt.before != nil {
					tt.before(hd)
				}
				mark := hd.Mark()
				tt.after(hd)
				hd.Truncate(mark)
				hd.Truncate(mark) // twice: no change
				_, err := c.WriteString("ok")
				return err
			}
			res := frameworktest.Test(h, frameworktest.NewRequest("GET", "/"))
			var names []string
			for _, f := range res.Header.Fields() {
				if strings.HasPrefix(f.Name, "X-") && f.Name != "X-Content-Type-Options" || f.Name == "Set-Cookie" {
					names = append(names, f.Name)
				}
			}
			if got := fmt.Sprintf("%d %s", res.Status, strings.Join(names, ",")); got != tt.want {
				t.Errorf("got %q, want %q\n%s", got, tt.want, res.Raw)
			}
			if res.Status == 200 && (res.Get("Content-Length") != "2" || res.Get("Connection") != "") {
				t.Errorf("writer's fields not recomputed:\n%s", res.Raw)
			}
		})
	}
}

func TestCookieValues(t *testing.T) {
	h := func(c *framework.Ctx) error {
		var got []string
		for v := range c.CookieValues("a") {
			got = append(got, v)
		}
		for range c.CookieValues("b") {
			break // stopping early is allowed
		}
		return c.String(200, strings.Join(got, ","))
	}
	req := frameworktest.NewRequest("GET", "/").Set("Cookie", `a=1; b=2; bad name=3; a="x y"`)
	res := frameworktest.Test(h, req)
	if string(res.Body) != "1,x y" {
		t.Errorf("values %q, want %q", res.Body, "1,x y")
	}
}

func TestCookieValid(t *testing.T) {
	tests := []struct {
		ck   framework.Cookie
		want string // part of the error, or "" for valid
	}{
		{framework.Cookie{Name: "s", Value: "v", Path: "/"}, ""},
		{framework.Cookie{Name: "my session"}, "not a token"},
		{framework.Cookie{Name: "s", Value: "a;b"}, "not allowed"},
		{framework.Cookie{Name: "s", Path: "/a;b"}, "invalid Path"},
		{framework.Cookie{Name: "__Host-s", Path: "/"}, "__Host-"},
	}
	for _, tt := range tests {
		err := tt.ck.Valid()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v: %v", tt.ck, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%+v: error %v, want one mentioning %q", tt.ck, err, tt.want)
		case (err == nil) != (tt.ck.String() != ""):
			t.Errorf("%+v: Valid and String disagree", tt.ck)
		}
	}
}

func TestPanicError(t *testing.T) {
	pe := framework.PanicError{Value: "boom", Stack: []byte("goroutine 1 [running]:\nmain.f()")}
	if pe.Error() != "panic: boom" {
		t.Errorf("Error() = %q", pe.Error())
	}
	// Wrapped in an *HTTPError, it is found by errors.As, and the dev
	// error page shows its stack.
	err := fmt.Errorf("wrapped: %w", &framework.HTTPError{Code: 500, Err: pe})
	var got framework.PanicError
	if !errors.As(err, &got) || got.Value != "boom" {
		t.Fatalf("errors.As found %v", got)
	}
	app := framework.New()
	app.Dev = true
	app.GET("/", func(c *framework.Ctx) error { return err })
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/"))
	if res.Status != 500 || !strings.Contains(string(res.Body), "<h2>Stack</h2><pre>goroutine 1 [running]:\nmain.f()</pre>") {
		t.Errorf("dev page lacks the stack:\n%s", res.Body)
	}
}
