// Package producer is the SDK an upstream system embeds to publish lineage
// events: it validates each event against the taxonomy before it reaches
// Kafka, encodes it (Avro single-object encoding), and produces it with an
// idempotent producer waiting for all in-sync replicas, keyed by subject so
// that one subject's events stay in order.
//
// Publish is synchronous: it returns when Kafka has acknowledged every event
// or with the reason one was refused. PublishAsync batches: it returns at
// once (blocking only when the buffer is full) and reports through a
// callback. Close flushes what is buffered.
package producer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/balticom/lineage/pkg/kafkatrace"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
)

const instrumentation = "github.com/balticom/lineage/pkg/producer"

// Config of a Producer. Only Brokers is required.
type Config struct {
	Brokers []string
	// Topic defaults to topics.Events.
	Topic string
	// LinkTopic, for PublishLinks, defaults to topics.IdentityLinks.
	LinkTopic string
	// FactTopic, for PublishFacts, defaults to topics.Facts.
	FactTopic string
	// ClientID names the producing system in the broker's logs and quotas.
	ClientID string
	// Linger is how long a batch waits for more events (default 5 ms).
	Linger time.Duration
	// MaxBuffered bounds the events held in memory before PublishAsync
	// blocks (default 100,000).
	MaxBuffered int
	// Now stamps recorded_at when an event has none (default time.Now).
	Now func() time.Time
}

// Producer publishes lineage events. It is safe for concurrent use; Close it
// once, after the last Publish.
type Producer struct {
	cl        *kgo.Client
	codec     *wire.Codec
	links     *wire.LinkCodec
	facts     *wire.FactCodec
	topic     string
	linkTopic string
	factTopic string
	now       func() time.Time
	tracer    trace.Tracer
	produced  metric.Int64Counter
	failed    metric.Int64Counter
}

// New connects a producer. Extra kgo options (TLS, SASL) go in opts.
func New(cfg Config, opts ...kgo.Opt) (*Producer, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("producer: no brokers configured")
	}
	if cfg.Topic == "" {
		cfg.Topic = topics.Events
	}
	if cfg.LinkTopic == "" {
		cfg.LinkTopic = topics.IdentityLinks
	}
	if cfg.FactTopic == "" {
		cfg.FactTopic = topics.Facts
	}
	if cfg.Linger == 0 {
		cfg.Linger = 5 * time.Millisecond
	}
	if cfg.MaxBuffered == 0 {
		cfg.MaxBuffered = 100_000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	codec, err := wire.New()
	if err != nil {
		return nil, fmt.Errorf("producer: %w", err)
	}
	links, err := wire.NewLinkCodec()
	if err != nil {
		return nil, fmt.Errorf("producer: %w", err)
	}
	facts, err := wire.NewFactCodec()
	if err != nil {
		return nil, fmt.Errorf("producer: %w", err)
	}
	kopts := []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.DefaultProduceTopic(cfg.Topic),
		kgo.RequiredAcks(kgo.AllISRAcks()), // idempotence needs acks=all; franz-go enables it by default
		kgo.ProducerLinger(cfg.Linger),
		kgo.MaxBufferedRecords(cfg.MaxBuffered),
		kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)), // murmur2 of the key, as Java clients
	}
	if cfg.ClientID != "" {
		kopts = append(kopts, kgo.ClientID(cfg.ClientID))
	}
	cl, err := kgo.NewClient(append(kopts, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("producer: new kafka client: %w", err)
	}
	meter := otel.Meter(instrumentation)
	produced, _ := meter.Int64Counter("lineage.producer.events", metric.WithDescription("events acknowledged by Kafka"))
	failed, _ := meter.Int64Counter("lineage.producer.failures", metric.WithDescription("events refused by validation or Kafka"))
	return &Producer{
		cl: cl, codec: codec, links: links, facts: facts, topic: cfg.Topic, linkTopic: cfg.LinkTopic, factTopic: cfg.FactTopic, now: cfg.Now,
		tracer: otel.Tracer(instrumentation), produced: produced, failed: failed,
	}, nil
}

// EventError says which event of a Publish call failed.
type EventError struct {
	Index int
	ID    string
	Err   error
}

func (e *EventError) Error() string { return fmt.Sprintf("event %d (%s): %v", e.Index, e.ID, e.Err) }
func (e *EventError) Unwrap() error { return e.Err }

// EventErrors returns every *EventError in err's tree, in order: Publish
// and PublishLinks join one per event or link that failed. Empty when err
// names none (a timeout, a closed client).
func EventErrors(err error) []*EventError {
	var out []*EventError
	var walk func(error)
	walk = func(err error) {
		switch u := err.(type) {
		case *EventError:
			out = append(out, u)
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			if e := u.Unwrap(); e != nil {
				walk(e)
			}
		}
	}
	walk(err)
	return out
}

// Publish validates every event, then produces them and waits until Kafka
// acknowledged all of them. If any event is invalid nothing is sent and the
// error (errors.Is lineage.ErrInvalid) names each invalid event and field.
// Otherwise the error joins an *EventError per event Kafka refused; the
// others were delivered. Retrying the same events is safe: the store counts
// an event id once.
func (p *Producer) Publish(ctx context.Context, events ...lineage.Event) error {
	records, err := p.records(ctx, events)
	if err != nil {
		return err
	}
	ids := make([]string, len(events))
	for i := range events {
		ids[i] = events[i].ID
	}
	return p.produceAll(ctx, p.topic, records, ids)
}

// PublishLinks validates every identity link, then produces them to the
// links topic and waits until Kafka acknowledged all of them, with the same
// errors as Publish (an *EventError's ID is the link's identifier key, or
// empty when the link is invalid).
// Publishing a link again is safe: the store keeps the latest statement of
// each link.
func (p *Producer) PublishLinks(ctx context.Context, links ...lineage.IdentityLink) error {
	now := p.now()
	return p.publishEach(ctx, p.linkTopic, len(links), func(i int) (string, []byte, error) {
		l := links[i]
		if l.RecordedAt.IsZero() {
			l.RecordedAt = now
		}
		if err := l.Validate(now); err != nil {
			// No ID: an invalid identifier may be a phone number in clear.
			return "", nil, &invalidError{err}
		}
		value, err := p.links.Append(nil, &l)
		return l.Identifier.Key(), value, err
	})
}

// PublishFacts validates every subject fact (consent given or withdrawn,
// an opt-out, an erasure requested, told or confirmed), then produces them
// to the facts topic, keyed by subject, and waits until Kafka acknowledged
// all of them, with the same errors as Publish (an *EventError's ID is the
// fact's id). Publishing a fact again is safe: every answer counts a fact
// id once.
func (p *Producer) PublishFacts(ctx context.Context, facts ...subjectfact.Fact) error {
	now := p.now()
	return p.publishEach(ctx, p.factTopic, len(facts), func(i int) (string, []byte, error) {
		f := facts[i]
		if f.RecordedAt.IsZero() {
			f.RecordedAt = now
		}
		if err := f.Validate(now); err != nil {
			return "", nil, &invalidError{err}
		}
		value, err := p.facts.Append(nil, &f)
		return cmp.Or(f.SubjectID, f.Reference), value, err
	})
}

// invalidError marks a record that broke a rule: nothing is produced
// while one does.
type invalidError struct{ err error }

func (e *invalidError) Error() string { return e.err.Error() }

// publishEach encodes n records with record (their key and value, or an
// *invalidError for one that breaks a rule) and produces them to topic,
// or none when one is invalid; it waits for every acknowledgement.
func (p *Producer) publishEach(ctx context.Context, topic string, n int, record func(i int) (key string, value []byte, err error)) error {
	var invalid []error
	records := make([]*kgo.Record, n)
	ids := make([]string, n)
	for i := range n {
		key, value, err := record(i)
		var ie *invalidError
		switch {
		case errors.As(err, &ie):
			invalid = append(invalid, &EventError{Index: i, Err: ie.err})
			continue
		case err != nil:
			return &EventError{Index: i, ID: key, Err: err}
		}
		ids[i] = key
		records[i] = &kgo.Record{Topic: topic, Key: []byte(key), Value: value}
	}
	if err := p.refused(ctx, invalid); err != nil {
		return err
	}
	return p.produceAll(ctx, topic, records, ids)
}

// produceAll produces records (ids name them in errors) and waits for every
// acknowledgement.
func (p *Producer) produceAll(ctx context.Context, topic string, records []*kgo.Record, ids []string) error {
	ctx, span := p.tracer.Start(ctx, "lineage.produce", trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(attribute.Int("lineage.events", len(records)), attribute.String("messaging.destination.name", topic)))
	defer span.End()
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	wg.Add(len(records))
	for i, r := range records {
		kafkatrace.Inject(ctx, r)
		p.cl.Produce(ctx, r, func(_ *kgo.Record, err error) {
			defer wg.Done()
			p.count(ctx, err)
			if err != nil {
				mu.Lock()
				errs = append(errs, &EventError{Index: i, ID: ids[i], Err: err})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "produce failed")
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}

// PublishAsync validates e and hands it to the batching producer. done (may
// be nil) is called exactly once: with a validation error before
// PublishAsync returns, or with Kafka's answer later, from the client's
// goroutine (keep it short). It blocks only while the buffer is full.
func (p *Producer) PublishAsync(ctx context.Context, e lineage.Event, done func(error)) {
	if done == nil {
		done = func(error) {}
	}
	records, err := p.records(ctx, []lineage.Event{e})
	if err != nil {
		done(err)
		return
	}
	kafkatrace.Inject(ctx, records[0])
	p.cl.Produce(ctx, records[0], func(_ *kgo.Record, err error) {
		p.count(ctx, err)
		done(err)
	})
}

// Flush waits until every buffered event is acknowledged or failed.
func (p *Producer) Flush(ctx context.Context) error {
	if err := p.cl.Flush(ctx); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	return nil
}

// Close flushes buffered events (bounded by ctx) and closes the connection.
func (p *Producer) Close(ctx context.Context) error {
	err := p.Flush(ctx)
	p.cl.Close()
	return err
}

func (p *Producer) count(ctx context.Context, err error) {
	if err != nil {
		p.failed.Add(ctx, 1)
		return
	}
	p.produced.Add(ctx, 1)
}

// records validates and encodes events; the trace context of ctx, if any,
// is recorded in events that carry none.
func (p *Producer) records(ctx context.Context, events []lineage.Event) ([]*kgo.Record, error) {
	now := p.now()
	var invalid []error
	records := make([]*kgo.Record, len(events))
	sc := trace.SpanContextFromContext(ctx)
	for i := range events {
		e := events[i]
		if e.RecordedAt.IsZero() {
			e.RecordedAt = now
		}
		if e.Trace == nil && sc.IsValid() {
			e.Trace = &lineage.TraceContext{TraceParent: traceParent(sc), TraceState: lineage.Ptr(sc.TraceState().String())}
		}
		if err := e.Validate(now); err != nil {
			invalid = append(invalid, &EventError{Index: i, ID: e.ID, Err: err})
			continue
		}
		value, err := p.codec.Append(nil, &e)
		if err != nil {
			return nil, &EventError{Index: i, ID: e.ID, Err: err}
		}
		records[i] = &kgo.Record{Key: []byte(e.SubjectKey()), Value: value}
	}
	if err := p.refused(ctx, invalid); err != nil {
		return nil, err
	}
	return records, nil
}

// refused counts and joins validation failures; nil when there are none.
func (p *Producer) refused(ctx context.Context, invalid []error) error {
	for range invalid {
		p.failed.Add(ctx, 1)
	}
	return errors.Join(invalid...)
}

func traceParent(sc trace.SpanContext) string {
	return fmt.Sprintf("00-%s-%s-%s", sc.TraceID(), sc.SpanID(), sc.TraceFlags())
}
