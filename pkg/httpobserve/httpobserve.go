// Package httpobserve is the outermost handler of the project's HTTP
// services: it gives every request an id, sets the security headers of a
// JSON API, continues the caller's W3C trace in a server span, and counts,
// times and logs every request by its route pattern (never by its path,
// which may hold a subject id).
//
// It uses only the OpenTelemetry API: the binary decides where spans and
// measurements go (services/telemetry). Handlers below it name the
// authenticated caller with SetCaller and read the request id with
// RequestID.
package httpobserve

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

const instrumentation = "github.com/balticom/lineage/pkg/httpobserve"

// Log keys of the request log.
const (
	KeyMethod    = "method"
	KeyRoute     = "route"
	KeyStatus    = "status"
	KeyDuration  = "duration"
	KeyCaller    = "caller"
	KeyRequestID = "request_id"
)

// Unmatched is the route label of a request that matched no pattern, or
// only the catch-all "/".
const Unmatched = "unmatched"

// MaxRequestIDLen bounds an X-Request-Id accepted from the caller.
const MaxRequestIDLen = 128

// Config of a Handler. Mux and Log are required.
type Config struct {
	// Mux serves the requests; its patterns are the route labels.
	Mux *http.ServeMux
	Log *slog.Logger
	// QuietRoutes are route labels ("/healthz") whose successful requests
	// are logged at debug: probes every few seconds would drown the log.
	QuietRoutes []string
	// NewRequestID makes a request id when the caller sent none or a
	// malformed one (default: 26 random base32 characters).
	NewRequestID func() string
	// TracerProvider, MeterProvider and Propagator default to the otel
	// globals.
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider
	Propagator     propagation.TextMapPropagator
}

// Handler observes every request and hands it to the mux. It is safe for
// concurrent use.
type Handler struct {
	mux        *http.ServeMux
	log        *slog.Logger
	quiet      []string
	newID      func() string
	propagator propagation.TextMapPropagator
	tracer     trace.Tracer
	requests   metric.Int64Counter
	duration   metric.Float64Histogram
}

// New builds a Handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Mux == nil || cfg.Log == nil {
		return nil, errors.New("httpobserve: Mux and Log are required")
	}
	h := &Handler{mux: cfg.Mux, log: cfg.Log, quiet: cfg.QuietRoutes, newID: cfg.NewRequestID, propagator: cfg.Propagator}
	if h.newID == nil {
		h.newID = rand.Text
	}
	if h.propagator == nil {
		h.propagator = otel.GetTextMapPropagator()
	}
	tp, mp := cfg.TracerProvider, cfg.MeterProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	h.tracer = tp.Tracer(instrumentation)
	m := mp.Meter(instrumentation)
	var err error
	h.requests, err = m.Int64Counter("http.server.requests",
		metric.WithDescription("HTTP requests served, by route pattern, method and status."),
		metric.WithUnit("{request}"))
	if err != nil {
		return nil, fmt.Errorf("httpobserve: create request counter: %w", err)
	}
	h.duration, err = m.Float64Histogram("http.server.request.duration",
		metric.WithDescription("Duration of HTTP requests, by route pattern, method and status."),
		metric.WithUnit("s"))
	if err != nil {
		return nil, fmt.Errorf("httpobserve: create request duration histogram: %w", err)
	}
	return h, nil
}

// requestInfo is what the request log learns while the request is served.
// One goroutine serves a request, so it needs no lock.
type requestInfo struct {
	id     string
	caller string
}

type infoKey struct{}

// SetCaller names the authenticated caller of the request of ctx in its log
// line. It does nothing outside a Handler.
func SetCaller(ctx context.Context, name string) {
	if info, ok := ctx.Value(infoKey{}).(*requestInfo); ok {
		info.caller = name
	}
}

// RequestID returns the id of the request of ctx, "" outside a Handler.
func RequestID(ctx context.Context) string {
	if info, ok := ctx.Value(infoKey{}).(*requestInfo); ok {
		return info.id
	}
	return ""
}

// ServeHTTP implements http.Handler: it sets the request id and security
// headers, starts a server span (continuing the caller's W3C trace), serves
// the route, then counts and logs the request by route pattern.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	_, pattern := h.mux.Handler(r)
	route := RouteLabel(pattern)
	method := MethodLabel(r.Method)
	info := &requestInfo{id: h.requestID(r)}

	hdr := w.Header()
	hdr.Set("X-Request-Id", info.id)
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	hdr.Set("Referrer-Policy", "no-referrer")

	ctx := h.propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	ctx, span := h.tracer.Start(ctx, method+" "+route,
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(
			attribute.String("http.request.method", method),
			attribute.String("http.route", route),
		))
	defer span.End()
	ctx = context.WithValue(ctx, infoKey{}, info)

	sw := &statusWriter{ResponseWriter: w}
	h.mux.ServeHTTP(sw, r.WithContext(ctx))
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
	h.requests.Add(ctx, 1, attrs)
	h.duration.Record(ctx, elapsed.Seconds(), attrs)
	level := slog.LevelInfo
	if status < 400 && slices.Contains(h.quiet, route) {
		level = slog.LevelDebug
	}
	h.log.LogAttrs(ctx, level, "request",
		slog.String(KeyMethod, method),
		slog.String(KeyRoute, route),
		slog.Int(KeyStatus, status),
		slog.Duration(KeyDuration, elapsed),
		slog.String(KeyCaller, info.caller),
		slog.String(KeyRequestID, info.id),
	)
}

// RouteLabel turns a mux pattern into the route named in logs, spans and
// metrics: the path pattern without the method, Unmatched for no pattern or
// the catch-all "/". Never the raw path: it may hold a subject id.
func RouteLabel(pattern string) string {
	if _, path, ok := strings.Cut(pattern, " "); ok {
		pattern = path
	}
	if pattern == "/" || pattern == "" {
		return Unmatched
	}
	return pattern
}

// MethodLabel keeps metric and log labels bounded: any method outside the
// standard ones becomes _OTHER.
func MethodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "_OTHER"
}

// requestID echoes a well-formed X-Request-Id (1-128 characters of letters,
// digits and _ . : -) or makes a new one.
func (h *Handler) requestID(r *http.Request) string {
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > MaxRequestIDLen {
		return h.newID()
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '_', b == '.', b == ':', b == '-':
		default:
			return h.newID()
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
