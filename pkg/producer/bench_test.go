package producer_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/producer"
	"github.com/balticom/lineage/pkg/topics"
)

// BenchmarkPublishAsync measures the SDK's throughput: validate, encode and
// produce with acks=all to a broker over TCP (kfake, in this process, so it
// shares the CPUs). Run it on one core for the per-core figure:
//
//	go test -run '^$' -bench PublishAsync -cpu 1,2 ./producer/
func BenchmarkPublishAsync(b *testing.B) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(12, topics.Events))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	p, err := producer.New(producer.Config{Brokers: c.ListenAddrs(), Linger: 10 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	events := lineagetest.Events(5, 4096, 1000)
	ctx := context.Background()
	var failed atomic.Int64
	done := func(err error) {
		if err != nil {
			failed.Add(1)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.PublishAsync(ctx, events[i%len(events)], done)
	}
	if err := p.Close(ctx); err != nil || failed.Load() > 0 {
		b.Fatalf("%d failed, close: %v", failed.Load(), err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
