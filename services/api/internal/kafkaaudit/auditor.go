// Package kafkaaudit writes audit records to Kafka: per lookup, one JSON
// record to the audit topic and one consultation lineage event (Avro) to the
// events topic, both keyed by subject id and acknowledged by all in-sync
// replicas before Audit returns. The consultation event is how a lookup
// through the API shows in the subject's own access report.
package kafkaaudit

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/accessrequest"
	"github.com/balticom/lineage/pkg/incident"
	"github.com/balticom/lineage/pkg/kafkatrace"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/api/internal/audit"
)

// Config of an Auditor. Only Brokers is required.
type Config struct {
	Brokers []string
	// Topic defaults to topics.Audit.
	Topic string
	// EventsTopic, where consultation events go, defaults to topics.Events.
	EventsTopic string
	// RequestsTopic, the access-request log, defaults to topics.Requests.
	RequestsTopic string
	// FactsTopic, where subject facts go, defaults to topics.Facts.
	FactsTopic string
	// IncidentsTopic, the breach record, defaults to topics.Incidents.
	IncidentsTopic string
	// NoConsultations writes the audit record only: for tests that count
	// the events of a store exactly.
	NoConsultations bool
	// Timeout bounds one Audit call, including retries (default 5 s).
	Timeout time.Duration
	// ClientID names the API in the broker's logs (default lineage-api).
	ClientID string
}

// Auditor produces audit records. It is safe for concurrent use; Close it
// once, after the last Audit.
type Auditor struct {
	cl          *kgo.Client
	codec       *wire.Codec
	requests    *wire.RequestCodec
	reqTopic    string
	facts       *wire.FactCodec
	factsTopic  string
	incidents   *wire.IncidentCodec
	incTopic    string
	topic       string
	eventsTopic string
	timeout     time.Duration
	noConsult   bool
}

// New builds an Auditor. It does not connect: a broker that is down shows in
// Ping and in the first Audit. Extra kgo options (TLS, SASL) go in opts.
func New(cfg Config, opts ...kgo.Opt) (*Auditor, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("kafka auditor: no brokers configured")
	}
	if cfg.Topic == "" {
		cfg.Topic = topics.Audit
	}
	if cfg.EventsTopic == "" {
		cfg.EventsTopic = topics.Events
	}
	if cfg.RequestsTopic == "" {
		cfg.RequestsTopic = topics.Requests
	}
	if cfg.FactsTopic == "" {
		cfg.FactsTopic = topics.Facts
	}
	if cfg.IncidentsTopic == "" {
		cfg.IncidentsTopic = topics.Incidents
	}
	codec, err := wire.New()
	if err != nil {
		return nil, fmt.Errorf("kafka auditor: %w", err)
	}
	requests, err := wire.NewRequestCodec()
	if err != nil {
		return nil, fmt.Errorf("kafka auditor: %w", err)
	}
	facts, err := wire.NewFactCodec()
	if err != nil {
		return nil, fmt.Errorf("kafka auditor: %w", err)
	}
	incidents, err := wire.NewIncidentCodec()
	if err != nil {
		return nil, fmt.Errorf("kafka auditor: %w", err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.ClientID == "" {
		cfg.ClientID = "lineage-api"
	}
	base := []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ClientID(cfg.ClientID),
		kgo.DefaultProduceTopic(cfg.Topic),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		// Every Audit waits for its record: lingering only adds latency.
		kgo.ProducerLinger(0),
		// Audit must fail within its timeout, also when a request is in
		// flight and the broker went silent (by default an idempotent
		// producer waits for such a record's outcome, unbounded). The cost
		// is that a record reported failed may still land: a duplicate
		// "requested" record for a lookup that was refused, which readers
		// tell apart by request_id.
		kgo.AllowIdempotentProduceCancellation(),
		kgo.RecordDeliveryTimeout(max(cfg.Timeout, time.Second)), // kgo's minimum
	}
	cl, err := kgo.NewClient(append(base, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("kafka auditor: new client: %w", err)
	}
	return &Auditor{cl: cl, codec: codec, requests: requests, reqTopic: cfg.RequestsTopic, facts: facts, factsTopic: cfg.FactsTopic,
		incidents: incidents, incTopic: cfg.IncidentsTopic,
		topic: cfg.Topic, eventsTopic: cfg.EventsTopic, timeout: cfg.Timeout, noConsult: cfg.NoConsultations}, nil
}

// Audit writes rec and, for a lookup of a subject, its consultation event,
// and returns nil once every in-sync replica has them, or the reason they
// were not acknowledged within the timeout (then either may or may not be
// written). The trace context of ctx goes into the records' headers.
func (a *Auditor) Audit(ctx context.Context, rec audit.Record) error {
	value, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode audit record: %w", err)
	}
	records := []*kgo.Record{{
		Topic:   a.topic,
		Key:     []byte(rec.Key()),
		Value:   value,
		Headers: []kgo.RecordHeader{{Key: "content-type", Value: []byte("application/json")}},
	}}
	if !a.noConsult && rec.NamesSubject() {
		event := rec.Consultation(lineage.NewID())
		if err := event.Validate(rec.Time.Add(time.Minute)); err != nil {
			return fmt.Errorf("consultation event: %w", err)
		}
		eventValue, err := a.codec.Append(nil, &event)
		if err != nil {
			return fmt.Errorf("encode consultation event: %w", err)
		}
		records = append(records, &kgo.Record{Topic: a.eventsTopic, Key: []byte(rec.Key()), Value: eventValue})
	}
	for _, r := range records {
		kafkatrace.Inject(ctx, r)
	}
	return a.produce(ctx, records)
}

// RecordRequest writes one fact of an access request to the request log,
// keyed by request id, and returns nil once every in-sync replica has it.
// The event must have been validated.
func (a *Auditor) RecordRequest(ctx context.Context, e accessrequest.Event) error {
	value, err := a.requests.Append(nil, &e)
	if err != nil {
		return fmt.Errorf("encode access request event: %w", err)
	}
	r := &kgo.Record{Topic: a.reqTopic, Key: []byte(e.RequestID), Value: value}
	kafkatrace.Inject(ctx, r)
	return a.produce(ctx, []*kgo.Record{r})
}

// RecordFact writes one subject fact to the facts topic, keyed by the
// subject (by the authority's reference when no subject is known), and
// returns nil once every in-sync replica has it.
func (a *Auditor) RecordFact(ctx context.Context, f subjectfact.Fact) error {
	value, err := a.facts.Append(nil, &f)
	if err != nil {
		return fmt.Errorf("encode subject fact: %w", err)
	}
	r := &kgo.Record{Topic: a.factsTopic, Key: []byte(cmp.Or(f.SubjectID, f.Reference)), Value: value}
	kafkatrace.Inject(ctx, r)
	return a.produce(ctx, []*kgo.Record{r})
}

// RecordIncident writes one event of a breach incident to the incidents
// topic, keyed by the incident, and returns nil once every in-sync replica
// has it.
func (a *Auditor) RecordIncident(ctx context.Context, e incident.Event) error {
	value, err := a.incidents.Append(nil, &e)
	if err != nil {
		return fmt.Errorf("encode incident event: %w", err)
	}
	r := &kgo.Record{Topic: a.incTopic, Key: []byte(e.IncidentID), Value: value}
	kafkatrace.Inject(ctx, r)
	return a.produce(ctx, []*kgo.Record{r})
}

// produce writes records and waits, at most the timeout, until each is
// acknowledged.
func (a *Auditor) produce(ctx context.Context, records []*kgo.Record) error {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	// Not ProduceSync: kgo notices a cancelled context only at certain
	// points (after a metadata refresh, seconds later when the broker is
	// gone), and the timeout is a promise to the caller. A record given up
	// on here may still be written later; see New.
	done := make(chan error, len(records))
	for _, r := range records {
		a.cl.Produce(ctx, r, func(r *kgo.Record, err error) {
			if err != nil {
				err = fmt.Errorf("produce to %s: %w", r.Topic, err)
			}
			done <- err
		})
	}
	var errs []error
	for range records {
		select {
		case err := <-done:
			errs = append(errs, err)
		case <-ctx.Done():
			return fmt.Errorf("produce records: %w", ctx.Err())
		}
	}
	return errors.Join(errs...)
}

// Ping checks that a broker answers and knows the audit topic: without it no
// lookup can be answered.
func (a *Auditor) Ping(ctx context.Context) error {
	return topics.Ping(ctx, a.cl, a.topic)
}

// Close closes the client. Audit calls in flight fail.
func (a *Auditor) Close() { a.cl.Close() }
