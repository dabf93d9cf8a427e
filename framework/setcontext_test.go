package framework_test

import (
	"context"
	"io"
	"testing"

	"github.com/a-h/templ"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

type spanKey struct{}

// A context set by middleware reaches the handler, the view it renders,
// and FromContext; after the request, the replaced contexts no longer
// lead to the pooled Ctx.
func TestSetContextReachesViews(t *testing.T) {
	var kept []context.Context
	app := framework.New()
	app.Use(func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			kept = append(kept, c.Context())
			c.SetContext(context.WithValue(c.Context(), spanKey{}, "span-7"))
			kept = append(kept, c.Context())
			return next(c)
		}
	})
	app.GET("/", func(c *framework.Ctx) error {
		return c.Render(200, templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
			if framework.FromContext(ctx) == nil {
				_, err := io.WriteString(w, "no Ctx")
				return err
			}
			_, err := io.WriteString(w, ctx.Value(spanKey{}).(string))
			return err
		}))
	})
	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/"))
	if string(res.Body) != "span-7" {
		t.Errorf("%s", res.Raw)
	}
	for i, ctx := range kept {
		if framework.FromContext(ctx) != nil {
			t.Errorf("context %d still leads to a Ctx after the request", i)
		}
	}
}
