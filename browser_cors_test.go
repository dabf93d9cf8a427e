package groundup_test

import (
	"net"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/middleware"
)

// TestBrowserCORS has a page on one origin call an API on another, in a
// real browser: a PUT with a JSON body, which Chromium sends only after a
// preflight that the API group's CORS middleware answers, and a call from
// an origin the API does not allow, which the browser must block.
//
// Without Chromium it skips, except under CI=true, where it fails.
func TestBrowserCORS(t *testing.T) {
	ctx, _ := startBrowser(t, 800, 600)

	serve := func(h framework.Handler) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &framework.Server{Handler: h}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		return "http://" + ln.Addr().String()
	}
	page := `<!doctype html><title>caller</title><p id="out">waiting</p>`
	pages := framework.New()
	pages.GET("/", func(c *framework.Ctx) error { return c.HTML(200, page) })
	allowed, other := serve(pages.Serve), serve(pages.Serve)

	api := framework.New()
	group := api.Group("/api", middleware.CORS(middleware.CORSConfig{
		AllowOrigins: []string{allowed},
		AllowMethods: []string{"PUT"},
		AllowHeaders: []string{"Content-Type"},
	}))
	var preflights atomic.Int32 // counted on the server's goroutines
	api.Use(func(next framework.Handler) framework.Handler {
		return func(c *framework.Ctx) error {
			if c.Method() == "OPTIONS" {
				preflights.Add(1)
			}
			return next(c)
		}
	})
	group.PUT("/things/:id", func(c *framework.Ctx) error {
		var in struct {
			Name string `json:"name"`
		}
		if err := c.BindJSON(&in); err != nil {
			return err
		}
		return c.JSON(200, map[string]string{"id": c.Param("id"), "name": in.Name})
	})
	apiURL := serve(api.Serve)

	call := `fetch("` + apiURL + `/api/things/7", {method: "PUT", headers: {"Content-Type": "application/json"}, body: JSON.stringify({name: "ada"})})
		.then(r => r.json()).then(j => j.id + " " + j.name, e => "blocked")`
	callFrom := func(origin string) string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(origin+"/")); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](call, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	got := callFrom(allowed)
	if got != "7 ada" {
		t.Errorf("allowed origin: the call gave %q, want %q", got, "7 ada")
	}
	if preflights.Load() == 0 {
		t.Errorf("the browser sent no preflight for a PUT with a JSON body")
	}
	if got := callFrom(other); got != "blocked" {
		t.Errorf("an origin the API does not allow: the call gave %q, want the browser to block it", got)
	}
}
