package httpapi

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/balticom/lineage/pkg/httpauth"
)

func TestTelemetry(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	tokens, _ := httpauth.ParseTokens("dpo:" + dpoToken)
	var logs bytes.Buffer
	s, err := New(Deps{
		Store: fixtureStore(), Auditor: okAuditor{}, RequestLog: &memStore{}, Tokens: tokens, Roles: map[string]Role{"dpo": RoleDPO},
		Log:            slog.New(slog.NewJSONHandler(&logs, nil)),
		TracerProvider: tp, MeterProvider: mp, Propagator: propagation.TraceContext{},
	})
	if err != nil {
		t.Fatal(err)
	}

	get(s, "/v1/subjects/"+subject+"/recipients", map[string]string{"Authorization": "Bearer " + dpoToken, "Traceparent": traceParent})
	get(s, "/v1/subjects/"+subject+"/recipients", map[string]string{"Authorization": "Bearer " + dpoToken})
	get(s, "/v1/subjects/"+subject+"/events", nil)
	get(s, "/no/such/"+subject, nil)
	get(s, "/healthz", nil)

	ended := spans.Ended()
	if len(ended) != 5 {
		t.Fatalf("got %d spans, want 5", len(ended))
	}
	wantNames := []string{
		"GET /v1/subjects/{subject_id}/recipients", "GET /v1/subjects/{subject_id}/recipients",
		"GET /v1/subjects/{subject_id}/events", "GET unmatched", "GET /healthz",
	}
	for i, sp := range ended {
		if sp.Name() != wantNames[i] {
			t.Errorf("span %d name = %q, want %q", i, sp.Name(), wantNames[i])
		}
		for _, a := range sp.Attributes() {
			if strings.Contains(a.Value.Emit(), subject) {
				t.Errorf("span %d attribute %s holds the subject id", i, a.Key)
			}
		}
	}
	if got := ended[0].SpanContext().TraceID().String(); got != traceID {
		t.Errorf("span continues trace %s, want the caller's %s", got, traceID)
	}
	if !ended[0].Parent().IsRemote() {
		t.Error("span's parent is not the caller's remote span")
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != "http.server.requests" {
				continue
			}
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				route, _ := dp.Attributes.Value(attribute.Key("http.route"))
				status, _ := dp.Attributes.Value(attribute.Key("http.response.status_code"))
				counts[route.AsString()+" "+status.Emit()] += dp.Value
			}
		}
	}
	want := map[string]int64{
		"/v1/subjects/{subject_id}/recipients 200": 2,
		"/v1/subjects/{subject_id}/events 401":     1,
		"unmatched 404":                            1,
		"/healthz 200":                             1,
	}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("requests{%s} = %d, want %d (all: %v)", k, counts[k], v, counts)
		}
	}
	if strings.Contains(logs.String(), `"route":"/healthz"`) {
		t.Errorf("a successful probe was logged at info: %s", logs.String())
	}
}
