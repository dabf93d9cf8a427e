package framework

import "math/bits"

// The static table: the routes without parameters, found by their exact
// path before any tree is asked.
//
// A route without parameters is the most specific match there is: no
// parameter or catch-all route, in any tree, can take a path from the
// route whose pattern equals it byte for byte (see beats), and two such
// routes of one method would be duplicates. So when the table holds the
// path and the method, that is the router's decision, and the trees have
// nothing to add. httprouter would have found the same route, at a price:
// its Lookup first finds the method's tree in a map (hashing the method
// name), then walks the tree node by node, comparing each node's piece of
// the path, about 380 instructions for "/plaintext". The table hashes the
// path a word at a time, looks in one slot, and compares once.
//
// A miss costs a few instructions (the filter below settles most), at
// most the hash and a probe or two, and leaves everything to the trees,
// as before: parameters, catch-alls, the redirects (a trailing slash is a
// different path, so "/plaintext/" misses), 405 and OPTIONS (a path the
// table holds under other methods only misses too).
//
// What the table holds is fixed by the routes, not by requests: Handle
// adds to it, and a request only reads it.

// staticTable maps the paths of the routes without parameters to their
// routes. It is a hash table with open addressing: slots[i] holds the
// entry whose hash picks slot i, or, when that slot was taken, the next
// free one after it (linear probing).
type staticTable struct {
	// slots has a power-of-two length, at least twice the number of
	// entries; nil marks a free slot.
	slots []*staticPath
	shift uint // 64 - log2(len(slots)): the hash's top bits pick a slot
	// reach is the farthest any entry lies from the slot its hash picks.
	// A lookup looks no farther, so it is bounded whatever the path.
	reach int
	paths []*staticPath // every entry, for rebuilding the slots
	// filter has bit staticKey(p) set for every path p in the table: a
	// path whose bit is clear is not in it, which a lookup learns in a few
	// instructions, without hashing the path. Most requests for a route
	// with parameters miss the table that way.
	filter [4]uint64
	// headParam: some HEAD route has a parameter. A HEAD request for a
	// path with only a GET route in the table may match it, and must then
	// be left to the trees; otherwise it falls back to the GET route here.
	headParam bool
}

// staticPath is one path of the table and its routes, one per method.
// GET and HEAD, the methods most requests use, have their own fields,
// so that finding them is one string switch, not a loop.
type staticPath struct {
	path      string
	get, head *Route
	others    []*Route // the other methods
}

// maxReach bounds how far from its slot an entry may lie: when one would
// lie farther, the table doubles. With at most half the slots taken,
// that is rare.
const maxReach = 3

// inStaticTable reports whether r can be answered from the static table:
// it has no parameter, and nothing the router checks before matching
// concerns its path. The error pages' stylesheet is the framework's own
// (decideSpecial), and a path with a dot segment may redirect to its
// clean form first (decide).
func inStaticTable(r *Route) bool {
	return r.static && r.Path != ErrorCSSPath && !hasDotSegment(r.Path)
}

// add puts r in the table, or notes what it changes for the HEAD
// fallback when it has parameters.
func (t *staticTable) add(r *Route) {
	if !inStaticTable(r) {
		if r.Method == "HEAD" && !r.static {
			t.headParam = true
		}
		return
	}
	k := staticKey(r.Path)
	t.filter[k/64] |= 1 << (k % 64)
	i, found := t.slot(r.Path)
	if !found {
		e := &staticPath{path: r.Path}
		t.paths = append(t.paths, e)
		// The free slot that slot returned will do, when it is within
		// reach and the table stays at most half full; else rebuild.
		placed := false
		if len(t.slots) >= 2*len(t.paths) {
			mask := len(t.slots) - 1
			if d := (i - int(staticHash(e.path)>>t.shift)) & mask; d <= maxReach {
				t.slots[i] = e
				t.reach = max(t.reach, d)
				placed = true
			}
		}
		if !placed {
			t.rebuild()
		}
		i, _ = t.slot(r.Path)
	}
	e := t.slots[i]
	switch r.Method {
	case "GET":
		e.get = r
	case "HEAD":
		e.head = r
	default:
		e.others = append(e.others, r)
	}
}

// rebuild places every entry again in a table large enough that each
// lies within maxReach of its slot. It starts at four slots per entry
// and doubles; a table 64 times the entries stops the search, and then
// takes the reach it gets, which only makes lookups a few probes longer.
func (t *staticTable) rebuild() {
	for size := max(8, 1<<bits.Len(uint(4*len(t.paths)-1))); ; size *= 2 {
		t.slots = make([]*staticPath, size)
		t.shift = uint(64 - bits.TrailingZeros(uint(size)))
		t.reach = 0
		ok := true
		for _, e := range t.paths {
			home := int(staticHash(e.path) >> t.shift)
			i := home
			for t.slots[i] != nil {
				i = (i + 1) & (size - 1)
			}
			t.slots[i] = e
			d := (i - home) & (size - 1)
			t.reach = max(t.reach, d)
			ok = ok && d <= maxReach
		}
		if ok || size >= 64*len(t.paths) {
			return
		}
	}
}

// slot returns the slot that holds path, and true; or, when the table
// does not hold it, the first free slot a lookup would pass, and false.
func (t *staticTable) slot(path string) (int, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	mask := len(t.slots) - 1
	i := int(staticHash(path) >> t.shift)
	for range t.reach + 1 {
		e := t.slots[i]
		if e == nil {
			return i, false
		}
		if e.path == path {
			return i, true
		}
		i = (i + 1) & mask
	}
	for range len(t.slots) { // past the reach: the free slot for add
		if t.slots[i] == nil {
			break
		}
		i = (i + 1) & mask
	}
	return i, false
}

// find returns the route of method for path, or nil when the table does
// not decide: the path has no route without parameters, or not under this
// method. It is slot, cut to what a request needs.
func (t *staticTable) find(method, path string) *Route {
	if path == "" {
		return nil
	}
	if k := staticKey(path); t.filter[k/64]&(1<<(k%64)) == 0 {
		return nil
	}
	mask := len(t.slots) - 1
	i := int(staticHash(path) >> t.shift)
	for range t.reach + 1 {
		e := t.slots[i]
		if e == nil {
			return nil
		}
		if e.path == path {
			return e.route(method, t.headParam)
		}
		i = (i + 1) & mask
	}
	return nil
}

// route returns the path's route of method. A HEAD request takes the
// path's HEAD route, or else its GET route, as the trees would (decide),
// unless a HEAD route with a parameter might match the path first.
func (e *staticPath) route(method string, headParam bool) *Route {
	switch method {
	case "GET":
		return e.get
	case "HEAD":
		if e.head != nil || headParam {
			return e.head
		}
		return e.get
	}
	for _, r := range e.others {
		if r.Method == method {
			return r
		}
	}
	return nil
}

// staticKey picks the path's bit in the filter, from its length and its
// last byte, which are cheap to read and differ between most paths. path
// is not empty.
func staticKey(path string) uint8 {
	return uint8(len(path)<<3) ^ path[len(path)-1]
}

// staticHash hashes a path for the static table. It reads the path eight
// bytes at a time (the compiler turns load64 into one load), so a
// typical path costs two or three multiplications, where hashing byte by
// byte would cost one per byte. Every byte counts: the words cover the
// path (the last one may overlap the one before), and the length is mixed
// in, so two paths differ in some word or in length. The table uses the
// top bits, which a multiplication mixes best.
func staticHash(path string) uint64 {
	const k0, k1 = 0x9e3779b97f4a7c15, 0xbf58476d1ce4e5b9
	n := len(path)
	h := uint64(n) * k0
	switch {
	case n >= 8:
		for s := path; len(s) > 8; s = s[8:] {
			h = (h ^ load64(s)) * k1
		}
		h = (h ^ load64(path[n-8:])) * k1
	case n >= 4:
		h = (h ^ uint64(load32(path))<<32 ^ uint64(load32(path[n-4:]))) * k1
	case n > 0:
		h = (h ^ uint64(path[0])<<16 ^ uint64(path[n/2])<<8 ^ uint64(path[n-1])) * k1
	}
	return h
}

// load64 reads the first eight bytes of s as a little-endian word.
func load64(s string) uint64 {
	_ = s[7] // one bounds check for the eight reads
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// load32 reads the first four bytes of s as a little-endian word.
func load32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}
