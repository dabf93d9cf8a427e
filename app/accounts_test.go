package main

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/groundup-go/groundup/framework/frameworktest"
)

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
