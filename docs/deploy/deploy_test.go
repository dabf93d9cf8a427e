package deploy

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/groundup-go/groundup/framework"
	"github.com/groundup-go/groundup/framework/middleware"
)

// These tests run docs/deploy/nginx.conf as it is, with only its ports and
// paths replaced, in front of two groundup instances started in-process.
// Every check below is a claim chapter 13 makes about the config.

// whoami is what the instances answer on /whoami: who they are, and what
// nginx told them about the request.
type whoami struct {
	Instance   string `json:"instance"`
	Proto      string `json:"proto"`
	Host       string `json:"host"`
	Remote     string `json:"remote"`
	Connection string `json:"connection"`
	XFF        string `json:"x_forwarded_for"`
	XFP        string `json:"x_forwarded_proto"`
	RequestID  string `json:"request_id"`
}

// gates hold streaming responses between pieces: a streaming handler
// flushes a piece, then waits until the test has read it and opens the
// next gate. A proxy that buffered the stream would deliver nothing more
// until the handler returned, and the test would time out instead.
// The gates of a request are named by its ?gate= parameter and a number.
var gates sync.Map // string -> chan struct{}

func gate(name string) chan struct{} {
	ch, _ := gates.LoadOrStore(name, make(chan struct{}))
	return ch.(chan struct{})
}

// open opens a gate; only the test's goroutine opens gates.
func open(name string) {
	if ch := gate(name); !isClosed(ch) {
		close(ch)
	}
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// newInstance builds the app every instance runs; name tells the
// instances apart.
func newInstance(name string) *framework.App {
	app := framework.New()
	app.Use(middleware.RequestID())
	app.GET("/whoami", func(c *framework.Ctx) error {
		return c.JSON(framework.StatusOK, whoami{
			Instance:   name,
			Proto:      c.Proto(),
			Host:       c.Host(),
			Remote:     c.RemoteAddr(),
			Connection: c.RequestHeader("Connection"),
			XFF:        c.RequestHeader("X-Forwarded-For"),
			XFP:        c.RequestHeader("X-Forwarded-Proto"),
			RequestID:  middleware.RequestIDFrom(c),
		})
	})
	app.GET("/healthz", func(c *framework.Ctx) error {
		return c.String(framework.StatusOK, "ok\n")
	})
	// Under /live/, where nginx.conf turns buffering off.
	app.GET("/live/ticks", stream)
	// Under /, where nginx buffers unless the response says otherwise.
	app.GET("/ticks", func(c *framework.Ctx) error {
		c.Header().Set("X-Accel-Buffering", "no")
		return stream(c)
	})
	app.POST("/upload", func(c *framework.Ctx) error {
		n, err := io.Copy(io.Discard, c.Body())
		if err != nil {
			return err
		}
		return c.String(framework.StatusOK, strconv.FormatInt(n, 10))
	})
	// Answers the static files nginx does not have itself.
	app.GET("/static/*file", func(c *framework.Ctx) error {
		return c.String(framework.StatusOK, "from the app: "+c.Param("file"))
	})
	return app
}

// streamPieces is how many pieces stream sends. The first arrives with
// the response head, which nginx always forwards at once; only the later
// ones show whether the stream is buffered.
const streamPieces = 3

// stream sends "tick 1" to "tick 3", each flushed, waiting at a gate
// after each but the last.
func stream(c *framework.Ctx) error {
	c.Header().Set("Content-Type", "text/plain; charset=utf-8")
	for i := 1; i <= streamPieces; i++ {
		c.WriteString("tick " + strconv.Itoa(i) + "\n")
		if err := c.Flush(); err != nil {
			return nil // the client is gone
		}
		if i == streamPieces {
			break
		}
		select {
		case <-gate(c.Query("gate") + strconv.Itoa(i)):
		case <-c.Context().Done():
			return nil
		case <-time.After(5 * time.Second):
		}
	}
	return nil
}

// startInstance serves newInstance(name) on a free port of 127.0.0.1 and
// returns its address; the server is shut down when the test ends.
func startInstance(t *testing.T, name string) (addr string, srv *framework.Server) {
	t.Helper()
	app := newInstance(name)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv = &framework.Server{Handler: app.Serve, Logger: quiet}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("instance %s: shutdown: %v", name, err)
		}
		if err := <-done; !errors.Is(err, framework.ErrServerClosed) {
			t.Errorf("instance %s: Serve returned %v", name, err)
		}
	})
	return ln.Addr().String(), srv
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// writeCert writes a self-signed certificate for 127.0.0.1 and localhost,
// and its key, as PEM files into dir. It returns the paths and a pool
// that trusts the certificate.
func writeCert(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "groundup test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // it signs itself, so the client can trust it as a root
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile = filepath.Join(dir, "fullchain.pem")
	keyFile = filepath.Join(dir, "privkey.pem")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "PRIVATE KEY", pkcs8)
	return certFile, keyFile, pool
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment
// ago, for nginx to listen on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// renderConfig returns nginx.conf with each key of repl replaced by its
// value. Whole-line comments are dropped first, so the values are only
// looked for in directives, where each must appear exactly once: a config
// edit that drops or repeats one fails here, not in a puzzling way later.
func renderConfig(t *testing.T, repl map[string]string) string {
	t.Helper()
	src, err := os.ReadFile("nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for line := range strings.Lines(string(src)) {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line)
		}
	}
	conf := b.String()
	for old, new := range repl {
		if n := strings.Count(conf, old); n != 1 {
			t.Fatalf("nginx.conf: %q appears %d times outside comments, want exactly once", old, n)
		}
		conf = strings.Replace(conf, old, new, 1)
	}
	return conf
}

// startNginx runs nginx in the foreground with dir as its prefix, and
// waits until it accepts connections on addr. It is stopped gracefully
// (SIGQUIT) when the test ends.
func startNginx(t *testing.T, bin, dir, addr string) {
	t.Helper()
	global := "daemon off;"
	if os.Geteuid() == 0 {
		// As root, nginx runs its workers as "nobody", who could not
		// read the test's private temporary directory.
		global += " user root;"
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "-p", dir, "-c", "nginx.conf", "-e", "stderr", "-g", global)
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGQUIT) // finish requests in flight, then exit
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			t.Error("nginx did not exit within 5 s of SIGQUIT; killing it")
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			errLog, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			accessLog, _ := os.ReadFile(filepath.Join(dir, "access.log"))
			t.Logf("nginx output:\n%s\nerror.log:\n%s\naccess.log:\n%s", stderr.String(), errLog, accessLog)
		}
	})
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			conn.Close()
			return
		}
		select {
		case err := <-exited:
			exited <- err // for the cleanup
			t.Fatalf("nginx exited at start (%v):\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx is not accepting on %s after 5 s:\n%s", addr, stderr.String())
		}
	}
}

// findNginx looks for nginx on PATH, then in the sbin directories that
// Debian and others leave off an ordinary user's PATH.
func findNginx() (string, error) {
	bin, err := exec.LookPath("nginx")
	if err == nil {
		return bin, nil
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/opt/homebrew/bin"} {
		if bin, err2 := exec.LookPath(filepath.Join(dir, "nginx")); err2 == nil {
			return bin, nil
		}
	}
	return "", err
}

func TestNginxInFront(t *testing.T) {
	bin, err := findNginx()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("nginx is not installed (not on PATH, nor in /usr/sbin), and CI=true: CI must install it (apt-get install -y --no-install-recommends nginx)")
		}
		t.Skip("nginx is not installed (not on PATH, nor in /usr/sbin): install it (apt-get install nginx, brew install nginx) to try docs/deploy/nginx.conf")
	}

	dir := t.TempDir()
	certFile, keyFile, pool := writeCert(t, dir)
	// nginx serves /static/ from <dir>/static/, and gzips what it serves.
	if err := os.Mkdir(filepath.Join(dir, "static"), 0o755); err != nil {
		t.Fatal(err)
	}
	bigText := strings.Repeat("groundup serves this file through nginx.\n", 100)
	if err := os.WriteFile(filepath.Join(dir, "static", "notes.txt"), []byte(bigText), 0o644); err != nil {
		t.Fatal(err)
	}

	addrA, _ := startInstance(t, "a")
	addrB, srvB := startInstance(t, "b")
	httpsAddr, httpAddr := freeAddr(t), freeAddr(t)
	conf := renderConfig(t, map[string]string{
		"127.0.0.1:8443": httpsAddr,
		"127.0.0.1:8080": httpAddr,
		"127.0.0.1:8001": addrA,
		"127.0.0.1:8002": addrB,
		"/etc/letsencrypt/live/example.com/fullchain.pem": certFile,
		"/etc/letsencrypt/live/example.com/privkey.pem":   keyFile,
		"/srv/groundup": dir,
	})
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	startNginx(t, bin, dir, httpsAddr)

	// The standard library's client speaks HTTP/2 when the server offers
	// it in ALPN; ForceAttemptHTTP2 keeps that on with our own TLS config.
	tr := &http.Transport{
		ForceAttemptHTTP2: true,
		TLSClientConfig:   &tls.Config{RootCAs: pool},
	}
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	base := "https://" + httpsAddr

	get := func(t *testing.T, path string, header ...string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest("GET", base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, string(body)
	}
	who := func(t *testing.T, header ...string) (whoami, *http.Response) {
		t.Helper()
		res, body := get(t, "/whoami", header...)
		var w whoami
		if err := json.Unmarshal([]byte(body), &w); err != nil {
			t.Fatalf("GET /whoami: %d %q: %v", res.StatusCode, body, err)
		}
		return w, res
	}

	t.Run("HTTP/2 over TLS to nginx, HTTP/1.1 keep-alive to the app", func(t *testing.T) {
		w, res := who(t)
		if res.Proto != "HTTP/2.0" || res.TLS.NegotiatedProtocol != "h2" {
			t.Errorf("client spoke %s (ALPN %q), want HTTP/2.0 (h2)", res.Proto, res.TLS.NegotiatedProtocol)
		}
		if w.Proto != "HTTP/1.1" || w.Connection != "" {
			t.Errorf("app got %s with Connection %q, want HTTP/1.1 and no Connection header", w.Proto, w.Connection)
		}
		if got := res.Header.Get("Strict-Transport-Security"); got == "" {
			t.Error("no Strict-Transport-Security header")
		}
	})

	t.Run("requests alternate between the instances, each on one kept-alive connection", func(t *testing.T) {
		count := map[string]int{}
		remotes := map[string]map[string]bool{"a": {}, "b": {}}
		var order []string
		for range 6 {
			w, _ := who(t)
			count[w.Instance]++
			remotes[w.Instance][w.Remote] = true
			order = append(order, w.Instance)
		}
		if count["a"] != 3 || count["b"] != 3 {
			t.Errorf("6 requests went to %v, want 3 to each (round robin)", order)
		}
		for name, seen := range remotes {
			if len(seen) != 1 {
				t.Errorf("instance %s saw requests from %d nginx connections %v, want 1 (upstream keep-alive)", name, len(seen), seen)
			}
		}
	})

	t.Run("X-Forwarded-For, X-Forwarded-Proto, Host and X-Request-ID reach the app", func(t *testing.T) {
		// A client-supplied X-Forwarded-For is replaced, not trusted.
		w, res := who(t, "X-Forwarded-For", "203.0.113.7", "X-Request-ID", "trace-42")
		want := whoami{XFF: "127.0.0.1", XFP: "https", Host: httpsAddr, RequestID: "trace-42"}
		got := whoami{XFF: w.XFF, XFP: w.XFP, Host: w.Host, RequestID: w.RequestID}
		if got != want {
			t.Errorf("app saw %+v, want %+v", got, want)
		}
		if id := res.Header.Get("X-Request-ID"); id != "trace-42" {
			t.Errorf("response X-Request-ID = %q, want the client's trace-42", id)
		}
		// Without one, nginx makes an id, and the app keeps it.
		w, _ = who(t)
		if len(w.RequestID) != 32 {
			t.Errorf("app's request id = %q, want nginx's 32 hex digits", w.RequestID)
		}
	})

	// HTTP/1.1 clients matter as much as HTTP/2 ones here: with buffering
	// on, nginx 1.22 forwards each piece to an HTTP/2 client at once, but
	// holds the whole response of an HTTP/1.1 client until it ends.
	h1 := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, Protocols: new(http.Protocols)}
	h1.Protocols.SetHTTP1(true)
	t.Cleanup(h1.CloseIdleConnections)
	clients := []struct {
		proto  string
		client *http.Client
	}{
		{"HTTP/2.0", client},
		{"HTTP/1.1", &http.Client{Transport: h1}},
	}
	streams := []struct{ name, path string }{
		{"under /live/, unbuffered by the config", "/live/ticks"},
		{"elsewhere, unbuffered by X-Accel-Buffering: no", "/ticks"},
	}
	for _, cl := range clients {
		for _, s := range streams {
			t.Run("each flushed piece arrives at once, "+cl.proto+", "+s.name, func(t *testing.T) {
				name := strings.ReplaceAll(t.Name(), "/", "_")
				t.Cleanup(func() { // a failed check leaves no handler waiting
					for i := 1; i < streamPieces; i++ {
						open(name + strconv.Itoa(i))
					}
				})
				checkStream(t, cl.client, base+s.path+"?gate="+name, name, cl.proto)
			})
		}
	}

	t.Run("uploads: 1 MiB passes, 9 MiB gets 413", func(t *testing.T) {
		for _, tc := range []struct {
			size int
			want int
		}{
			{1 << 20, http.StatusOK},
			{9 << 20, http.StatusRequestEntityTooLarge},
		} {
			res, err := client.Post(base+"/upload", "application/octet-stream", bytes.NewReader(make([]byte, tc.size)))
			if err != nil {
				t.Fatalf("POST %d bytes: %v", tc.size, err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Errorf("POST %d bytes: %d, want %d", tc.size, res.StatusCode, tc.want)
			}
			if tc.want == http.StatusOK && string(body) != strconv.Itoa(tc.size) {
				t.Errorf("POST %d bytes: the app read %s", tc.size, body)
			}
		}
	})

	t.Run("static files: nginx serves and gzips its own, the app the rest", func(t *testing.T) {
		// The client asks for gzip itself, and unzips it transparently.
		res, body := get(t, "/static/notes.txt")
		if body != bigText || res.Header.Get("X-Request-ID") != "" {
			t.Errorf("/static/notes.txt: %q, X-Request-ID %q; want the file, from nginx", body[:min(len(body), 40)], res.Header.Get("X-Request-ID"))
		}
		if !res.Uncompressed {
			t.Error("/static/notes.txt was not gzipped by nginx")
		}
		_, body = get(t, "/static/missing.txt")
		if body != "from the app: /missing.txt" {
			t.Errorf("/static/missing.txt = %q, want the app's answer", body)
		}
	})

	t.Run("plain HTTP redirects to HTTPS", func(t *testing.T) {
		plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := plain.Get("http://" + httpAddr + "/whoami?x=1")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusPermanentRedirect || loc != "https://127.0.0.1/whoami?x=1" {
			t.Errorf("got %d to %q, want 308 to https://127.0.0.1/whoami?x=1", res.StatusCode, loc)
		}
	})

	t.Run("an instance that shuts down is skipped", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := srvB.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		for i := range 4 {
			w, res := who(t)
			if res.StatusCode != http.StatusOK || w.Instance != "a" {
				t.Errorf("request %d after b stopped: %d from %q, want 200 from a", i, res.StatusCode, w.Instance)
			}
		}
	})
}

// checkStream reads the response to url piece by piece, opening the
// handler's next gate only once a piece has arrived.
func checkStream(t *testing.T, client *http.Client, url, gateName, proto string) {
	t.Helper()
	const wait = 2 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 2*wait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("no response head while the handler waited (is the stream buffered?): %v", err)
	}
	defer res.Body.Close()
	if res.Proto != proto {
		t.Errorf("client spoke %s, want %s", res.Proto, proto)
	}
	for i := 1; i <= streamPieces; i++ {
		want := "tick " + strconv.Itoa(i) + "\n"
		piece := make([]byte, len(want))
		read := make(chan error, 1)
		go func() {
			_, err := io.ReadFull(res.Body, piece)
			read <- err
		}()
		select {
		case err = <-read:
		case <-time.After(wait):
			cancel()
			<-read
			t.Fatalf("piece %d did not arrive within %v while the handler waited: the stream is buffered", i, wait)
		}
		if err != nil || string(piece) != want {
			t.Fatalf("piece %d = %q, %v; want %q", i, piece, err, want)
		}
		if i < streamPieces {
			open(gateName + strconv.Itoa(i)) // only now may the handler go on
		}
	}
	if rest, err := io.ReadAll(res.Body); err != nil || len(rest) > 0 {
		t.Errorf("after the last piece: %q, %v", rest, err)
	}
}

// TestServeTLSDirectly is groundup serving HTTPS itself, with no proxy:
// the same certificate files nginx would take, and HTTP/1.1 only, which
// the server announces in ALPN so that clients do not try HTTP/2.
func TestServeTLSDirectly(t *testing.T) {
	certFile, keyFile, pool := writeCert(t, t.TempDir())
	app := newInstance("tls")
	addr := freeAddr(t)

	srv := &framework.Server{Addr: addr, Handler: app.Serve, Logger: quiet}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServeTLS(certFile, keyFile) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		if err := <-errc; !errors.Is(err, framework.ErrServerClosed) {
			t.Errorf("ListenAndServeTLS returned %v", err)
		}
	}()

	tr := &http.Transport{ForceAttemptHTTP2: true, TLSClientConfig: &tls.Config{RootCAs: pool}}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	var res *http.Response
	var err error
	for deadline := time.Now().Add(3 * time.Second); ; {
		if res, err = client.Get("https://" + addr + "/whoami"); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond) // the listener is not up yet
	}
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var w whoami
	if err := json.NewDecoder(res.Body).Decode(&w); err != nil {
		t.Fatal(err)
	}
	if res.Proto != "HTTP/1.1" || res.TLS.NegotiatedProtocol != "http/1.1" {
		t.Errorf("got %s with ALPN %q, want HTTP/1.1 with http/1.1", res.Proto, res.TLS.NegotiatedProtocol)
	}
	if w.Instance != "tls" || w.XFP != "" {
		t.Errorf("got %+v", w)
	}
}
