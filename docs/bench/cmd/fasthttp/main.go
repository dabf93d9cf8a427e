// Command fasthttp is the fasthttp benchmark server: fasthttp with its
// router, serving the same endpoints as cmd/groundup and cmd/nethttp.
package main

import (
	"encoding/json"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/fasthttp/router"
	"github.com/groundup-go/groundup/docs/bench/page"
	"github.com/valyala/fasthttp"
)

type message struct {
	Message string `json:"message"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8082", "address to listen on")
	flag.Parse()

	r := router.New()
	r.GET("/plaintext", plaintext)
	r.GET("/json", jsonHandler)
	r.GET("/user/{name}", user)
	r.GET("/page", pageStd)
	r.GET("/page-templ", pageTempl)
	r.POST("/echo", echo)
	for name, n := range page.Sizes {
		r.GET("/bytes/"+name, bytesHandler(page.Bytes(n)))
	}

	// The body limit is groundup's default, so that the 1 MiB POST fits
	// (fasthttp's own default is 4 MiB).
	srv := &fasthttp.Server{Handler: r.Handler, Name: "fasthttp", MaxRequestBodySize: 8 << 20}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		srv.Shutdown()
	}()
	if err := srv.ListenAndServe(*addr); err != nil {
		slog.Error("serve", "err", err)
		os.Exit(1)
	}
}

func plaintext(ctx *fasthttp.RequestCtx) {
	ctx.SetContentType("text/plain; charset=utf-8")
	ctx.SetBodyString("Hello, World!")
}

func jsonHandler(ctx *fasthttp.RequestCtx) {
	ctx.SetContentType("application/json; charset=utf-8")
	json.NewEncoder(ctx).Encode(message{Message: "Hello, World!"})
}

func user(ctx *fasthttp.RequestCtx) {
	ctx.SetContentType("text/plain; charset=utf-8")
	name, _ := ctx.UserValue("name").(string)
	ctx.SetBodyString("Hello, " + name + "!")
}

// pageStd renders into the response body, which fasthttp already pools
// and sends with a Content-Length.
func pageStd(ctx *fasthttp.RequestCtx) {
	ctx.SetContentType("text/html; charset=utf-8")
	if err := page.RenderStd(ctx, page.Sample); err != nil {
		ctx.Error("render failed", fasthttp.StatusInternalServerError)
	}
}

// pageTempl renders the same page with templ, for a comparison at equal
// templates.
func pageTempl(ctx *fasthttp.RequestCtx) {
	ctx.SetContentType("text/html; charset=utf-8")
	if err := page.View(page.Sample).Render(ctx, ctx); err != nil {
		ctx.Error("render failed", fasthttp.StatusInternalServerError)
	}
}

// echo sends the request body back; fasthttp has already read it.
func echo(ctx *fasthttp.RequestCtx) {
	ctx.SetContentType("application/octet-stream")
	ctx.SetBody(ctx.PostBody())
}

// bytesHandler sends body as it is: SetBodyRaw points the response at the
// slice instead of copying it.
func bytesHandler(body []byte) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		ctx.SetContentType("application/octet-stream")
		ctx.Response.SetBodyRaw(body)
	}
}
