package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Errors the account functions return.
var (
	// ErrEmailTaken is returned by CreateUser when another account has
	// the email, in any case.
	ErrEmailTaken = errors.New("models: an account with this email exists")
	// ErrBadCredentials is returned by Authenticate for an unknown email
	// and for a wrong password alike.
	ErrBadCredentials = errors.New("models: unknown email or wrong password")
)

// User is an account. It holds no password: the hash stays in the
// database and in this file.
type User struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
}

// Argon2id parameters, the ones RFC 9106 §4 and the OWASP password cheat
// sheet give for a memory-constrained server: 19 MiB, two passes, one
// lane. One hash costs about 19 MiB for some tens of milliseconds on one
// core; see docs/16-accounts.md for the figures and the reasoning.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// MinPasswordLen and MaxPasswordLen bound a password, in bytes.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 1024
)

// HashPassword returns password hashed with argon2id and a fresh random
// salt, as a PHC string:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// with salt and hash in unpadded standard base64.
func HashPassword(password string) string {
	salt := make([]byte, argonSaltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// CheckPassword reports whether password matches the PHC string phc,
// hashing with the parameters phc names and comparing in constant time.
// A malformed phc matches nothing.
func CheckPassword(phc, password string) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil ||
		m < 8 || m > 1<<20 || t < 1 || t > 10 || p < 1 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) < 16 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against for an unknown email, so that a login
// costs one hash whether or not the account exists.
var dummyHash = HashPassword("not a password anyone has")

// Users is the store of accounts and their API tokens.
type Users struct {
	db  store
	now func() time.Time
}

// NewUsers returns the account store over db.
func NewUsers(db *sql.DB) *Users {
	return &Users{db: newStore(db), now: time.Now}
}

// CreateUser stores an account for the normalized and checked
// registration r, with its password hashed. An email that another
// account has, in any case, is ErrEmailTaken.
func (s *Users) CreateUser(ctx context.Context, r Registration) (User, error) {
	r.Normalize()
	if err := r.Check().Err(); err != nil {
		return User{}, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	u := User{Name: r.Name, Email: r.Email, CreatedAt: now}
	err := s.db.QueryRowContext(ctx, `INSERT INTO users (name, email, password_hash, created_at)
		VALUES (?, ?, ?, ?) RETURNING id`, r.Name, r.Email, HashPassword(r.Password), now.UnixMilli()).Scan(&u.ID)
	if err != nil {
		if s.db.d.unique(err) {
			return User{}, ErrEmailTaken
		}
		return User{}, fmt.Errorf("models: create user: %w", err)
	}
	return u, nil
}

// Authenticate returns the account with email (in any case) and
// password, or ErrBadCredentials. It hashes once either way, so that the
// time taken does not tell whether the email has an account.
func (s *Users) Authenticate(ctx context.Context, email, password string) (User, error) {
	var u User
	var hash string
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT id, name, email, password_hash, created_at
		FROM users WHERE lower(email) = lower(?)`, strings.TrimSpace(email)).Scan(&u.ID, &u.Name, &u.Email, &hash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		CheckPassword(dummyHash, password)
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, fmt.Errorf("models: authenticate: %w", err)
	}
	if !CheckPassword(hash, password) {
		return User{}, ErrBadCredentials
	}
	u.CreatedAt = time.UnixMilli(created).UTC()
	return u, nil
}

// Get returns the account with id, or ErrNotFound.
func (s *Users) Get(ctx context.Context, id int64) (User, error) {
	var u User
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT id, name, email, created_at FROM users WHERE id = ?`, id).
		Scan(&u.ID, &u.Name, &u.Email, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("models: get user %d: %w", id, err)
	}
	u.CreatedAt = time.UnixMilli(created).UTC()
	return u, nil
}

// Token is an API token as its owner sees it listed: never the secret,
// which is shown once when made and stored only as its SHA-256.
type Token struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// TokenPrefix starts every API token, so that a leaked one is easy to
// recognise in a log or a repository.
const TokenPrefix = "gu_"

// MaxTokenNameLen bounds a token's name, in characters.
const MaxTokenNameLen = 80

// tokenHash is what the database keeps of a token: SHA-256, in hex. A
// token is 32 random bytes, so a fast hash is enough: there is nothing to
// guess.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateToken makes an API token for the account userID and returns it,
// in clear, with its listing. The clear token is not kept anywhere.
func (s *Users) CreateToken(ctx context.Context, userID int64, name string) (string, Token, error) {
	name = normalizeText(name)
	errs := Errors{}
	checkText(errs, "name", "Name", name, true, MaxTokenNameLen, false)
	if err := errs.Err(); err != nil {
		return "", Token{}, err
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	now := s.now().UTC().Truncate(time.Millisecond)
	t := Token{Name: name, CreatedAt: now}
	if err := s.db.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at)
		VALUES (?, ?, ?, ?) RETURNING id`, userID, name, tokenHash(secret), now.UnixMilli()).Scan(&t.ID); err != nil {
		return "", Token{}, fmt.Errorf("models: create token: %w", err)
	}
	return secret, t, nil
}

// Tokens lists the account's tokens, newest first.
func (s *Users) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, created_at FROM api_tokens
		WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("models: list tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		var t Token
		var created int64
		if err := rows.Scan(&t.ID, &t.Name, &created); err != nil {
			return nil, fmt.Errorf("models: list tokens: %w", err)
		}
		t.CreatedAt = time.UnixMilli(created).UTC()
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken deletes the account's token id, or returns ErrNotFound
// when the account has no such token.
func (s *Users) RevokeToken(ctx context.Context, userID, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return fmt.Errorf("models: revoke token: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("models: revoke token: %w", err)
	} else if n == 0 {
		return ErrNotFound
	}
	return nil
}

// UserByToken returns the account that token belongs to, or ErrNotFound.
// The lookup is by the token's hash, an indexed equality: its time does
// not depend on how much of a guess is right.
func (s *Users) UserByToken(ctx context.Context, token string) (User, error) {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 100 {
		return User{}, ErrNotFound
	}
	var u User
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT u.id, u.name, u.email, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`, tokenHash(token)).
		Scan(&u.ID, &u.Name, &u.Email, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("models: token lookup: %w", err)
	}
	u.CreatedAt = time.UnixMilli(created).UTC()
	return u, nil
}
