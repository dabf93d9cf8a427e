package feed

import (
	"testing"

	"github.com/groundup-go/groundup/app/models"
)

func TestInProcess(t *testing.T) {
	f := NewInProcess()
	a, cancelA := f.Subscribe()
	b, cancelB := f.Subscribe()
	if n := f.Subscribers(); n != 2 {
		t.Fatalf("Subscribers() = %d", n)
	}
	if missed := f.Publish(models.Entry{ID: 1}); missed != 0 {
		t.Errorf("missed %d", missed)
	}
	if e := <-a; e.ID != 1 {
		t.Errorf("a got %d", e.ID)
	}
	if e := <-b; e.ID != 1 {
		t.Errorf("b got %d", e.ID)
	}
	cancelB()
	cancelB() // twice is harmless
	if _, ok := <-b; ok {
		t.Error("b still open after cancel")
	}

	// A subscriber that does not read misses entries past its buffer
	// rather than blocking the publisher.
	for i := range buffer + 3 {
		f.Publish(models.Entry{ID: int64(i)})
	}
	if missed := f.Publish(models.Entry{ID: 99}); missed != 1 {
		t.Errorf("a full subscriber: missed = %d, want 1", missed)
	}

	f.Close()
	for range a {
	}
	cancelA() // after Close: harmless
	c, _ := f.Subscribe()
	if _, ok := <-c; ok {
		t.Error("a subscription after Close is open")
	}
	if f.Subscribers() != 0 {
		t.Error("subscribers left after Close")
	}
}
