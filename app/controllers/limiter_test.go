package controllers

import (
	"fmt"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when told.
type fakeClock struct{ t time.Time }

func (f *fakeClock) now() time.Time { return f.t }

func TestLimiterLocks(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	l := NewLimiter()
	l.now = clock.now
	tests := []struct {
		fails int
		want  time.Duration
	}{{1, 0}, {5, 0}, {6, time.Second}, {7, 2 * time.Second}, {10, 16 * time.Second}, {15, 512 * time.Second}, {16, 15 * time.Minute}, {60, 15 * time.Minute}}
	done := 0
	for _, tc := range tests {
		for ; done < tc.fails; done++ {
			l.Fail("k")
		}
		if got := l.Wait("k", "other"); got != tc.want {
			t.Errorf("after %d failures: wait %v, want %v", tc.fails, got, tc.want)
		}
	}
	l.Reset("k")
	if l.Wait("k") != 0 {
		t.Error("Reset left a lock")
	}
	// Failures an hour old are forgotten.
	for range 6 {
		l.Fail("k")
	}
	clock.t = clock.t.Add(forgetAfter + time.Second)
	l.Fail("k")
	if got := l.Wait("k"); got != 0 {
		t.Errorf("after an idle hour, one failure locks for %v", got)
	}
}

// TestLimiterBruteForce lets an attacker guess one account's password as
// fast as the limiter allows, waiting out every lock, for one simulated
// hour and one simulated day: the figures docs/16-accounts.md quotes.
func TestLimiterBruteForce(t *testing.T) {
	for _, tc := range []struct {
		span time.Duration
		want int
	}{{time.Hour, 18}, {24 * time.Hour, 110}} {
		clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
		l := NewLimiter()
		l.now = clock.now
		end := clock.t.Add(tc.span)
		guesses := 0
		for i := 0; i < 1_000_000 && clock.t.Before(end); i++ { // bounded
			if w := l.Wait("email:ada@example.com"); w > 0 {
				clock.t = clock.t.Add(w)
				continue
			}
			guesses++
			l.Fail("email:ada@example.com")
		}
		t.Logf("%v of guessing one account: %d passwords tried", tc.span, guesses)
		if guesses != tc.want {
			t.Errorf("%v: %d guesses, want %d", tc.span, guesses, tc.want)
		}
	}
}

func TestLimiterBounded(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	l := NewLimiter()
	l.MaxKeys = 1000
	l.now = clock.now
	for i := range 20_000 { // one failure each from 20,000 addresses
		l.Fail(fmt.Sprintf("addr:10.0.%d.%d", i/256, i%256))
		clock.t = clock.t.Add(time.Millisecond)
	}
	if n := l.Len(); n > 1000 {
		t.Fatalf("the limiter holds %d keys, over its bound of 1000", n)
	}
	// The newest keys are the ones kept.
	for range 6 {
		l.Fail("addr:10.0.78.31")
	}
	if l.Wait("addr:10.0.78.31") == 0 {
		t.Error("a recent key lost its count")
	}
}
