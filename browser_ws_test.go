package groundup_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserWebSocket drives headless Chromium through the guestbook's
// live feed over WebSocket: the page connects (the CSP's default-src
// 'self' lets it reach ws: on its own origin), exchanges messages with
// /ws/echo, shows an entry posted through the API, and, when the server
// restarts gracefully (SIGTERM, each socket closed with 1001, a new
// process on the same address), reconnects by itself and shows the next
// entry.
//
// Without Chromium it skips, except under CI=true, where it fails.
func TestBrowserWebSocket(t *testing.T) {
	ctx, _ := startBrowser(t, 1200, 900)
	app := startApp(t)

	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v\napp log:\n%s", what, err, app.Logs())
		}
	}
	poll := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("waiting for %s (%s): %v", what, js, err)
		}
	}
	const onWebSocket = `(function () {
		var s = document.getElementById('live-status');
		return s.classList.contains('is-live') && s.getAttribute('data-transport') === 'websocket';
	})()`
	// echo opens a socket on /ws/echo from the page, sends a message and
	// keeps the answer in window.echoed.
	echo := func(msg string) {
		t.Helper()
		run("echo "+msg, chromedp.Evaluate[chromedp.Void](`(function () {
			window.echoed = "";
			var ws = new WebSocket((location.protocol === "https:" ? "wss:" : "ws:") + "//" + location.host + "/ws/echo");
			ws.onopen = function () { ws.send(`+"`"+msg+"`"+`); };
			ws.onmessage = function (ev) { window.echoed = ev.data; ws.close(1000); };
		})()`))
		poll("the echo of "+msg, `window.echoed === `+"`"+msg+"`")
	}

	run("open /entries", chromedp.Navigate(app.URL+"/entries"), chromedp.WaitVisible(`#entries`))
	poll("the live feed on WebSocket", onWebSocket)
	echo("hello over WebSocket")
	newAPIClient(t, app.URL, "ada@example.com").postJSON("/api/entries", `{"name": "Ada", "message": "Before the restart."}`).
		expect(t, 201, "API post")
	run("see the first live entry", chromedp.WaitVisible(`#entry-1`))

	// The graceful restart: the old process sends 1001 to the page's
	// socket and exits; a new one listens on the same address and
	// database; the page reconnects on its own.
	app.signal(syscall.SIGTERM)
	app.wait(20 * time.Second)
	next := startApp(t, "-addr", app.Addr, "-db", app.DB)
	poll("the page to reconnect", onWebSocket)
	echo("hello again")
	newAPIClient(t, next.URL, "grace@example.com").postJSON("/api/entries", `{"name": "Grace", "message": "After the restart."}`).
		expect(t, 201, "API post after the restart")
	run("see the live entry after the restart", chromedp.WaitVisible(`#entry-2`))
}
