package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Log keys of the request log.
const (
	keyMethod    = "method"
	keyRoute     = "route"
	keyStatus    = "status"
	keyDuration  = "duration"
	keyCaller    = "caller"
	keyRequestID = "request_id"
	keyError     = "error"
)

// maxRequestIDLen bounds an X-Request-Id accepted from the caller.
const maxRequestIDLen = 128

// requestInfo is what the request log learns while the request is served.
// One goroutine serves a request, so it needs no lock.
type requestInfo struct {
	id     string
	caller string
}

type infoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	if info, ok := ctx.Value(infoKey{}).(*requestInfo); ok {
		return info
	}
	return &requestInfo{}
}

// ServeHTTP implements http.Handler: it sets the request id and security
// headers, starts a server span (continuing the caller's W3C trace), serves
// the route, then counts and logs the request by route pattern.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	_, pattern := s.mux.Handler(r)
	route := routeLabel(pattern)
	method := methodLabel(r.Method)
	info := &requestInfo{id: s.requestID(r)}

	h := w.Header()
	h.Set("X-Request-Id", info.id)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")

	ctx := s.propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	ctx, span := s.tracer.Start(ctx, method+" "+route,
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(
			attribute.String("http.request.method", method),
			attribute.String("http.route", route),
		))
	defer span.End()
	ctx = context.WithValue(ctx, infoKey{}, info)

	sw := &statusWriter{ResponseWriter: w}
	s.mux.ServeHTTP(sw, r.WithContext(ctx))
	status := sw.Status()

	span.SetAttributes(attribute.Int("http.response.status_code", status))
	if status >= 500 {
		span.SetStatus(codes.Error, http.StatusText(status))
	}
	attrs := metric.WithAttributes(
		attribute.String("http.request.method", method),
		attribute.String("http.route", route),
		attribute.Int("http.response.status_code", status),
	)
	elapsed := time.Since(start)
	s.requests.Add(ctx, 1, attrs)
	s.duration.Record(ctx, elapsed.Seconds(), attrs)
	level := slog.LevelInfo
	if (route == routeLabel(routeHealthz) || route == routeLabel(routeReadyz)) && status < 400 {
		level = slog.LevelDebug // probes every few seconds would drown the log
	}
	s.log.LogAttrs(ctx, level, "request",
		slog.String(keyMethod, method),
		slog.String(keyRoute, route),
		slog.Int(keyStatus, status),
		slog.Duration(keyDuration, elapsed),
		slog.String(keyCaller, info.caller),
		slog.String(keyRequestID, info.id),
	)
}

func (s *Server) initMetrics(m metric.Meter) error {
	var err error
	s.requests, err = m.Int64Counter("http.server.requests",
		metric.WithDescription("HTTP requests served, by route pattern, method and status."),
		metric.WithUnit("{request}"))
	if err != nil {
		return fmt.Errorf("create request counter: %w", err)
	}
	s.duration, err = m.Float64Histogram("http.server.request.duration",
		metric.WithDescription("Duration of HTTP requests, by route pattern, method and status."),
		metric.WithUnit("s"))
	if err != nil {
		return fmt.Errorf("create request duration histogram: %w", err)
	}
	return nil
}

// routeLabel turns a mux pattern into the route named in logs, spans and
// metrics: the path pattern without the method, "unmatched" for the
// fallback. Never the raw path: it holds the subject id.
func routeLabel(pattern string) string {
	if _, path, ok := strings.Cut(pattern, " "); ok {
		pattern = path
	}
	if pattern == routeFallback || pattern == "" {
		return "unmatched"
	}
	return pattern
}

// methodLabel keeps metric and log labels bounded: any method outside the
// standard ones becomes _OTHER.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "_OTHER"
}

// requestID echoes a well-formed X-Request-Id (1-128 characters of letters,
// digits and _ . : -) or makes a new one.
func (s *Server) requestID(r *http.Request) string {
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > maxRequestIDLen {
		return s.newID()
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '_', b == '.', b == ':', b == '-':
		default:
			return s.newID()
		}
	}
	return id
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Status is the status written, 200 when the handler wrote nothing.
func (w *statusWriter) Status() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
