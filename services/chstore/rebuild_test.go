package chstore

import (
	"context"
	"testing"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

// TestRebuildSwap fills a rebuild table while the events table answers, then
// swaps it in: the answers switch to the rebuilt rows, and the old table is
// kept as the previous one.
func TestRebuildSwap(t *testing.T) {
	ctx := context.Background()
	s := newMigratedStore(t)
	live := lineagetest.Events(31, 40, 4)
	insert(t, s, 0, live...)
	if err := s.PrepareRebuild(ctx); err != nil {
		t.Fatal(err)
	}
	rebuilt := NewBatch(len(live) / 2)
	for i := range live[:len(live)/2] {
		rebuilt.Add(&live[i], 0, int64(i))
	}
	if err := s.InsertInto(ctx, RebuildTable, rebuilt); err != nil {
		t.Fatal(err)
	}
	before := countEvents(t, s, EventsTable)
	if err := s.SwapRebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if got := countEvents(t, s, EventsTable); got != uint64(len(live)/2) {
		t.Fatalf("after the swap the events table holds %d events, want the %d rebuilt", got, len(live)/2)
	}
	if got := countEvents(t, s, PreviousTable); got != before {
		t.Fatalf("the previous table holds %d events, want %d", got, before)
	}
	// The disclosures table follows: rebuilt from the replayed rows, and fed
	// by inserts into the new events table.
	if got, want := countEvents(t, s, "lineage_disclosures"), disclosures(live[:len(live)/2]); got != want {
		t.Fatalf("after the swap the disclosures table holds %d events, want the %d rebuilt", got, want)
	}
	later := lineagetest.Events(32, 10, 4)
	insert(t, s, 1000, later...)
	if got, want := countEvents(t, s, "lineage_disclosures"), disclosures(live[:len(live)/2])+disclosures(later); got != want {
		t.Fatalf("after inserts into the swapped table the disclosures table holds %d events, want %d", got, want)
	}
	// A second rebuild starts from scratch and replaces the previous table.
	if err := s.PrepareRebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if got := countEvents(t, s, RebuildTable); got != 0 {
		t.Fatalf("a new rebuild table must be empty, holds %d", got)
	}
	if err := s.SwapRebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertInto(ctx, "lineage_events; DROP TABLE x", rebuilt); err == nil {
		t.Fatal("a table name that is not one must be refused")
	}
}

// disclosures counts the events that name a recipient.
func disclosures(events []lineage.Event) uint64 {
	var n uint64
	for _, e := range events {
		if e.Kind.HasRecipient() {
			n++
		}
	}
	return n
}

func countEvents(t *testing.T, s *Store, table string) uint64 {
	t.Helper()
	var n uint64
	if err := s.conn.QueryRow(context.Background(), "SELECT uniqExact(event_id) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
