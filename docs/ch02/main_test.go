package main

import (
	"bytes"
	"errors"
	"image/jpeg"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// startServer runs serve on a free loopback port and returns its base URL.
// Cleanup closes the listener, waits for serve to return and checks that
// no goroutine outlives it.
func startServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- serve(ln) }()
	t.Cleanup(func() {
		ln.Close()
		if err := <-done; !errors.Is(err, net.ErrClosed) {
			t.Errorf("serve returned %v, want net.ErrClosed", err)
		}
		goleak.VerifyNone(t)
	})
	return "http://" + ln.Addr().String()
}

// newClient returns net/http's client, our oracle: if it reads our
// responses as we meant them, they follow the protocol.
func newClient(t *testing.T) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 5 * time.Second}
}

// TestBrowserVisit does what a browser does with the home page: load it,
// find the image it shows and load that too, then submit the form.
func TestBrowserVisit(t *testing.T) {
	base := startServer(t)
	client := newClient(t)

	res, err := client.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, res)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET / = %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !res.Close {
		t.Error("GET /: the response does not announce Connection: close")
	}

	// The second request: the one a browser makes by itself for <img>.
	m := regexp.MustCompile(`<img src="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no <img src> in the page:\n%s", page)
	}
	pageURL, _ := url.Parse(base + "/")
	imgURL, err := pageURL.Parse(m[1])
	if err != nil {
		t.Fatal(err)
	}
	res, err = client.Get(imgURL.String())
	if err != nil {
		t.Fatal(err)
	}
	img := readAll(t, res)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("GET %s = %d %q", m[1], res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res.ContentLength != int64(len(img)) {
		t.Errorf("Content-Length %d, body %d bytes", res.ContentLength, len(img))
	}
	cfg, err := jpeg.DecodeConfig(strings.NewReader(img))
	if err != nil {
		t.Fatalf("the image does not decode: %v", err)
	}
	if _, err := jpeg.Decode(strings.NewReader(img)); err != nil || cfg.Width != 160 || cfg.Height != 90 {
		t.Errorf("image: %dx%d, %v; want 160x90", cfg.Width, cfg.Height, err)
	}

	// The form, with a name that tries to inject a script.
	if !strings.Contains(page, `<form method="post" action="/register">`) {
		t.Fatalf("no registration form in the page:\n%s", page)
	}
	res, err = client.PostForm(base+"/register", url.Values{
		"name":  {"Ada <script>alert(1)</script>"},
		"email": {"ada@example.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, res)
	for _, want := range []string{"register success", "Ada &lt;script&gt;alert(1)&lt;/script&gt;", "ada@example.com"} {
		if !strings.Contains(got, want) {
			t.Errorf("POST /register: page lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "<script>") {
		t.Errorf("POST /register: the name came back unescaped:\n%s", got)
	}
}

// TestStatuses checks the answers to requests the server does not serve.
func TestStatuses(t *testing.T) {
	base := startServer(t)
	client := newClient(t)
	tests := []struct {
		method, path string
		want         int
	}{
		{"GET", "/", 200},
		{"GET", "/?utm=x", 200},
		{"GET", "/nope", 404},
		{"GET", "/register", 404},
		{"POST", "/", 404},
		{"DELETE", "/test.jpg", 404},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, base+tt.path, nil)
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			readAll(t, res)
			if res.StatusCode != tt.want {
				t.Errorf("status %d, want %d", res.StatusCode, tt.want)
			}
		})
	}
}

// TestRawBytes talks to the server over a bare socket and checks the
// response byte by byte, the way chapter 2 shows it.
func TestRawBytes(t *testing.T) {
	base := startServer(t)
	addr := strings.TrimPrefix(base, "http://")
	const bad = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n" +
		"Content-Length: 12\r\nConnection: close\r\n\r\nbad request\n"
	tests := []struct {
		name, request, want string
	}{
		{
			name:    "unknown path",
			request: "GET /nope HTTP/1.1\r\nHost: example.com\r\n\r\n",
			want: "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Content-Length: 10\r\nConnection: close\r\n\r\nnot found\n",
		},
		{
			name:    "home page",
			request: "GET / HTTP/1.0\r\n\r\n",
			want: "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n" +
				"Content-Length: " + strconv.Itoa(len(homePage)) + "\r\nConnection: close\r\n\r\n" + homePage,
		},
		{
			name: "form post",
			request: "POST /register HTTP/1.1\r\nHost: example.com\r\n" +
				"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 25\r\n\r\n" +
				"name=Ada&email=a%40b.c&x=",
			want: "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 133\r\n" +
				"Connection: close\r\n\r\n<!doctype html>\n<title>registered</title>\n<h1>register success</h1>\n" +
				"<p>Name: Ada</p>\n<p>Email: a@b.c</p>\n<p><a href=\"/\">back</a></p>\n",
		},
		{"no request at all", "", ""},
		{"not HTTP", "hello\r\n\r\n", bad},
		{"no version", "GET /\r\n\r\n", bad},
		{"HTTP/2 request line", "GET / HTTP/2.0\r\n\r\n", bad},
		{"target not a path", "GET example.com HTTP/1.1\r\n\r\n", bad},
		{"two spaces", "GET  / HTTP/1.1\r\n\r\n", bad},
		{"bare LF", "GET / HTTP/1.1\nHost: x\n\n", bad},
		{"header without colon", "GET / HTTP/1.1\r\nHost example.com\r\n\r\n", bad},
		{"space before colon", "GET / HTTP/1.1\r\nHost : example.com\r\n\r\n", bad},
		{"head cut short", "GET / HTTP/1.1\r\nHost: x\r\n", bad},
		{"head too large", "GET / HTTP/1.1\r\nX: " + strings.Repeat("a", maxHead) + "\r\n\r\n", bad},
		{"Content-Length not a number", "POST /register HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n", bad},
		{"Content-Length with a sign", "POST /register HTTP/1.1\r\nContent-Length: +3\r\n\r\nn=a", bad},
		{"Content-Length too large", "POST /register HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", bad},
		{"two Content-Lengths", "POST /register HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nn=abc", bad},
		{"obs-fold", "GET / HTTP/1.1\r\nX-A: 1\r\n  folded: 2\r\n\r\n", bad},
		{"body cut short", "POST /register HTTP/1.1\r\nContent-Length: 10\r\n\r\nname=", bad},
		{"chunked body", "POST /register HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", bad},
		{"bad form", "POST /register HTTP/1.1\r\nContent-Length: 3\r\n\r\n%zz",
			"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Content-Length: 9\r\nConnection: close\r\n\r\nbad form\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := exchange(t, addr, tt.request)
			if got != tt.want {
				t.Errorf("response differs\n got: %q\nwant: %q", got, tt.want)
			}
		})
	}
}

// exchange sends request on a new connection, half-closes it, and returns
// every byte the server sends before it hangs up.
func exchange(t *testing.T, addr, request string) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	// Say we are done sending, as `nc -N` does: a server waiting for more
	// of a cut-short request then sees the end of the stream at once.
	conn.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("reading the response: %v (after %q)", err, got)
	}
	return string(got)
}

// TestSlowClient checks the read deadline: a client that stops in the
// middle of its body is cut off when its time is up, and still told why.
func TestSlowClient(t *testing.T) {
	saved := patience
	t.Cleanup(func() { patience = saved }) // runs after the server has stopped
	patience = 200 * time.Millisecond
	addr := strings.TrimPrefix(startServer(t), "http://")

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	// Four bytes short of the promised 30, and no end of stream: the
	// server can only wait, until patience runs out.
	io.WriteString(conn, "POST /register HTTP/1.1\r\nContent-Length: 30\r\n\r\nname=Ada&email=ada%40b.org")
	start := time.Now()
	got, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(got), "HTTP/1.1 400 Bad Request\r\n") {
		t.Errorf("got %q, want a 400", got)
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Errorf("answered after %v; the deadline is %v", waited, patience)
	}
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGradientJPEG(t *testing.T) {
	b := gradientJPEG(8, 4)
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width != 8 || cfg.Height != 4 {
		t.Fatalf("gradientJPEG(8, 4): %dx%d, %v", cfg.Width, cfg.Height, err)
	}
}
