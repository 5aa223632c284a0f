package httpingest

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Outcomes of an event or link, the "outcome" attribute of
// lineage.gateway.events and lineage.gateway.links.
const (
	outcomePublished = "published" // Kafka acknowledged it
	outcomeRejected  = "rejected"  // refused with 4xx (malformed, invalid, forbidden)
	outcomeFailed    = "failed"    // Kafka refused it or did not answer in time
)

// metrics of the gateway beyond the request metrics of httpobserve.
type metrics struct {
	events metric.Int64Counter
	links  metric.Int64Counter
	shed   metric.Int64Counter
}

func newMetrics(m metric.Meter, slots *limiter) (metrics, error) {
	var (
		out metrics
		err error
	)
	out.events, err = m.Int64Counter("lineage.gateway.events",
		metric.WithDescription("Events received, by source system and outcome (published, rejected, failed)."),
		metric.WithUnit("{event}"))
	if err != nil {
		return out, fmt.Errorf("create event counter: %w", err)
	}
	out.links, err = m.Int64Counter("lineage.gateway.links",
		metric.WithDescription("Identity links received, by source system and outcome (published, rejected, failed)."),
		metric.WithUnit("{link}"))
	if err != nil {
		return out, fmt.Errorf("create link counter: %w", err)
	}
	out.shed, err = m.Int64Counter("lineage.gateway.shed",
		metric.WithDescription("Requests refused with 429 because MaxInFlight requests were being served."),
		metric.WithUnit("{request}"))
	if err != nil {
		return out, fmt.Errorf("create shed counter: %w", err)
	}
	_, err = m.Int64ObservableGauge("lineage.gateway.in_flight",
		metric.WithDescription("Requests holding a slot: being read, decoded, validated or published."),
		metric.WithUnit("{request}"),
		metric.WithInt64Callback(func(_ context.Context, o metric.Int64Observer) error {
			o.Observe(int64(slots.inUse()), metric.WithAttributes(attribute.Int("limit", slots.size())))
			return nil
		}))
	if err != nil {
		return out, fmt.Errorf("create in-flight gauge: %w", err)
	}
	return out, nil
}

func (m metrics) countEvents(ctx context.Context, source, outcome string, n int) {
	count(ctx, m.events, source, outcome, n)
}

func (m metrics) countLinks(ctx context.Context, source, outcome string, n int) {
	count(ctx, m.links, source, outcome, n)
}

func count(ctx context.Context, c metric.Int64Counter, source, outcome string, n int) {
	if n > 0 {
		c.Add(ctx, int64(n), metric.WithAttributes(
			attribute.String("lineage.source_system", source), attribute.String("outcome", outcome)))
	}
}
