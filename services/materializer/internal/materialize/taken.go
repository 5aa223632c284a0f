package materialize

import (
	"hash/maphash"

	"github.com/twmb/franz-go/pkg/kgo"
)

// takenWindow is how many of a partition's latest offsets a member
// remembers the records of (a power of two): 8 bytes each, up to 2 MiB a
// partition, resident only as far as the offsets it has seen. The cluster
// fault test's rewinds (a minute of a partition at its rate) stored 565,424
// positions twice with a window of 65,536 and none with this one.
const takenWindow = 1 << 18

// taken remembers the records a member has taken from its partitions
// (added to a batch or dead-lettered: either way stored before the member
// goes on, or the member stops), so that it can tell when the client hands
// the same records over again. The client rewinds a partition when it
// believes records were lost: after a leader move, a broker that cannot
// say where the old leader's epoch ended (kfake answers "unknown epoch")
// makes it read again from an earlier offset. Those records are already
// in ClickHouse; stored again they would be copies that the events table
// collapses only when it merges and that the rollups count for good.
//
// A record is skipped only when its offset is among the remembered ones
// and it is the same record there (a hash of key and value, seeded per
// process): after a real truncation (an unclean leader election) the
// offsets are reused by other records, which are taken, and the memory
// after them is forgotten. A rewind further back than the window, or to
// another member, is stored again, as before, and counted once by every
// answer read from the events.
type taken struct {
	seed  maphash.Seed
	parts map[topicPartition]*partitionLog
}

// partitionLog is one partition's memory: the hashes of the records at
// offsets [next-n, next), by offset modulo the window; 0 for an offset
// that held no record (a gap: compaction, a transaction marker).
type partitionLog struct {
	next   int64
	n      int64
	hashes [takenWindow]uint64
}

func newTaken() *taken {
	return &taken{seed: maphash.MakeSeed(), parts: map[topicPartition]*partitionLog{}}
}

func (t *taken) hash(r *kgo.Record) uint64 {
	var h maphash.Hash
	h.SetSeed(t.seed)
	_, _ = h.Write(r.Key) // a maphash.Hash never fails a write
	_, _ = h.Write([]byte{0})
	_, _ = h.Write(r.Value)
	return h.Sum64() | 1 // never 0, which marks a gap
}

// again reports whether r was taken before, and its hash.
func (t *taken) again(r *kgo.Record) (bool, uint64) {
	h := t.hash(r)
	p := t.parts[topicPartition{r.Topic, r.Partition}]
	return p != nil && r.Offset < p.next && r.Offset >= p.next-p.n && p.hashes[r.Offset&(takenWindow-1)] == h, h
}

// take remembers r, of hash h, as taken.
func (t *taken) take(r *kgo.Record, h uint64) {
	key := topicPartition{r.Topic, r.Partition}
	p := t.parts[key]
	if p == nil {
		p = &partitionLog{next: r.Offset}
		t.parts[key] = p
	}
	switch o := r.Offset; {
	case o < p.next, o-p.next >= takenWindow:
		// Another record where one was taken (the log was truncated),
		// or a jump past the window: what is remembered is not this log.
		p.n = 0
	default:
		for ; p.next < o; p.next++ {
			p.hashes[p.next&(takenWindow-1)] = 0
			p.n++
		}
	}
	p.hashes[r.Offset&(takenWindow-1)] = h
	p.next = r.Offset + 1
	p.n = min(p.n+1, takenWindow)
}
