package e2e

import (
	"context"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/deadletter"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
)

// The checks of a checkpoint: what the test produced against what
// ClickHouse and the dead-letter topic hold, and against what the API
// answers.

// figures are the counts of one checkpoint.
type figures struct {
	produced     int   // distinct events published through the SDK
	republished  int64 // events published again on purpose
	retried      int64 // events published again after Publish failed for them
	stored       int   // distinct produced events in ClickHouse
	deadLettered int   // records in the dead-letter topic
	dlqOrigins   int   // distinct records of the events topic among them
	dlqProduced  int   // produced (valid) events among them: must be 0
	lost         int   // produced events neither stored nor dead-lettered
	poisonMissed int   // poison records not in the dead-letter topic
	poisonStored int   // poison events found in ClickHouse
	rows         uint64
	reinserted   uint64 // Kafka positions stored more than once
	subjects     int    // subjects whose answers were checked
	answered     int    // events in the timelines walked
	duplicated   int    // events repeated in an answer (timeline or recipients count)
	missing      int    // events missing from an answer
	corrupted    int    // timeline events whose fields differ from the produced event's
	misordered   int    // adjacent timeline events out of order
	pages        int
}

func (f figures) failed() bool {
	return f.lost > 0 || f.duplicated > 0 || f.missing > 0 || f.misordered > 0 || f.corrupted > 0 ||
		f.poisonMissed > 0 || f.poisonStored > 0 || f.dlqProduced > 0
}

func (f figures) String() string {
	return fmt.Sprintf("produced %d distinct (+%d re-published, +%d retried), stored %d, dead-lettered %d, lost %d; "+
		"answers for %d subjects (%d events, %d pages): %d duplicated, %d missing, %d out of order, %d altered; "+
		"rows %d, Kafka positions stored more than once %d",
		f.produced, f.republished, f.retried, f.stored, f.deadLettered, f.lost,
		f.subjects, f.answered, f.pages, f.duplicated, f.missing, f.misordered, f.corrupted, f.rows, f.reinserted)
}

// checkStore compares the produced events and the poison records with the
// distinct event ids in ClickHouse (read through conn: one server, or a
// cluster's Distributed table) and the dead-letter topic.
func checkStore(t *testing.T, conn clickhouse.Conn, db, broker string, load *loader, poison []poisonRecord, f *figures) {
	t.Helper()
	f.produced = load.produced()
	f.republished, f.retried = load.republished.Load(), load.retried.Load()
	seen := make([]bool, f.produced)
	foreign := map[string]bool{}
	ctx := context.Background()
	rows, err := conn.Query(ctx, "SELECT DISTINCT event_id FROM "+db+".lineage_events")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		if i := index(id); i >= 0 && i < len(seen) {
			if !seen[i] {
				f.stored++
			}
			seen[i] = true
		} else {
			foreign[id] = true
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()

	dead := deadLetters(t, broker)
	f.deadLettered = len(dead)
	at := map[[2]int64]bool{}
	for _, d := range dead {
		at[[2]int64{int64(d.info.Partition), d.info.Offset}] = true
		f.dlqOrigins = len(at)
		if i := index(d.id); i >= 0 && i < len(seen) {
			f.dlqProduced++
			t.Errorf("valid event %s of the load was dead-lettered: %s (%s)", d.id, d.info.Reason, d.info.Error)
			seen[i] = true
		}
	}
	for _, p := range poison {
		if !at[[2]int64{int64(p.partition), p.offset}] {
			f.poisonMissed++
			t.Errorf("poison %s (%s/%d@%d) is not in the dead-letter topic", p.key, topics.Events, p.partition, p.offset)
		}
		if p.id != "" && foreign[p.id] {
			f.poisonStored++
			t.Errorf("poison %s was stored as event %s", p.key, p.id)
		}
	}
	for _, d := range dead {
		for _, p := range poison {
			if d.key == p.key && d.info.Reason != p.reason {
				t.Errorf("poison %s dead-lettered as %s, want %s (%s)", p.key, d.info.Reason, p.reason, d.info.Error)
			}
		}
	}
	var lostIDs []int
	for i, ok := range seen {
		if !ok {
			f.lost++
			if len(lostIDs) < 10 {
				lostIDs = append(lostIDs, i)
			}
		}
	}
	if f.lost > 0 {
		t.Errorf("%d produced events are neither in ClickHouse nor dead-lettered; the first at load positions %v", f.lost, lostIDs)
	}

	if err := conn.QueryRow(ctx, "SELECT count() FROM "+db+".lineage_events").Scan(&f.rows); err != nil {
		t.Fatal(err)
	}
	err = conn.QueryRow(ctx, `SELECT count() FROM (SELECT kafka_partition, kafka_offset FROM `+db+`.lineage_events
		GROUP BY kafka_partition, kafka_offset HAVING count() > 1)`).Scan(&f.reinserted)
	if err != nil {
		t.Fatal(err)
	}
}

// deadLetter is one record of the dead-letter topic.
type deadLetter struct {
	key  string
	id   string // the event id, when the value decodes
	info deadletter.Info
}

// deadLetters reads the whole dead-letter topic.
func deadLetters(t *testing.T, broker string) []deadLetter {
	t.Helper()
	codec, err := wire.New()
	if err != nil {
		t.Fatal(err)
	}
	var out []deadLetter
	for _, r := range readTopic(t, broker, topics.DeadLetter) {
		info, err := deadletter.Parse(r)
		if err != nil {
			t.Errorf("dead-letter topic: %v", err)
			continue
		}
		d := deadLetter{key: string(r.Key), info: info}
		var e lineage.Event
		if codec.Decode(context.Background(), r.Value, &e) == nil {
			d.id = e.ID
		}
		out = append(out, d)
	}
	return out
}

// readTopic reads every record of topic up to its end offsets.
func readTopic(t *testing.T, broker, topic string) []*kgo.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := kgo.NewClient(kgo.SeedBrokers(broker))
	if err != nil {
		t.Fatal(err)
	}
	ends, err := kadm.NewClient(admin).ListEndOffsets(ctx, topic)
	admin.Close()
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		t.Fatalf("end offsets of %s: %v", topic, err)
	}
	want := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			want[o.Partition] = o.Offset
		}
	})
	cl, err := kgo.NewClient(kgo.SeedBrokers(broker), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var out []*kgo.Record
	for len(want) > 0 {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("reading %s: partitions %v not read to their end", topic, want)
		}
		f.EachRecord(func(r *kgo.Record) {
			out = append(out, r)
			if r.Offset+1 >= want[r.Partition] {
				delete(want, r.Partition)
			}
		})
	}
	return out
}

// checkAnswers asks the API, for every sampled subject and the subjects of
// events published again, for its recipients
// and walks its whole timeline a few events a page, and compares them with
// the distinct events produced for the subject: each event exactly once,
// the timeline newest first (occurred_at desc, then event_id desc).
func checkAnswers(t *testing.T, api string, load *loader, f *figures) {
	t.Helper()
	subjects := load.checked()
	expected := load.expectations(subjects)
	for n, subject := range subjects {
		want := expected[subject]
		f.subjects++
		checkRecipients(t, api, subject, want, f)
		checkTimeline(t, api, subject, want, 2+n%5, f)
	}
}

func checkRecipients(t *testing.T, api, subject string, want []lineage.Event, f *figures) {
	t.Helper()
	type span struct {
		ids         map[string]bool
		first, last string
	}
	expect := map[string]*span{}
	for _, e := range want {
		if e.Recipient == nil {
			continue
		}
		s := expect[e.Recipient.ID]
		if s == nil {
			s = &span{ids: map[string]bool{}}
			expect[e.Recipient.ID] = s
		}
		s.ids[e.ID] = true
		at := e.OccurredAt.UTC().Format(apiTime)
		if s.first == "" || at < s.first {
			s.first = at
		}
		if at > s.last {
			s.last = at
		}
	}
	var body struct {
		Recipients []struct {
			ID     string `json:"recipient_id"`
			Events int    `json:"events"`
			First  string `json:"first_at"`
			Last   string `json:"last_at"`
		} `json:"recipients"`
	}
	decode(t, get(t, api, "/v1/subjects/"+subject+"/recipients", nil), &body)
	got := map[string]bool{}
	for _, r := range body.Recipients {
		got[r.ID] = true
		s := expect[r.ID]
		switch {
		case s == nil:
			f.duplicated += r.Events
			t.Errorf("%s: recipient %s with %d events, none produced", subject, r.ID, r.Events)
		case r.Events > len(s.ids):
			f.duplicated += r.Events - len(s.ids)
			t.Errorf("%s: recipient %s counts %d events, %d distinct produced", subject, r.ID, r.Events, len(s.ids))
		case r.Events < len(s.ids):
			f.missing += len(s.ids) - r.Events
			t.Errorf("%s: recipient %s counts %d events, %d distinct produced", subject, r.ID, r.Events, len(s.ids))
		}
		if s != nil && (r.First != s.first || r.Last != s.last) {
			t.Errorf("%s: recipient %s from %s to %s, want %s to %s", subject, r.ID, r.First, r.Last, s.first, s.last)
		}
	}
	for id, s := range expect {
		if !got[id] {
			f.missing += len(s.ids)
			t.Errorf("%s: recipient %s (%d events) missing from the answer", subject, id, len(s.ids))
		}
	}
}

func checkTimeline(t *testing.T, api, subject string, want []lineage.Event, limit int, f *figures) {
	t.Helper()
	var got []apiEvent
	cursor := ""
	for {
		q := url.Values{"limit": {strconv.Itoa(limit)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var body struct {
			Events []apiEvent `json:"events"`
			Next   *string    `json:"next_cursor"`
		}
		decode(t, get(t, api, "/v1/subjects/"+subject+"/events", q), &body)
		f.pages++
		got = append(got, body.Events...)
		if body.Next == nil || len(body.Events) == 0 {
			break
		}
		if len(got) > 2*len(want)+limit {
			t.Errorf("%s: the timeline does not end after %d events, %d produced", subject, len(got), len(want))
			break
		}
		cursor = *body.Next
	}
	f.answered += len(got)
	expect := map[string]lineage.Event{}
	for _, e := range want {
		expect[e.ID] = e
	}
	seen := map[string]bool{}
	for i, e := range got {
		w, ok := expect[e.ID]
		switch {
		case seen[e.ID]:
			f.duplicated++
			t.Errorf("%s: event %s twice in the timeline", subject, e.ID)
		case !ok:
			f.duplicated++
			t.Errorf("%s: event %s in the timeline was not produced for the subject", subject, e.ID)
		case !reflect.DeepEqual(e, apiEventOf(w)):
			f.corrupted++
			t.Errorf("%s: event %s differs from the one produced:\n got  %+v\n want %+v", subject, e.ID, e, apiEventOf(w))
		}
		seen[e.ID] = true
		if i > 0 {
			p := got[i-1]
			if !(e.OccurredAt < p.OccurredAt || (e.OccurredAt == p.OccurredAt && e.ID < p.ID)) {
				f.misordered++
				t.Errorf("%s: %s@%s after %s@%s: not newest first", subject, e.ID, e.OccurredAt, p.ID, p.OccurredAt)
			}
		}
	}
	var missing []string
	for id := range expect {
		if !seen[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		f.missing += len(missing)
		t.Errorf("%s: %d of %d events missing from the timeline: %v", subject, len(missing), len(expect), missing[:min(5, len(missing))])
	}
}

// apiTime is how the API writes times: RFC 3339, UTC, six fractional
// digits. Fixed width, so that the strings sort as the times do.
const apiTime = "2006-01-02T15:04:05.000000Z07:00"

// apiEvent is an event of the API's timeline (openapi.yaml), every field.
type apiEvent struct {
	ID           string `json:"event_id"`
	Kind         string `json:"kind"`
	OccurredAt   string `json:"occurred_at"`
	RecordedAt   string `json:"recorded_at"`
	SourceSystem string `json:"source_system"`
	Actor        struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"actor"`
	DataCategories     []string          `json:"data_categories"`
	Purpose            string            `json:"purpose"`
	LegalBasis         string            `json:"legal_basis"`
	LegitimateInterest *string           `json:"legitimate_interest"`
	Recipient          *apiRecipient     `json:"recipient"`
	TraceParent        *string           `json:"trace_parent"`
	Attributes         map[string]string `json:"attributes"`
}

type apiRecipient struct {
	ID                string  `json:"id"`
	Name              string  `json:"name"`
	Category          string  `json:"category"`
	Country           string  `json:"country"`
	TransferMechanism *string `json:"transfer_mechanism"`
}

// apiEventOf is what the timeline must say about e: the event as produced,
// field for field (the load carries no trace context).
func apiEventOf(e lineage.Event) apiEvent {
	v := apiEvent{
		ID: e.ID, Kind: string(e.Kind),
		OccurredAt: e.OccurredAt.UTC().Format(apiTime), RecordedAt: e.RecordedAt.UTC().Format(apiTime),
		SourceSystem: e.SourceSystem, DataCategories: e.DataCategories,
		Purpose: e.Purpose, LegalBasis: e.LegalBasis, LegitimateInterest: e.LegitimateInterest,
		Attributes: e.Attributes,
	}
	v.Actor.Type, v.Actor.ID = string(e.Actor.Type), e.Actor.ID
	if v.Attributes == nil {
		v.Attributes = map[string]string{}
	}
	if r := e.Recipient; r != nil {
		v.Recipient = &apiRecipient{ID: r.ID, Name: r.Name, Category: r.Category, Country: r.Country, TransferMechanism: r.TransferMechanism}
	}
	return v
}

// sampleSubjects spreads n subjects over 1..subjects.
func sampleSubjects(n, subjects int) []string {
	var out []string
	for i := range n {
		out = append(out, lineagetest.Subject(1+i*subjects/n))
	}
	return slices.Compact(out)
}
