package chstore

import (
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

// benchBatchSize is the materializer's batch size, and the size at which
// ClickHouse 18.16 was measured to take about 450,000 rows/s.
const benchBatchSize = 100_000

// BenchmarkBatchAdd measures Add into a reused batch: the materializer's
// per-event cost before the network. It must not allocate.
func BenchmarkBatchAdd(b *testing.B) {
	events := lineagetest.Events(1, benchBatchSize, 10_000)
	batch := NewBatch(benchBatchSize)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i%benchBatchSize == 0 {
			batch.Reset()
		}
		batch.Add(&events[i%benchBatchSize], 0, int64(i))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkInsert measures Insert of 100,000-event batches into a fresh
// table: the materializer's write path from a filled batch to rows stored.
// The "lz4" case is the same with the driver's compression on, which this
// package leaves off.
func BenchmarkInsert(b *testing.B) {
	events := lineagetest.Events(2, benchBatchSize, 100_000)
	batch := NewBatch(benchBatchSize)
	for i := range events {
		batch.Add(&events[i], 0, int64(i))
	}
	for _, bc := range []struct {
		name     string
		compress bool
	}{{"plain", false}, {"lz4", true}} {
		b.Run(bc.name, func(b *testing.B) {
			s := newMigratedStore(b)
			if bc.compress {
				opts := options(s.cfg, s.cfg.Database)
				opts.Compression = &clickhouse.Compression{Method: clickhouse.CompressionLZ4}
				conn, err := clickhouse.Open(opts)
				if err != nil {
					b.Fatal(err)
				}
				plain := s.conn
				s.conn = conn
				b.Cleanup(func() { _ = conn.Close(); s.conn = plain })
			}
			b.ResetTimer()
			for b.Loop() {
				if err := s.Insert(b.Context(), batch); err != nil {
					b.Fatalf("Insert: %v", err)
				}
			}
			b.ReportMetric(float64(b.N*benchBatchSize)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
