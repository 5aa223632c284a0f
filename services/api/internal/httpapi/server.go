// Package httpapi is the HTTP edge of the query API: the endpoints that
// data-subject access responders and the DPO use to learn who received a
// subject's data, which data, when and why (GDPR Art. 15(1)(c), Art. 30).
//
// Every lookup is authenticated by a bearer token, validated, and audited
// (the Auditor must have stored the record) before the Store is asked; when
// the audit write fails the lookup is refused with 503. The package declares
// the ports it needs (Store, Auditor) and knows nothing of ClickHouse or
// Kafka beyond the query types of chstore.
//
// Nothing here logs a subject id or an answer: both are personal data. The
// request log names the route pattern, never the path.
package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/balticom/lineage/pkg/lineage"
)

const instrumentation = "github.com/balticom/lineage/services/api/internal/httpapi"

// Route patterns (Go 1.22 ServeMux syntax).
const (
	routeRecipients = "GET /v1/subjects/{subject_id}/recipients"
	routeEvents     = "GET /v1/subjects/{subject_id}/events"
	routeHealthz    = "GET /healthz"
	routeReadyz     = "GET /readyz"
	routeFallback   = "/"
)

// Deps are what a Server needs. Store, Auditor, Tokens and Log are required;
// the rest have defaults.
type Deps struct {
	Store   Store
	Auditor Auditor
	Tokens  *Tokens
	Log     *slog.Logger
	// Checks are run by /readyz, in order.
	Checks []Check
	// QueryTimeout bounds one Store call (default 20 s).
	QueryTimeout time.Duration
	// CheckTimeout bounds each readiness check (default 2 s).
	CheckTimeout time.Duration
	// TracerProvider, MeterProvider and Propagator default to the otel
	// globals.
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider
	Propagator     propagation.TextMapPropagator
	// Now stamps audit records (default time.Now).
	Now func() time.Time
	// NewRequestID makes a request id when the caller sent none (default: a
	// random UUID).
	NewRequestID func() string
}

// Server is the API's http.Handler. It is safe for concurrent use.
type Server struct {
	mux          *http.ServeMux
	store        Store
	auditor      Auditor
	tokens       *Tokens
	log          *slog.Logger
	checks       []Check
	queryTimeout time.Duration
	checkTimeout time.Duration
	now          func() time.Time
	newID        func() string
	propagator   propagation.TextMapPropagator
	tracer       trace.Tracer
	requests     metric.Int64Counter
	duration     metric.Float64Histogram
}

// New builds a Server.
func New(d Deps) (*Server, error) {
	if d.Store == nil || d.Auditor == nil || d.Tokens == nil || d.Log == nil {
		return nil, errors.New("httpapi: Store, Auditor, Tokens and Log are required")
	}
	s := &Server{
		mux:          http.NewServeMux(),
		store:        d.Store,
		auditor:      d.Auditor,
		tokens:       d.Tokens,
		log:          d.Log,
		checks:       d.Checks,
		queryTimeout: orDefault(d.QueryTimeout, 20*time.Second),
		checkTimeout: orDefault(d.CheckTimeout, 2*time.Second),
		now:          d.Now,
		newID:        d.NewRequestID,
		propagator:   d.Propagator,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = lineage.NewID
	}
	if s.propagator == nil {
		s.propagator = otel.GetTextMapPropagator()
	}
	tp, mp := d.TracerProvider, d.MeterProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	s.tracer = tp.Tracer(instrumentation)
	if err := s.initMetrics(mp.Meter(instrumentation)); err != nil {
		return nil, err
	}

	s.mux.HandleFunc(routeRecipients, s.authenticated(s.handleRecipients))
	s.mux.HandleFunc(routeEvents, s.authenticated(s.handleEvents))
	s.mux.HandleFunc(routeHealthz, s.handleHealthz)
	s.mux.HandleFunc(routeReadyz, s.handleReadyz)
	s.mux.HandleFunc(routeFallback, s.handleNotFound)
	return s, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
