package groundup_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestTraceBrowser opens the trace of a real request in headless Chromium
// at phone width: the app runs in dev mode, the home page is requested,
// and its trace page must show every layer the request crossed, styled
// by the stylesheet the page's Content-Security-Policy allows, without
// sideways scrolling. A dev error page must link to its trace. The
// screenshots' paths are logged (GROUNDUP_SCREENSHOTS keeps them).
//
// Without Chromium it skips, except under CI=true, where it fails.
func TestTraceBrowser(t *testing.T) {
	ctx, shots := startBrowser(t, 390, 844) // a phone's width
	app := startApp(t, "-dev")

	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(js string) any {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
		if err != nil {
			t.Fatalf("evaluating %s: %v", js, err)
		}
		return v
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		path := filepath.Join(shots, name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}

	// A request that crosses every layer but the body: the home page,
	// rendered by a view behind the app's middleware.
	run("open /", chromedp.Navigate(app.URL+"/"), chromedp.WaitVisible(`body`))
	run("open the list", chromedp.Navigate(app.URL+"/_groundup/requests"), chromedp.WaitVisible(`.list`))
	href, _ := eval(`(Array.from(document.querySelectorAll('.list a')).find(a => a.querySelector('code').textContent === 'GET /') || {}).href || ''`).(string)
	if href == "" {
		t.Fatalf("the list has no trace of GET /:\n%v", eval(`document.body.innerText`))
	}
	run("open the trace", chromedp.Navigate(href), chromedp.WaitVisible(`.timeline`))
	for _, layer := range []string{"socket", "parser", "router", "middleware", "handler", "view", "response", "connection"} {
		if n, _ := eval(`document.querySelectorAll('.ev[data-layer="` + layer + `"]').length`).(float64); n == 0 {
			t.Errorf("the trace page shows no %s event", layer)
		}
	}
	if n, _ := eval(`document.querySelectorAll('pre.hex').length`).(float64); n == 0 {
		t.Error("the trace page shows no raw bytes")
	}
	if c, _ := eval(`getComputedStyle(document.querySelector('.ev[data-layer="parser"]')).borderLeftColor`).(string); c != "rgb(10, 132, 255)" {
		t.Errorf("the trace stylesheet did not apply: parser border %q", c)
	}
	if wide, _ := eval(`document.documentElement.scrollWidth > window.innerWidth`).(bool); wide {
		t.Error("the trace page scrolls sideways at phone width")
	}
	shot("trace-get-home.png")

	// A dev error page links to its trace.
	if res, err := chromedp.Run(ctx, chromedp.NavigateResponse(app.URL+"/no/such/page")); err != nil || res.Status != 404 {
		t.Fatalf("open a missing page: %v, %v", res, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('a[href^="/_groundup/requests/"]') !== null`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the dev 404 page does not link to its trace: %v", err)
	}
	link, _ := eval(`(document.querySelector('a[href^="/_groundup/requests/"]') || {}).href || ''`).(string)
	if link == "" {
		t.Fatalf("the dev 404 page does not link to its trace:\n%v", eval(`document.body.innerText`))
	}
	run("open the 404's trace", chromedp.Navigate(link), chromedp.WaitVisible(`.timeline`))
	if text, _ := eval(`document.body.innerText`).(string); !strings.Contains(text, "404 Not Found") {
		t.Errorf("the 404's trace does not show the router's 404:\n%s", text)
	}
	shot("trace-404.png")
}
