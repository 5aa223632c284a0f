package links_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/deadletter"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/producer"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/chstore"
	"github.com/balticom/lineage/services/chstore/chstoretest"
	"github.com/balticom/lineage/services/materializer/internal/links"
)

const group = "test-links"

// flaky fails its first inserts, as ClickHouse does while it restarts.
type flaky struct {
	*chstore.Store
	failures atomic.Int32
}

func (f *flaky) InsertLinks(ctx context.Context, l []chstore.StoredLink) error {
	if f.failures.Add(-1) >= 0 {
		return errors.New("clickhouse is restarting")
	}
	return f.Store.InsertLinks(ctx, l)
}

// TestSinkStoresLinksAndDeadLettersTheRest: links published through the
// SDK reach ClickHouse, where they resolve events stored before them (a
// reused phone number: each holder gets its own CDR); a record that is not
// a link and a link that breaks a rule go to the dead-letter topic; the
// group commits everything only once it is stored, through insert failures.
func TestSinkStoresLinksAndDeadLettersTheRest(t *testing.T) {
	ctx := t.Context()
	kafka, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, topics.IdentityLinks, topics.DeadLetter))
	if err != nil {
		t.Fatal(err)
	}
	defer kafka.Close()
	brokers := kafka.ListenAddrs()
	store, _, _ := chstoretest.Fresh(t, "test_links_")

	number := lineagetest.Identifier(lineage.MSISDN, 1)
	day := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }
	old, current := lineagetest.Subject(1), lineagetest.Subject(2)
	// The CDRs are stored first: their links arrive later.
	b := chstore.NewBatch(2)
	for i, at := range []time.Time{day(2023, 5), day(2026, 1)} {
		e := lineagetest.CDR(lineagetest.UUID(uint64(i+1)), number, at)
		b.Add(&e, 0, int64(i))
	}
	if err := store.Insert(ctx, b); err != nil {
		t.Fatal(err)
	}

	p, err := producer.New(producer.Config{Brokers: brokers, Now: func() time.Time { return day(2026, 6) }})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	if err := p.PublishLinks(ctx,
		lineagetest.Link(old, number, day(2022, 1), day(2024, 1)),
		lineagetest.Link(current, number, day(2024, 3), time.Time{}),
	); err != nil {
		t.Fatal(err)
	}
	codec, err := wire.NewLinkCodec()
	if err != nil {
		t.Fatal(err)
	}
	invalid := lineagetest.Link(old, number, day(2024, 1), day(2023, 1)) // ends before it starts
	value, err := codec.Append(nil, &invalid)
	if err != nil {
		t.Fatal(err)
	}
	// TV usage retracting CRM's statement that the current customer holds
	// the number: a source that may not state links.
	foreign := lineagetest.Link(current, number, day(2024, 3), time.Time{})
	foreign.SourceSystem, foreign.Retracted, foreign.RecordedAt = "tv_usage", true, day(2026, 5)
	foreignValue, err := codec.Append(nil, &foreign)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(topics.IdentityLinks))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.ProduceSync(ctx,
		&kgo.Record{Key: []byte(number.Key()), Value: []byte(`{"subject_id":"C00000001"}`)},
		&kgo.Record{Key: []byte(number.Key()), Value: value},
		&kgo.Record{Key: []byte(number.Key()), Value: foreignValue},
	).FirstErr(); err != nil {
		t.Fatal(err)
	}

	fl := &flaky{Store: store}
	fl.failures.Store(2)
	sink, err := links.New(links.Config{Group: group, DeadLetter: topics.DeadLetter, RetryMin: 10 * time.Millisecond}, []string{"crm"},
		fl, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topics.IdentityLinks)}, sink.Options()...)...)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- sink.Run(runCtx, cl) }()

	adm := kadm.NewClient(raw)
	deadline := time.Now().Add(15 * time.Second)
	for {
		lag, err := topics.Lag(ctx, adm, group, topics.IdentityLinks)
		if err == nil && lag == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sink did not commit all 5 records: lag %d, %v", lag, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	cl.Close()

	for subject, want := range map[string]string{old: lineagetest.UUID(1), current: lineagetest.UUID(2)} {
		page, err := store.Events(ctx, chstore.EventsQuery{SubjectID: subject})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Events) != 1 || page.Events[0].ID != want {
			t.Errorf("%s: %d events (%v), want only %s", subject, len(page.Events), page.Events, want)
		}
	}
	reasons := map[string]int{}
	dlq, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topics.DeadLetter),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer dlq.Close()
	pollCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for n := 0; n < 3; {
		f := dlq.PollFetches(pollCtx)
		if pollCtx.Err() != nil {
			t.Fatalf("dead letters: %v", reasons)
		}
		f.EachRecord(func(r *kgo.Record) {
			info, err := deadletter.Parse(r)
			if err != nil {
				t.Fatal(err)
			}
			reasons[info.Reason]++
			n++
		})
	}
	if reasons[wire.ReasonUnknownFormat] != 1 || reasons[deadletter.ReasonInvalid] != 2 {
		t.Errorf("dead-letter reasons %v, want one %s and two %s (the foreign source's among them)", reasons, wire.ReasonUnknownFormat, deadletter.ReasonInvalid)
	}
}
