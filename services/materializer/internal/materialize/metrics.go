package materialize

import (
	"context"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

const instrumentation = "github.com/balticom/lineage/services/materializer"

// metrics are the materializer's instruments. Lag is computed from the
// high watermarks seen in fetches and the offsets this member committed.
type metrics struct {
	tracer         trace.Tracer
	consumed       metric.Int64Counter
	stored         metric.Int64Counter
	dead           metric.Int64Counter
	redelivered    metric.Int64Counter
	insertFailures metric.Int64Counter
	batchRows      metric.Int64Histogram
	insertSeconds  metric.Float64Histogram

	mu       sync.Mutex
	hwm      map[topicPartition]int64
	commitAt map[topicPartition]int64
}

type topicPartition struct {
	topic     string
	partition int32
}

func newMetrics(m *Materializer) (*metrics, error) {
	meter := otel.Meter(instrumentation)
	x := &metrics{
		tracer:   otel.Tracer(instrumentation),
		hwm:      map[topicPartition]int64{},
		commitAt: map[topicPartition]int64{},
	}
	var errs [8]error
	x.consumed, errs[0] = meter.Int64Counter("lineage.materializer.events.in", metric.WithDescription("records read from Kafka"))
	x.stored, errs[1] = meter.Int64Counter("lineage.materializer.events.stored", metric.WithDescription("events inserted into ClickHouse"))
	x.dead, errs[2] = meter.Int64Counter("lineage.materializer.events.dead_lettered", metric.WithDescription("records sent to the dead-letter topic, by reason"))
	x.insertFailures, errs[3] = meter.Int64Counter("lineage.materializer.insert.failures", metric.WithDescription("failed insert attempts (retried, split to find rejected rows, or fatal: see retry.Inserts)"))
	x.batchRows, errs[4] = meter.Int64Histogram("lineage.materializer.batch.rows", metric.WithDescription("rows per insert"))
	x.insertSeconds, errs[5] = meter.Float64Histogram("lineage.materializer.insert.duration", metric.WithUnit("s"), metric.WithDescription("insert latency"))
	_, errs[6] = meter.Int64ObservableGauge("lineage.materializer.lag", metric.WithDescription("records behind the high watermark, per partition owned"),
		metric.WithInt64Callback(x.observeLag))
	x.redelivered, errs[7] = meter.Int64Counter("lineage.materializer.events.redelivered", metric.WithDescription("records the client handed over again that this member had taken already, skipped (see taken.go)"))
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return x, nil
}

func (x *metrics) deadLettered(ctx context.Context, reason string) {
	x.dead.Add(ctx, 1, metric.WithAttributes(attribute.String("reason", reason)))
}

func (x *metrics) inserted(ctx context.Context, rows int, took time.Duration) {
	x.stored.Add(ctx, int64(rows))
	x.batchRows.Record(ctx, int64(rows))
	x.insertSeconds.Record(ctx, took.Seconds())
}

func (x *metrics) observeHighWatermark(topic string, partition int32, hwm int64) {
	x.mu.Lock()
	x.hwm[topicPartition{topic, partition}] = hwm
	x.mu.Unlock()
}

func (x *metrics) committed(offsets map[string]map[int32]kgo.EpochOffset) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for topic, parts := range offsets {
		for p, eo := range parts {
			x.commitAt[topicPartition{topic, p}] = eo.Offset
		}
	}
}

func (x *metrics) observeLag(_ context.Context, o metric.Int64Observer) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	for tp, hwm := range x.hwm {
		lag := hwm - x.commitAt[tp]
		if lag < 0 {
			lag = 0
		}
		o.Observe(lag, metric.WithAttributes(attribute.String("topic", tp.topic), attribute.Int("partition", int(tp.partition))))
	}
	return nil
}
