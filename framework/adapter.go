package framework

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/groundup-go/groundup/framework/http1"
)

// The net/http adapter. groundup reads and writes HTTP itself, but much
// useful code is written as an http.Handler: net/http/pprof, expvar,
// metrics exporters, OAuth callbacks. WrapHTTP mounts such a handler on a
// route.
//
// Apart from the router's internal use of httprouter's Handle signature,
// this file is the only place where net/http types exist at runtime: the
// request is rebuilt from the Ctx for each call, and the handler's writes
// go through the Ctx's own response writer, with its framing, limits and
// header checks.

// WrapHTTP returns a Handler that runs h. h sees an *http.Request built
// from the request: method (after any override), URL and RequestURI from
// the target as sent, protocol, header fields (Host moved to r.Host, as
// net/http does), remote address, TLS state, and the body as a stream
// with its length; its context is the Ctx's, cancelled when the client
// goes away. The ResponseWriter copies h's header into the response on
// the first Write, WriteHeader or Flush, and supports http.Flusher and
// http.Hijacker.
//
// The URL keeps the full path. To serve h under a prefix, strip it with
// http.StripPrefix:
//
//	app.GET("/debug/pprof/*name", framework.WrapHTTP(http.HandlerFunc(pprof.Index)))
//	app.GET("/files/*path", framework.WrapHTTP(http.StripPrefix("/files", http.FileServer(dir))))
//
// A body already read by the framework (a form parsed by MethodOverride
// middleware, say) reaches h empty.
func WrapHTTP(h http.Handler) Handler {
	if h == nil {
		panic("groundup: WrapHTTP(nil)")
	}
	return func(c *Ctx) error {
		r, err := httpRequest(c)
		if err != nil {
			return err
		}
		w := &httpResponseWriter{c: c}
		defer func() {
			// A handler that aborts the net/http way aborts ours.
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(ErrAbortHandler)
				}
				panic(v)
			}
		}()
		h.ServeHTTP(w, r)
		if !w.hijacked {
			// A handler that set fields but wrote nothing still answers
			// 200 with those fields, as under net/http.
			w.WriteHeader(StatusOK)
		}
		return nil
	}
}

// httpRequest builds the *http.Request for c.
func httpRequest(c *Ctx) (*http.Request, error) {
	hd := &c.head
	u, err := url.ParseRequestURI(c.Target())
	if err != nil {
		return nil, &HTTPError{Code: StatusBadRequest, Message: "request target is not a valid URI", Err: err}
	}
	header := make(http.Header, len(hd.Fields))
	for _, f := range hd.Fields {
		key := http.CanonicalHeaderKey(f.Name)
		if key == "Host" {
			continue
		}
		header[key] = append(header[key], f.Value)
	}
	r := &http.Request{
		Method:     c.Method(),
		URL:        u,
		Proto:      c.Proto(),
		ProtoMajor: 1,
		ProtoMinor: hd.Minor,
		Header:     header,
		Host:       c.Host(),
		RemoteAddr: c.RemoteAddr(),
		RequestURI: c.Target(),
		Close:      hd.Close,
		Body:       http.NoBody,
	}
	switch {
	case hd.Chunked:
		r.ContentLength = -1
		r.TransferEncoding = []string{"chunked"}
		r.Body = io.NopCloser(c.Body())
	case hd.ContentLength > 0:
		r.ContentLength = hd.ContentLength
		r.Body = io.NopCloser(c.Body())
	}
	if tc, ok := c.conn.nc.(*tls.Conn); ok {
		st := tc.ConnectionState()
		r.TLS = &st
	}
	return r.WithContext(c.Context()), nil
}

// httpResponseWriter is the http.ResponseWriter that h writes to.
type httpResponseWriter struct {
	c           *Ctx
	h           http.Header
	wroteHeader bool
	hijacked    bool
	pending     int // a 101 the handler set before it hijacks
}

// Header returns the header map h fills; it is copied into the response
// when the head is settled.
func (w *httpResponseWriter) Header() http.Header {
	if w.h == nil {
		w.h = make(http.Header)
	}
	return w.h
}

// WriteHeader copies the header map and sets the status. A 101 is held
// until Hijack, which sends it on the socket it hands over, as net/http
// does: WebSocket servers such as coder/websocket call WriteHeader(101)
// and then Hijack. Other informational codes are dropped: the writer
// sends no 1xx responses of a handler's own (103 Early Hints is only a
// hint).
func (w *httpResponseWriter) WriteHeader(code int) {
	if code == StatusSwitchingProtocols && !w.wroteHeader && !w.hijacked {
		w.pending = code
		return
	}
	if w.wroteHeader || w.hijacked || code >= 100 && code < 200 {
		return
	}
	w.wroteHeader = true
	h := w.c.Header()
	for name, values := range w.h {
		h.Del(name)
		for _, v := range values {
			h.Add(name, v)
		}
	}
	w.c.Status(code)
}

// Write sends body bytes. Like net/http, it sets a Content-Type sniffed
// from the first bytes when the handler set none (and did not set the
// key to nil to ask for none).
func (w *httpResponseWriter) Write(p []byte) (int, error) {
	if w.hijacked {
		return 0, http.ErrHijacked
	}
	if !w.wroteHeader {
		if _, set := w.h["Content-Type"]; !set && len(p) > 0 && w.Header().Get("Content-Encoding") == "" {
			w.h.Set("Content-Type", http.DetectContentType(p))
		}
		w.WriteHeader(StatusOK)
	}
	return w.c.Write(p)
}

// Flush implements http.Flusher.
func (w *httpResponseWriter) Flush() { w.FlushError() }

// FlushError flushes and reports the error; http.ResponseController
// prefers it to Flush.
func (w *httpResponseWriter) FlushError() error {
	if w.hijacked {
		return http.ErrHijacked
	}
	w.WriteHeader(StatusOK)
	return w.c.Flush()
}

// Hijack implements http.Hijacker, for WebSocket libraries written for
// net/http. The returned reader holds any bytes the server had already
// read past the request head. The connection is taken with HijackConn:
// it counts against MaxConns and MaxStreams until the library closes it.
func (w *httpResponseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.wroteHeader {
		return nil, nil, errors.New("groundup: Hijack after the response has started")
	}
	// The connection keeps its slot until the handler's library closes
	// it (see HijackConn).
	hc, err := w.c.HijackConn()
	if err != nil {
		return nil, nil, err
	}
	var nc net.Conn = hc
	buffered := hc.Buffered
	w.hijacked = true
	if w.pending != 0 {
		if err := w.writePending(nc); err != nil {
			nc.Close()
			return nil, nil, err
		}
	}
	var rd io.Reader = nc
	if len(buffered) > 0 {
		rd = io.MultiReader(bytes.NewReader(buffered), nc)
	}
	return nc, bufio.NewReadWriter(bufio.NewReader(rd), bufio.NewWriter(nc)), nil
}

// writePending sends the 101 head the handler set before Hijack, with the
// fields of the header map. A field that could split the head is refused,
// and the handshake with it.
func (w *httpResponseWriter) writePending(nc net.Conn) error {
	b := appendStatusLine(nil, w.pending)
	for name, values := range w.h {
		for _, v := range values {
			if !http1.IsToken(name) || strings.ContainsAny(v, "\r\n\x00") {
				return errors.New("groundup: refused header field " + strconv.Quote(name) + " in a 101 response")
			}
			b = appendField(b, name, v)
		}
	}
	b = append(b, "\r\n"...)
	_, err := nc.Write(b)
	return err
}
