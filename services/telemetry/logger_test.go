package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

func TestNewLoggerTraceIDs(t *testing.T) {
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	withSpan := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled,
	}))

	tests := []struct {
		name        string
		ctx         context.Context
		wantTrace   string
		wantSpan    string
		loggerAttrs []any
	}{
		{name: "span", ctx: withSpan, wantTrace: tid.String(), wantSpan: sid.String()},
		{name: "span with logger attrs", ctx: withSpan, wantTrace: tid.String(), wantSpan: sid.String(), loggerAttrs: []any{"component", "x"}},
		{name: "no span", ctx: context.Background()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := NewLogger(&buf, slog.LevelInfo).With(tt.loggerAttrs...)
			log.DebugContext(tt.ctx, "dropped below level")
			log.InfoContext(tt.ctx, "hello", "k", "v")

			var rec map[string]any
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Fatalf("want one JSON line, got %q: %v", buf.String(), err)
			}
			if rec["msg"] != "hello" || rec["k"] != "v" {
				t.Errorf("record = %v, want msg hello and k v", rec)
			}
			if got, _ := rec[TraceIDKey].(string); got != tt.wantTrace {
				t.Errorf("trace_id = %q, want %q", got, tt.wantTrace)
			}
			if got, _ := rec[SpanIDKey].(string); got != tt.wantSpan {
				t.Errorf("span_id = %q, want %q", got, tt.wantSpan)
			}
		})
	}
}
