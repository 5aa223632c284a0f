package settle

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/balticom/lineage/services/chstore"
)

// blockingStore's settlements wait until their context is done, and count
// themselves.
type blockingStore struct {
	began, ended atomic.Int32
}

func (b *blockingStore) Settle(ctx context.Context) (chstore.Settlement, error) {
	b.began.Add(1)
	defer b.ended.Add(1)
	<-ctx.Done()
	return chstore.Settlement{}, ctx.Err()
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
