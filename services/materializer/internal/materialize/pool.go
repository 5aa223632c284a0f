package materialize

import (
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"
)

// fetchPool gives the Kafka client back the memory of the records the
// poller is done with (see kgo.WithPools): the buffers that record batches
// are decompressed into and the slices their records are parsed into.
// Without it every fetch is garbage once decoded, several times its size
// on the wire, and the collector, kept busy under the memory limit, took a
// third of the materializer's CPU. A record comes back by Record.Recycle.
// Safe for concurrent use, as kgo requires.
type fetchPool struct {
	bytes   sync.Pool // *[]byte
	records sync.Pool // *[]kgo.Record
}

// GetDecompressBytes returns a buffer to decompress into, or nil for the
// decompressor to allocate one. Only the capacity is used, and a buffer
// too small is replaced by a larger one that comes back here in its stead.
func (p *fetchPool) GetDecompressBytes([]byte, kgo.CompressionCodecType) []byte {
	if b, ok := p.bytes.Get().(*[]byte); ok {
		return *b
	}
	return nil
}

// PutDecompressBytes keeps b, which the client has zeroed, for reuse.
func (p *fetchPool) PutDecompressBytes(b []byte) { p.bytes.Put(&b) }

// GetRecords returns a slice with room for n records, or nil for the
// client to allocate one.
func (p *fetchPool) GetRecords(n int) []kgo.Record {
	if rs, ok := p.records.Get().(*[]kgo.Record); ok && cap(*rs) >= n {
		return (*rs)[:0]
	}
	return nil // a smaller slice is dropped: the pool keeps the large ones
}

// PutRecords keeps rs, whose records the client has zeroed, for reuse.
func (p *fetchPool) PutRecords(rs []kgo.Record) { p.records.Put(&rs) }
