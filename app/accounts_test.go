package main

import (
	"bytes"
	"context"
	"fmt"
	"github.com/groundup-go/groundup/app/models/pgtest"
	"github.com/groundup-go/groundup/framework"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework/frameworktest"
)

// TestMain stops the PostgreSQL cluster that the accounts tests may
// have started.
func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// signUp registers an account through the seed's form, which logs the
// client in.
func signUp(t *testing.T, c *frameworktest.Client, name, email string) {
	t.Helper()
	res := c.PostForm("/register", url.Values{"name": {name}, "email": {email}, "password": {testPassword}})
	if res.Status != 200 || !strings.Contains(string(res.Body), "register success") {
		t.Fatalf("register %s: %d\n%s", email, res.Status, res.Body)
	}
}

// testPassword is every test account's password.
const testPassword = "correct horse battery"

var tokenRE = regexp.MustCompile(`<code id="new-token">(gu_[A-Za-z0-9_-]+)</code>`)

// newToken makes an API token on the account page of the logged-in
// client and returns it, as shown that once.
func newToken(t *testing.T, c *frameworktest.Client, name string) string {
	t.Helper()
	res := c.Submit("/account", "/account/tokens", url.Values{"name": {name}})
	m := tokenRE.FindSubmatch(res.Body)
	if res.Status != 201 || m == nil {
		t.Fatalf("make a token: %d\n%s", res.Status, res.Body)
	}
	return string(m[1])
}

// accountsApp is one app with a database at a known path, whose clients
// share it: each client is a browser of its own.
type accountsApp struct {
	t      *testing.T
	a      *app
	dbPath string
	logs   *frameworktest.Logs
}

func newAccountsApp(t *testing.T) *accountsApp {
	t.Helper()
	return newAccountsAppOn(t, "sqlite")
}

// newAccountsAppOn is newAccountsApp on a database of kind, "sqlite" or
// "postgres" (a throwaway database in pgtest's cluster; skipped when
// PostgreSQL is not installed).
func newAccountsAppOn(t *testing.T, kind string) *accountsApp {
	t.Helper()
	x := &accountsApp{t: t, dbPath: filepath.Join(t.TempDir(), "accounts.db"), logs: &frameworktest.Logs{}}
	dsn := x.dbPath
	if kind == "postgres" {
		dsn = pgtest.DB(t)
	}
	a, err := newApp(context.Background(), config{db: dsn, sessionKeys: [][]byte{[]byte(testKey)}}, x.logs.Logger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	x.a = a
	return x
}

// client returns a new browser on the app that records what it receives.
func (x *accountsApp) client() *frameworktest.Client {
	c := frameworktest.NewClient(func(fc *framework.Ctx) error { return x.a.srv.Handler(fc) })
	c.Server, c.Logs, c.TB = x.a.srv, x.logs, x.t
	return c
}

// bearer sends req with the API token.
func bearer(c *frameworktest.Client, token string, req *frameworktest.Request) *frameworktest.Response {
	return c.Do(req.Set("Authorization", "Bearer "+token).Set("Accept", "application/json"))
}

func TestRegisterAndLogin(t *testing.T) {
	x := newAccountsApp(t)
	c := x.client()

	// Register: "register success", and logged in.
	res := c.PostForm("/register", url.Values{"name": {"Ada"}, "email": {"Ada@Example.com"}, "password": {testPassword}})
	if res.Status != 200 || !strings.Contains(string(res.Body), "register success") {
		t.Fatalf("register: %d", res.Status)
	}
	if res := c.Get("/account"); res.Status != 200 || !strings.Contains(string(res.Body), "Ada@Example.com") {
		t.Fatalf("account page after registering: %d at %s", res.Status, res.URL)
	}

	// The same email in another case: 422, and nothing made.
	other := x.client()
	res = other.PostForm("/register", url.Values{"name": {"Eve"}, "email": {"ada@example.COM"}, "password": {"another password"}})
	if res.Status != 422 || !strings.Contains(string(res.Body), "An account with this email exists.") {
		t.Fatalf("duplicate email: %d, want 422 saying so", res.Status)
	}
	if strings.Contains(string(res.Body), "another password") {
		t.Error("the refused form sends the password back")
	}
	// A post another site makes the browser send is refused.
	res = other.Do(frameworktest.NewRequest("POST", "/register").Set("Origin", "https://evil.example").
		WithForm(url.Values{"name": {"Eve"}, "email": {"eve@example.com"}, "password": {testPassword}}))
	if res.Status != 403 {
		t.Errorf("cross-site register: %d, want 403", res.Status)
	}

	// Log out: a POST with CSRF.
	c.FollowRedirects = true
	if res := c.PostForm("/logout", url.Values{}); res.Status != 200 || !strings.Contains(string(res.Body), "You are logged out.") {
		t.Fatalf("logout: %d at %s", res.Status, res.URL)
	}
	if res := c.Get("/account"); !strings.HasPrefix(res.URL, "/login") {
		t.Fatalf("account page after logout: %d at %s, want the login page", res.Status, res.URL)
	}

	// A wrong password and an unknown email say the same thing.
	msg := func(email, password string) string {
		res := c.Submit("/login", "/login", url.Values{"email": {email}, "password": {password}})
		if res.Status != 422 {
			t.Fatalf("login %s: %d, want 422", email, res.Status)
		}
		m := regexp.MustCompile(`<div class="form-summary" role="alert" id="login-error">([^<]*)</div>`).FindSubmatch(res.Body)
		if m == nil {
			t.Fatalf("login %s: no message", email)
		}
		return string(m[1])
	}
	wrong, unknown := msg("ada@example.com", "wrong password"), msg("nobody@example.com", testPassword)
	if wrong != unknown || wrong != "Unknown email or wrong password." {
		t.Errorf("wrong password says %q, unknown email %q: want the same", wrong, unknown)
	}

	// Session fixation: the token of the session before login is dead
	// after it.
	c.Get("/login?next=/account")
	before := c.CSRFToken()
	res = c.PostForm("/login", url.Values{"email": {"ADA@example.com"}, "password": {testPassword}, "next": {"/account"}})
	if res.Status != 200 || res.URL != "/account" {
		t.Fatalf("login: %d at %s, want /account", res.Status, res.URL)
	}
	c.FollowRedirects = false
	res = c.PostForm("/logout", url.Values{"_csrf": {before}})
	if res.Status != 403 {
		t.Errorf("logout with the token from before login: %d, want 403 (the session was not renewed)", res.Status)
	}
	// An outside next is ignored.
	if got := c.Get("/login?next=//evil.example/x"); strings.Contains(string(got.Body), "evil.example") {
		t.Error("the login form keeps an outside next")
	}
}

// onBoth runs test on SQLite and on PostgreSQL, as subtests.
func onBoth(t *testing.T, test func(t *testing.T, kind string)) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) { test(t, kind) })
	}
}

func TestOwnership(t *testing.T) { onBoth(t, testOwnership) }

func testOwnership(t *testing.T, kind string) {
	x := newAccountsAppOn(t, kind)
	ada, bob, anon := x.client(), x.client(), x.client()
	signUp(t, ada, "Ada", "ada@example.com")
	signUp(t, bob, "Bob", "bob@example.com")
	ada.FollowRedirects = true
	if res := ada.Submit("/entries/new", "/entries", url.Values{"name": {"Ada"}, "message": {"Ada's entry"}}); res.Status != 200 {
		t.Fatalf("create: %d", res.Status)
	}
	const editLink = `href="/entries/1/edit"`
	if body := string(anon.Get("/entries").Body); strings.Contains(body, `action="/entries"`) || !strings.Contains(body, `id="sign-login"`) {
		t.Error("a visitor gets the entry form rather than the way to log in")
	}
	if !strings.Contains(string(ada.Get("/entries").Body), editLink) || !strings.Contains(string(ada.Get("/entries/1").Body), editLink) {
		t.Error("the author's pages lack the edit button")
	}
	for name, c := range map[string]*frameworktest.Client{"another user": bob, "a visitor": anon} {
		for _, path := range []string{"/entries", "/entries/1"} {
			body := string(c.Get(path).Body)
			if strings.Contains(body, editLink) || strings.Contains(body, `value="DELETE"`) {
				t.Errorf("%s sees edit or delete on %s", name, path)
			}
			if !strings.Contains(body, "Ada&#39;s entry") {
				t.Errorf("%s cannot read %s", name, path)
			}
		}
	}

	// Bob: 403 on every change, over HTML and the API.
	if res := bob.Get("/entries/1/edit"); res.Status != 403 {
		t.Errorf("bob's GET edit: %d, want 403", res.Status)
	}
	bob.Get("/entries")
	if res := bob.PostForm("/entries/1", url.Values{"_method": {"PUT"}, "name": {"Bob"}, "message": {"mine now"}}); res.Status != 403 {
		t.Errorf("bob's PUT: %d, want 403", res.Status)
	}
	if res := bob.PostForm("/entries/1", url.Values{"_method": {"DELETE"}}); res.Status != 403 {
		t.Errorf("bob's DELETE: %d, want 403", res.Status)
	}
	bobToken := newToken(t, bob, "bob's script")
	if res := bearer(bob, bobToken, frameworktest.NewRequest("DELETE", "/api/entries/1")); res.Status != 403 || !strings.Contains(string(res.Body), `"status":403`) {
		t.Errorf("bob's API DELETE: %d %s, want a JSON 403", res.Status, res.Body)
	}
	if res := ada.Get("/entries/1"); !strings.Contains(string(res.Body), "Ada&#39;s entry") {
		t.Fatal("the entry changed")
	}

	// A visitor: reads, and is sent to log in to write; the API says 401.
	anon.FollowRedirects = false
	if res := anon.Get("/entries/new"); res.Status != 303 || !strings.HasPrefix(res.Get("Location"), "/login") {
		t.Errorf("visitor's new entry: %d to %q, want 303 to /login", res.Status, res.Get("Location"))
	}
	anon.Get("/login") // a page with a form: a session and its CSRF token
	if res := anon.PostForm("/entries", url.Values{"name": {"Anon"}, "message": {"x"}}); res.Status != 303 || !strings.HasPrefix(res.Get("Location"), "/login") {
		t.Errorf("visitor's post: %d to %q, want 303 to /login", res.Status, res.Get("Location"))
	}
	for _, req := range []*frameworktest.Request{
		frameworktest.NewRequest("POST", "/api/entries").WithBody("application/json", []byte(`{"name":"a","message":"b"}`)),
		frameworktest.NewRequest("DELETE", "/api/entries/1"),
	} {
		res := x.client().Do(req)
		if res.Status != 401 || !strings.HasPrefix(res.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("anonymous API write: %d, WWW-Authenticate %q; want 401 with a Bearer challenge", res.Status, res.Get("WWW-Authenticate"))
		}
	}

	// Ada may: over the API with her token, after editing over HTML.
	if res := ada.PostForm("/entries/1", url.Values{"_method": {"PUT"}, "name": {"Ada"}, "message": {"Edited."}}); res.Status != 200 {
		t.Errorf("ada's edit: %d", res.Status)
	}
	adaToken := newToken(t, ada, "ada's script")
	if res := bearer(ada, adaToken, frameworktest.NewRequest("DELETE", "/api/entries/1")); res.Status != 204 {
		t.Errorf("ada's API DELETE: %d, want 204", res.Status)
	}
}

func TestTokens(t *testing.T) { onBoth(t, testTokens) }

func testTokens(t *testing.T, kind string) {
	x := newAccountsAppOn(t, kind)
	c := x.client()
	signUp(t, c, "Ada", "ada@example.com")
	token := newToken(t, c, "laptop")
	if res := c.Get("/account"); strings.Contains(string(res.Body), token) || !strings.Contains(string(res.Body), "laptop") {
		t.Error("the account page shows the token again, or not its name")
	}

	// Use: a token needs no CSRF token and no cookie.
	api := x.client()
	res := bearer(api, token, frameworktest.NewRequest("POST", "/api/entries").WithBody("application/json", []byte(`{"name":"Ada","message":"by token"}`)))
	if res.Status != 201 || !strings.Contains(string(res.Body), `"user_id":1`) {
		t.Fatalf("create with a token: %d %s", res.Status, res.Body)
	}

	// The session cookie on the API: CSRF applies. A cross-site post is
	// refused; our own page's script, with the header token, passes.
	c.Get("/entries") // a page, for the CSRF token
	post := func(hdr ...string) *frameworktest.Response {
		req := frameworktest.NewRequest("POST", "/api/entries").WithBody("application/json", []byte(`{"name":"Ada","message":"by cookie"}`))
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Set(hdr[i], hdr[i+1])
		}
		return c.Do(req)
	}
	if res := post("Origin", "https://evil.example"); res.Status != 403 {
		t.Errorf("cookie API post from another origin: %d, want 403", res.Status)
	}
	if res := post(); res.Status != 403 {
		t.Errorf("cookie API post without the CSRF header: %d, want 403", res.Status)
	}
	if res := post("X-CSRF-Token", c.CSRFToken()); res.Status != 201 {
		t.Errorf("cookie API post with the CSRF header: %d %s, want 201", res.Status, res.Body)
	}

	// Revoke: the token stops working at once.
	id := regexp.MustCompile(`id="token-(\d+)"`).FindSubmatch(c.Get("/account").Body)
	if id == nil {
		t.Fatal("no token listed")
	}
	c.FollowRedirects = true
	if res := c.PostForm("/account/tokens/"+string(id[1]), url.Values{"_method": {"DELETE"}}); res.Status != 200 || !strings.Contains(string(res.Body), "The token is revoked.") {
		t.Fatalf("revoke: %d at %s", res.Status, res.URL)
	}
	res = bearer(api, token, frameworktest.NewRequest("GET", "/api/entries"))
	if res.Status != 401 || !strings.Contains(res.Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("a revoked token: %d %q, want 401 invalid_token", res.Status, res.Get("WWW-Authenticate"))
	}
	if res := bearer(api, "gu_made-up", frameworktest.NewRequest("GET", "/api/entries")); res.Status != 401 {
		t.Errorf("a made-up token: %d, want 401", res.Status)
	}
}

// TestPasswordNeverShows runs registration, a failed and a good login,
// then looks for the password in every response, the log and the
// database files: it must be nowhere, and the hash in no response or log.
func TestPasswordNeverShows(t *testing.T) {
	const secret = "Tr0ub4dor&3-unique-secret"
	x := newAccountsApp(t)
	c := x.client()
	var seen bytes.Buffer
	keep := func(res *frameworktest.Response) { seen.Write(res.Raw) }
	keep(c.PostForm("/register", url.Values{"name": {"Ada"}, "email": {"ada@example.com"}, "password": {secret}}))
	keep(c.PostForm("/register", url.Values{"name": {"Ada"}, "email": {"ada@example.com"}, "password": {secret}})) // 422
	keep(c.PostForm("/register", url.Values{"name": {""}, "email": {"x"}, "password": {secret}}))                  // 422
	keep(c.Get("/login"))
	keep(c.PostForm("/login", url.Values{"email": {"ada@example.com"}, "password": {secret + "x"}}))
	keep(c.PostForm("/login", url.Values{"email": {"ada@example.com"}, "password": {secret}}))
	keep(c.Get("/account"))
	keep(c.Do(frameworktest.NewRequest("GET", "/api/entries")))

	var hash string
	if err := x.a.db.QueryRow(`SELECT password_hash FROM users`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	x.a.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	files, _ := filepath.Glob(x.dbPath + "*")
	var stored []byte
	for _, f := range files {
		b, _ := os.ReadFile(f)
		stored = append(stored, b...)
	}
	for _, where := range []struct {
		name string
		text []byte
	}{{"a response", seen.Bytes()}, {"the log", []byte(x.logs.String())}, {"the database", stored}} {
		if bytes.Contains(where.text, []byte(secret)) {
			t.Errorf("the password is in %s", where.name)
		}
		if where.name != "the database" && bytes.Contains(where.text, []byte(hash)) {
			t.Errorf("the hash is in %s", where.name)
		}
	}
	if !bytes.Contains(stored, []byte("$argon2id$")) {
		t.Error("no argon2id hash in the database files: did the test read them?")
	}
}

// TestLoginLimiter runs a bounded brute-force loop against one account
// from one address: five wrong passwords are refused as such, the sixth
// locks the account and the address, and while locked even the right
// password gets 429 with Retry-After.
func TestLoginLimiter(t *testing.T) {
	x := newAccountsApp(t)
	c := x.client()
	signUp(t, c, "Ada", "ada@example.com")
	attacker := x.client()
	attacker.Get("/login")
	counts := map[int]int{}
	for i := 0; i < 20; i++ {
		res := attacker.PostForm("/login", url.Values{"email": {"ada@example.com"}, "password": {fmt.Sprintf("guess %d", i)}})
		counts[res.Status]++
		if res.Status == 429 && res.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
	}
	t.Logf("20 guesses in a row: %d checked (422), %d refused unchecked (429)", counts[422], counts[429])
	if counts[422] != 6 || counts[429] != 14 {
		t.Errorf("statuses %v, want 6 checked and 14 refused", counts)
	}
	// The owner, with the right password, is locked out too until the
	// lock ends: the price of a per-account limit, bounded by its cap.
	owner := x.client()
	owner.Get("/login")
	if res := owner.PostForm("/login", url.Values{"email": {"ada@example.com"}, "password": {testPassword}}); res.Status != 429 {
		t.Errorf("the right password during the lock: %d, want 429", res.Status)
	}
}
