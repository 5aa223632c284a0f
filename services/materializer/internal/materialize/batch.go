package materialize

import (
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/services/chstore"
)

// batch is the unit of insert and commit: its rows, the dead letters its
// records produced, and the offsets to commit once both are durable.
type batch struct {
	rows    *chstore.Batch
	topics  []string                             // the topic of each row, which rows do not hold
	refused []refusal                            // rows ClickHouse rejected, set by the flusher
	offsets map[string]map[int32]kgo.EpochOffset // next offset to consume, per partition
	started time.Time                            // when the first record was tracked

	dlq    sync.WaitGroup // dead letters not yet acknowledged
	dlqMu  sync.Mutex
	dlqErr error

	done chan struct{} // set only on a barrier: closed when everything before it is committed
}

func newBatch(size int) *batch {
	return &batch{rows: chstore.NewBatch(size), offsets: map[string]map[int32]kgo.EpochOffset{}}
}

func (b *batch) len() int { return b.rows.Len() }

// tracked reports whether any record (stored or dead-lettered) is in b.
func (b *batch) tracked() bool { return len(b.offsets) > 0 }

// track records that r is handled: once b is committed, r is not read again.
func (b *batch) track(r *kgo.Record) {
	if len(b.offsets) == 0 {
		b.started = time.Now()
	}
	parts := b.offsets[r.Topic]
	if parts == nil {
		parts = map[int32]kgo.EpochOffset{}
		b.offsets[r.Topic] = parts
	}
	parts[r.Partition] = kgo.EpochOffset{Epoch: r.LeaderEpoch, Offset: r.Offset + 1}
}

func (b *batch) setDLQErr(err error) {
	b.dlqMu.Lock()
	defer b.dlqMu.Unlock()
	if b.dlqErr == nil {
		b.dlqErr = err
	}
}

// reset empties b for reuse, keeping its allocations.
func (b *batch) reset() {
	b.rows.Reset()
	b.topics = b.topics[:0]
	b.refused = b.refused[:0]
	clear(b.offsets)
	b.dlqErr = nil
}
