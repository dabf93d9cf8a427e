package framework

import (
	"encoding/binary"
	"fmt"
	"testing"
)

// TestStaticTableFindsEveryPath fills tables of several sizes with
// paths that share long beginnings and ends, as real route sets do, and
// checks that each path is found under its method, that near misses are
// not, and that no entry lies farther from its slot than the table's
// bound.
func TestStaticTableFindsEveryPath(t *testing.T) {
	for _, n := range []int{1, 2, 7, 8, 100, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var tab staticTable
			var paths []string
			for i := range n {
				p := fmt.Sprintf("/api/v1/resource-%d/items/list", i)
				if i%3 == 1 {
					p = fmt.Sprintf("/%d", i) // short paths: the other hash branches
				}
				paths = append(paths, p)
				tab.add(&Route{Method: "GET", Path: p, static: true})
				tab.add(&Route{Method: "PATCH", Path: p, static: true})
			}
			if tab.reach > maxReach {
				t.Errorf("reach %d over %d entries (%d slots)", tab.reach, n, len(tab.slots))
			}
			if len(tab.slots) < 2*n {
				t.Errorf("%d slots for %d entries: more than half full", len(tab.slots), n)
			}
			for _, p := range paths {
				for _, m := range []string{"GET", "HEAD", "PATCH"} {
					want := m
					if m == "HEAD" {
						want = "GET" // the fallback
					}
					if r := tab.find(m, p); r == nil || r.Path != p || r.Method != want {
						t.Fatalf("find(%s, %s) = %v", m, p, r)
					}
				}
				for _, miss := range []string{p + "/", p[:len(p)-1], p + "x", "/x" + p[1:]} {
					if r := tab.find("GET", miss); r != nil && r.Path != miss {
						t.Fatalf("find(GET, %s) = %s", miss, r.Path)
					}
				}
				if r := tab.find("POST", p); r != nil {
					t.Fatalf("find(POST, %s) = %v: no such route", p, r)
				}
			}
		})
	}
}

func TestStaticTableEmptyAndShortPaths(t *testing.T) {
	var tab staticTable
	for _, p := range []string{"", "/", "/a", "/ab", "/abc"} {
		if r := tab.find("GET", p); r != nil {
			t.Errorf("empty table: find(GET, %q) = %v", p, r)
		}
	}
	for _, p := range []string{"/", "/a", "/ab", "/abc", "/abcd", "/abcdefg"} {
		tab.add(&Route{Method: "GET", Path: p, static: true})
	}
	for _, p := range []string{"/", "/a", "/ab", "/abc", "/abcd", "/abcdefg"} {
		if r := tab.find("GET", p); r == nil || r.Path != p {
			t.Errorf("find(GET, %q) = %v", p, r)
		}
	}
	for _, p := range []string{"", "/b", "/ba", "/abd", "/abce", "/abcdefh", "//"} {
		if r := tab.find("GET", p); r != nil {
			t.Errorf("find(GET, %q) = %v", p, r.Path)
		}
	}
}

func TestStaticLoads(t *testing.T) {
	s := "\x01\x02\x03\x04\x05\x06\x07\x08\x09"
	if got, want := load64(s), binary.LittleEndian.Uint64([]byte(s)); got != want {
		t.Errorf("load64 = %#x, want %#x", got, want)
	}
	if got, want := load32(s[5:]), binary.LittleEndian.Uint32([]byte(s[5:])); got != want {
		t.Errorf("load32 = %#x, want %#x", got, want)
	}
}

// BenchmarkStaticFind times a hit, a miss that the filter answers, and
// one that passes the filter (same length and last byte as /plaintext).
func BenchmarkStaticFind(b *testing.B) {
	var tab staticTable
	for _, p := range []string{"/plaintext", "/json", "/page", "/bytes/13", "/bytes/1k", "/bytes/64k", "/entries", "/entries/new"} {
		tab.add(&Route{Method: "GET", Path: p, static: true})
	}
	for _, p := range []string{"/plaintext", "/user/gopher", "/plainzext"} {
		b.Run(p, func(b *testing.B) {
			for b.Loop() {
				tab.find("GET", p)
			}
		})
	}
}
