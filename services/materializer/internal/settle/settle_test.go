package settle

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/balticom/lineage/services/chstore"
)

// blockingStore's settlements wait, in their first read, until their
// context is done, and count themselves.
type blockingStore struct {
	began, ended atomic.Int32
}

func (b *blockingStore) ChangedDays(ctx context.Context) ([]chstore.ChangedDay, error) {
	b.began.Add(1)
	defer b.ended.Add(1)
	<-ctx.Done()
	return nil, ctx.Err()
}

func (b *blockingStore) SettleDays(context.Context, []chstore.ChangedDay) (chstore.Settlement, error) {
	return chstore.Settlement{}, nil
}

// TestSettlesOnlyWithTheFirstPartition: no settlement without partition 0
// of the topic; one with it; a revocation of it cancels the settlement in
// flight and returns only once it has returned.
func TestSettlesOnlyWithTheFirstPartition(t *testing.T) {
	store := &blockingStore{}
	s := New(store, "events", time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := t.Context()
	go s.Run(ctx)

	s.Assigned(ctx, nil, map[string][]int32{"events": {1, 2}, "other": {0}})
	time.Sleep(50 * time.Millisecond)
	if n := store.began.Load(); n != 0 {
		t.Fatalf("%d settlements without partition 0", n)
	}

	s.Assigned(ctx, nil, map[string][]int32{"events": {0}})
	deadline := time.Now().Add(5 * time.Second)
	for store.began.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no settlement with partition 0")
		}
		time.Sleep(time.Millisecond)
	}
	s.Revoked(ctx, nil, map[string][]int32{"events": {3}}) // not the first: no effect
	if store.ended.Load() != 0 {
		t.Fatal("a revocation of another partition stopped the settlement")
	}
	s.Revoked(ctx, nil, map[string][]int32{"events": {0}})
	if began, ended := store.began.Load(), store.ended.Load(); began != ended {
		t.Fatalf("revoked with a settlement in flight: %d began, %d ended", began, ended)
	}
	began := store.began.Load()
	time.Sleep(50 * time.Millisecond)
	if n := store.began.Load(); n != began {
		t.Errorf("%d settlements after the revocation", n-began)
	}
}

// TestReady: a changed day is settled at the first look that finds it
// unchanged, or after waitIntervals intervals of changing; not at the look
// that first finds it.
func TestReady(t *testing.T) {
	s := New(nil, "events", 10*time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)))
	day := func(d int) time.Time { return time.Date(2026, 12, d, 0, 0, 0, 0, time.UTC) }
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	look := func(after time.Duration, changed ...chstore.ChangedDay) []time.Time {
		var out []time.Time
		for _, d := range s.ready(changed, t0.Add(after)) {
			out = append(out, d.Day)
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		after   time.Duration
		changed []chstore.ChangedDay
		want    []time.Time
	}{
		{"first seen: wait", 0, []chstore.ChangedDay{{Day: day(1), Stored: 5}, {Day: day(6), Stored: 10}}, nil},
		{"one quiet, one still changing", 10 * time.Second, []chstore.ChangedDay{{Day: day(1), Stored: 5}, {Day: day(6), Stored: 20}}, []time.Time{day(1)}},
		{"still changing", 20 * time.Second, []chstore.ChangedDay{{Day: day(6), Stored: 30}}, nil},
		{"changing for three intervals", 30 * time.Second, []chstore.ChangedDay{{Day: day(6), Stored: 40}}, []time.Time{day(6)}},
		{"settled, changed again: waits anew", 40 * time.Second, []chstore.ChangedDay{{Day: day(6), Stored: 50}}, nil},
	} {
		if got := look(tc.after, tc.changed...); !slices.Equal(got, tc.want) {
			t.Errorf("%s: settled %v, want %v", tc.name, got, tc.want)
		}
	}
}
