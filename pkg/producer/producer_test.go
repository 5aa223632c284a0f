package producer_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel/trace"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/producer"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
)

// cluster starts an in-process Kafka broker reached over TCP.
func cluster(t *testing.T) []string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, topics.Events, topics.IdentityLinks, topics.Facts))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

func consumeAll(t *testing.T, brokers []string, n int) []*kgo.Record {
	t.Helper()
	return consumeTopic(t, brokers, topics.Events, n)
}

func consumeTopic(t *testing.T, brokers []string, topic string, n int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("got %d records, want %d", len(out), n)
		}
		out = append(out, f.Records()...)
	}
	return out
}

func newProducer(t *testing.T, brokers []string) *producer.Producer {
	t.Helper()
	p, err := producer.New(producer.Config{Brokers: brokers, ClientID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPublishDeliversKeyedEventsWithTraceContext(t *testing.T) {
	brokers := cluster(t)
	p := newProducer(t, brokers)
	defer p.Close(context.Background())

	traceID, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	spanID, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: traceID, SpanID: spanID, TraceFlags: trace.FlagsSampled,
	}))
	events := lineagetest.Events(3, 50, 5)
	if err := p.Publish(ctx, events...); err != nil {
		t.Fatal(err)
	}
	codec, err := wire.New()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]lineage.Event{}
	for _, e := range events {
		byID[e.ID] = e
	}
	partitionOf := map[string]int32{}
	for _, r := range consumeAll(t, brokers, len(events)) {
		var got lineage.Event
		if err := codec.Decode(context.Background(), r.Value, &got); err != nil {
			t.Fatal(err)
		}
		want, ok := byID[got.ID]
		if !ok {
			t.Fatalf("unexpected event %s", got.ID)
		}
		delete(byID, got.ID)
		if string(r.Key) != want.SubjectID {
			t.Fatalf("key %q, want the subject id", r.Key)
		}
		if p, seen := partitionOf[want.SubjectID]; seen && p != r.Partition {
			t.Fatalf("subject %s split over partitions %d and %d", want.SubjectID, p, r.Partition)
		}
		partitionOf[want.SubjectID] = r.Partition
		var traceparent string
		for _, h := range r.Headers {
			if h.Key == "traceparent" {
				traceparent = string(h.Value)
			}
		}
		if !strings.Contains(traceparent, traceID.String()) {
			t.Fatalf("traceparent header %q does not carry trace %s", traceparent, traceID)
		}
		if got.Trace == nil || !strings.Contains(got.Trace.TraceParent, traceID.String()) {
			t.Fatalf("event trace context %+v does not carry trace %s", got.Trace, traceID)
		}
	}
	if len(byID) != 0 {
		t.Fatalf("%d events missing", len(byID))
	}
}

func TestPublishRefusesInvalidBeforeKafka(t *testing.T) {
	brokers := cluster(t)
	p := newProducer(t, brokers)
	defer p.Close(context.Background())
	good := lineagetest.Access(lineagetest.UUID(1), "C00000001", lineagetest.Base)
	bad := good
	bad.ID = lineagetest.UUID(2)
	bad.DataCategories = []string{"dna"}
	err := p.Publish(context.Background(), good, bad)
	var ee *producer.EventError
	if !errors.Is(err, lineage.ErrInvalid) || !errors.As(err, &ee) || ee.Index != 1 {
		t.Fatalf("want a validation error for event 1, got %v", err)
	}
	if !strings.Contains(err.Error(), "data_categories[0]") || !strings.Contains(err.Error(), "dna") {
		t.Fatalf("error must name the field and the code: %v", err)
	}
	// Nothing of the refused call reached Kafka: the next record is the first.
	if err := p.Publish(context.Background(), lineagetest.Access(lineagetest.UUID(3), "C00000003", lineagetest.Base)); err != nil {
		t.Fatal(err)
	}
	recs := consumeAll(t, brokers, 1)
	if len(recs) != 1 {
		t.Fatalf("want exactly the one valid later event, got %d records", len(recs))
	}
}

func TestPublishAsyncAndCloseFlushes(t *testing.T) {
	brokers := cluster(t)
	p := newProducer(t, brokers)
	const n = 2000
	var (
		mu   sync.Mutex
		acks int
		errs []error
	)
	for _, e := range lineagetest.Events(4, n, 100) {
		p.PublishAsync(context.Background(), e, func(err error) {
			mu.Lock()
			defer mu.Unlock()
			acks++
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	invalid := make(chan error, 1)
	p.PublishAsync(context.Background(), lineage.Event{}, func(err error) { invalid <- err })
	if err := <-invalid; !errors.Is(err, lineage.ErrInvalid) {
		t.Fatalf("an invalid event is refused at once: %v", err)
	}
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if acks != n || len(errs) != 0 {
		t.Fatalf("after Close: %d of %d acknowledged, errors %v", acks, n, errs)
	}
	if got := len(consumeAll(t, brokers, n)); got != n {
		t.Fatalf("consumed %d, want %d", got, n)
	}
}

// TestPublishIdentities: an event known only by a phone number is keyed by
// the identifier, and links reach their own topic keyed the same way, so
// that the statements of one number stay in order.
func TestPublishIdentities(t *testing.T) {
	brokers := cluster(t)
	p := newProducer(t, brokers)
	defer p.Close(context.Background())
	ctx := context.Background()
	msisdn := lineagetest.Identifier(lineage.MSISDN, 1)
	cdr := lineagetest.CDR(lineagetest.UUID(1), msisdn, lineagetest.Base)
	if err := p.Publish(ctx, cdr); err != nil {
		t.Fatal(err)
	}
	if r := consumeAll(t, brokers, 1)[0]; string(r.Key) != msisdn.Key() {
		t.Errorf("event key %q, want %q", r.Key, msisdn.Key())
	}

	from := lineagetest.Base.Add(-48 * time.Hour)
	open := lineagetest.Link("C00000001", msisdn, from, time.Time{})
	closed := lineagetest.Link("C00000001", msisdn, from, lineagetest.Base)
	bad := open
	bad.Identifier.HMAC = "+37129123456"
	err := p.PublishLinks(ctx, open, bad)
	var ee *producer.EventError
	if !errors.Is(err, lineage.ErrInvalid) || !errors.As(err, &ee) || ee.Index != 1 || !strings.Contains(err.Error(), "identifier.hmac") {
		t.Fatalf("want a validation error naming identifier.hmac of link 1, got %v", err)
	}
	if strings.Contains(err.Error(), "29123456") {
		t.Fatalf("the error echoes the number: %v", err)
	}
	if err := p.PublishLinks(ctx, open, closed); err != nil {
		t.Fatal(err)
	}
	codec, err := wire.NewLinkCodec()
	if err != nil {
		t.Fatal(err)
	}
	recs := consumeTopic(t, brokers, topics.IdentityLinks, 2)
	for i, want := range []lineage.IdentityLink{open, closed} {
		var got lineage.IdentityLink
		if err := codec.Decode(recs[i].Value, &got); err != nil {
			t.Fatal(err)
		}
		if string(recs[i].Key) != msisdn.Key() || got.SubjectID != want.SubjectID || (got.ValidTo == nil) != (want.ValidTo == nil) {
			t.Errorf("link %d: key %q, %+v; want %+v", i, recs[i].Key, got, want)
		}
	}
}

func TestPublishFacts(t *testing.T) {
	brokers := cluster(t)
	p := newProducer(t, brokers)
	defer p.Close(context.Background())
	ctx := context.Background()
	optOut := subjectfact.Fact{ID: lineagetest.UUID(1), Type: subjectfact.OptedOut, At: lineagetest.Base,
		SourceSystem: "self_service_portal", Actor: "portal", SubjectID: "C00000001", Channel: "self_service_portal"}
	unmet := subjectfact.Fact{ID: lineagetest.UUID(2), Type: subjectfact.LawfulRequestUnmet, At: lineagetest.Base,
		SourceSystem: "cdr_mediation", Actor: "lawful-requests", RecipientID: "rcp-state-police", Reference: "VP-2026-17",
		Reason: "the data asked for were older than the retention period"}
	bad := optOut
	bad.Channel = "carrier_pigeon"
	err := p.PublishFacts(ctx, optOut, bad)
	var ee *producer.EventError
	if !errors.Is(err, subjectfact.ErrInvalid) || !errors.As(err, &ee) || ee.Index != 1 || !strings.Contains(err.Error(), "channel") {
		t.Fatalf("want a validation error naming channel of fact 1, got %v", err)
	}
	if err := p.PublishFacts(ctx, optOut, unmet); err != nil {
		t.Fatal(err)
	}
	codec, err := wire.NewFactCodec()
	if err != nil {
		t.Fatal(err)
	}
	recs := consumeTopic(t, brokers, topics.Facts, 2)
	slices.SortFunc(recs, func(a, b *kgo.Record) int { return strings.Compare(string(a.Key), string(b.Key)) })
	for i, want := range []struct{ key, id string }{{"C00000001", optOut.ID}, {"VP-2026-17", unmet.ID}} {
		var got subjectfact.Fact
		if err := codec.Decode(recs[i].Value, &got); err != nil {
			t.Fatal(err)
		}
		if string(recs[i].Key) != want.key || got.ID != want.id || got.RecordedAt.IsZero() {
			t.Errorf("fact %d: key %q, %+v; want key %s, id %s, recorded_at stamped", i, recs[i].Key, got, want.key, want.id)
		}
	}
}

func TestEventErrors(t *testing.T) {
	a, b := &producer.EventError{Index: 0, Err: errors.New("a")}, &producer.EventError{Index: 3, Err: errors.New("b")}
	for _, tc := range []struct {
		name string
		err  error
		want []*producer.EventError
	}{
		{"nil", nil, nil},
		{"no event named", errors.New("flush: context deadline exceeded"), nil},
		{"one, wrapped", fmt.Errorf("publish: %w", a), []*producer.EventError{a}},
		{"joined, wrapped", fmt.Errorf("publish: %w", errors.Join(a, b)), []*producer.EventError{a, b}},
	} {
		got := producer.EventErrors(tc.err)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: EventErrors = %v, want %v", tc.name, got, tc.want)
		}
	}
}
