package telemetry

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

// restoreGlobals puts back the global providers a test replaced.
func restoreGlobals(t *testing.T) {
	t.Helper()
	tp, mp, prop := otel.GetTracerProvider(), otel.GetMeterProvider(), otel.GetTextMapPropagator()
	t.Cleanup(func() {
		// Setting a global to its current value makes otel log a warning.
		if otel.GetTracerProvider() != tp {
			otel.SetTracerProvider(tp)
		}
		if otel.GetMeterProvider() != mp {
			otel.SetMeterProvider(mp)
		}
		otel.SetTextMapPropagator(prop)
	})
}

func TestSetupWithoutEndpoint(t *testing.T) {
	restoreGlobals(t)
	tpBefore, mpBefore := otel.GetTracerProvider(), otel.GetMeterProvider()

	shutdown, err := Setup(context.Background(), Config{ServiceName: "test"})
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	if otel.GetTracerProvider() != tpBefore || otel.GetMeterProvider() != mpBefore {
		t.Error("Setup without endpoint replaced the global providers")
	}
	if _, ok := otel.GetTextMapPropagator().(propagation.TraceContext); !ok {
		t.Errorf("propagator = %T, want propagation.TraceContext", otel.GetTextMapPropagator())
	}
	if err := shutdown(context.Background()); err != nil {
		t.Errorf("shutdown: %v", err)
	}
}

// collector records the paths of the OTLP requests it receives.
type collector struct {
	mu    sync.Mutex
	posts map[string]int
	body  []byte // every body posted, one after the other
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.body = append(c.body, body...)
	if r.Method == http.MethodPost && r.Header.Get("Content-Type") == "application/x-protobuf" {
		c.posts[r.URL.Path]++
	}
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(http.StatusOK)
}

func (c *collector) count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.posts[path]
}

func TestSetupExportsOnShutdown(t *testing.T) {
	tests := []struct {
		name     string
		endpoint func(srv *httptest.Server) string
		insecure bool
		prefix   string
	}{
		{name: "base url", endpoint: func(s *httptest.Server) string { return s.URL }},
		{name: "base url with path", endpoint: func(s *httptest.Server) string { return s.URL + "/otlp/" }, prefix: "/otlp"},
		{name: "host and port", endpoint: func(s *httptest.Server) string { return s.Listener.Addr().String() }, insecure: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			restoreGlobals(t)
			c := &collector{posts: map[string]int{}}
			srv := httptest.NewServer(c)
			defer srv.Close()

			ctx := context.Background()
			shutdown, err := Setup(ctx, Config{ServiceName: "test", InstanceID: "member-7", OTLPEndpoint: tt.endpoint(srv), Insecure: tt.insecure})
			if err != nil {
				t.Fatalf("Setup: %v", err)
			}
			_, span := otel.Tracer("test").Start(ctx, "op")
			span.End()
			counter, err := otel.Meter("test").Int64Counter("test.requests")
			if err != nil {
				t.Fatalf("counter: %v", err)
			}
			counter.Add(ctx, 1)

			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := shutdown(sctx); err != nil {
				t.Fatalf("shutdown: %v", err)
			}
			for _, p := range []string{tt.prefix + "/v1/traces", tt.prefix + "/v1/metrics"} {
				if c.count(p) == 0 {
					t.Errorf("no OTLP POST to %s; got %v", p, c.posts)
				}
			}
			// The protobuf carries the resource attributes as plain strings.
			c.mu.Lock()
			defer c.mu.Unlock()
			for _, want := range []string{"service.instance.id", "member-7"} {
				if !bytes.Contains(c.body, []byte(want)) {
					t.Errorf("the exported telemetry does not carry %q", want)
				}
			}
		})
	}
}

func TestSetupRejectsBadEndpoint(t *testing.T) {
	restoreGlobals(t)
	for _, ep := range []string{"ftp://collector:4318", "http://"} {
		shutdown, err := Setup(context.Background(), Config{OTLPEndpoint: ep})
		if err == nil {
			t.Errorf("Setup(%q): want an error", ep)
		}
		if shutdown == nil {
			t.Fatalf("Setup(%q): shutdown is nil", ep)
		}
		if err := shutdown(context.Background()); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	}
}
