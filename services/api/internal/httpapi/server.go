// Package httpapi is the HTTP edge of the query API: the endpoints that
// data-subject access responders and the DPO use to learn who received a
// subject's data, which data, when and why (GDPR Art. 15(1)(c), Art. 30).
//
// Every lookup is authenticated by a bearer token, held to its caller's
// rate (RateLimit, RateBurst: 429), validated, and audited (the Auditor must
// have stored the record) before the Store is asked; when the audit write
// fails the lookup is refused with 503, and when ClickHouse cannot be
// reached, with 503 store_unavailable. The package declares the ports it
// needs (Store, Auditor) and knows nothing of ClickHouse or Kafka beyond
// the query types of chstore and the connection errors of ClickHouse's
// driver (storeUnreachable).
//
// Bearer tokens, the error shape, the probes and the request log, span and
// metrics are the project's shared pkg/httpauth, pkg/httpjson,
// pkg/httphealth and pkg/httpobserve, as in the ingest gateway.
//
// Nothing here logs a subject id or an answer: both are personal data. The
// request log names the route pattern, never the path.
package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/balticom/lineage/pkg/httpauth"
	"github.com/balticom/lineage/pkg/httphealth"
	"github.com/balticom/lineage/pkg/httpobserve"
	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/register"
	"github.com/balticom/lineage/services/chstore"
)

// Route patterns (Go 1.22 ServeMux syntax).
const (
	routeRecipients   = "GET /v1/subjects/{subject_id}/recipients"
	routeEvents       = "GET /v1/subjects/{subject_id}/events"
	routeReport       = "GET /v1/subjects/{subject_id}/report"
	routeSearch       = "POST /v1/subjects/search"
	routeOpenRequest  = "POST /v1/requests"
	routeRequestEvent = "POST /v1/requests/{request_id}/events"
	routeListRequests = "GET /v1/requests"
	routeGetRequest   = "GET /v1/requests/{request_id}"
	routeUnresolved   = "GET /v1/identity/unresolved"
	routeFallback     = "/"
)

// realm is the realm of the bearer challenge of a 401 answer.
const realm = "lineage"

// Deps are what a Server needs. Store, Auditor, Tokens and Log are required;
// the rest have defaults.
type Deps struct {
	Store   Store
	Auditor Auditor
	// RequestLog writes the facts of access requests.
	RequestLog RequestLog
	// Tokens maps bearer tokens to the callers (people or desks) that may
	// look subjects up.
	Tokens *httpauth.Tokens
	// Roles gives each caller of Tokens its role; a caller without one is
	// a configuration error.
	Roles map[string]Role
	// Keyer hashes what a person presents (a phone number, a personal
	// code) as the sources do, to find the customer; nil: search by
	// customer id only.
	Keyer *identity.Keyer
	Log   *slog.Logger
	// Checks are run by /readyz, in order.
	Checks []httphealth.Check
	// QueryTimeout bounds one Store call (default 20 s).
	QueryTimeout time.Duration
	// UnresolvedMaxAge is how long a count of unresolved events is answered
	// again before it is counted anew (default 30 s).
	UnresolvedMaxAge time.Duration
	// FlowsMaxAge is how long the flows the events show are compared with
	// the declared register again before they are read anew, and the
	// overview's counts of open problems before they are counted anew in
	// the background (default 5 min).
	FlowsMaxAge time.Duration
	// CheckTimeout bounds each readiness check (default 2 s).
	CheckTimeout time.Duration
	// RateLimit is the requests a second each caller may make on average,
	// RateBurst how many at once (default: twice RateLimit, at least 1).
	// Zero: no limit. The clock is Now.
	RateLimit float64
	RateBurst int
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
	handler      http.Handler
	store        Store
	auditor      Auditor
	requestLog   RequestLog
	tokens       *httpauth.Tokens
	roles        map[string]Role
	keyer        *identity.Keyer
	log          *slog.Logger
	queryTimeout time.Duration
	now          func() time.Time
	unresolved   cached[[]chstore.UnresolvedCount]
	flows        cached[[]register.Flow]
	flagCounts   stale[[]flagCountView]
	rate         *rateLimiter // nil: no limit
}

// New builds a Server.
func New(d Deps) (*Server, error) {
	if d.Store == nil || d.Auditor == nil || d.RequestLog == nil || d.Tokens == nil || d.Log == nil {
		return nil, errors.New("httpapi: Store, Auditor, RequestLog, Tokens and Log are required")
	}
	for _, name := range d.Tokens.Names() {
		if d.Roles[name] == "" {
			return nil, fmt.Errorf("httpapi: caller %s has a token but no role", name)
		}
	}
	s := &Server{
		store:        d.Store,
		auditor:      d.Auditor,
		requestLog:   d.RequestLog,
		tokens:       d.Tokens,
		roles:        d.Roles,
		keyer:        d.Keyer,
		log:          d.Log,
		queryTimeout: orDefault(d.QueryTimeout, 20*time.Second),
		unresolved:   cached[[]chstore.UnresolvedCount]{maxAge: orDefault(d.UnresolvedMaxAge, 30*time.Second)},
		flows:        cached[[]register.Flow]{maxAge: orDefault(d.FlowsMaxAge, 5*time.Minute)},
		flagCounts:   stale[[]flagCountView]{maxAge: orDefault(d.FlowsMaxAge, 5*time.Minute)},
		now:          d.Now,
	}
	if s.now == nil {
		s.now = time.Now
	}
	burst := d.RateBurst
	if burst <= 0 {
		burst = int(math.Ceil(2 * d.RateLimit))
	}
	s.rate = newRateLimiter(d.RateLimit, burst, s.now)
	newID := d.NewRequestID
	if newID == nil {
		newID = lineage.NewID
	}

	mux := http.NewServeMux()
	mux.HandleFunc(routeRecipients, s.authenticated(s.handleRecipients))
	mux.HandleFunc(routeEvents, s.authenticated(s.handleEvents))
	mux.HandleFunc(routeReport, s.authenticated(s.handleReport))
	mux.HandleFunc(routeSearch, s.authenticated(s.handleSearch))
	mux.HandleFunc(routeOpenRequest, s.authenticated(s.handleOpenRequest))
	mux.HandleFunc(routeRequestEvent, s.authenticated(s.handleRequestEvent))
	mux.HandleFunc(routeListRequests, s.authenticated(s.handleListRequests))
	mux.HandleFunc(routeGetRequest, s.authenticated(s.handleGetRequest))
	mux.HandleFunc(routeUnresolved, s.authenticated(s.handleUnresolved))
	mux.HandleFunc(routeRegister, s.authenticated(s.handleRegister))
	mux.HandleFunc(routeDifferences, s.authenticated(s.handleDifferences))
	mux.HandleFunc(routeRecipientSubjects, s.authenticated(s.handleExposure(routeRecipientSubjects, chstore.Recipient)))
	mux.HandleFunc(routeSourceSubjects, s.authenticated(s.handleExposure(routeSourceSubjects, chstore.SourceSystem)))
	mux.HandleFunc(routeRecipientLetter, s.authenticated(s.handleLetter(routeRecipientLetter, chstore.Recipient)))
	mux.HandleFunc(routeSourceLetter, s.authenticated(s.handleLetter(routeSourceLetter, chstore.SourceSystem)))
	mux.HandleFunc(routeRecordFact, s.authenticated(s.handleRecordFact))
	mux.HandleFunc(routeSubjectErase, s.authenticated(s.handleSubjectErasure))
	mux.HandleFunc(routeSubjectFlags, s.authenticated(s.handleSubjectFlags))
	mux.HandleFunc(routeFlags, s.authenticated(s.handleFlags))
	mux.HandleFunc(routeErasures, s.authenticated(s.handleErasures))
	mux.HandleFunc(routeOpenIncident, s.authenticated(s.handleOpenIncident))
	mux.HandleFunc(routeListIncidents, s.authenticated(s.handleListIncidents))
	mux.HandleFunc(routeGetIncident, s.authenticated(s.handleGetIncident))
	mux.HandleFunc(routeIncidentEvent, s.authenticated(s.handleIncidentEvent))
	mux.HandleFunc(routeIncidentLetter, s.authenticated(s.handleIncidentLetter))
	mux.HandleFunc(routeSubjectRetention, s.authenticated(s.handleSubjectRetention))
	mux.HandleFunc(routeRetention, s.authenticated(s.handleRetention))
	mux.HandleFunc(routeRetainedData, s.authenticated(s.handleRetainedData))
	mux.HandleFunc(routeMe, s.authenticated(s.handleMe))
	mux.HandleFunc(routeTaxonomy, s.authenticated(s.handleTaxonomy))
	mux.HandleFunc(routeOverview, s.authenticated(s.handleOverview))
	mux.HandleFunc(routeEventList, s.authenticated(s.handleEventList))
	mux.HandleFunc(routeSubjectLineage, s.authenticated(s.handleSubjectLineage))
	httphealth.Register(mux, d.Log, d.CheckTimeout, d.Checks)
	mux.HandleFunc(routeFallback, s.handleNotFound)
	var err error
	s.handler, err = httpobserve.New(httpobserve.Config{
		Mux: mux, Log: d.Log, QuietRoutes: httphealth.Routes(),
		NewRequestID:   newID,
		TracerProvider: d.TracerProvider, MeterProvider: d.MeterProvider, Propagator: d.Propagator,
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// ServeHTTP implements http.Handler: every request passes httpobserve
// (request id, security headers, span, metrics, request log) to its route.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
