package materialize_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/producer"
)

// TestTraceContextReachesTheMaterializer: the SDK carries the caller's W3C
// trace context in the record headers, and the materializer's consume span
// links to it; its insert span is recorded too.
func TestTraceContextReachesTheMaterializer(t *testing.T) {
	recorder := tracetest.NewSpanRecorder()
	previous := otel.GetTracerProvider()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder)))
	t.Cleanup(func() { otel.SetTracerProvider(previous) })

	brokers := broker(t, 2)
	store, _, _ := freshStore(t)
	m := startMember(t, brokers, store, 100)

	traceID, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	spanID, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: traceID, SpanID: spanID, TraceFlags: trace.FlagsSampled, Remote: true,
	}))
	p, err := producer.New(producer.Config{Brokers: brokers})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Publish(ctx, lineagetest.Events(51, 20, 5)...); err != nil {
		t.Fatal(err)
	}
	p.Close(context.Background())
	waitCommitted(t, brokers)
	m.stop(t)

	var linked, inserts int
	for _, s := range recorder.Ended() {
		switch s.Name() {
		case "lineage.consume":
			for _, l := range s.Links() {
				if l.SpanContext.TraceID() == traceID {
					linked++
				}
			}
		case "lineage.insert":
			inserts++
		}
	}
	if linked == 0 || inserts == 0 {
		t.Fatalf("consume spans linked to the producer's trace: %d, insert spans: %d", linked, inserts)
	}
}
