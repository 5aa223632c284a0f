// Package kafkatrace carries W3C trace context in Kafka record headers, so a
// trace started where an event is produced continues where it is consumed.
package kafkatrace

import (
	"context"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel/propagation"
)

// propagator is W3C trace context only: the headers are part of the event
// contract and must not depend on a global that a binary may change.
var propagator = propagation.TraceContext{}

// carrier adapts a record's headers to propagation.TextMapCarrier.
type carrier struct{ r *kgo.Record }

func (c carrier) Get(key string) string {
	for _, h := range c.r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func (c carrier) Set(key, value string) {
	for i, h := range c.r.Headers {
		if h.Key == key {
			c.r.Headers[i].Value = []byte(value)
			return
		}
	}
	c.r.Headers = append(c.r.Headers, kgo.RecordHeader{Key: key, Value: []byte(value)})
}

func (c carrier) Keys() []string {
	keys := make([]string, len(c.r.Headers))
	for i, h := range c.r.Headers {
		keys[i] = h.Key
	}
	return keys
}

// Inject writes the span context of ctx into r's headers (traceparent,
// tracestate). Without a valid span it writes nothing.
func Inject(ctx context.Context, r *kgo.Record) { propagator.Inject(ctx, carrier{r}) }

// Extract returns ctx with the remote span context found in r's headers.
func Extract(ctx context.Context, r *kgo.Record) context.Context {
	return propagator.Extract(ctx, carrier{r})
}
