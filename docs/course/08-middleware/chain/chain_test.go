package chain_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/groundup-go/groundup/docs/course/08-middleware/chain"
	"github.com/groundup-go/groundup/docs/course/08-middleware/groundup"
	"github.com/groundup-go/groundup/docs/course/internal/mode"
	"github.com/groundup-go/groundup/docs/course/internal/teach"
)

// The steps run in source order; `go run ./docs/course` reports the first
// that fails.

type app interface {
	Use(mw ...chain.Middleware)
	GET(path string, h chain.Handler, mw ...chain.Middleware)
	Serve(c *chain.Ctx) error
}

func newApp() app {
	if mode.Reader() {
		return chain.New()
	}
	return groundup.New()
}

func recoverMW() chain.Middleware {
	if mode.Reader() {
		return chain.Recover()
	}
	return groundup.Recover()
}

const (
	chapter = "docs/09-middleware-and-errors.md"
	model   = chapter + "#one-model-funchandler-handler"
	levels  = chapter + "#app-group-and-route-level"
	panics  = chapter + "#panics"
	errs    = chapter + "#handlers-return-errors"
)

// mark is middleware that records its name on the way in and out, and
// what error came back through it.
func mark(name string) chain.Middleware {
	return func(next chain.Handler) chain.Handler {
		return func(c *chain.Ctx) error {
			c.Trace = append(c.Trace, name+">")
			err := next(c)
			if err != nil {
				c.Trace = append(c.Trace, name+" saw "+err.Error())
			}
			c.Trace = append(c.Trace, "<"+name)
			return err
		}
	}
}

func handler(c *chain.Ctx) error {
	c.Trace = append(c.Trace, "handler")
	return nil
}

func serve(a app, path string) (c *chain.Ctx, err error) {
	c = &chain.Ctx{Method: "GET", Path: path, Values: map[string]any{}}
	defer teach.Recover(&err, "Serve (a panic nothing recovered)")
	return c, a.Serve(c)
}

func wantTrace(t *testing.T, setup, path string, c *chain.Ctx, err error, want []string, wantErr, rule, read string) {
	t.Helper()
	gotErr := ""
	if err != nil {
		gotErr = err.Error()
	}
	if !slices.Equal(c.Trace, want) || gotErr != wantErr {
		teach.Fatal(t, teach.Lesson{
			Sent: setup + "; then GET " + path,
			Got:  fmt.Sprintf("trace %q, Serve error %q", c.Trace, gotErr),
			Want: fmt.Sprintf("trace %q, Serve error %q", want, wantErr),
			Rule: rule,
			Read: read,
		})
	}
}

func TestStep1_OneRoute(t *testing.T) {
	a := newApp()
	a.GET("/", handler)
	c, err := serve(a, "/")
	wantTrace(t, `GET("/", handler)`, "/", c, err, []string{"handler"}, "", "a route with no middleware runs its handler", model)
}

func TestStep2_NotFound(t *testing.T) {
	a := newApp()
	a.GET("/", handler)
	_, err := serve(a, "/nope")
	if !errors.Is(err, chain.ErrNotFound) {
		teach.Fatal(t, teach.Lesson{Sent: `GET("/", handler); then GET /nope`, Got: fmt.Sprint(err), Want: "chain.ErrNotFound", Rule: "no route: the app answers 404 through the same error path as a handler's error", Read: errs})
	}
}

func TestStep3_RouteMiddleware(t *testing.T) {
	a := newApp()
	a.GET("/", handler, mark("A"), mark("B"))
	c, err := serve(a, "/")
	wantTrace(t, `GET("/", handler, A, B)`, "/", c, err, []string{"A>", "B>", "handler", "<B", "<A"}, "",
		"the first middleware listed is the outermost: A wraps B wraps the handler. Build the chain from the last one inwards: h = mw[i](h) for i from len-1 down to 0", model)
}

func TestStep4_AppMiddleware(t *testing.T) {
	a := newApp()
	a.Use(mark("app1"), mark("app2"))
	a.GET("/", handler, mark("route"))
	a.GET("/plain", handler)
	c, err := serve(a, "/")
	wantTrace(t, `Use(app1, app2); GET("/", handler, route)`, "/", c, err,
		[]string{"app1>", "app2>", "route>", "handler", "<route", "<app2", "<app1"}, "",
		"app-level middleware wraps route-level middleware, which wraps the handler", levels)
	c, err = serve(a, "/plain")
	wantTrace(t, `Use(app1, app2); GET("/plain", handler)`, "/plain", c, err,
		[]string{"app1>", "app2>", "handler", "<app2", "<app1"}, "",
		"route middleware belongs to its route alone", levels)
}

func TestStep5_UseAfterRoutes(t *testing.T) {
	a := newApp()
	a.GET("/", handler)
	a.Use(mark("late"))
	c, err := serve(a, "/")
	wantTrace(t, `GET("/", handler); then Use(late)`, "/", c, err,
		[]string{"late>", "handler", "<late"}, "",
		"Use applies to every route, whenever it was registered: compose the app-level chain when serving (or recompile it on Use), not once at GET", levels)
}

func TestStep6_ErrorsFlowOut(t *testing.T) {
	a := newApp()
	a.Use(mark("outer"))
	a.GET("/", func(c *chain.Ctx) error { return errors.New("db down") }, mark("inner"))
	c, err := serve(a, "/")
	wantTrace(t, `Use(outer); GET("/", handler that returns "db down", inner)`, "/", c, err,
		[]string{"outer>", "inner>", "inner saw db down", "<inner", "outer saw db down", "<outer"}, "db down",
		"handlers return errors; each middleware sees the error on the way out, and Serve returns it to the one error handler", errs)
}

func TestStep7_ShortCircuit(t *testing.T) {
	a := newApp()
	deny := func(next chain.Handler) chain.Handler {
		return func(c *chain.Ctx) error {
			if c.Values["user"] == nil {
				return errors.New("401 unauthorized")
			}
			return next(c)
		}
	}
	a.Use(mark("outer"), deny)
	a.GET("/", handler)
	c, err := serve(a, "/")
	wantTrace(t, `Use(outer, deny-without-user); GET("/", handler)`, "/", c, err,
		[]string{"outer>", "outer saw 401 unauthorized", "<outer"}, "401 unauthorized",
		"a middleware that returns without calling next stops the chain: the handler never runs", model)

	a2 := newApp()
	a2.Use(func(next chain.Handler) chain.Handler {
		return func(c *chain.Ctx) error { c.Values["user"] = "ann"; return next(c) }
	}, deny)
	a2.GET("/", func(c *chain.Ctx) error { c.Trace = append(c.Trace, "hello "+c.Values["user"].(string)); return nil })
	c, err = serve(a2, "/")
	wantTrace(t, `Use(set user "ann", deny-without-user); GET("/", handler greeting the user)`, "/", c, err,
		[]string{"hello ann"}, "", "middleware hands values to what it wraps through the Ctx", chapter+"#app-group-and-route-level")
}

func TestStep8_Recover(t *testing.T) {
	a := newApp()
	a.Use(mark("logger"), recoverMW())
	a.GET("/boom", func(c *chain.Ctx) error { panic("boom") })
	a.GET("/", handler)
	c, err := serve(a, "/boom")
	var pe *chain.PanicError
	if !errors.As(err, &pe) || pe.Value != "boom" || !slices.Contains(c.Trace, "logger saw "+err.Error()) {
		teach.Fatal(t, teach.Lesson{
			Sent: `Use(logger, Recover()); GET("/boom", handler that panics "boom")`,
			Got:  fmt.Sprintf("Serve error %v, trace %q", err, c.Trace),
			Want: `a *chain.PanicError with Value "boom", seen by logger on the way out`,
			Rule: "defer func() { if v := recover(); v != nil { err = &PanicError{v} } }() inside Recover's handler, with a named result: a panic becomes an error that outer middleware sees and the error handler answers with 500",
			Read: panics,
		})
	}
	c, err = serve(a, "/")
	if err != nil || !slices.Equal(c.Trace, []string{"logger>", "handler", "<logger"}) {
		teach.Fatal(t, teach.Lesson{Sent: "GET / after the panic", Got: fmt.Sprintf("%v %q", err, c.Trace), Want: "the app serves on", Rule: "a recovered panic costs one request, not the app", Read: panics})
	}
}

func TestStep9_RecoverErrorValue(t *testing.T) {
	a := newApp()
	cause := errors.New("nil map")
	a.Use(recoverMW())
	a.GET("/", func(c *chain.Ctx) error { panic(cause) })
	_, err := serve(a, "/")
	var pe *chain.PanicError
	if !errors.As(err, &pe) || pe.Value != cause {
		teach.Fatal(t, teach.Lesson{
			Sent: `Use(Recover()); a handler that panics with an error value`,
			Got:  fmt.Sprintf("%#v", err),
			Want: "a *chain.PanicError whose Value is the very error passed to panic",
			Rule: "recover() returns whatever was passed to panic; keep it as it is, for the log",
			Read: panics,
		})
	}
}

func TestStep10_RecoverOrder(t *testing.T) {
	a := newApp()
	a.Use(recoverMW(), mark("inner"))
	a.GET("/", func(c *chain.Ctx) error { panic("deep") })
	c, err := serve(a, "/")
	var pe *chain.PanicError
	if !errors.As(err, &pe) || !slices.Equal(c.Trace, []string{"inner>"}) {
		teach.Fatal(t, teach.Lesson{
			Sent: `Use(Recover(), inner); a handler that panics`,
			Got:  fmt.Sprintf("Serve error %v, trace %q", err, c.Trace),
			Want: `a *chain.PanicError, and trace ["inner>"]: a panic unwinds through inner without running its code after next`,
			Rule: "order matters: middleware inside Recover never sees the error of a panic; put the logger outside Recover",
			Read: chapter + "#the-shipped-middleware-in-order",
		})
	}
}
