package http1

import (
	"bytes"
	"fmt"
	"reflect"
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

// Heads parsed through an Arena are the heads Parse gives, and stay
// intact when the caller's buffer is reused and the arena moves on.
func TestArenaParse(t *testing.T) {
	var a Arena
	type kept struct {
		h    Head
		want Head
	}
	var all []kept
	buf := make([]byte, 0, 4096)
	for i := range 300 {
		req := fmt.Sprintf("GET /p/%d?q=%d HTTP/1.1\r\nHost: example.com\r\nX-N: %s\r\n\r\n", i, i, strings.Repeat("v", i%700))
		buf = append(buf[:0], req...)
		var h, want Head
		n, err := a.Parse(buf, Limits{}, &h)
		n2, err2 := Parse([]byte(req), Limits{}, &want)
		if n != n2 || err != err2 {
			t.Fatalf("%d: Arena.Parse = %d, %v; Parse = %d, %v", i, n, err, n2, err2)
		}
		for j := range buf {
			buf[j] = '#' // the caller reuses its buffer
		}
		all = append(all, kept{h, want})
	}
	for i, k := range all {
		if !reflect.DeepEqual(k.h, k.want) {
			t.Fatalf("head %d changed:\n%+v\nwant\n%+v", i, k.h, k.want)
		}
	}
}
