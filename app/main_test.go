package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

const key64 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     func(string) string
		check   func(config) bool
		wantErr string
	}{
		{"defaults", nil, env(), func(c config) bool {
			return c.addr == "127.0.0.1:8000" && c.db == "./data/groundup.db" && !c.dev && c.shutdownTimeout == 10*time.Second && c.sessionKeys == nil
		}, ""},
		{"environment", nil, env("GROUNDUP_ADDR", ":9000", "GROUNDUP_DB", "/tmp/x.db", "GROUNDUP_DEV", "true", "GROUNDUP_SHUTDOWN_TIMEOUT", "3s"),
			func(c config) bool {
				return c.addr == ":9000" && c.db == "/tmp/x.db" && c.dev && c.shutdownTimeout == 3*time.Second
			}, ""},
		{"flags beat the environment", []string{"-addr", ":7000", "-dev=false"}, env("GROUNDUP_ADDR", ":9000", "GROUNDUP_DEV", "1"),
			func(c config) bool { return c.addr == ":7000" && !c.dev }, ""},
		{"TLS", []string{"-tls-cert", "c.pem", "-tls-key", "k.pem"}, env(),
			func(c config) bool { return c.tlsCert == "c.pem" && c.tlsKey == "k.pem" && c.https }, ""},
		{"HTTPS at a proxy", nil, env("GROUNDUP_HTTPS", "1"),
			func(c config) bool { return c.https && c.tlsCert == "" }, ""},
		{"plain HTTP", nil, env(), func(c config) bool { return !c.https }, ""},
		{"session keys", nil, env("GROUNDUP_SESSION_KEY", key64+", "+key64),
			func(c config) bool { return len(c.sessionKeys) == 2 && len(c.sessionKeys[0]) == 32 }, ""},
		{"trusted proxies", nil, env("GROUNDUP_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8"),
			func(c config) bool { return len(c.trustedProxies) == 2 && c.trustedProxies[1].String() == "10.0.0.0/8" }, ""},
		{"a PostgreSQL URL", []string{"-db", "postgres://u:secret@127.0.0.1/app"}, env(),
			func(c config) bool {
				return c.db == "postgres://u:secret@127.0.0.1/app" && redact(c.db) == "postgres://u:xxxxx@127.0.0.1/app"
			}, ""},
		{"a bad trusted proxy", []string{"-trusted-proxies", "nginx"}, env(), nil, `-trusted-proxies: trusted proxy "nginx"`},
		{"a cert without a key", []string{"-tls-cert", "c.pem"}, env(), nil, "-tls-cert and -tls-key go together"},
		{"a bad boolean", nil, env("GROUNDUP_DEV", "maybe"), nil, `GROUNDUP_DEV: "maybe" is not a boolean`},
		{"a bad duration", nil, env("GROUNDUP_SHUTDOWN_TIMEOUT", "soon"), nil, "GROUNDUP_SHUTDOWN_TIMEOUT"},
		{"a zero timeout", []string{"-shutdown-timeout", "0s"}, env(), nil, "must be positive"},
		{"a short key", nil, env("GROUNDUP_SESSION_KEY", "abcd"), nil, "at least 64 hex digits"},
		{"a key that is not hex", nil, env("GROUNDUP_SESSION_KEY", strings.Repeat("z", 64)), nil, "at least 64 hex digits"},
		{"an unknown flag", []string{"-port", "80"}, env(), nil, "flag provided but not defined"},
		{"a stray argument", []string{"serve"}, env(), nil, "unexpected arguments: serve"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parseConfig(append([]string{"app"}, tc.args...), tc.env, io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(cfg) {
				t.Errorf("config %+v", cfg)
			}
		})
	}
	if _, err := parseConfig([]string{"app", "-h"}, env(), io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

// lineWriter hands each line written to it to a channel.
type lineWriter struct {
	mu    sync.Mutex
	buf   strings.Builder
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		s := w.buf.String()
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			break
		}
		select {
		case w.lines <- s[:i]:
		default:
		}
		w.buf.Reset()
		w.buf.WriteString(s[i+1:])
	}
	return len(p), nil
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRun runs the whole program in-process, as main does, serves a few
// requests, then cancels its context: run must shut down cleanly and
// leave no goroutine behind.
func TestRun(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout := &lineWriter{lines: make(chan string, 4)}
	stderr := &syncBuffer{}
	db := filepath.Join(t.TempDir(), "data", "run.db")
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"app", "-addr", "127.0.0.1:0", "-db", db}, env(), stdout, stderr)
	}()
	var url string
	select {
	case line := <-stdout.lines:
		_, url, _ = strings.Cut(line, "serving ")
	case err := <-done:
		t.Fatalf("run returned at once: %v\n%s", err, stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("run did not start\n%s", stderr)
	}

	tr := &http.Transport{}
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for _, tc := range []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/", "", 200},
		{"GET", "/test.jpg", "", 200},
		{"POST", "/api/entries", `{"name": "In", "message": "process"}`, 401}, // writing needs a token
		{"GET", "/api/entries/1", "", 404},
		{"GET", "/entries", "", 200},
		{"GET", "/entries/new", "", 200},      // static beside /entries/:id: the login page, after a redirect
		{"GET", "/entries/1", "", 404},        // the parameter beside it
		{"GET", "/entries/new/edit", "", 404}, // /entries/:id/edit with the id "new"
		{"GET", "/login", "", 200},
		{"GET", "/nope", "", 404},
	} {
		req, _ := http.NewRequest(tc.method, url+tc.path, strings.NewReader(tc.body))
		if tc.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := hc.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, res.StatusCode, tc.status)
		}
	}
	// The live feed's old address redirects, for good, to the new one.
	noFollow := &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	old, err := noFollow.Get(url + "/live/entries?x=1")
	if err != nil {
		t.Fatal(err)
	}
	old.Body.Close()
	if old.StatusCode != 301 || old.Header.Get("Location") != "/entries/live?x=1" {
		t.Errorf("GET /live/entries: %d to %q, want 301 to /entries/live?x=1", old.StatusCode, old.Header.Get("Location"))
	}
	// A live stream open at shutdown must not hold it up.
	res, err := hc.Get(url + "/entries/live")
	if err != nil {
		t.Fatal(err)
	}
	first, _ := bufio.NewReader(res.Body).ReadString('\n')
	if !strings.HasPrefix(first, "event: ready") {
		t.Errorf("live stream starts with %q", first)
	}

	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v\n%s", err, stderr)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("run did not return after cancel\n%s", stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %v", d)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	tr.CloseIdleConnections()
	logs := stderr.String()
	for _, want := range []string{"GROUNDUP_SESSION_KEY is not set", "msg=serving", "path=/test.jpg status=200", "msg=stopped"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

func TestRoutesAndExplainFlags(t *testing.T) {
	tests := []struct {
		args []string
		want []string // in order
	}{
		{[]string{"-routes"}, []string{
			"METHOD  PATTERN", "HANDLER",
			"GET     /entries/new         entries.new            controllers.(*Accounts).Authenticate, session.CSRF         controllers.(*Entries).New",
			"GET     /entries/:id         entries.show",
			"GET     /entries/live        entries.live           controllers.(*Accounts).Authenticate                       controllers.(*Entries).Live",
		}},
		{[]string{"-explain", "GET /entries/7"}, []string{
			"GET /entries/7 (2 trees)", `matches /entries/:id with id="7"`, `=> GET /entries/:id (entries.show) with id="7"`,
		}},
		{[]string{"-explain", "/entries/new"}, []string{"static table: GET /entries/new matches a route without parameters", "=> GET /entries/new (entries.new)"}},
		{[]string{"-explain", "GET /live/entries/"}, []string{"=> 301 Moved Permanently to /live/entries"}},
		{[]string{"-explain", "GET /entrie"}, []string{"=> 404 Not Found", "nearest routes:", "/entries"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout strings.Builder
			// No -db: these flags open no database and serve nothing.
			err := run(context.Background(), append([]string{"app"}, tt.args...), env(), &stdout, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			rest := stdout.String()
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("no %q after the earlier parts in:\n%s", w, stdout.String())
				}
				rest = rest[i+len(w):]
			}
		})
	}
	if err := run(context.Background(), []string{"app", "-explain", "entries"}, env(), io.Discard, io.Discard); err == nil {
		t.Error("-explain without a path: no error")
	}
}

func TestRunRefusesBadConfig(t *testing.T) {
	err := run(context.Background(), []string{"app", "-tls-cert", "x"}, env(), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-tls-cert and -tls-key") {
		t.Errorf("run with a cert and no key: %v", err)
	}
	if err := run(context.Background(), []string{"app", "-h"}, env(), io.Discard, io.Discard); err != nil {
		t.Errorf("run -h: %v", err)
	}
	db := filepath.Join(t.TempDir(), "x.db")
	err = run(context.Background(), []string{"app", "-addr", "127.0.0.1:0", "-db", db, "-tls-cert", "/nonexistent.pem", "-tls-key", "/nonexistent.key"}, env(), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "TLS") {
		t.Errorf("run with missing TLS files: %v", err)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "groundup test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	return certFile, keyFile, pool
}

// TestRunTLS serves HTTPS with -tls-cert and -tls-key: the session
// cookie is then Secure, and ALPN offers HTTP/1.1 only.
func TestRunTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout := &lineWriter{lines: make(chan string, 4)}
	stderr := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"app", "-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "tls.db"),
			"-tls-cert", certFile, "-tls-key", keyFile}, env("GROUNDUP_SESSION_KEY", key64), stdout, stderr)
	}()
	var url string
	select {
	case line := <-stdout.lines:
		_, url, _ = strings.Cut(line, "serving ")
	case err := <-done:
		t.Fatalf("run returned at once: %v\n%s", err, stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("run did not start\n%s", stderr)
	}
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("serving %q, want https", url)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	res, err := hc.Get(url + "/login") // a form, so a session for its CSRF token
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || res.Proto != "HTTP/1.1" {
		t.Errorf("GET /login over TLS: %d %s", res.StatusCode, res.Proto)
	}
	if sc := res.Header.Get("Set-Cookie"); !strings.Contains(sc, "; Secure") {
		t.Errorf("session cookie over TLS is not Secure: %q", sc)
	}
	if hsts := res.Header.Get("Strict-Transport-Security"); hsts != "max-age=31536000" {
		t.Errorf("Strict-Transport-Security over TLS: %q", hsts)
	}
	if strings.Contains(stderr.String(), "GROUNDUP_SESSION_KEY is not set") {
		t.Error("warned about the session key although it was set")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
}

// TestRunHTTPSBehindAProxy: with -https and plain HTTP (TLS ending at a
// proxy in front), the session cookie is Secure all the same.
func TestRunHTTPSBehindAProxy(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout := &lineWriter{lines: make(chan string, 4)}
	stderr := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"app", "-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "proxy.db"), "-https"},
			env("GROUNDUP_SESSION_KEY", key64), stdout, stderr)
	}()
	var url string
	select {
	case line := <-stdout.lines:
		_, url, _ = strings.Cut(line, "serving ")
	case err := <-done:
		t.Fatalf("run returned at once: %v\n%s", err, stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("run did not start\n%s", stderr)
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	res, err := hc.Get(url + "/login") // a form, so a session for its CSRF token
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if sc := res.Header.Get("Set-Cookie"); !strings.Contains(sc, "; Secure") {
		t.Errorf("session cookie with -https is not Secure: %q", sc)
	}
	if hsts := res.Header.Get("Strict-Transport-Security"); hsts != "" {
		t.Errorf("Strict-Transport-Security sent over plain HTTP: %q", hsts)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
}
