package middleware_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
	"github.com/groundup-go/groundup/framework/middleware"
)

// The handler is still running when the deadline passes: the client gets
// 503 at once, the connection serves its next request on the same
// (reused) Ctx while the late handler writes, and the late write fails
// without touching that response. Run with -race -count=50.
func TestTimeoutLateHandler(t *testing.T) {
	releaseSlow := make(chan struct{})
	lateErr := make(chan error, 1)
	slowDone := make(chan struct{})
	app := framework.New()
	app.GET("/slow", func(c *framework.Ctx) error {
		defer close(slowDone)
		<-c.Context().Done() // still running at the deadline
		if !errors.Is(context.Cause(c.Context()), framework.ErrHandlerTimeout) {
			lateErr <- errors.New("context ended without the timeout's cause")
			return nil
		}
		<-releaseSlow
		c.Header().Set("X-Late", "1")
		c.Status(201)
		_, err := c.WriteString("late")
		lateErr <- err
		return c.String(200, "late again")
	}, middleware.Timeout(time.Millisecond, middleware.TimeoutConfig{}))
	var lateWrite error
	app.GET("/next", func(c *framework.Ctx) error {
		close(releaseSlow) // the late handler writes while this one runs
		lateWrite = <-lateErr
		return c.String(200, "next")
	})
	raw := frameworktest.NewRequest("GET", "/slow").Set("Accept", "application/json").Bytes()
	raw = append(raw, frameworktest.NewRequest("GET", "/next").Bytes()...)
	srv := &framework.Server{Handler: app.Serve}
	out := frameworktest.ServeBytes(srv, raw)
	<-slowDone
	rs, err := frameworktest.ParseResponses(out, false)
	if err != nil || len(rs) != 2 {
		t.Fatalf("%v: %q", err, out)
	}
	if rs[0].Status != 503 || !strings.Contains(string(rs[0].Body), `"error":"Service Unavailable"`) {
		t.Errorf("first response:\n%s", rs[0].Raw)
	}
	if rs[1].Status != 200 || string(rs[1].Body) != "next" || rs[1].Header.Get("X-Late") != "" {
		t.Errorf("second response:\n%s", rs[1].Raw)
	}
	if !errors.Is(lateWrite, framework.ErrHandlerTimeout) {
		t.Errorf("late write: %v, want ErrHandlerTimeout", lateWrite)
	}
}

type traceKey struct{}

// A handler that returns in time answers as if there were no timeout:
// status, fields, body and values reach the client and outer middleware.
func TestTimeoutInTime(t *testing.T) {
	var seen any
	outer := func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			err := next(c)
			seen = c.Value(traceKey{})
			return err
		}
	}
	app := framework.New()
	app.POST("/x", func(c *framework.Ctx) error {
		var in struct {
			Name string `form:"name"`
		}
		if err := c.Bind(&in); err != nil {
			return err
		}
		if framework.FromContext(c.Context()) != c {
			return errors.New("FromContext does not lead to the handler's Ctx")
		}
		if _, ok := c.Context().Deadline(); !ok {
			return errors.New("no deadline")
		}
		c.Set(traceKey{}, "set inside")
		c.Header().Set("X-Inner", "1")
		return c.String(201, "hello "+in.Name)
	}, outer, middleware.Timeout(time.Hour, middleware.TimeoutConfig{}))
	app.GET("/fail", func(c *framework.Ctx) error { return framework.NewError(409, "taken") },
		middleware.Timeout(time.Hour, middleware.TimeoutConfig{}))
	app.GET("/panic", func(c *framework.Ctx) error { panic("boom") },
		middleware.Timeout(time.Hour, middleware.TimeoutConfig{}))

	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("POST", "/x").WithForm(map[string][]string{"name": {"Ada"}}))
	if res.Status != 201 || string(res.Body) != "hello Ada" || res.Header.Get("X-Inner") != "1" || seen != "set inside" {
		t.Errorf("%s (seen %v)", res.Raw, seen)
	}
	if res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/fail")); res.Status != 409 {
		t.Errorf("%s", res.Raw)
	}
	if res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/panic")); res.Status != 500 {
		t.Errorf("%s", res.Raw)
	}
}

func TestTimeoutStatusAndNoStreaming(t *testing.T) {
	app := framework.New()
	app.GET("/x", func(c *framework.Ctx) error {
		<-c.Context().Done()
		return nil
	}, middleware.Timeout(time.Millisecond, middleware.TimeoutConfig{Status: 504, Message: "too slow"}))
	app.GET("/stream", func(c *framework.Ctx) error {
		if err := c.Flush(); !errors.Is(err, framework.ErrDetachedFlush) {
			return errors.New("Flush under Timeout did not fail")
		}
		return c.String(200, "ok")
	}, middleware.Timeout(time.Hour, middleware.TimeoutConfig{}))
	if res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/x")); res.Status != 504 {
		t.Errorf("%s", res.Raw)
	}
	if res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/stream")); res.Status != 200 {
		t.Errorf("%s", res.Raw)
	}
}

// SetContext: middleware replaces the context, and everything after it
// sees the replacement: Context, FromContext, views.
func TestSetContext(t *testing.T) {
	withTrace := func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			c.SetContext(context.WithValue(c.Context(), traceKey{}, "span-1"))
			return next(c)
		}
	}
	app := framework.New()
	app.GET("/x", func(c *framework.Ctx) error {
		ctx := c.Context()
		if framework.FromContext(ctx) != c {
			return errors.New("FromContext lost the Ctx")
		}
		return c.String(200, ctx.Value(traceKey{}).(string))
	}, withTrace)
	if res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/x")); string(res.Body) != "span-1" {
		t.Errorf("%s", res.Raw)
	}
}
