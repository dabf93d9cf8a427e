package http1

import (
	"bytes"
	"strings"
	"testing"
)

func TestArenaCopy(t *testing.T) {
	var a Arena
	buf := []byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	first := a.Copy(buf)
	copy(buf, bytes.Repeat([]byte("x"), len(buf))) // the caller reuses its buffer
	if first != "GET / HTTP/1.1\r\nHost: a\r\n\r\n" {
		t.Fatalf("the copy follows the caller's buffer: %q", first)
	}
	// Strings already handed out never change as the block fills and
	// another block starts.
	var kept []string
	for i := range 200 {
		s := strings.Repeat(string(rune('a'+i%26)), 1+i%100)
		kept = append(kept, a.Copy([]byte(s)))
	}
	for i, s := range kept {
		if want := strings.Repeat(string(rune('a'+i%26)), 1+i%100); s != want {
			t.Fatalf("string %d changed: %q", i, s)
		}
	}
	if first != "GET / HTTP/1.1\r\nHost: a\r\n\r\n" {
		t.Fatalf("first string changed: %q", first)
	}
	big := bytes.Repeat([]byte("b"), arenaLimit+1)
	if s := a.Copy(big); s != string(big) {
		t.Fatal("large copy differs")
	}
	if a.Copy(nil) != "" {
		t.Fatal("empty copy")
	}
	var nilArena *Arena
	if nilArena.Copy([]byte("x")) != "x" {
		t.Fatal("nil Arena copy")
	}
	a.Release()
	if a.free != nil {
		t.Fatal("Release kept the block")
	}
}

func TestArenaAllocs(t *testing.T) {
	var a Arena
	head := []byte("GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	a.Copy(head)
	// A block holds many small heads: most copies allocate nothing.
	if n := testing.AllocsPerRun(100, func() { a.Copy(head) }); n > 0.1 {
		t.Fatalf("%.2f allocations per small copy", n)
	}
}
