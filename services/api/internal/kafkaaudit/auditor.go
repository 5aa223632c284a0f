// Package kafkaaudit writes audit records to Kafka: one JSON record per
// lookup, keyed by subject id, acknowledged by all in-sync replicas before
// Audit returns.
package kafkaaudit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/kafkatrace"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/services/api/internal/audit"
)

// Config of an Auditor. Only Brokers is required.
type Config struct {
	Brokers []string
	// Topic defaults to topics.Audit.
	Topic string
	// Timeout bounds one Audit call, including retries (default 5 s).
	Timeout time.Duration
	// ClientID names the API in the broker's logs (default lineage-api).
	ClientID string
}

// Auditor produces audit records. It is safe for concurrent use; Close it
// once, after the last Audit.
type Auditor struct {
	cl      *kgo.Client
	topic   string
	timeout time.Duration
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
	return &Auditor{cl: cl, topic: cfg.Topic, timeout: cfg.Timeout}, nil
}

// Audit writes rec and returns nil once every in-sync replica has it, or
// the reason it was not acknowledged within the timeout (then the record
// may or may not be written). The trace context of ctx goes into the
// record's headers.
func (a *Auditor) Audit(ctx context.Context, rec audit.Record) error {
	value, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode audit record: %w", err)
	}
	r := &kgo.Record{
		Topic:   a.topic,
		Key:     []byte(rec.SubjectID),
		Value:   value,
		Headers: []kgo.RecordHeader{{Key: "content-type", Value: []byte("application/json")}},
	}
	kafkatrace.Inject(ctx, r)
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	// Not ProduceSync: kgo notices a cancelled context only at certain
	// points (after a metadata refresh, seconds later when the broker is
	// gone), and the timeout is a promise to the caller. A record given up
	// on here may still be written later; see New.
	done := make(chan error, 1)
	a.cl.Produce(ctx, r, func(_ *kgo.Record, err error) { done <- err })
	select {
	case err = <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("produce audit record to %s: %w", a.topic, err)
	}
	return nil
}

// Ping checks that a broker answers and knows the audit topic: without it no
// lookup can be answered.
func (a *Auditor) Ping(ctx context.Context) error {
	return topics.Ping(ctx, a.cl, a.topic)
}

// Close closes the client. Audit calls in flight fail.
func (a *Auditor) Close() { a.cl.Close() }
