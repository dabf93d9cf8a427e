package deploy

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundup-go/groundup/app/models/pgtest"
)

// TestDeployBench measures the app's GET /entries and POST /api/entries
// on SQLite, on PostgreSQL with one instance, and with two instances on
// PostgreSQL behind nginx. It runs only with GROUNDUP_DEPLOY_BENCH=1
// (docs/bench/deploy.sh sets it) and writes a Markdown table to the
// file GROUNDUP_DEPLOY_BENCH_OUT names, or to the test log.
//
// Every run is bounded by a request count, not a duration:
// GROUNDUP_DEPLOY_BENCH_REQUESTS (2000) per row, from
// GROUNDUP_DEPLOY_BENCH_CONNS (16) connections.
func TestDeployBench(t *testing.T) {
	if os.Getenv("GROUNDUP_DEPLOY_BENCH") != "1" {
		t.Skip("a benchmark: run docs/bench/deploy.sh, or set GROUNDUP_DEPLOY_BENCH=1")
	}
	nginx, err := findNginx()
	if err != nil {
		t.Fatal("nginx is not installed")
	}
	requests := envInt(t, "GROUNDUP_DEPLOY_BENCH_REQUESTS", 2000)
	conns := envInt(t, "GROUNDUP_DEPLOY_BENCH_CONNS", 16)
	dir := t.TempDir()
	bin := buildApp(t, dir)
	key := "GROUNDUP_SESSION_KEY=" + strings.Repeat("5e", 32)
	quietEnv := func(db string) []string {
		return []string{"GROUNDUP_DB=" + db, key, "GROUNDUP_TRUSTED_PROXIES=127.0.0.1"}
	}

	type setup struct {
		name string
		base func(t *testing.T) (string, *http.Client)
	}
	setups := []setup{
		{"SQLite, one instance", func(t *testing.T) (string, *http.Client) {
			in := startApp(t, bin, "sqlite", quietEnv(filepath.Join(t.TempDir(), "bench.db"))...)
			return "http://" + in.addr, benchClient(nil, conns)
		}},
		{"PostgreSQL, one instance", func(t *testing.T) (string, *http.Client) {
			in := startApp(t, bin, "pg", quietEnv(pgtest.DB(t))...)
			return "http://" + in.addr, benchClient(nil, conns)
		}},
		{"PostgreSQL, two instances behind nginx (TLS)", func(t *testing.T) (string, *http.Client) {
			url := pgtest.DB(t)
			a := startApp(t, bin, "a", quietEnv(url)...)
			b := startApp(t, bin, "b", quietEnv(url)...)
			ndir := t.TempDir()
			os.Mkdir(filepath.Join(ndir, "static"), 0o755)
			certFile, keyFile, pool := writeCert(t, ndir)
			httpsAddr := freeAddr(t)
			conf := renderConfig(t, map[string]string{
				"127.0.0.1:8443": httpsAddr,
				"127.0.0.1:8080": freeAddr(t),
				"127.0.0.1:8001": a.addr,
				"127.0.0.1:8002": b.addr,
				"/etc/letsencrypt/live/example.com/fullchain.pem": certFile,
				"/etc/letsencrypt/live/example.com/privkey.pem":   keyFile,
				"/srv/groundup": ndir,
			})
			if err := os.WriteFile(filepath.Join(ndir, "nginx.conf"), []byte(conf), 0o644); err != nil {
				t.Fatal(err)
			}
			startNginx(t, nginx, ndir, httpsAddr)
			return "https://" + httpsAddr, benchClient(&tls.Config{RootCAs: pool}, conns)
		}},
	}

	var table strings.Builder
	fmt.Fprintf(&table, "| setup | request | req/s | p50 | p99 | errors |\n|---|---|---:|---:|---:|---:|\n")
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			base, client := s.base(t)
			defer client.CloseIdleConnections()
			benchToken := signUp(t, client, base, fmt.Sprintf("bench-%d@example.com", time.Now().UnixNano())).token
			// 100 entries, so that the list page is a full one.
			for i := range 100 {
				if status, _, err := postEntry(client, base, benchToken, "seed "+strconv.Itoa(i)); status != http.StatusCreated {
					t.Fatalf("seeding: %d, %v", status, err)
				}
			}
			for _, req := range []string{"GET /entries", "POST /api/entries"} {
				r := load(client, base, benchToken, req, requests/10, conns) // warm-up
				r = load(client, base, benchToken, req, requests, conns)
				fmt.Fprintf(&table, "| %s | `%s` | %.0f | %s | %s | %d |\n", s.name, req, r.rps, ms(r.p50), ms(r.p99), r.errors)
			}
		})
	}
	out := table.String()
	if path := os.Getenv("GROUNDUP_DEPLOY_BENCH_OUT"); path != "" {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d requests per row from %d connections:\n%s", requests, conns, out)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func envInt(t *testing.T, key string, def int) int {
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		t.Fatalf("%s=%q: want a whole number from 1 to 1000000", key, v)
	}
	return n
}

// benchClient keeps up to conns connections open; with TLS it speaks
// HTTP/1.1, one request per connection at a time, as without.
func benchClient(tlsConf *tls.Config, conns int) *http.Client {
	tr := &http.Transport{TLSClientConfig: tlsConf, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	if tlsConf != nil {
		tr.Protocols = new(http.Protocols)
		tr.Protocols.SetHTTP1(true)
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

type loadResult struct {
	rps      float64
	p50, p99 time.Duration
	errors   int
}

// load sends n requests of kind ("GET /entries" or "POST
// /api/entries", with the token benchToken) from conns goroutines, and
// measures them.
func load(client *http.Client, base, benchToken, kind string, n, conns int) loadResult {
	var mu sync.Mutex
	var lat []time.Duration
	errors := 0
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for i := range next {
				t0 := time.Now()
				ok := false
				if kind == "GET /entries" {
					res, err := client.Get(base + "/entries")
					if err == nil {
						io.Copy(io.Discard, res.Body)
						res.Body.Close()
						ok = res.StatusCode == http.StatusOK
					}
				} else {
					status, _, err := postEntry(client, base, benchToken, "bench "+strconv.Itoa(i))
					ok = err == nil && status == http.StatusCreated
				}
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				if !ok {
					errors++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	return loadResult{
		rps:    float64(n) / elapsed.Seconds(),
		p50:    lat[len(lat)/2],
		p99:    lat[min(len(lat)-1, len(lat)*99/100)],
		errors: errors,
	}
}
