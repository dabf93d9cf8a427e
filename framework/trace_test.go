package framework_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

// traceApp is a small app with one app-wide and one route middleware, a
// view, an upload, a panic and a 405, for the trace tests.
func traceApp() *framework.App {
	app := framework.New()
	app.Use(stampServer)
	app.GET("/hello/:name", func(c *framework.Ctx) error {
		return c.String(framework.StatusOK, "hello "+c.Param("name")+"\n")
	}, addVary)
	app.GET("/page", func(c *framework.Ctx) error {
		return c.Render(framework.StatusOK, greeting("world"))
	})
	app.POST("/upload", func(c *framework.Ctx) error {
		b, err := io.ReadAll(c.Body())
		if err != nil {
			return err
		}
		return c.String(framework.StatusOK, "got "+itoa(len(b))+" bytes\n")
	})
	app.GET("/boom", func(c *framework.Ctx) error { panic("the handler fell over") })
	app.GET("/fail", func(c *framework.Ctx) error { return framework.NewError(framework.StatusConflict, "taken") })
	app.GET("/login", func(c *framework.Ctx) error {
		c.Header().Set("Set-Cookie", "sid=s3cr3t-session; HttpOnly")
		return c.String(framework.StatusOK, "in\n")
	})
	return app
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

func greeting(name string) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		_, err := io.WriteString(w, "<p>Hello, "+templ.EscapeString(name)+"</p>")
		return err
	})
}

func stampServer(next framework.Handler) framework.Handler {
	return func(c *framework.Ctx) error {
		c.Header().Set("X-Stamp", "1")
		return next(c)
	}
}

func addVary(next framework.Handler) framework.Handler {
	return func(c *framework.Ctx) error {
		err := next(c)
		c.Header().Add("Vary", "Accept")
		return err
	}
}

func mustFind(t *testing.T, tr *framework.Trace, layer, substr string) framework.TraceEvent {
	t.Helper()
	if tr == nil {
		t.Fatalf("no trace")
	}
	e, ok := tr.Find(layer, substr)
	if !ok {
		t.Fatalf("no %s event with %q in the trace:\n%s", layer, substr, tr)
	}
	return e
}

func TestTraceEvents(t *testing.T) {
	app := traceApp()
	tests := []struct {
		name string
		raw  string
		want [][2]string // layer, substring, in the first request's trace
	}{
		{"get", "GET /hello/ada HTTP/1.1\r\nHost: x\r\n\r\n", [][2]string{
			{framework.TraceSocket, "read 36 bytes"},
			{framework.TraceParser, "GET /hello/ada HTTP/1.1"},
			{framework.TraceParser, "RFC 9112 §6.3 item 7"},
			{framework.TraceParser, "field Host: x"},
			{framework.TraceRouter, `name="ada"`},
			{framework.TraceMiddleware, "entered framework_test.stampServer"},
			{framework.TraceMiddleware, "added header X-Stamp: 1"},
			{framework.TraceMiddleware, "added header Vary: Accept"},
			{framework.TraceHandler, "returned nil"},
			{framework.TraceResponse, "200 OK, body framed by Content-Length"},
			{framework.TraceResponse, "RFC 9110 §8.6"},
			{framework.TraceSocket, "wrote"},
			{framework.TraceConnection, "kept open"},
		}},
		{"smuggling", "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", [][2]string{
			{framework.TraceParser, "refused: 400"},
			{framework.TraceParser, "RFC 9112 §6.1"},
			{framework.TraceConnection, "protocol error"},
			{framework.TraceSocket, "wrote"},
		}},
		{"chunked upload with 100-continue", "POST /upload HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 11\r\n\r\n", [][2]string{
			{framework.TraceParser, "body framing: chunked"},
			{framework.TraceBody, "sent 100 Continue"},
			{framework.TraceBody, "chunk of 5 bytes"},
			{framework.TraceBody, "chunk of 6 bytes"},
			{framework.TraceBody, "trailer X-Sum: 11"},
			{framework.TraceBody, "limit 8388608"},
			{framework.TraceBody, "body complete"},
			{framework.TraceResponse, "200 OK"},
		}},
		{"405", "DELETE /page HTTP/1.1\r\nHost: x\r\n\r\n", [][2]string{
			{framework.TraceRouter, "405 Method Not Allowed, Allow: GET, HEAD"},
			{framework.TraceHandler, "layer: router"},
			{framework.TraceResponse, "405"},
		}},
		{"error layer", "GET /fail HTTP/1.1\r\nHost: x\r\n\r\n", [][2]string{
			{framework.TraceHandler, "returned an error: 409 taken"},
			{framework.TraceHandler, "layer: controller"},
			{framework.TraceHandler, "status: 409"},
		}},
		{"panic", "GET /boom HTTP/1.1\r\nHost: x\r\n\r\n", [][2]string{
			{framework.TraceHandler, "panicked: the handler fell over"},
			{framework.TraceHandler, "goroutine"},
			{framework.TraceResponse, "500"},
		}},
		{"view", "GET /page HTTP/1.1\r\nHost: x\r\n\r\n", [][2]string{
			{framework.TraceView, "rendered"},
			{framework.TraceView, "19 bytes"},
		}},
		{"close", "GET /page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", [][2]string{
			{framework.TraceParser, "persistence: close"},
			{framework.TraceConnection, "the request asked to close"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, traces := frameworktest.TraceRaw(app.Serve, tc.raw)
			if len(traces) == 0 {
				t.Fatal("no trace recorded")
			}
			for _, w := range tc.want {
				mustFind(t, traces[0], w[0], w[1])
			}
		})
	}
}

func TestTracePipelined(t *testing.T) {
	out, traces := frameworktest.TraceRaw(traceApp().Serve,
		"GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\nGET /hello/b HTTP/1.1\r\nHost: x\r\n\r\n")
	if len(traces) != 2 {
		t.Fatalf("%d traces, want 2; output:\n%s", len(traces), out)
	}
	mustFind(t, traces[0], framework.TraceSocket, "the head ends at byte 34 of this read")
	mustFind(t, traces[0], framework.TraceParser, "pipelined neighbour")
	mustFind(t, traces[1], framework.TraceSocket, "already buffered")
	mustFind(t, traces[1], framework.TraceSocket, "pipelined neighbour(s)")
	if traces[0].ID == traces[1].ID {
		t.Errorf("both traces have ID %s", traces[0].ID)
	}
}

func TestTraceResponseHelper(t *testing.T) {
	res := frameworktest.TraceTest(traceApp().Serve, frameworktest.NewRequest("GET", "/hello/x"))
	if res.Status != 200 || res.Trace == nil {
		t.Fatalf("status %d, trace %v", res.Status, res.Trace)
	}
	mustFind(t, res.Trace, framework.TraceMiddleware, "added header Vary: Accept")
	if plain := frameworktest.Test(traceApp().Serve, frameworktest.NewRequest("GET", "/hello/x")); plain.Trace != nil {
		t.Error("Test returned a trace with tracing off")
	}
}

func TestTraceMasking(t *testing.T) {
	_, traces := frameworktest.TraceRaw(traceApp().Serve,
		"GET /login HTTP/1.1\r\nHost: x\r\nCookie: sid=abc123secret; theme=dark\r\nAuthorization: Bearer tok-e-n\r\n\r\n")
	text := traces[0].String()
	for _, secret := range []string{"abc123secret", "tok-e-n", "s3cr3t-session", "dark"} {
		if strings.Contains(text, secret) {
			t.Errorf("trace shows %q:\n%s", secret, text)
		}
	}
	mustFind(t, traces[0], framework.TraceParser, "field Cookie: sid=***; theme=***")
	mustFind(t, traces[0], framework.TraceParser, "field Authorization: Bearer ***")
	mustFind(t, traces[0], framework.TraceResponse, "field Set-Cookie: sid=***")
}

func TestTraceBounds(t *testing.T) {
	// One body far above the per-event cap: the trace keeps the cap and
	// counts the rest.
	body := strings.Repeat("x", 100<<10)
	_, traces := frameworktest.TraceRaw(traceApp().Serve,
		"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: "+itoa(len(body))+"\r\n\r\n"+body)
	kept, left := 0, 0
	for _, e := range traces[0].Events {
		kept += len(e.Bytes)
		left += e.Left
	}
	if kept > 40<<10 || left == 0 {
		t.Errorf("kept %d raw bytes, left out %d", kept, left)
	}
	mustFind(t, traces[0], framework.TraceBody, "body complete")

	// The store keeps the last Max traces and stays under MaxBytes.
	store := &framework.TraceStore{Max: 3}
	srv := &framework.Server{Handler: traceApp().Serve, Trace: store}
	for range 5 {
		frameworktest.ServeBytes(srv, []byte("GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\n"))
	}
	if n, _ := store.Len(); n != 3 {
		t.Errorf("store keeps %d traces, want 3", n)
	}
	if store.List()[0].ID != "5" || store.Get("1") != nil {
		t.Errorf("store does not keep the newest: %v", store.List())
	}
	small := &framework.TraceStore{MaxBytes: 1}
	srv = &framework.Server{Handler: traceApp().Serve, Trace: small}
	for range 3 {
		frameworktest.ServeBytes(srv, []byte("GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\n"))
	}
	if n, _ := small.Len(); n != 1 {
		t.Errorf("a store over its size keeps %d traces, want the newest only", n)
	}
}

func TestTracePages(t *testing.T) {
	app := traceApp()
	app.Dev = true
	app.Traces = &framework.TraceStore{AllowRemote: true} // the in-memory client is not loopback
	srv := &framework.Server{Handler: app.Serve, Trace: app.Traces}
	frameworktest.ServeBytes(srv, []byte("GET /hello/<ada> HTTP/1.1\r\nHost: x\r\n\r\n"))
	id := app.Traces.Last().ID
	get := func(path string) *frameworktest.Response {
		out := frameworktest.ServeBytes(srv, []byte("GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n"))
		res, err := frameworktest.ParseResponses(out, false)
		if err != nil || len(res) == 0 {
			t.Fatalf("GET %s: %v\n%s", path, err, out)
		}
		return res[0]
	}
	list := get("/_groundup/requests")
	if list.Status != 200 || !strings.Contains(string(list.Body), "/_groundup/requests/"+id) {
		t.Fatalf("list: %d\n%s", list.Status, list.Body)
	}
	page := get("/_groundup/requests/" + id)
	body := string(page.Body)
	for _, want := range []string{`data-layer="socket"`, `data-layer="parser"`, `data-layer="router"`, `data-layer="middleware"`,
		`data-layer="handler"`, `data-layer="response"`, `data-layer="connection"`, `class="hex"`, "&lt;ada&gt;", `href="/_groundup/trace.css"`} {
		if !strings.Contains(body, want) {
			t.Errorf("trace page lacks %s", want)
		}
	}
	if strings.Contains(body, "<style") || strings.Contains(body, "<script") || strings.Contains(body, "style=") {
		t.Error("trace page has inline style or script")
	}
	if css := get("/_groundup/trace.css"); css.Status != 200 || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: %d %s", css.Status, css.Header.Get("Content-Type"))
	}
	if n, _ := app.Traces.Len(); n != 1 {
		t.Errorf("the pages' own requests were traced: %d traces", n)
	}
	if res := get("/_groundup/requests/999"); res.Status != 404 {
		t.Errorf("unknown trace: %d", res.Status)
	}

	// Outside dev mode, or to a client that is not loopback: 404.
	app.Dev = false
	if res := get("/_groundup/requests"); res.Status != 404 {
		t.Errorf("outside dev mode: %d", res.Status)
	}
	app.Dev = true
	app.Traces.AllowRemote = false
	if res := get("/_groundup/requests"); res.Status != 404 {
		t.Errorf("to a remote client: %d", res.Status)
	}
}

func TestTraceErrorPageLinks(t *testing.T) {
	app := traceApp()
	app.Dev = true
	res := frameworktest.TraceTest(app.Serve, frameworktest.NewRequest("GET", "/fail"))
	if !strings.Contains(string(res.Body), `href="/_groundup/requests/`+res.Trace.ID+`"`) {
		t.Errorf("dev error page does not link to its trace:\n%s", res.Body)
	}
}

func TestTraceOffRecordsNothing(t *testing.T) {
	app := traceApp()
	var seen error
	app.GET("/probe", func(c *framework.Ctx) error {
		if c.Trace() != nil || c.TraceID() != "" {
			seen = errors.New("a trace exists with tracing off")
		}
		return c.NoContent(framework.StatusNoContent)
	})
	frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/probe"))
	if seen != nil {
		t.Error(seen)
	}
}
