package e2e

import (
	"context"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/producer"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkPipeline measures the materializer fleet draining a backlog from
// the broker into ClickHouse, all as separate processes on this machine:
// events/s end to end (decode, validate, insert, commit) and each member's
// peak RSS. The backlog is LINEAGE_BENCH_EVENTS events (default 2,000,000)
// over 1,000,000 subjects; LINEAGE_BENCH_MEMBERS materializers (default 1)
// drain it. With LINEAGE_BENCH_CH_OUTAGE (e.g. 30s), ClickHouse is stopped
// that long one second into the drain, to show memory stays bounded while
// the store is away; events/s then includes the outage. Run it once: go test -run '^$' -bench Pipeline -benchtime 1x.
func BenchmarkPipeline(b *testing.B) {
	benchPipeline(b, singleNode(), envInt("LINEAGE_BENCH_EVENTS", 2_000_000), envInt("LINEAGE_BENCH_MEMBERS", 1))
}

// benchPipeline drains a backlog of n events with members materializers
// into a fresh database of target, migrated before the clock starts (the
// members do not migrate), and reports events/s, events/s per member and
// the members' peak RSS. Every event must be stored once. It returns the
// broker's address.
func benchPipeline(b *testing.B, target storeTarget, n, members int) string {
	batch := envInt("LINEAGE_BENCH_BATCH", 50_000)
	broker := startBroker(b, 12)
	db := randomName("bench_pipeline_")
	b.Cleanup(func() { target.drop(b, db) })

	produceBacklog(b, broker, n)
	// Build the binary and make the schema before the clock starts: go
	// build takes seconds, and on a cluster so do the migrations' ON
	// CLUSTER statements; neither is the pipeline's.
	binary(b, "materializer")
	target.migrate(b, db)
	b.ResetTimer()
	began := time.Now()
	var procs []*process
	for i := range members {
		procs = append(procs, startMaterializer(b, "materializer-"+strconv.Itoa(i), broker, db,
			append(target.materializerEnv(i),
				"MATERIALIZER_MIGRATE=false", "MATERIALIZER_BATCH_SIZE="+strconv.Itoa(batch))...))
	}
	if outage, err := time.ParseDuration(os.Getenv("LINEAGE_BENCH_CH_OUTAGE")); err == nil && outage > 0 && target.cluster == "" {
		ch := projectClickHouse(b)
		time.Sleep(time.Second)
		ch.stop(b)
		time.Sleep(outage)
		ch.start(b)
	}
	waitCaughtUp(b, broker, db, 30*time.Minute)
	took := time.Since(began)
	b.StopTimer()
	b.ReportMetric(float64(n)/took.Seconds(), "events/s")
	b.ReportMetric(float64(n)/took.Seconds()/float64(members), "events/s/member")
	var peak int64
	for _, p := range procs {
		peak = max(peak, p.peakRSS())
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
	store := target.open(b, db)
	settling := waitSettled(b, 10*time.Minute, func() (int, error) { return store.UnsettledDays(context.Background()) })
	b.ReportMetric(settling.Seconds(), "settled-s-after")
	if stored := target.countDistinct(b, db); stored != n {
		b.Fatalf("stored %d distinct events, produced %d", stored, n)
	}
	return broker
}

// produceBacklog publishes n valid events through the SDK.
func produceBacklog(tb testing.TB, broker string, n int) {
	tb.Helper()
	p, err := producer.New(producer.Config{Brokers: []string{broker}, Linger: 20 * time.Millisecond, MaxBuffered: 200_000})
	if err != nil {
		tb.Fatal(err)
	}
	var failed atomic.Int64
	ctx := context.Background()
	const chunk = 10_000
	began := time.Now()
	for sent := 0; sent < n; sent += chunk {
		for _, e := range lineagetest.Events(uint64(sent/chunk)+1, min(chunk, n-sent), 1_000_000) {
			p.PublishAsync(ctx, e, func(err error) {
				if err != nil {
					failed.Add(1)
				}
			})
		}
	}
	if err := p.Close(ctx); err != nil || failed.Load() > 0 {
		tb.Fatalf("backlog: %d events failed, close: %v", failed.Load(), err)
	}
	tb.Logf("backlog of %d events produced in %s (%.0f events/s)", n, time.Since(began).Round(time.Millisecond), float64(n)/time.Since(began).Seconds())
}
