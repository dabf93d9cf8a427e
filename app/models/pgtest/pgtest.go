// Package pgtest starts a throwaway PostgreSQL cluster for tests: a fresh
// initdb in a temporary directory, a server on a free port of 127.0.0.1
// with its socket in that directory, and one new database per test.
//
// A package's tests share one cluster, started on first use and stopped
// by Stop, which the package's TestMain calls after m.Run:
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		pgtest.Stop()
//		os.Exit(code)
//	}
//
// When PostgreSQL is not installed, DB skips the test with a message that
// says how to run it; under CI=true it fails the test instead. PostgreSQL
// refuses to run as root, so as root the cluster runs as the "postgres"
// user (through runuser), who owns the temporary directory.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// HowToRun is the message of a skipped test.
const HowToRun = "PostgreSQL is not installed: install it (apt-get install postgresql) to run this test; CI=true makes its absence a failure"

// Cluster is a running throwaway PostgreSQL server.
type Cluster struct {
	dir   string // data directory and socket directory live under it
	port  int
	bin   string // the directory of initdb, pg_ctl and postgres
	owner string // the user the server runs as; "" for the current user
	dbs   atomic.Int64
}

var shared struct {
	once sync.Once
	c    *Cluster
	err  error
}

// DB returns the URL of a new, empty database in the package's shared
// cluster, starting the cluster on first use. It skips t when PostgreSQL
// is not installed, or fails it under CI=true.
func DB(t testing.TB) string {
	t.Helper()
	shared.once.Do(func() { shared.c, shared.err = Start() })
	if shared.err != nil {
		Unavailable(t, shared.err)
	}
	url, err := shared.c.NewDB()
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// Unavailable skips t because of err, or fails it under CI=true.
func Unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL is needed under CI=true: %v", err)
	}
	t.Skipf("%s (%v)", HowToRun, err)
}

// Stop stops the shared cluster, if it started, and removes its files.
func Stop() {
	if shared.c != nil {
		shared.c.Stop()
	}
}

// ErrNotInstalled is returned by Start when no initdb is found.
var ErrNotInstalled = errors.New("pgtest: no initdb under /usr/lib/postgresql/*/bin nor on PATH")

// findBin returns the directory of the newest installed initdb.
func findBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", ErrNotInstalled
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// Start runs initdb in a new temporary directory and starts a server on
// a free port of 127.0.0.1. Stop it with Stop.
func Start() (*Cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin}
	if os.Geteuid() == 0 {
		c.owner = "postgres"
	}
	c.dir, err = os.MkdirTemp("", "groundup-pg-")
	if err != nil {
		return nil, err
	}
	if c.owner != "" {
		u, err := user.Lookup(c.owner)
		if err != nil {
			os.RemoveAll(c.dir)
			return nil, fmt.Errorf("pgtest: running as root needs the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(c.dir, uid, gid); err != nil {
			os.RemoveAll(c.dir)
			return nil, err
		}
	}
	data := filepath.Join(c.dir, "data")
	if out, err := c.cmd("initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
		os.RemoveAll(c.dir)
		return nil, fmt.Errorf("pgtest: initdb: %v\n%s", err, out)
	}
	c.port, err = freePort()
	if err != nil {
		os.RemoveAll(c.dir)
		return nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", c.port, c.dir)
	if out, err := c.cmd("pg_ctl", "-D", data, "-l", filepath.Join(c.dir, "server.log"), "-o", opts, "-w", "-t", "30", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		os.RemoveAll(c.dir)
		return nil, fmt.Errorf("pgtest: pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	return c, nil
}

// cmd runs one of the cluster's programs as its owner.
func (c *Cluster) cmd(name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, name)
	if c.owner != "" {
		return exec.Command("runuser", append([]string{"-u", c.owner, "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// URL returns the URL of database name in the cluster.
func (c *Cluster) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, name)
}

// Port returns the port the server listens on.
func (c *Cluster) Port() int { return c.port }

// NewDB creates a new, empty database and returns its URL.
func (c *Cluster) NewDB() (string, error) {
	name := "t" + strconv.FormatInt(c.dbs.Add(1), 10)
	db, err := sql.Open("pgx", c.URL("postgres"))
	if err != nil {
		return "", err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("pgtest: create database: %w", err)
	}
	return c.URL(name), nil
}

// Stop stops the server (fast shutdown: sessions are cut) and removes
// its files.
func (c *Cluster) Stop() {
	if out, err := c.cmd("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "fast", "-w", "-t", "30", "stop").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: pg_ctl stop: %v\n%s", err, strings.TrimSpace(string(out)))
	}
	os.RemoveAll(c.dir)
}
