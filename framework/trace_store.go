package framework

import (
	"strconv"
	"sync"
	"sync/atomic"
)

// Defaults of a TraceStore's bounds.
const (
	DefaultTraceCount = 100      // traces kept
	DefaultTraceBytes = 16 << 20 // their total size, roughly
)

// TraceStore keeps the most recent request traces. Set it as
// Server.Trace to record traces and as App.Traces to browse them at
// /_groundup/requests (dev mode only). The zero value is ready to use,
// with the default bounds. It is safe for concurrent use.
type TraceStore struct {
	// Max is how many traces are kept; DefaultTraceCount when zero.
	Max int
	// MaxBytes bounds their total size; DefaultTraceBytes when zero. The
	// oldest traces go first.
	MaxBytes int
	// AllowRemote lets clients other than loopback ones see the trace
	// pages. Traces show request bytes: leave it off unless the dev
	// server is on a trusted network.
	AllowRemote bool

	seq   atomic.Uint64
	mu    sync.Mutex
	ring  []*Trace // oldest first
	bytes int
}

func (s *TraceStore) nextID() string {
	return strconv.FormatUint(s.seq.Add(1), 10)
}

func (s *TraceStore) add(t *Trace) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ring = append(s.ring, t)
	s.bytes += t.size
	maxN, maxB := orDefault(s.Max, DefaultTraceCount), orDefault(s.MaxBytes, DefaultTraceBytes)
	drop := 0
	for len(s.ring)-drop > 1 && (len(s.ring)-drop > maxN || s.bytes > maxB) {
		s.bytes -= s.ring[drop].size
		drop++
	}
	if drop > 0 {
		n := copy(s.ring, s.ring[drop:])
		clear(s.ring[n:])
		s.ring = s.ring[:n]
	}
}

// List returns the kept traces, newest first.
func (s *TraceStore) List() []*Trace {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Trace, len(s.ring))
	for i, t := range s.ring {
		out[len(s.ring)-1-i] = t
	}
	return out
}

// Get returns the trace with the given ID, or nil when it is not kept.
func (s *TraceStore) Get(id string) *Trace {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.ring {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// Last returns the newest trace, or nil.
func (s *TraceStore) Last() *Trace {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ring) == 0 {
		return nil
	}
	return s.ring[len(s.ring)-1]
}

// Len reports how many traces are kept and their total size.
func (s *TraceStore) Len() (n, bytes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ring), s.bytes
}
