package feed

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundup-go/groundup/app/models"
	"github.com/groundup-go/groundup/app/models/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// logBuffer collects log output across goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// receive reads n entries from ch, failing t if they do not come within
// a generous bound.
func receive(t *testing.T, name string, ch <-chan models.Entry, n int) []int64 {
	t.Helper()
	var ids []int64
	for len(ids) < n {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatalf("%s: the subscription closed after %v", name, ids)
			}
			ids = append(ids, e.ID)
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: got %v, then nothing for 20 s; want %d entries", name, ids, n)
		}
	}
	return ids
}

// waitFor polls cond, a bounded number of times.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 400 {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("still not %s after 20 s", what)
}

func TestPostgres(t *testing.T) {
	ctx := context.Background()
	url := pgtest.DB(t)
	db, err := models.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := models.NewEntries(db)
	if _, err := store.Create(ctx, 0, models.EntryInput{Name: "before", Message: "not sent"}); err != nil {
		t.Fatal(err)
	}

	// Quiet spells are checked with a ping at once, so that the test
	// goes through that path between its entries.
	quietCheck = 10 * time.Millisecond
	// Two brokers on one database are two app instances.
	var logs logBuffer
	log := slog.New(slog.NewTextHandler(io.MultiWriter(&logs), nil))
	a, err := NewPostgres(ctx, url, store, log)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := NewPostgres(ctx, url, store, log)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	chA, cancelA := a.Subscribe()
	defer cancelA()
	chB, cancelB := b.Subscribe()
	defer cancelB()
	for _, br := range []*Postgres{a, b} {
		waitFor(t, "listening", func() bool { _, ok := br.Connects(); return ok })
	}

	create := func(msg string) models.Entry {
		t.Helper()
		e, err := store.Create(ctx, 0, models.EntryInput{Name: "n", Message: msg})
		if err != nil {
			t.Fatal(err)
		}
		if missed := a.Publish(e); missed != 0 {
			t.Errorf("Publish missed %d", missed)
		}
		return e
	}

	t.Run("an entry reaches the subscribers of both instances, once", func(t *testing.T) {
		e := create("one")
		for name, ch := range map[string]<-chan models.Entry{"a": chA, "b": chB} {
			if ids := receive(t, name, ch, 1); ids[0] != e.ID {
				t.Errorf("%s got %v, want [%d]", name, ids, e.ID)
			}
		}
	})

	t.Run("a notification that is not an id is logged and skipped", func(t *testing.T) {
		if _, err := db.ExecContext(ctx, `SELECT pg_notify($1, 'junk')`, models.NotifyChannel); err != nil {
			t.Fatal(err)
		}
		e := create("after junk")
		if ids := receive(t, "a", chA, 1); ids[0] != e.ID {
			t.Errorf("a got %v, want [%d]", ids, e.ID)
		}
		receive(t, "b", chB, 1)
		waitFor(t, "logged", func() bool { return strings.Contains(logs.String(), "not an entry id") })
	})

	t.Run("entries committed while the listener is cut arrive after it reconnects", func(t *testing.T) {
		res, err := db.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE application_name = $1`, ListenerName)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 2 {
			t.Fatalf("terminated %d listening connections, want 2", n)
		}
		waitFor(t, "disconnected", func() bool {
			_, okA := a.Connects()
			_, okB := b.Connects()
			return !okA && !okB
		})
		var want []int64
		for _, msg := range []string{"x", "y", "z"} {
			want = append(want, create(msg).ID)
		}
		for name, ch := range map[string]<-chan models.Entry{"a": chA, "b": chB} {
			if got := receive(t, name, ch, 3); !equal(got, want) {
				t.Errorf("%s got %v, want %v", name, got, want)
			}
		}
		for name, br := range map[string]*Postgres{"a": a, "b": b} {
			if n, _ := br.Connects(); n < 2 {
				t.Errorf("%s listened %d times, want a reconnect", name, n)
			}
		}
		if !strings.Contains(logs.String(), "listening connection lost") {
			t.Error("the drop was not logged")
		}
	})

	t.Run("Close ends the subscriptions", func(t *testing.T) {
		a.Close()
		select {
		case _, ok := <-chA:
			if ok {
				t.Error("an entry after Close")
			}
		case <-time.After(20 * time.Second):
			t.Error("subscription still open 20 s after Close")
		}
	})
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
