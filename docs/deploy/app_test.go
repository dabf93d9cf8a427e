package deploy

import (
	"bufio"
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/groundup-go/groundup/app/models/pgtest"
)

// TestAppBehindNginx runs what chapter 13 describes, for real: a fresh
// PostgreSQL cluster, two instances of the app's binary on it sharing one
// session key, and nginx in front with docs/deploy/nginx.conf. The test
// client connects from 127.0.0.2, so that its address and nginx's
// (127.0.0.1) tell apart in the logs.

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// clientAddr is the test client's source address: loopback, but not
// nginx's own.
const clientAddr = "127.0.0.2"

// instance is one running app process.
type instance struct {
	name string
	addr string // host:port it serves on
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan error
}

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

// buildApp builds the app's binary into dir.
func buildApp(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "groundup")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/groundup-go/groundup/app")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./app: %v\n%s", err, out)
	}
	return bin
}

// startApp starts the binary with env on a free port and waits for the
// line that says where it serves. It is stopped (SIGTERM) when the test
// ends, unless the test killed it first.
func startApp(t *testing.T, bin, name string, env ...string) *instance {
	t.Helper()
	in := &instance{name: name, logs: &syncBuffer{}, done: make(chan error, 1)}
	in.cmd = exec.Command(bin, "-addr", "127.0.0.1:0")
	in.cmd.Env = append(os.Environ(), env...)
	in.cmd.Stderr = in.logs
	stdout, err := in.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { in.done <- in.cmd.Wait() }()
	t.Cleanup(func() {
		in.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-in.done:
		case <-time.After(15 * time.Second):
			t.Errorf("instance %s did not stop within 15 s of SIGTERM", name)
			in.cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("instance %s log:\n%s", name, in.logs)
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "groundup is serving http://"); ok {
				lines <- u
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case in.addr = <-lines:
	case err := <-in.done:
		t.Fatalf("instance %s exited at start (%v):\n%s", name, err, in.logs)
	case <-time.After(60 * time.Second):
		t.Fatalf("instance %s is not serving after 60 s:\n%s", name, in.logs)
	}
	return in
}

// kill ends the instance at once, as a crash would.
func (in *instance) kill(t *testing.T) {
	t.Helper()
	in.cmd.Process.Kill()
	<-in.done
	in.done <- nil // for the cleanup
}

// plainClient is an HTTP/1.1 client that dials from clientAddr and does
// not follow redirects.
func plainClient(tlsConf *tls.Config) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(clientAddr)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext, TLSClientConfig: tlsConf, ForceAttemptHTTP2: tlsConf != nil, MaxIdleConnsPerHost: 16}
	return &http.Client{
		Transport:     tr,
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type apiEntry struct {
	ID      int64  `json:"id"`
	Message string `json:"message"`
}

// account is a signed-up user of the app: its session cookie and an API
// token made on its account page.
type account struct {
	cookie string // "name=value; ..." for a Cookie header
	token  string
}

var newTokenRE = regexp.MustCompile(`<code id="new-token">(gu_[A-Za-z0-9_-]+)</code>`)

// signUp registers an account through the seed's form on the instance at
// base, which logs it in, and makes it an API token.
func signUp(t *testing.T, client *http.Client, base, email string) account {
	t.Helper()
	form := url.Values{"name": {"deploy"}, "email": {email}, "password": {"correct horse battery"}}
	res, err := client.PostForm(base+"/register", form)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	var acc account
	var pairs []string
	for _, c := range res.Cookies() {
		pairs = append(pairs, c.Name+"="+c.Value)
	}
	acc.cookie = strings.Join(pairs, "; ")
	if res.StatusCode != http.StatusOK || acc.cookie == "" {
		t.Fatalf("register on %s: %d, cookies %q", base, res.StatusCode, acc.cookie)
	}
	res, page := getBody(t, client, base+"/account", "Cookie", acc.cookie)
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("GET /account: %d, no _csrf field", res.StatusCode)
	}
	for _, c := range res.Cookies() {
		acc.cookie = c.Name + "=" + c.Value // the session, renewed
	}
	req, _ := http.NewRequest("POST", base+"/account/tokens", strings.NewReader(url.Values{"name": {"deploy"}, "_csrf": {m[1]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", acc.cookie)
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	tm := newTokenRE.FindSubmatch(b)
	if res.StatusCode != http.StatusCreated || tm == nil {
		t.Fatalf("make a token: %d\n%s", res.StatusCode, b)
	}
	acc.token = string(tm[1])
	return acc
}

// postEntry posts an entry to the JSON API at base with an account's
// token and returns the status and, on 201, the entry.
func postEntry(client *http.Client, base, token, msg string) (int, apiEntry, error) {
	body := fmt.Sprintf(`{"name":"deploy","message":%q}`, msg)
	req, err := http.NewRequest("POST", base+"/api/entries", strings.NewReader(body))
	if err != nil {
		return 0, apiEntry{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		return 0, apiEntry{}, err
	}
	defer res.Body.Close()
	var e apiEntry
	if res.StatusCode == http.StatusCreated {
		err = json.NewDecoder(res.Body).Decode(&e)
	} else {
		io.Copy(io.Discard, res.Body)
	}
	return res.StatusCode, e, err
}

func getBody(t *testing.T, client *http.Client, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
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
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// livePaths are where the live feed may be served; the test uses the
// first that answers with an event stream.
var livePaths = []string{"/entries/live", "/live/entries"}

// openLive opens the live feed of the instance at base and reads up to
// its "ready" event. Events after that arrive on the returned channel as
// "event\x00data".
func openLive(t *testing.T, ctx context.Context, client *http.Client, base string) <-chan string {
	t.Helper()
	for _, p := range livePaths {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+p, nil)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
			res.Body.Close()
			continue
		}
		events := make(chan string, 16)
		go func() {
			defer res.Body.Close()
			defer close(events)
			sc := bufio.NewScanner(res.Body)
			var event, data string
			for sc.Scan() {
				line := sc.Text()
				switch {
				case line == "":
					if event != "" {
						events <- event + "\x00" + data
					}
					event, data = "", ""
				case strings.HasPrefix(line, "event: "):
					event = line[len("event: "):]
				case strings.HasPrefix(line, "data: "):
					data += line[len("data: "):]
				}
			}
		}()
		if ev := <-events; !strings.HasPrefix(ev, "ready\x00") {
			t.Fatalf("first event %q, want ready", ev)
		}
		return events
	}
	t.Fatalf("no live feed at %v", livePaths)
	return nil
}

func TestAppBehindNginx(t *testing.T) {
	nginx, err := findNginx()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("nginx is not installed, and CI=true: CI must install it")
		}
		t.Skip("nginx is not installed: install it (apt-get install nginx) to run the app behind docs/deploy/nginx.conf")
	}
	dbURL := pgtest.DB(t)
	dir := t.TempDir()
	bin := buildApp(t, dir)
	if err := os.Mkdir(filepath.Join(dir, "static"), 0o755); err != nil {
		t.Fatal(err)
	}

	env := []string{
		"GROUNDUP_DB=" + dbURL,
		"GROUNDUP_SESSION_KEY=" + strings.Repeat("5e", 32),
		"GROUNDUP_TRUSTED_PROXIES=127.0.0.1",
	}
	a := startApp(t, bin, "a", env...)
	b := startApp(t, bin, "b", env...)

	certFile, keyFile, pool := writeCert(t, dir)
	httpsAddr, httpAddr := freeAddr(t), freeAddr(t)
	conf := renderConfig(t, map[string]string{
		"127.0.0.1:8443": httpsAddr,
		"127.0.0.1:8080": httpAddr,
		"127.0.0.1:8001": a.addr,
		"127.0.0.1:8002": b.addr,
		"/etc/letsencrypt/live/example.com/fullchain.pem": certFile,
		"/etc/letsencrypt/live/example.com/privkey.pem":   keyFile,
		"/srv/groundup": dir,
	})
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	startNginx(t, nginx, dir, httpsAddr)

	direct := plainClient(nil)
	viaNginx := plainClient(&tls.Config{RootCAs: pool})
	t.Cleanup(direct.CloseIdleConnections)
	t.Cleanup(viaNginx.CloseIdleConnections)
	baseA, baseB, front := "http://"+a.addr, "http://"+b.addr, "https://"+httpsAddr
	// Writing needs an account: one, made on a, writes everywhere.
	acc := signUp(t, direct, baseA, "deploy@example.com")

	t.Run("an entry posted on one instance shows on the other's page and live feed", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		events := openLive(t, ctx, direct, baseB)
		status, e, err := postEntry(direct, baseA, acc.token, "posted on a, read on b")
		if err != nil || status != http.StatusCreated {
			t.Fatalf("POST to a: %d, %v", status, err)
		}
		if _, page := getBody(t, direct, baseB+"/entries"); !strings.Contains(page, "posted on a, read on b") {
			t.Error("b's /entries does not show the entry posted on a")
		}
		select {
		case ev, ok := <-events:
			var got apiEntry
			_, data, _ := strings.Cut(ev, "\x00")
			if !ok || !strings.HasPrefix(ev, "entry\x00") || json.Unmarshal([]byte(data), &got) != nil || got.ID != e.ID {
				t.Errorf("b's live feed sent %q, want entry %d", ev, e.ID)
			}
		case <-ctx.Done():
			t.Error("b's live feed sent nothing within 30 s of the POST to a")
		}
	})

	t.Run("a session and its CSRF token made on one instance work on the other", func(t *testing.T) {
		res, page := getBody(t, direct, baseA+"/entries/new", "Cookie", acc.cookie)
		m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)
		if res.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("GET a/entries/new: %d, no _csrf field", res.StatusCode)
		}
		cookies := []string{acc.cookie}
		for _, c := range res.Cookies() {
			cookies = []string{c.Name + "=" + c.Value} // a renewed session replaces it
		}
		post := func(cookie string) int {
			form := url.Values{"name": {"cross"}, "message": {"session from a, posted to b"}, "_csrf": {m[1]}}
			req, _ := http.NewRequest("POST", baseB+"/entries", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if cookie != "" {
				req.Header.Set("Cookie", cookie)
			}
			res, err := direct.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			return res.StatusCode
		}
		if got := post(""); got != http.StatusForbidden {
			t.Errorf("the token without a's session cookie: %d, want 403", got)
		}
		if got := post(strings.Join(cookies, "; ")); got != http.StatusSeeOther {
			t.Errorf("a's session and token on b: %d, want 303", got)
		}
	})

	t.Run("the logs show the client's address, not nginx's", func(t *testing.T) {
		const id = "realip-probe-7f3a"
		res, _ := getBody(t, viaNginx, front+"/entries", "X-Request-ID", id, "X-Forwarded-For", "6.6.6.6")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /entries through nginx: %d", res.StatusCode)
		}
		var line string
		for range 100 { // the line is written as the response goes out
			for l := range strings.Lines(a.logs.String() + b.logs.String()) {
				if strings.Contains(l, "request_id="+id) {
					line = l
				}
			}
			if line != "" {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if !strings.HasSuffix(strings.TrimSpace(line), " remote="+clientAddr) {
			t.Errorf("the app logged %q, want remote=%s (the client, not nginx, not the spoofed 6.6.6.6)", line, clientAddr)
		}
		var access []byte
		for range 100 { // nginx writes the line once the response is sent
			if access, _ = os.ReadFile(filepath.Join(dir, "access.log")); strings.Contains(string(access), "id="+id) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(clientAddr) + ` \[.*id=` + id + `$`).Match(access) {
			t.Errorf("nginx's access.log has no line from %s for the request:\n%s", clientAddr, access)
		}
		// Straight to an instance, the client is not a trusted proxy: its
		// X-Forwarded-For is ignored.
		getBody(t, direct, baseA+"/entries", "X-Request-ID", id+"-direct", "X-Forwarded-For", "6.6.6.6")
		directLine := regexp.MustCompile(`request_id=` + id + `-direct remote=127\.0\.0\.2:\d+`)
		for range 100 {
			if directLine.MatchString(a.logs.String()) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if !directLine.MatchString(a.logs.String()) {
			t.Errorf("a direct request's log line does not show the client's own address and port:\n%s", a.logs)
		}
	})

	t.Run("killing an instance under load loses no acknowledged entry", func(t *testing.T) {
		const workers, each, killAfter = 4, 40, 40
		var sent atomic.Int64
		var mu sync.Mutex
		created := map[int64]bool{}
		statuses := map[int]int{}
		var wg sync.WaitGroup
		killed := make(chan struct{})
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					if sent.Add(1) == killAfter {
						b.kill(t)
						close(killed)
					}
					status, e, err := postEntry(viaNginx, front, acc.token, fmt.Sprintf("load %d-%d", w, i))
					mu.Lock()
					if err != nil {
						status = -1
					}
					statuses[status]++
					if status == http.StatusCreated {
						created[e.ID] = true
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		<-killed
		// After the load, every request goes to the survivor.
		for i := range 6 {
			if status, _, err := postEntry(viaNginx, front, acc.token, fmt.Sprintf("after %d", i)); status != http.StatusCreated {
				t.Errorf("POST %d after the kill: %d, %v", i, status, err)
			}
		}
		db, err := sql.Open("pgx", dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rows, err := db.Query(`SELECT id FROM entries WHERE message LIKE 'load %'`)
		if err != nil {
			t.Fatal(err)
		}
		stored := map[int64]bool{}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			stored[id] = true
		}
		rows.Close()
		for id := range created {
			if !stored[id] {
				t.Errorf("entry %d was acknowledged with 201 but is not in the database", id)
			}
		}
		t.Logf("%d POSTs, b killed after %d: statuses %v; %d acknowledged, %d stored", workers*each, killAfter, statuses, len(created), len(stored))
		if statuses[http.StatusCreated] < workers*each-workers {
			t.Errorf("statuses %v: more failures than requests in flight at the kill (%d)", statuses, workers)
		}
	})
}
