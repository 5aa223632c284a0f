package materialize_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/services/chstore"
)

// positionStore is the real store, counting how many times each Kafka
// position was inserted.
type positionStore struct {
	*chstore.Store
	mu       sync.Mutex
	inserted map[[2]int64]int
}

func (s *positionStore) Insert(ctx context.Context, b *chstore.Batch) error {
	if err := s.Store.Insert(ctx, b); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range b.Len() {
		p, o := b.Origin(i)
		s.inserted[[2]int64{int64(p), o}]++
	}
	return nil
}

func (s *positionStore) counts() (positions, twice int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.inserted {
		positions++
		if n > 1 {
			twice++
		}
	}
	return positions, twice
}

// TestRewoundPartitionNotStoredAgain: the client is made to read a
// partition again from its start, as it does when it believes records
// were lost after a leader move. The member skips the records it already
// took: every position is inserted once, and the records after the rewind
// are stored.
func TestRewoundPartitionNotStoredAgain(t *testing.T) {
	brokers := broker(t, 1)
	base, _, _ := freshStore(t)
	store := &positionStore{Store: base, inserted: map[[2]int64]int{}}
	events := lineagetest.Events(31, 1200, 50)

	m := startMemberOn(t, brokers, store, 200)
	defer m.stop(t)
	publish(t, brokers, events[:1000])
	waitCommitted(t, brokers)

	m.cl.SetOffsets(map[string]map[int32]kgo.EpochOffset{topics.Events: {0: {Epoch: -1, Offset: 0}}})
	publish(t, brokers, events[1000:])
	waitCommitted(t, brokers)
	// The rewound fetch may come after the commit of the new records.
	deadline := time.Now().Add(5 * time.Second)
	for {
		positions, twice := store.counts()
		if twice > 0 {
			t.Fatalf("%d of %d positions inserted twice after the rewind", twice, positions)
		}
		if positions == len(events) && time.Now().After(deadline) {
			if m.skips.n.Load() == 0 {
				t.Fatal("no record was handed over again: the rewind did not happen")
			}
			return
		}
		if positions > len(events) || time.Now().After(deadline.Add(30*time.Second)) {
			t.Fatalf("%d positions inserted, want %d", positions, len(events))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
