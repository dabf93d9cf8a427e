package session

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/groundup-go/groundup/framework"
)

// The cookie codec: a session's payload, signed with HMAC-SHA256 under
// the newest key and checked against every key (rotation), with its issue
// and last-seen times checked against Lifetime and IdleTimeout.

// sessionStore is a Config checked and filled in.
type sessionStore struct {
	keys     [][]byte
	name     string
	path     string
	maxAge   time.Duration
	lifetime time.Duration
	idle     time.Duration
	secure   bool
	sameSite framework.SameSite
}

func newSessionStore(cfg Config) *sessionStore {
	if len(cfg.Keys) == 0 {
		panic("groundup: session.Config.Keys is empty: give at least one key of 32 random bytes")
	}
	st := &sessionStore{
		name:     cfg.CookieName,
		path:     cfg.Path,
		maxAge:   cfg.MaxAge,
		lifetime: cmp.Or(cfg.Lifetime, DefaultLifetime),
		idle:     cmp.Or(cfg.IdleTimeout, DefaultIdleTimeout),
		secure:   cfg.Secure,
		sameSite: cfg.SameSite,
	}
	for i, k := range cfg.Keys {
		if len(k) < 32 {
			panic(fmt.Sprintf("groundup: session.Config.Keys[%d] is %d bytes; each key needs at least 32 random bytes", i, len(k)))
		}
		st.keys = append(st.keys, append([]byte(nil), k...))
	}
	if st.name == "" {
		st.name = DefaultCookieName
	}
	if st.path == "" {
		st.path = "/"
	}
	if st.sameSite == framework.SameSiteDefault {
		st.sameSite = framework.SameSiteLax
	}
	if st.maxAge < 0 || st.lifetime < 0 || st.idle < 0 {
		panic("groundup: session.Config: MaxAge, Lifetime and IdleTimeout must not be negative")
	}
	probe := framework.Cookie{Name: st.name, Path: st.path, Secure: st.secure}
	if err := probe.Valid(); err != nil {
		panic("groundup: session.Config: " + err.Error())
	}
	return st
}

// sessionPayload is what the cookie carries.
type sessionPayload struct {
	Values  map[string]string `json:"v,omitempty"`
	Flashes []Flash           `json:"f,omitempty"`
	Issued  int64             `json:"iat"`            // Unix seconds when the session began
	Seen    int64             `json:"seen,omitempty"` // Unix seconds when the cookie was last written; Issued when 0
}

// decode verifies and decodes a cookie value. It returns the payload and
// the index of the key that verified it, or the reason it was refused.
func (st *sessionStore) decode(value string, now time.Time) (p sessionPayload, signer int, reason string) {
	if len(value) > maxSessionCookie {
		return p, 0, "oversized"
	}
	enc, sig, ok := strings.Cut(value, ".")
	if !ok || enc == "" {
		return p, 0, "malformed"
	}
	var mac [sha256.Size]byte
	// Length first: Decode writes DecodedLen(len(sig)) bytes into mac.
	if len(sig) != base64.RawURLEncoding.EncodedLen(len(mac)) {
		return p, 0, "malformed signature"
	}
	if _, err := b64Strict.Decode(mac[:], []byte(sig)); err != nil {
		return p, 0, "malformed signature"
	}
	signer = -1
	for i, key := range st.keys {
		if hmac.Equal(st.sign(key, enc), mac[:]) {
			signer = i
			break
		}
	}
	if signer < 0 {
		return p, 0, "bad signature"
	}
	raw, err := b64Strict.DecodeString(enc)
	if err != nil {
		return p, 0, "malformed payload"
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, 0, "malformed payload"
	}
	issued, seen := time.Unix(p.Issued, 0), time.Unix(p.lastSeen(), 0)
	if p.Issued <= 0 || issued.After(now.Add(sessionSkew)) {
		return p, 0, "bad issued-at time"
	}
	if seen.Before(issued) || seen.After(now.Add(sessionSkew)) {
		return p, 0, "bad last-seen time"
	}
	switch {
	case now.Sub(issued) > st.lifetime:
		return p, 0, "expired: older than the session lifetime"
	case now.Sub(seen) > st.idle:
		return p, 0, "expired: idle too long"
	case st.maxAge > 0 && now.Sub(seen) > st.maxAge:
		return p, 0, "expired: older than MaxAge"
	}
	return p, signer, ""
}

// lastSeen is when the cookie was last written: Seen, or Issued in a
// cookie written before Seen existed.
func (p *sessionPayload) lastSeen() int64 {
	if p.Seen == 0 {
		return p.Issued
	}
	return p.Seen
}

// sign computes the cookie's MAC of enc under key.
func (st *sessionStore) sign(key []byte, enc string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(st.name))
	m.Write([]byte{'|'})
	m.Write([]byte(enc))
	return m.Sum(nil)
}

// encode builds the signed cookie value.
func (st *sessionStore) encode(p *sessionPayload) (string, error) {
	raw, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding.EncodeToString(raw)
	return enc + "." + base64.RawURLEncoding.EncodeToString(st.sign(st.keys[0], enc)), nil
}
