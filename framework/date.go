package framework

import (
	"sync"
	"sync/atomic"
	"time"
)

// The Date field (RFC 9110 §6.6.1) goes on every response, and reading
// the clock costs more than the rest of a small response's head. While a
// Server is serving, a timer rebuilds the field once a second, at the turn
// of the second, and responses copy the prebuilt line. The timer needs no
// goroutine of its own between ticks, and it stops when the last Serve
// returns. Without a running server (ServeBytes in tests), the line is
// checked against the clock on each use.

// dateLine is a prebuilt "Date: ...\r\n" field for one second.
type dateLine struct {
	unix int64
	line []byte
}

var dateClock struct {
	line atomic.Pointer[dateLine] // kept by the timer while servers serve
	read atomic.Pointer[dateLine] // the last line built by reading the clock

	mu    sync.Mutex
	users int // servers serving
	timer *time.Timer
}

func makeDateLine(now time.Time) *dateLine {
	line := append([]byte("Date: "), now.UTC().AppendFormat(nil, TimeFormat)...)
	return &dateLine{unix: now.Unix(), line: append(line, "\r\n"...)}
}

// startDateClock is called when a Server starts serving.
func startDateClock() {
	dateClock.mu.Lock()
	defer dateClock.mu.Unlock()
	dateClock.users++
	if dateClock.users == 1 {
		tickDate()
	}
}

// stopDateClock is called when a Serve returns.
func stopDateClock() {
	dateClock.mu.Lock()
	defer dateClock.mu.Unlock()
	dateClock.users--
	if dateClock.users == 0 {
		dateClock.timer.Stop()
		dateClock.timer = nil
		dateClock.line.Store(nil)
	}
}

// tickDate stores the current second's line and arms the timer for the
// next second. dateClock.mu is held.
func tickDate() {
	now := time.Now()
	dateClock.line.Store(makeDateLine(now))
	next := now.Truncate(time.Second).Add(time.Second).Sub(now)
	dateClock.timer = time.AfterFunc(next, func() {
		dateClock.mu.Lock()
		defer dateClock.mu.Unlock()
		if dateClock.users > 0 {
			tickDate()
		}
	})
}

// appendDate appends the Date field line.
func appendDate(dst []byte) []byte {
	d := dateClock.line.Load()
	if d == nil {
		// No server is ticking the clock: read it, and rebuild the
		// line at most once a second.
		now := time.Now()
		d = dateClock.read.Load()
		if d == nil || d.unix != now.Unix() {
			d = makeDateLine(now)
			dateClock.read.Store(d)
		}
	}
	return append(dst, d.line...)
}
