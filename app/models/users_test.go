package models

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	h := HashPassword("correct horse")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not the PHC string expected", h)
	}
	if strings.Contains(h, "correct horse") {
		t.Fatal("the hash holds the password")
	}
	if h == HashPassword("correct horse") {
		t.Error("two hashes of one password are equal: no salt")
	}
	tests := []struct {
		name, phc, password string
		want                bool
	}{
		{"right", h, "correct horse", true},
		{"wrong", h, "correct horsE", false},
		{"empty", h, "", false},
		{"malformed", "$argon2id$v=19$m=x$a$b", "correct horse", false},
		{"other algorithm", strings.Replace(h, "argon2id", "argon2i", 1), "correct horse", false},
		{"huge memory", strings.Replace(h, "m=19456", "m=99999999", 1), "correct horse", false},
		{"nothing", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CheckPassword(tc.phc, tc.password); got != tc.want {
				t.Errorf("CheckPassword = %v, want %v", got, tc.want)
			}
		})
	}
}

func FuzzCheckPassword(f *testing.F) {
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "pw")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, phc, pw string) {
		CheckPassword(phc, pw) // must not panic
	})
}

func TestUsers(t *testing.T) { onEach(t, testUsers) }

func testUsers(t *testing.T, kind string) {
	ctx := context.Background()
	db := openDB(t, kind)
	users := NewUsers(db)
	u, err := users.CreateUser(ctx, Registration{Name: "Ada", Email: "Ada@Example.com", Password: "correct horse"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := users.CreateUser(ctx, Registration{Name: "Eve", Email: "ada@example.COM", Password: "another one"}); !errors.Is(err, ErrEmailTaken) {
		t.Fatalf("duplicate email in another case: %v, want ErrEmailTaken", err)
	}
	var stored string
	if err := db.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = 1`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, "correct horse") || !strings.HasPrefix(stored, "$argon2id$") {
		t.Fatalf("stored password %q", stored)
	}
	if got, err := users.Authenticate(ctx, "ADA@example.com", "correct horse"); err != nil || got.ID != u.ID {
		t.Fatalf("Authenticate = %v, %v", got, err)
	}
	for _, tc := range [][2]string{{"ada@example.com", "wrong"}, {"nobody@example.com", "correct horse"}} {
		if _, err := users.Authenticate(ctx, tc[0], tc[1]); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("Authenticate(%q, %q) = %v, want ErrBadCredentials", tc[0], tc[1], err)
		}
	}

	secret, tok, err := users.CreateToken(ctx, u.ID, "laptop")
	if err != nil || !strings.HasPrefix(secret, TokenPrefix) {
		t.Fatalf("CreateToken = %q, %v", secret, err)
	}
	var n int
	db.QueryRowContext(ctx, `SELECT count(*) FROM api_tokens WHERE token_hash = ?`, secret).Scan(&n)
	if n != 0 {
		t.Fatal("the token is stored in clear")
	}
	if got, err := users.UserByToken(ctx, secret); err != nil || got.ID != u.ID {
		t.Fatalf("UserByToken = %v, %v", got, err)
	}
	if _, err := users.UserByToken(ctx, secret+"x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a wrong token: %v", err)
	}
	if list, err := users.Tokens(ctx, u.ID); err != nil || len(list) != 1 || list[0].Name != "laptop" {
		t.Fatalf("Tokens = %v, %v", list, err)
	}
	if err := users.RevokeToken(ctx, u.ID+1, tok.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoking another's token: %v", err)
	}
	if err := users.RevokeToken(ctx, u.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := users.UserByToken(ctx, secret); !errors.Is(err, ErrNotFound) {
		t.Errorf("a revoked token still works: %v", err)
	}

	// Entries: anonymous ones (those written before accounts) have no
	// author and no one may change them; an author's are the author's.
	entries := NewEntries(db)
	anon, _ := entries.Create(ctx, 0, EntryInput{Name: "old", Message: "from before"})
	mine, err := entries.Create(ctx, u.ID, EntryInput{Name: "Ada", Message: "mine"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := entries.Get(ctx, mine.ID)
	if got.UserID != u.ID || !got.CanChange(u.ID) || got.CanChange(u.ID+1) || got.CanChange(0) {
		t.Errorf("author's entry: %+v", got)
	}
	got, _ = entries.Get(ctx, anon.ID)
	if got.UserID != 0 || got.CanChange(0) || got.CanChange(u.ID) {
		t.Errorf("anonymous entry: %+v", got)
	}
}
