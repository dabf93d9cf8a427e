package http1

import "unsafe"

// An Arena copies request heads into shared blocks, so that a connection
// serving many small requests makes one allocation per block instead of
// one per head. Each head is still one immutable string: the bytes of a
// block are written once, at an offset no earlier string covers, and never
// changed after. The price is that a string a handler keeps (a header
// value in a cache, say) keeps its whole block alive, as any substring
// keeps its string alive.
//
// An Arena belongs to one goroutine at a time. The zero Arena is ready to
// use.
type Arena struct {
	free []byte // the unwritten tail of the current block

	// sc is the fast path's record of the head being parsed, kept here
	// so that a connection's parse does not zero its 280 bytes each time
	// (scratch resets the few fields that need it).
	sc scan
}

// scratch returns a's scan, ready for scan.head, or a new one for a nil
// a. Of a reused scan, head reads only what it wrote itself for the head
// at hand, but n, partial and hostChecked, which it updates.
func (a *Arena) scratch() *scan {
	if a == nil {
		return new(scan)
	}
	a.sc.n, a.sc.partial, a.sc.hostChecked = 0, 0, false
	return &a.sc
}

const (
	arenaBlock = 2 << 10        // bytes per block
	arenaLimit = arenaBlock / 4 // larger heads get their own allocation
)

// Copy returns b as a string that shares no memory with b.
func (a *Arena) Copy(b []byte) string {
	if a == nil || len(b) > arenaLimit {
		return string(b)
	}
	if len(b) == 0 {
		return ""
	}
	if len(b) > len(a.free) {
		a.free = make([]byte, arenaBlock)
	}
	n := copy(a.free, b)
	s := unsafe.String(&a.free[0], n)
	a.free = a.free[n:]
	return s
}

// Release drops the current block, so that an Arena kept in a pool pins
// no request's bytes.
func (a *Arena) Release() { a.free = nil }
