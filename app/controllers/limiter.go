package controllers

import (
	"sync"
	"time"
)

// Limiter slows down repeated failures under one key (a client address,
// an account's email): the first Free failures cost nothing; each later
// one locks the key for Base, doubling each time up to Max. A key
// forgotten for an hour starts over, and a success resets it. It holds at
// most MaxKeys keys: when full, it drops idle keys, then the one that
// failed longest ago, so memory stays bounded whatever an attacker sends.
//
// It lives in one process. Several instances each keep their own counts,
// so an attacker spread over n of them gets n times the attempts; a
// shared store (a table, or Redis) would make the limit global.
type Limiter struct {
	Free    int           // failures allowed before any lock
	Base    time.Duration // the first lock
	Max     time.Duration // the longest lock
	MaxKeys int

	mu   sync.Mutex
	keys map[string]*attempts
	now  func() time.Time
}

type attempts struct {
	fails int
	until time.Time // locked until
	last  time.Time // the last failure
}

// forgetAfter is how long a key's failures are remembered.
const forgetAfter = time.Hour

// NewLimiter returns a Limiter with the app's policy: 5 free failures,
// then locks of 1 s, 2 s, 4 s ... up to 15 minutes, over at most 10,000
// keys.
func NewLimiter() *Limiter {
	return &Limiter{Free: 5, Base: time.Second, Max: 15 * time.Minute, MaxKeys: 10_000, now: time.Now}
}

// Wait returns how long the most locked of keys stays locked; 0 when
// none is.
func (l *Limiter) Wait(keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var wait time.Duration
	for _, k := range keys {
		if a := l.keys[k]; a != nil && a.until.After(now) {
			wait = max(wait, a.until.Sub(now))
		}
	}
	return wait
}

// Fail counts a failure under each of keys.
func (l *Limiter) Fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if l.keys == nil {
		l.keys = make(map[string]*attempts)
	}
	for _, k := range keys {
		a := l.keys[k]
		if a != nil && now.Sub(a.last) > forgetAfter {
			a = nil
		}
		if a == nil {
			l.makeRoom(now)
			a = &attempts{}
			l.keys[k] = a
		}
		a.fails++
		a.last = now
		if over := a.fails - l.Free; over > 0 {
			lock := l.Max
			if over <= 30 {
				lock = min(l.Base<<(over-1), l.Max)
			}
			a.until = now.Add(lock)
		}
	}
}

// Reset forgets keys' failures: a successful login clears its account.
func (l *Limiter) Reset(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		delete(l.keys, k)
	}
}

// Len returns how many keys the limiter holds.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// makeRoom drops keys until there is room for one more. Called with mu
// held.
func (l *Limiter) makeRoom(now time.Time) {
	if len(l.keys) < max(l.MaxKeys, 1) {
		return
	}
	var oldest string
	var oldestAt time.Time
	for k, a := range l.keys {
		if now.Sub(a.last) > forgetAfter && !a.until.After(now) {
			delete(l.keys, k)
			continue
		}
		if oldest == "" || a.last.Before(oldestAt) {
			oldest, oldestAt = k, a.last
		}
	}
	if len(l.keys) >= max(l.MaxKeys, 1) {
		delete(l.keys, oldest)
	}
}
