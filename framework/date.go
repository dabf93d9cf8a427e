package framework

import (
	"sync"
	"sync/atomic"
	"time"
)

// The Date field (RFC 9110 §6.6.1) goes on every response, and reading
// the clock costs more than the rest of a small response's head. While a
// Server has a connection open or a Serve running, a timer rebuilds the
// field once a second, at the turn of the second, and responses copy the
// prebuilt line. The timer needs no goroutine of its own between ticks,
// and it stops with the last connection. Every response is written on a
// connection, so the line is always there when one is.

// dateLine is a prebuilt "Date: ...\r\n" field for one second.
type dateLine struct {
	unix int64
	line []byte
}

var dateClock struct {
	line atomic.Pointer[dateLine] // kept by the timer while there are users

	mu    sync.Mutex
	users int // Serve loops and open connections
	timer *time.Timer
}

func makeDateLine(now time.Time) *dateLine {
	line := append([]byte("Date: "), now.UTC().AppendFormat(nil, TimeFormat)...)
	return &dateLine{unix: now.Unix(), line: append(line, "\r\n"...)}
}

// startDateClock is called when a Serve starts and when a connection opens.
func startDateClock() {
	dateClock.mu.Lock()
	defer dateClock.mu.Unlock()
	dateClock.users++
	if dateClock.users == 1 {
		tickDate()
	}
}

// stopDateClock is called when a Serve returns and when a connection ends.
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

// appendDate appends the Date field line. It is called only while a
// connection is open, which keeps the clock running.
func appendDate(dst []byte) []byte {
	return append(dst, dateClock.line.Load().line...)
}
