package models

import (
	"context"
	"fmt"
	"testing"
)

// TestEntriesWindow walks the guestbook by keyset, newest to oldest and
// back, and checks each page's entries and the cursors of its links.
func TestEntriesWindow(t *testing.T) {
	onEach(t, func(t *testing.T, kind string) {
		ctx := context.Background()
		s := openTest(t, kind)
		for i := range 25 {
			if _, err := s.Create(ctx, 0, EntryInput{Name: "n", Message: fmt.Sprint("m", i)}); err != nil {
				t.Fatal(err)
			}
		}
		// Ids 1..25; pages of 10, newest first: 25-16, 15-6, 5-1.
		tests := []struct {
			name           string
			after, before  int64
			newest, oldest int64
			newer, older   int64
			first          bool
		}{
			{"first page", 0, 0, 25, 16, 0, 16, true},
			{"older than 16", 0, 16, 15, 6, 15, 6, false},
			{"older than 6: the last page", 0, 6, 5, 1, 5, 0, false},
			{"newer than 5", 5, 0, 15, 6, 15, 6, false},
			{"newer than 15 reaches the top: the first page", 15, 0, 25, 16, 0, 16, true},
			{"newer than 20: the first page, full", 20, 0, 25, 16, 0, 16, true},
			{"older than 1: nothing", 0, 1, 0, 0, 0, 0, false},
			{"a cursor past the newest", 0, 1000, 25, 16, 0, 16, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				w, err := s.Window(ctx, tt.after, tt.before, 10)
				if err != nil {
					t.Fatal(err)
				}
				var newest, oldest int64
				if len(w.Entries) > 0 {
					newest, oldest = w.Entries[0].ID, w.Entries[len(w.Entries)-1].ID
				}
				for i := 1; i < len(w.Entries); i++ {
					if w.Entries[i].ID >= w.Entries[i-1].ID {
						t.Fatalf("not newest first: %d after %d", w.Entries[i].ID, w.Entries[i-1].ID)
					}
				}
				if newest != tt.newest || oldest != tt.oldest || w.Newer != tt.newer || w.Older != tt.older || w.First != tt.first {
					t.Errorf("entries %d..%d, newer %d, older %d, first %v; want %d..%d, %d, %d, %v",
						newest, oldest, w.Newer, w.Older, w.First, tt.newest, tt.oldest, tt.newer, tt.older, tt.first)
				}
			})
		}
		empty, err := openTest(t, kind).Window(ctx, 0, 0, 10)
		if err != nil || len(empty.Entries) != 0 || empty.Newer != 0 || empty.Older != 0 || !empty.First {
			t.Errorf("empty guestbook: %+v, %v", empty, err)
		}
	})
}
