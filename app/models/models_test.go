package models

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/groundup-go/groundup/app/models/pgtest"
)

// The store's tests run on both databases: SQLite in a temporary file,
// PostgreSQL in a throwaway cluster that the package's tests share (they
// skip without PostgreSQL installed, and fail so under CI=true).
func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// databases are the kinds of database every store test runs on.
var databases = []string{"sqlite", "postgres"}

// testDSN returns where a new, empty database of kind is.
func testDSN(t *testing.T, kind string) string {
	t.Helper()
	if kind == "postgres" {
		return pgtest.DB(t)
	}
	return filepath.Join(t.TempDir(), "sub", "dir", "test.db")
}

func openDB(t *testing.T, kind string) *sql.DB {
	t.Helper()
	db, err := Open(context.Background(), testDSN(t, kind))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func openTest(t *testing.T, kind string) *Entries {
	t.Helper()
	return NewEntries(openDB(t, kind))
}

// onEach runs test once per database, as a subtest named for it.
func onEach(t *testing.T, test func(t *testing.T, kind string)) {
	for _, kind := range databases {
		t.Run(kind, func(t *testing.T) { test(t, kind) })
	}
}

func TestEntryValidate(t *testing.T) {
	tests := []struct {
		name   string
		in     EntryInput
		errors map[string]string
	}{
		{"valid", EntryInput{"Ada", "Hello"}, nil},
		{"valid multiline", EntryInput{"Ada", "line 1\nline 2\tindented"}, nil},
		{"80 characters", EntryInput{strings.Repeat("é", 80), "x"}, nil},
		{"zero-width joiner", EntryInput{"Ada", "👩\u200d💻"}, nil},
		{"empty name", EntryInput{"", "Hello"}, map[string]string{"name": "Name is required."}},
		{"blank name", EntryInput{" \t ", "Hello"}, map[string]string{"name": "Name is required."}},
		{"81 characters", EntryInput{strings.Repeat("é", 81), "x"}, map[string]string{"name": "Name must be at most 80 characters."}},
		{"newline in name", EntryInput{"Ada\nLovelace", "x"}, map[string]string{"name": "Name must not contain control characters."}},
		{"NUL in message", EntryInput{"Ada", "a\x00b"}, map[string]string{"message": "Message must not contain control characters."}},
		{"escape in message", EntryInput{"Ada", "\x1b[31mred"}, map[string]string{"message": "Message must not contain control characters."}},
		{"C1 control", EntryInput{"Ada", "a\u0085b"}, map[string]string{"message": "Message must not contain control characters."}},
		{"bidi override", EntryInput{"\u202eAda", "x"}, map[string]string{"name": "Name must not contain control characters."}},
		{"invalid UTF-8", EntryInput{"Ada", "\xff"}, map[string]string{"message": "Message is not valid UTF-8 text."}},
		{"long message", EntryInput{"Ada", strings.Repeat("x", 2001)}, map[string]string{"message": "Message must be at most 2000 characters."}},
		{"both empty", EntryInput{}, map[string]string{"name": "Name is required.", "message": "Message is required."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Normalize()
			got := in.Check()
			if len(got) != len(tc.errors) {
				t.Fatalf("Check() = %v, want %v", got, tc.errors)
			}
			for k, v := range tc.errors {
				if got[k] != v {
					t.Errorf("error for %s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	in := EntryInput{Name: "  Ada  ", Message: "\r\n a\r\nb\rc \n"}
	in.Normalize()
	if in.Name != "Ada" || in.Message != "a\nb\nc" {
		t.Errorf("Normalize() = %q, %q", in.Name, in.Message)
	}
}

func TestRegistrationValidate(t *testing.T) {
	tests := []struct {
		name   string
		r      Registration
		fields []string
	}{
		{"valid", Registration{"Ada", "ada@example.com", "secret-pw", ""}, nil},
		{"with about", Registration{"Ada", "ada@example.com", "secret-pw", "I write\nprograms."}, nil},
		{"no email", Registration{"Ada", "", "secret-pw", ""}, []string{"email"}},
		{"no at", Registration{"Ada", "ada.example.com", "secret-pw", ""}, []string{"email"}},
		{"display name", Registration{"Ada", "Ada <ada@example.com>", "secret-pw", ""}, []string{"email"}},
		{"no dot in domain", Registration{"Ada", "ada@localhost", "secret-pw", ""}, []string{"email"}},
		{"markup", Registration{"Ada", `x"><script>@a.b`, "secret-pw", ""}, []string{"email"}},
		{"long about", Registration{"Ada", "ada@example.com", "secret-pw", strings.Repeat("a", 501)}, []string{"about"}},
		{"nothing", Registration{}, []string{"name", "email", "password"}},
		{"short password", Registration{"Ada", "ada@example.com", "1234567", ""}, []string{"password"}},
		{"long password", Registration{"Ada", "ada@example.com", strings.Repeat("p", 1025), ""}, []string{"password"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			r.Normalize()
			errs := r.Check()
			if len(errs) != len(tc.fields) {
				t.Fatalf("Check() = %v, want errors on %v", errs, tc.fields)
			}
			for _, f := range tc.fields {
				if errs[f] == "" {
					t.Errorf("no error on %s: %v", f, errs)
				}
			}
		})
	}
}

func TestEntriesCRUD(t *testing.T) { onEach(t, testEntriesCRUD) }

func testEntriesCRUD(t *testing.T, kind string) {
	ctx := context.Background()
	s := openTest(t, kind)

	e, err := s.Create(ctx, 0, EntryInput{Name: " Ada ", Message: "Hello\r\nthere"})
	if err != nil {
		t.Fatal(err)
	}
	if e.ID != 1 || e.Name != "Ada" || e.Message != "Hello\nthere" || e.CreatedAt.IsZero() {
		t.Fatalf("Create() = %+v", e)
	}
	got, err := s.Get(ctx, e.ID)
	if err != nil || got != e {
		t.Fatalf("Get() = %+v, %v; want %+v", got, err, e)
	}

	// Invalid input is refused and stores nothing.
	if _, err := s.Create(ctx, 0, EntryInput{Name: "", Message: "x"}); !errors.As(err, new(Errors)) {
		t.Fatalf("Create(invalid) error = %v, want Errors", err)
	}
	if _, err := s.Update(ctx, e.ID, EntryInput{Name: "x\x00", Message: "y"}); !errors.As(err, new(Errors)) {
		t.Fatalf("Update(invalid) error = %v, want Errors", err)
	}
	if n, _ := s.Count(ctx); n != 1 {
		t.Fatalf("Count() = %d after refused writes", n)
	}

	u, err := s.Update(ctx, e.ID, EntryInput{Name: "Ada L.", Message: "Edited"})
	if err != nil || u.Name != "Ada L." || u.Message != "Edited" || !u.CreatedAt.Equal(e.CreatedAt) {
		t.Fatalf("Update() = %+v, %v", u, err)
	}
	if _, err := s.Update(ctx, 99, EntryInput{Name: "x", Message: "y"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Update(99) error = %v", err)
	}
	if err := s.Delete(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, e.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete() error = %v", err)
	}
	if _, err := s.Get(ctx, e.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(deleted) error = %v", err)
	}
}

func TestEntriesListAndSince(t *testing.T) { onEach(t, testEntriesListAndSince) }

func testEntriesListAndSince(t *testing.T, kind string) {
	ctx := context.Background()
	s := openTest(t, kind)
	for i := range 25 {
		if _, err := s.Create(ctx, 0, EntryInput{Name: "n", Message: string(rune('a' + i))}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		page, per, want int
		first           int64
		pages           int
		prev, next      bool
	}{
		{1, 10, 10, 25, 3, false, true},
		{2, 10, 10, 15, 3, true, true},
		{3, 10, 5, 5, 3, true, false},
		{4, 10, 0, 0, 3, true, false},
		{1, 100, 25, 25, 1, false, false},
	}
	for _, tc := range tests {
		p, err := s.List(ctx, tc.page, tc.per)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Entries) != tc.want || p.Total != 25 || p.Pages() != tc.pages || p.HasPrev() != tc.prev || p.HasNext() != tc.next {
			t.Errorf("List(%d, %d): %d entries, total %d, pages %d, prev %v, next %v", tc.page, tc.per,
				len(p.Entries), p.Total, p.Pages(), p.HasPrev(), p.HasNext())
		}
		if tc.want > 0 && p.Entries[0].ID != tc.first {
			t.Errorf("List(%d, %d) starts at %d, want %d (newest first)", tc.page, tc.per, p.Entries[0].ID, tc.first)
		}
	}
	since, err := s.Since(ctx, 22, 100)
	if err != nil || len(since) != 3 || since[0].ID != 23 || since[2].ID != 25 {
		t.Errorf("Since(22) = %v, %v", since, err)
	}
	if id, err := s.LatestID(ctx); err != nil || id != 25 {
		t.Errorf("LatestID() = %d, %v; want 25", id, err)
	}
}

// TestConcurrentCreates checks that concurrent writers all get through:
// on SQLite, WAL mode and the busy timeout queue them instead of failing
// them with SQLITE_BUSY.
func TestConcurrentCreates(t *testing.T) { onEach(t, testConcurrentCreates) }

func testConcurrentCreates(t *testing.T, kind string) {
	ctx := context.Background()
	s := openTest(t, kind)
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if _, err := s.Create(ctx, 0, EntryInput{Name: "w", Message: string(rune('a'+w)) + string(rune('a'+i))}); err != nil {
					errs <- err
				}
				if _, err := s.List(ctx, 1, 5); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n, _ := s.Count(ctx); n != writers*each {
		t.Errorf("Count() = %d, want %d", n, writers*each)
	}
}

func TestMigrateIsIdempotent(t *testing.T) { onEach(t, testMigrateIsIdempotent) }

func testMigrateIsIdempotent(t *testing.T, kind string) {
	ctx := context.Background()
	path := testDSN(t, kind)
	for range 3 {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		v, err := SchemaVersion(ctx, db)
		if err != nil || v != len(migrations)-1 {
			t.Errorf("SchemaVersion() = %d, %v; want %d", v, err, len(migrations)-1)
		}
		var mode string
		if kind != "sqlite" {
			db.Close()
			continue
		}
		if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode = %q, %v; want wal", mode, err)
		}
		db.Close()
	}
}

// TestMigrateConcurrently starts several processes' worth of Open at once
// on one new database: each migration runs once, and every Open succeeds.
func TestMigrateConcurrently(t *testing.T) {
	onEach(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		dsn := testDSN(t, kind)
		const starts = 6
		var wg sync.WaitGroup
		errs := make(chan error, starts)
		for range starts {
			wg.Go(func() {
				db, err := Open(ctx, dsn)
				if err != nil {
					errs <- err
					return
				}
				db.Close()
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		db, err := Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var rows, latest int
		if err := db.QueryRowContext(ctx, `SELECT count(*), max(version) FROM schema_migrations`).Scan(&rows, &latest); err != nil {
			t.Fatal(err)
		}
		if want := len(migrations) - 1; rows != want || latest != want {
			t.Errorf("schema_migrations: %d rows up to version %d, want %d of each", rows, latest, want)
		}
	})
}

// TestUniqueViolation checks the dialect's reading of each driver's
// unique-violation error, and that other errors are not taken for one.
func TestUniqueViolation(t *testing.T) {
	onEach(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		db := openDB(t, kind)
		d := dialectOf(db)
		if d.name != kind {
			t.Fatalf("dialectOf() = %s, want %s", d.name, kind)
		}
		x := newStore(db)
		_, err := x.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, 1, 0)
		if err == nil || !d.unique(err) {
			t.Errorf("a second row for version 1: %v, unique = false", err)
		}
		_, err = x.ExecContext(ctx, `INSERT INTO no_such_table (x) VALUES (?)`, 1)
		if err == nil || d.unique(err) {
			t.Errorf("a missing table: %v, unique = true", err)
		}
	})
}

func TestRebind(t *testing.T) {
	tests := []struct {
		d        *dialect
		in, want string
	}{
		{sqliteDialect, "a = ? AND b = ?", "a = ? AND b = ?"},
		{postgresDialect, "a = ? AND b = ?", "a = $1 AND b = $2"},
		{postgresDialect, "no placeholders", "no placeholders"},
		{postgresDialect, "é = ?", "é = $1"},
	}
	for _, tc := range tests {
		if got := tc.d.rebind(tc.in); got != tc.want {
			t.Errorf("%s.rebind(%q) = %q, want %q", tc.d.name, tc.in, got, tc.want)
		}
	}
}

func TestErrorsError(t *testing.T) {
	e := Errors{}
	if e.Err() != nil {
		t.Error("empty Errors is an error")
	}
	e.Add("name", "first")
	e.Add("name", "second")
	e.Add("message", "m")
	if got := e.Error(); got != "message: m; name: first" {
		t.Errorf("Error() = %q", got)
	}
}
