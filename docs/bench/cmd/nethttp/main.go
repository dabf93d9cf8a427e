// Command nethttp is the net/http benchmark server: net/http with
// httprouter, serving the same endpoints as cmd/groundup and cmd/fasthttp.
// It is written the way a careful net/http user would write it:
// pre-built header values, pooled render buffers, Content-Length set.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/a-h/templ"
	"github.com/groundup-go/groundup/docs/bench/page"
	"github.com/julienschmidt/httprouter"
)

// Header values shared by every response. Assigning a prepared slice
// skips the canonicalisation and the allocation of Header.Set; net/http
// only reads these slices.
var (
	serverName = []string{"net/http"}
	textPlain  = []string{"text/plain; charset=utf-8"}
	appJSON    = []string{"application/json; charset=utf-8"}
	textHTML   = []string{"text/html; charset=utf-8"}
	octets     = []string{"application/octet-stream"}
)

var helloWorld = []byte("Hello, World!")

type message struct {
	Message string `json:"message"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on")
	flag.Parse()

	r := httprouter.New()
	r.GET("/plaintext", plaintext)
	r.GET("/json", jsonHandler)
	r.GET("/user/:name", user)
	r.GET("/page", pageStd)
	r.GET("/page-templ", pageTempl)
	r.POST("/echo", echo)
	for name, n := range page.Sizes {
		r.GET("/bytes/"+name, bytesHandler(page.Bytes(n)))
	}

	srv := &http.Server{Addr: *addr, Handler: r, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Error("serve", "err", err)
		os.Exit(1)
	}
}

func plaintext(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	h := w.Header()
	h["Server"] = serverName
	h["Content-Type"] = textPlain
	w.Write(helloWorld)
}

func jsonHandler(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	h := w.Header()
	h["Server"] = serverName
	h["Content-Type"] = appJSON
	json.NewEncoder(w).Encode(message{Message: "Hello, World!"})
}

func user(w http.ResponseWriter, _ *http.Request, ps httprouter.Params) {
	h := w.Header()
	h["Server"] = serverName
	h["Content-Type"] = textPlain
	w.Write([]byte("Hello, " + ps.ByName("name") + "!"))
}

func pageStd(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	buf := page.GetBuffer()
	defer page.PutBuffer(buf)
	if err := page.RenderStd(buf, page.Sample); err != nil {
		http.Error(w, "render failed", http.StatusInternalServerError)
		return
	}
	sendHTML(w, buf.Bytes())
}

// pageTempl renders the same page with templ, for a comparison at equal
// templates.
func pageTempl(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	buf := templ.GetBuffer()
	defer templ.ReleaseBuffer(buf)
	if err := page.View(page.Sample).Render(r.Context(), buf); err != nil {
		http.Error(w, "render failed", http.StatusInternalServerError)
		return
	}
	sendHTML(w, buf.Bytes())
}

// echo sends the request body back, read into a pooled buffer.
func echo(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	buf := page.GetBuffer()
	defer page.PutBuffer(buf)
	if _, err := buf.ReadFrom(r.Body); err != nil {
		http.Error(w, "read failed", http.StatusBadRequest)
		return
	}
	h := w.Header()
	h["Server"] = serverName
	h["Content-Type"] = octets
	h["Content-Length"] = []string{strconv.Itoa(buf.Len())}
	w.Write(buf.Bytes())
}

// sendHTML sets Content-Length itself: a page over 2 KiB would otherwise
// go out chunked, since net/http only sizes bodies that fit its first
// write buffer.
func sendHTML(w http.ResponseWriter, b []byte) {
	h := w.Header()
	h["Server"] = serverName
	h["Content-Type"] = textHTML
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.Write(b)
}

// bytesHandler sends body with its length, from prepared header values.
func bytesHandler(body []byte) httprouter.Handle {
	length := []string{strconv.Itoa(len(body))}
	return func(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
		h := w.Header()
		h["Server"] = serverName
		h["Content-Type"] = octets
		h["Content-Length"] = length
		w.Write(body)
	}
}
