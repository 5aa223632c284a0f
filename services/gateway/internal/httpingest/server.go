// Package httpingest is the HTTP edge of the ingest gateway: source systems
// that cannot embed the Go SDK post lineage events as JSON, one at a time
// or in batches, and identity links in batches, and get an answer only
// after Kafka acknowledged them.
//
// A request passes, in order: authentication (each source system has its
// own bearer token and may publish only as itself; a request without a
// valid one is answered 401 and its connection closed, so that a client
// without a token cannot hold connections open), load shedding (at most
// MaxInFlight requests are served at once, and at most
// MaxInFlightPerSource of one source system, so that a slow or flooding
// source leaves the others slots; the next one is refused with 429 at
// once instead of queueing), a body limit (413), strict JSON
// decoding (package eventjson), validation against the taxonomy
// (lineage.Validate; one invalid event fails the whole batch, nothing is
// published), and publishing through the SDK. Kafka's refusal, or no
// answer within PublishTimeout, is a 503 naming the events to send again.
// Links take the same path to their own topic.
//
// Identifiers (an event's subject_identifier, a link's identifier) arrive
// in clear and are keyed-hashed while decoding, with the operator's
// identity key (Deps.Keyer): only the HMAC reaches Kafka, and no answer or
// log holds the value. Without a key they are refused with 422, so that a
// gateway set up for events only still starts and serves them.
//
// Memory stays bounded under any load: a request holds a slot from before
// its body is read until Kafka answered for its events (also when the
// caller was already told 503), so at most MaxInFlight bodies of at most
// MaxBodyBytes, MaxInFlight × MaxBatch decoded events and as many records
// in the producer exist at once. A refused request costs only its headers.
//
// Nothing here logs an event, a link, a subject id, an identifier or a
// token: the request log names the route pattern and the source system.
package httpingest

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/balticom/lineage/pkg/httpauth"
	"github.com/balticom/lineage/pkg/httphealth"
	"github.com/balticom/lineage/pkg/httpobserve"
	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/services/gateway/internal/eventjson"
)

const instrumentation = "github.com/balticom/lineage/services/gateway/internal/httpingest"

// Route patterns (Go 1.22 ServeMux syntax). The batch route is a sub-path,
// not a custom method (/v1/events:batch), so no client or proxy has to
// think about a colon in a path.
const (
	routeEvent     = "POST /v1/events"
	routeBatch     = "POST /v1/events/batch"
	routeLinks     = "POST /v1/identity-links"
	routeEventAny  = "/v1/events"
	routeBatchAny  = "/v1/events/batch"
	routeLinksAny  = "/v1/identity-links"
	routeFallback  = "/"
	realm          = "lineage-gateway"
	defaultMaxBody = 1 << 20
)

// Publisher publishes events and identity links to Kafka. Publish returns
// nil only once Kafka acknowledged every event; an error is errors.Is
// lineage.ErrInvalid when an event is invalid (nothing was sent), else it
// joins a *producer.EventError for each event that was not acknowledged
// (the others were). PublishLinks does the same for links. It must be safe
// for concurrent use and both must return, also when ctx is done, once
// every record has an outcome.
type Publisher interface {
	Publish(ctx context.Context, events []lineage.Event) error
	PublishLinks(ctx context.Context, links []lineage.IdentityLink) error
}

// DefaultLinkSource is the one source whose identity links are taken when
// none is configured: CRM assigns numbers, addresses, contracts and devices.
const DefaultLinkSource = "crm"

// Deps are what a Server needs. Publisher, Sources and Log are required;
// the rest have defaults.
type Deps struct {
	Publisher Publisher
	// Sources maps bearer tokens to source system codes: a caller is the
	// source system it may publish as.
	Sources *httpauth.Tokens
	Log     *slog.Logger
	// Keyer hashes the identifiers of events and links with the
	// operator's identity key. Nil: events with subject_identifier and
	// all links are refused with 422.
	Keyer *identity.Keyer
	// LinkSources are the source systems whose identity links are taken
	// (default: crm alone). A link says whose data an identifier's events
	// are: a source that only files events under numbers must not be able
	// to move them to another customer.
	LinkSources []string
	// Checks are run by /readyz, in order.
	Checks []httphealth.Check
	// MaxBodyBytes bounds a request body (default 1 MiB).
	MaxBodyBytes int64
	// MaxBatch bounds the events, or links, of a batch (default 500).
	MaxBatch int
	// MaxInFlight bounds the requests served at once (default 64).
	MaxInFlight int
	// MaxInFlightPerSource bounds the requests of one source system served
	// at once (default half of MaxInFlight, at least 1; at most
	// MaxInFlight).
	MaxInFlightPerSource int
	// PublishTimeout bounds the wait for Kafka (default 10 s).
	PublishTimeout time.Duration
	// CheckTimeout bounds each readiness check (default 2 s).
	CheckTimeout time.Duration
	// Now is the time of receipt (default time.Now).
	Now func() time.Time
	// NewEventID gives an event without event_id its id (default
	// lineage.NewID); NewRequestID makes request ids (default
	// httpobserve's).
	NewEventID   func() string
	NewRequestID func() string
	// TracerProvider, MeterProvider and Propagator default to the otel
	// globals.
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider
	Propagator     propagation.TextMapPropagator
}

// Server is the gateway's http.Handler. It is safe for concurrent use.
type Server struct {
	handler        http.Handler
	pub            Publisher
	sources        *httpauth.Tokens
	log            *slog.Logger
	decoder        *eventjson.Decoder
	maxBody        int64
	publishTimeout time.Duration
	now            func() time.Time
	slots          *limiter
	m              metrics
	linkSources    []string
}

// New builds a Server.
func New(d Deps) (*Server, error) {
	if d.Publisher == nil || d.Sources == nil || d.Log == nil {
		return nil, errors.New("httpingest: Publisher, Sources and Log are required")
	}
	s := &Server{
		pub:            d.Publisher,
		sources:        d.Sources,
		log:            d.Log,
		maxBody:        d.MaxBodyBytes,
		publishTimeout: orDefault(d.PublishTimeout, 10*time.Second),
		now:            d.Now,
		slots:          newLimiter(d.MaxInFlight, d.MaxInFlightPerSource),
		decoder:        &eventjson.Decoder{MaxBatch: d.MaxBatch, NewID: d.NewEventID, Keyer: d.Keyer},
		linkSources:    d.LinkSources,
	}
	if len(s.linkSources) == 0 {
		s.linkSources = []string{DefaultLinkSource}
	}
	if s.maxBody <= 0 {
		s.maxBody = defaultMaxBody
	}
	if s.decoder.MaxBatch <= 0 {
		s.decoder.MaxBatch = eventjson.DefaultMaxBatch
	}
	if s.decoder.NewID == nil {
		s.decoder.NewID = lineage.NewID
	}
	if s.now == nil {
		s.now = time.Now
	}
	mp := d.MeterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	var err error
	if s.m, err = newMetrics(mp.Meter(instrumentation), s.slots); err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	mux.HandleFunc(routeEvent, s.handleEvent)
	mux.HandleFunc(routeBatch, s.handleBatch)
	mux.HandleFunc(routeLinks, s.handleLinks)
	mux.HandleFunc(routeEventAny, handleMethodNotAllowed)
	mux.HandleFunc(routeBatchAny, handleMethodNotAllowed)
	mux.HandleFunc(routeLinksAny, handleMethodNotAllowed)
	httphealth.Register(mux, d.Log, d.CheckTimeout, d.Checks)
	mux.HandleFunc(routeFallback, handleNotFound)
	s.handler, err = httpobserve.New(httpobserve.Config{
		Mux: mux, Log: d.Log, QuietRoutes: httphealth.Routes(),
		NewRequestID:   d.NewRequestID,
		TracerProvider: d.TracerProvider, MeterProvider: d.MeterProvider, Propagator: d.Propagator,
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
