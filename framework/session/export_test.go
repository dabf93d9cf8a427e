package session

import "time"

// Hooks into the cookie codec for the external tests, which forge,
// tamper with and age cookie values.

// Store is a Config checked and filled in.
type Store = sessionStore

// Payload is what the session cookie carries.
type Payload = sessionPayload

// NewStore checks cfg as Sessions does.
func NewStore(cfg Config) *Store { return newSessionStore(cfg) }

// Encode signs p into a cookie value.
func (st *sessionStore) Encode(p *Payload) (string, error) { return st.encode(p) }

// Decode verifies a cookie value: the payload, the index of the key that
// verified it, or the reason it was refused.
func (st *sessionStore) Decode(value string, now time.Time) (Payload, int, string) {
	return st.decode(value, now)
}

// Sign returns the MAC of enc under the signing key, for forging a value
// whose signature is right but whose payload is not.
func (st *sessionStore) Sign(enc string) []byte { return st.sign(st.keys[0], enc) }
