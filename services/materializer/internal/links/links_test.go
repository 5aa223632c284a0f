package links_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/deadletter"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/chstore"
	"github.com/balticom/lineage/services/chstore/chstoretest"
	"github.com/balticom/lineage/services/materializer/internal/links"
	"github.com/balticom/lineage/services/materializer/internal/sink/sinktest"
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

// TestSinkStoresLinksAndDeadLettersTheRest: links reach ClickHouse, where
// they resolve events stored before them (a reused phone number: each
// holder gets its own CDR); a record that is not a link and a link that
// breaks a rule go to the dead-letter topic; the group commits everything
// only once it is stored, through insert failures.
func TestSinkStoresLinksAndDeadLettersTheRest(t *testing.T) {
	ctx := t.Context()
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

	codec, err := wire.NewLinkCodec()
	if err != nil {
		t.Fatal(err)
	}
	invalid := lineagetest.Link(old, number, day(2024, 1), day(2023, 1)) // ends before it starts
	// TV usage retracting CRM's statement that the current customer holds
	// the number: a source that may not state links.
	foreign := lineagetest.Link(current, number, day(2024, 3), time.Time{})
	foreign.SourceSystem, foreign.Retracted, foreign.RecordedAt = "tv_usage", true, day(2026, 5)
	records := []*kgo.Record{{Key: []byte(number.Key()), Value: []byte(`{"subject_id":"C00000001"}`)}}
	for _, l := range []lineage.IdentityLink{
		lineagetest.Link(old, number, day(2022, 1), day(2024, 1)),
		lineagetest.Link(current, number, day(2024, 3), time.Time{}),
		invalid, foreign,
	} {
		value, err := codec.Append(nil, &l)
		if err != nil {
			t.Fatal(err)
		}
		records = append(records, &kgo.Record{Key: []byte(number.Key()), Value: value})
	}

	fl := &flaky{Store: store}
	fl.failures.Store(2)
	sink, err := links.New(links.Config{Group: group, DeadLetter: topics.DeadLetter, RetryMin: 10 * time.Millisecond,
		Now: func() time.Time { return day(2026, 6) }}, []string{"crm"},
		fl, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]int{}
	for _, r := range sinktest.Drive(t, topics.IdentityLinks, group, records, sink) {
		info, err := deadletter.Parse(r)
		if err != nil {
			t.Fatal(err)
		}
		reasons[info.Reason]++
	}

	for subject, want := range map[string]string{old: lineagetest.UUID(1), current: lineagetest.UUID(2)} {
		page, err := store.Events(ctx, chstore.EventsQuery{SubjectID: subject})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Events) != 1 || page.Events[0].ID != want {
			t.Errorf("%s: %d events (%v), want only %s", subject, len(page.Events), page.Events, want)
		}
	}
	if reasons[wire.ReasonUnknownFormat] != 1 || reasons[deadletter.ReasonInvalid] != 2 || len(reasons) != 2 {
		t.Errorf("dead-letter reasons %v, want one %s and two %s (the foreign source's among them)", reasons, wire.ReasonUnknownFormat, deadletter.ReasonInvalid)
	}
}
