package framework_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework"
)

// benchTraced is benchServe with tracing on: what a request costs in dev
// mode. docs/14-one-request.md reports the numbers.
func benchTraced(b *testing.B, h framework.Handler, req string) {
	b.Helper()
	srv := &framework.Server{Handler: h, Logger: slog.New(slog.DiscardHandler), Trace: &framework.TraceStore{}}
	b.ReportAllocs()
	b.SetBytes(int64(len(req)))
	b.ResetTimer()
	srv.ServeConn(context.Background(), &replayConn{req: []byte(req), left: b.N})
}

// BenchmarkTracedPlaintext is BenchmarkPlaintext with tracing on.
func BenchmarkTracedPlaintext(b *testing.B) {
	benchTraced(b, benchApp().Serve, "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n")
}

// BenchmarkTracedBrowserPage traces a browser's request for a rendered
// page behind two middleware.
func BenchmarkTracedBrowserPage(b *testing.B) {
	app := benchApp()
	app.Use(stampServer, addVary)
	benchTraced(b, app.Serve, strings.Replace(browserHead, "%s", "/page", 1))
}

// BenchmarkUntracedBrowserPage is the same request with tracing off.
func BenchmarkUntracedBrowserPage(b *testing.B) {
	app := benchApp()
	app.Use(stampServer, addVary)
	benchServe(b, app.Serve, strings.Replace(browserHead, "%s", "/page", 1))
}
