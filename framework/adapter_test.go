package framework_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/frameworktest"
)

func TestWrapHTTPPprofIndex(t *testing.T) {
	app := framework.New()
	app.GET("/debug/pprof/*name", framework.WrapHTTP(http.HandlerFunc(pprof.Index)))
	s := stStart(t, app.Serve)
	cl := stClient(t)
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/goroutine?debug=1"} {
		res, err := cl.Get(s.URL(path))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), "goroutine") {
			t.Errorf("%s: status %d, body %.200q", path, res.StatusCode, body)
		}
	}
}

// stEcho answers with what the wrapped handler saw of the request.
var stEcho = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	out := map[string]any{
		"method": r.Method, "path": r.URL.Path, "rawQuery": r.URL.RawQuery,
		"requestURI": r.RequestURI, "proto": r.Proto, "minor": r.ProtoMinor, "host": r.Host,
		"hasHostField": r.Header["Host"] != nil, "xMulti": r.Header.Values("X-Multi"),
		"lowerCased": r.Header.Get("X-Lower-Case"), "remoteOK": r.RemoteAddr != "",
		"contentLength": r.ContentLength, "te": r.TransferEncoding, "body": string(body),
		"bodyErr": fmt.Sprint(err), "ctxOK": r.Context().Err() == nil && r.Context().Done() != nil,
		"query": r.URL.Query().Get("q"),
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Add("X-Out", "1")
	w.Header().Add("X-Out", "2")
	http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
	http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(out)
})

func TestWrapHTTPRequestAndHeaders(t *testing.T) {
	app := framework.New()
	app.Handle("POST", "/echo/*rest", framework.WrapHTTP(stEcho))
	app.GET("/echo/*rest", framework.WrapHTTP(stEcho))
	s := stStart(t, app.Serve)
	cl := stClient(t)

	tests := []struct {
		name   string
		method string
		body   io.Reader
		want   map[string]any
	}{
		{"GET", "GET", nil, map[string]any{"method": "GET", "contentLength": 0.0, "body": "", "te": nil}},
		{"POST with length", "POST", strings.NewReader("payload"), map[string]any{"method": "POST", "contentLength": 7.0, "body": "payload"}},
		// A reader of unknown length makes the client send chunked.
		{"POST chunked", "POST", io.MultiReader(strings.NewReader("chu"), strings.NewReader("nked")), map[string]any{"contentLength": -1.0, "body": "chunked", "te": []any{"chunked"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, s.URL("/echo/a%20b/c?q=1&z=%2F"), tt.body)
			req.Header.Add("X-Multi", "one")
			req.Header.Add("X-Multi", "two")
			req.Header["x-lower-case"] = []string{"lc"}
			res, err := cl.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != 201 {
				t.Fatalf("status %d", res.StatusCode)
			}
			if got := res.Header.Values("X-Out"); len(got) != 2 || got[0] != "1" || got[1] != "2" {
				t.Errorf("X-Out %q", got)
			}
			if len(res.Cookies()) != 2 || res.Header.Get("Content-Type") != "application/json" {
				t.Errorf("cookies %v, Content-Type %q", res.Cookies(), res.Header.Get("Content-Type"))
			}
			var got map[string]any
			if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{
				"path": "/echo/a b/c", "rawQuery": "q=1&z=%2F", "requestURI": "/echo/a%20b/c?q=1&z=%2F",
				"proto": "HTTP/1.1", "minor": 1.0, "host": s.addr, "hasHostField": false,
				"xMulti": []any{"one", "two"}, "lowerCased": "lc", "remoteOK": true, "bodyErr": "<nil>",
				"ctxOK": true, "query": "1",
			}
			for k, v := range tt.want {
				want[k] = v
			}
			for k, v := range want {
				if fmt.Sprint(got[k]) != fmt.Sprint(v) {
					t.Errorf("%s: %v, want %v", k, got[k], v)
				}
			}
		})
	}
}

func TestWrapHTTPResponseWriter(t *testing.T) {
	app := framework.New()
	app.GET("/headers-only", framework.WrapHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Only", "yes")
	})))
	app.GET("/sniff", framework.WrapHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<!DOCTYPE html><p>hi")
	})))
	app.GET("/no-sniff", framework.WrapHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil
		io.WriteString(w, "<!DOCTYPE html><p>hi")
	})))
	app.GET("/late-header", framework.WrapHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(202)
		w.Header().Set("X-Late", "ignored")
		w.WriteHeader(500)
		io.WriteString(w, "ok")
	})))
	app.GET("/not-found", framework.WrapHTTP(http.NotFoundHandler()))
	app.GET("/bad-header", framework.WrapHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Split", "a\r\nInjected: 1")
		io.WriteString(w, "ok")
	})))
	app.GET("/abort", framework.WrapHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic(http.ErrAbortHandler)
	})))

	tests := []struct {
		target string
		status int
		check  func(t *testing.T, res *frameworktest.Response)
	}{
		{"/headers-only", 200, func(t *testing.T, res *frameworktest.Response) {
			if res.Get("X-Only") != "yes" || len(res.Body) != 0 {
				t.Errorf("X-Only %q, body %q", res.Get("X-Only"), res.Body)
			}
		}},
		{"/sniff", 200, func(t *testing.T, res *frameworktest.Response) {
			if res.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", res.Get("Content-Type"))
			}
		}},
		{"/no-sniff", 200, func(t *testing.T, res *frameworktest.Response) {
			if res.Header.Has("Content-Type") {
				t.Errorf("Content-Type %q", res.Get("Content-Type"))
			}
		}},
		{"/late-header", 202, func(t *testing.T, res *frameworktest.Response) {
			if res.Header.Has("X-Late") || string(res.Body) != "ok" {
				t.Errorf("X-Late %q, body %q", res.Get("X-Late"), res.Body)
			}
		}},
		{"/not-found", 404, func(t *testing.T, res *frameworktest.Response) {
			if !strings.Contains(string(res.Body), "404 page not found") {
				t.Errorf("body %q", res.Body)
			}
		}},
		{"/bad-header", 500, func(t *testing.T, res *frameworktest.Response) {
			if res.Header.Has("Injected") || res.Header.Has("X-Split") {
				t.Errorf("response split:\n%s", res.Raw)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", tt.target))
			if res.Err != nil || res.Status != tt.status {
				t.Fatalf("status %d, want %d (%v)\n%s", res.Status, tt.status, res.Err, res.Raw)
			}
			tt.check(t, res)
		})
	}
	t.Run("/abort", func(t *testing.T) {
		out := frameworktest.Raw(app.Serve, "GET /abort HTTP/1.1\r\nHost: x\r\n\r\n")
		if out != "" {
			t.Errorf("an aborted handler must cut the connection without a response, got:\n%s", out)
		}
	})
}

// TestWrapHTTPFlushStreams shows that Flush puts bytes on the wire at
// once: the handler does not write its second part until the client has
// read the first.
func TestWrapHTTPFlushStreams(t *testing.T) {
	gotFirst := make(chan struct{})
	app := framework.New()
	app.GET("/stream", framework.WrapHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		select {
		case <-gotFirst:
		case <-time.After(5 * time.Second):
			io.WriteString(w, "TIMEOUT: first part never arrived\n")
			return
		}
		io.WriteString(w, "second\n")
		if err := http.NewResponseController(w).Flush(); err != nil {
			panic(err)
		}
		io.WriteString(w, "third\n")
	})))
	s := stStart(t, app.Serve)
	res, err := stClient(t).Get(s.URL("/stream"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if len(res.TransferEncoding) != 1 || res.TransferEncoding[0] != "chunked" {
		t.Errorf("Transfer-Encoding %v, want chunked", res.TransferEncoding)
	}
	br := bufio.NewReader(res.Body)
	if line := stReadLine(t, br); line != "first\n" {
		t.Fatalf("first line %q", line)
	}
	close(gotFirst)
	rest, _ := io.ReadAll(br)
	if string(rest) != "second\nthird\n" {
		t.Errorf("rest %q", rest)
	}
}

func TestWrapHTTPHijack(t *testing.T) {
	app := framework.New()
	app.GET("/ws", framework.WrapHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nc, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer nc.Close()
		rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
		rw.Flush()
		// Echo one line, which the client may already have sent behind
		// the request head.
		line, err := rw.ReadString('\n')
		if err != nil {
			return
		}
		rw.WriteString("echo: " + line)
		rw.Flush()
	})))
	s := stStart(t, app.Serve)
	nc, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(nc, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhello\n")
	out, _ := io.ReadAll(nc)
	want := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\necho: hello\n"
	if string(out) != want {
		t.Errorf("got\n%q\nwant\n%q", out, want)
	}
}

func TestWrapHTTPNilPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("WrapHTTP(nil) did not panic")
		}
	}()
	framework.WrapHTTP(nil)
}

func ExampleWrapHTTP() {
	legacy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, "%s %s from net/http", r.Method, r.URL.Path)
	})
	app := framework.New()
	app.GET("/legacy/*rest", framework.WrapHTTP(legacy))

	res := frameworktest.Test(app.Serve, frameworktest.NewRequest("GET", "/legacy/report"))
	fmt.Println(res.Status, res.Get("Content-Type"))
	fmt.Println(string(res.Body))
	// Output:
	// 202 text/plain
	// GET /legacy/report from net/http
}
