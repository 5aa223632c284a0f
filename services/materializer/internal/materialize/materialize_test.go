package materialize_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/balticom/lineage/pkg/deadletter"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/producer"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/chstore"
	"github.com/balticom/lineage/services/chstore/chstoretest"
	"github.com/balticom/lineage/services/materializer/internal/materialize"
)

const group = "test-materializer"

// freshStore migrates a new database on the real server, dropped at cleanup.
func freshStore(t *testing.T) (*chstore.Store, clickhouse.Conn, string) {
	t.Helper()
	return chstoretest.Fresh(t, "test_mat_")
}

func broker(t *testing.T, partitions int32) []string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, topics.Events, topics.DeadLetter))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

// member is one running materializer of the fleet.
type member struct {
	cl     *kgo.Client
	cancel context.CancelFunc
	done   chan error
	skips  *skipCounter
}

// skipCounter is a member's log handler: it counts the records that say
// records handed over again were skipped, and drops every record.
type skipCounter struct{ n atomic.Int64 }

func (c *skipCounter) Enabled(context.Context, slog.Level) bool { return true }

func (c *skipCounter) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "already taken: skipped") {
		c.n.Add(1)
	}
	return nil
}

func (c *skipCounter) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *skipCounter) WithGroup(string) slog.Handler      { return c }

func startMember(t *testing.T, brokers []string, store *chstore.Store, batchSize int) *member {
	t.Helper()
	return startMemberOn(t, brokers, store, batchSize)
}

// startMemberOn starts a member that writes to any store (a wrapper of the
// real one).
func startMemberOn(t *testing.T, brokers []string, store materialize.Store, batchSize int) *member {
	t.Helper()
	codec, err := wire.New()
	if err != nil {
		t.Fatal(err)
	}
	skips := &skipCounter{}
	log := slog.New(skips)
	m, err := materialize.New(materialize.Config{
		Group: group, DeadLetter: topics.DeadLetter, BatchSize: batchSize, BatchLinger: 200 * time.Millisecond,
	}, store, codec.NewDecoder(), log)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topics.Events)}, m.Options()...)...)
	if err != nil {
		t.Fatal(err)
	}
	m.Attach(cl)
	ctx, cancel := context.WithCancel(context.Background())
	x := &member{cl: cl, cancel: cancel, done: make(chan error, 1), skips: skips}
	go func() {
		err := m.Run(ctx, context.Background())
		cl.Close()
		x.done <- err
	}()
	return x
}

func (x *member) stop(t *testing.T) {
	t.Helper()
	x.cancel()
	select {
	case err := <-x.done:
		if err != nil {
			t.Fatalf("member stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("member did not stop")
	}
}

// waitCommitted waits until the group has committed every partition's end.
func waitCommitted(t *testing.T, brokers []string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	deadline := time.Now().Add(60 * time.Second)
	for {
		lag, err := topics.Lag(context.Background(), adm, group, topics.Events)
		if err == nil && lag == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("group did not commit every partition's end in time: lag %d, %v", lag, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func storedIDs(t *testing.T, admin clickhouse.Conn, db string) (rows int, ids map[string]bool) {
	t.Helper()
	r, err := admin.Query(context.Background(), "SELECT event_id FROM "+db+".lineage_events")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ids = map[string]bool{}
	for r.Next() {
		var id string
		if err := r.Scan(&id); err != nil {
			t.Fatal(err)
		}
		rows++
		ids[id] = true
	}
	return rows, ids
}

func publish(t *testing.T, brokers []string, events []lineage.Event) {
	t.Helper()
	p, err := producer.New(producer.Config{Brokers: brokers})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	if err := p.Publish(context.Background(), events...); err != nil {
		t.Fatal(err)
	}
}

type poison struct {
	name, reason string
	value        []byte
}

func poisons(t *testing.T) []poison {
	codec, err := wire.New()
	if err != nil {
		t.Fatal(err)
	}
	valid, err := codec.Append(nil, ptr(lineagetest.Access(lineagetest.UUID(900), "C00000900", lineagetest.Base)))
	if err != nil {
		t.Fatal(err)
	}
	badCode := lineagetest.Transfer(lineagetest.UUID(901), "C00000901", lineagetest.Base)
	badCode.DataCategories = []string{"billing", "horoscope"}
	invalid, err := codec.Append(nil, &badCode)
	if err != nil {
		t.Fatal(err)
	}
	badSubject := lineagetest.Access(lineagetest.UUID(902), "+37129123456", lineagetest.Base)
	unparsable, err := codec.Append(nil, &badSubject)
	if err != nil {
		t.Fatal(err)
	}
	unknownFP := append([]byte{}, valid...)
	unknownFP[3] ^= 0x5a
	return []poison{
		{"random bytes", wire.ReasonUnknownFormat, []byte("definitely not avro")},
		{"truncated avro", wire.ReasonMalformed, valid[:len(valid)-7]},
		{"unknown fingerprint", wire.ReasonUnknownSchema, unknownFP},
		{"invalid code", deadletter.ReasonInvalid, invalid},
		{"unparsable subject", deadletter.ReasonInvalid, unparsable},
		{"oversized", wire.ReasonOversized, make([]byte, wire.MaxRecordBytes+1)},
	}
}

func ptr[T any](v T) *T { return &v }

// TestStoresEveryEventOnceAndDeadLettersPoison sends valid events (some
// twice), and poison records in between, through a fleet of two members
// while a third joins and leaves; every valid event is stored, every poison
// record is in the dead-letter topic with its reason and origin, and the
// group commits to the end of every partition.
func TestStoresEveryEventOnceAndDeadLettersPoison(t *testing.T) {
	brokers := broker(t, 6)
	store, admin, db := freshStore(t)
	events := lineagetest.Events(11, 3000, 200)

	a := startMember(t, brokers, store, 500)
	b := startMember(t, brokers, store, 500)
	publish(t, brokers, events[:1500])

	raw, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(topics.Events))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	ps := poisons(t)
	origin := map[string]*kgo.Record{}
	for _, p := range ps {
		r := &kgo.Record{Key: []byte(p.name), Value: p.value}
		if err := raw.ProduceSync(context.Background(), r).FirstErr(); err != nil {
			t.Fatal(err)
		}
		origin[p.name] = r
	}

	c := startMember(t, brokers, store, 500) // a rebalance mid-stream
	publish(t, brokers, events[1500:])
	publish(t, brokers, events[:300]) // a producer's retry: same ids again
	c.stop(t)                         // and another rebalance
	waitCommitted(t, brokers)
	a.stop(t)
	b.stop(t)

	rows, ids := storedIDs(t, admin, db)
	for _, e := range events {
		if !ids[e.ID] {
			t.Fatalf("event %s was produced but is not stored", e.ID)
		}
	}
	if len(ids) != len(events) {
		t.Fatalf("stored %d distinct ids, produced %d", len(ids), len(events))
	}
	t.Logf("stored rows %d for %d events (copies are collapsed at merge and counted once by every query)", rows, len(events))

	got := readDeadLetters(t, brokers, len(ps))
	for _, p := range ps {
		info, ok := got[p.name]
		if !ok {
			t.Fatalf("poison %q is not in the dead-letter topic", p.name)
		}
		r := origin[p.name]
		if info.Reason != p.reason || info.Topic != topics.Events || info.Partition != r.Partition || info.Offset != r.Offset || info.Group != group {
			t.Fatalf("poison %q: dead-letter info %+v, want reason %s from %s/%d@%d", p.name, info, p.reason, topics.Events, r.Partition, r.Offset)
		}
		if info.Error == "" {
			t.Fatalf("poison %q: no error text", p.name)
		}
	}
	if info := got["invalid code"]; !strings.Contains(info.Error, "data_categories[1]") || !strings.Contains(info.Error, "horoscope") {
		t.Fatalf("invalid code: error must name the field and the code: %q", info.Error)
	}
	if info := got["unparsable subject"]; !strings.Contains(info.Error, "subject_id") || strings.Contains(info.Error, "37129123456") {
		t.Fatalf("unparsable subject: error must name the field without echoing it: %q", info.Error)
	}
}

func readDeadLetters(t *testing.T, brokers []string, n int) map[string]deadletter.Info {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topics.DeadLetter),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out := map[string]deadletter.Info{}
	var names []string
	for len(names) < n {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("dead-letter topic holds %d records %v, want %d", len(names), names, n)
		}
		f.EachRecord(func(r *kgo.Record) {
			info, err := deadletter.Parse(r)
			if err != nil {
				t.Fatal(err)
			}
			if _, dup := out[string(r.Key)]; dup {
				t.Fatalf("poison %q dead-lettered twice", r.Key)
			}
			out[string(r.Key)] = info
			names = append(names, string(r.Key))
		})
	}
	sort.Strings(names)
	return out
}

// failingStore refuses inserts until released, like a ClickHouse that is down.
type failingStore struct {
	*chstore.Store
	mu       sync.Mutex
	down     bool
	failures int
}

func (s *failingStore) Insert(ctx context.Context, b *chstore.Batch) error {
	s.mu.Lock()
	down := s.down
	if down {
		s.failures++
	}
	s.mu.Unlock()
	if down {
		return fmt.Errorf("clickhouse unreachable (test)")
	}
	return s.Store.Insert(ctx, b)
}

// TestNothingCommittedWhileClickHouseIsDown: while inserts fail, offsets do
// not move; when the store comes back, everything is stored and committed.
func TestNothingCommittedWhileClickHouseIsDown(t *testing.T) {
	brokers := broker(t, 2)
	store, admin, db := freshStore(t)
	fs := &failingStore{Store: store, down: true}
	codec, _ := wire.New()
	m, err := materialize.New(materialize.Config{
		Group: group, DeadLetter: topics.DeadLetter, BatchSize: 100, BatchLinger: 50 * time.Millisecond,
		RetryMin: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond,
	}, fs, codec, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topics.Events)}, m.Options()...)...)
	if err != nil {
		t.Fatal(err)
	}
	m.Attach(cl)
	events := lineagetest.Events(12, 1000, 50)
	publish(t, brokers, events)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, context.Background()) }()

	for fs.failuresSoFar() < 5 {
		time.Sleep(10 * time.Millisecond)
	}
	adm := kadm.NewClient(cl)
	committed, err := adm.FetchOffsets(context.Background(), group)
	if err != nil {
		t.Fatal(err)
	}
	committed.Each(func(o kadm.OffsetResponse) {
		if o.At > 0 {
			t.Errorf("partition %d committed to %d while nothing was stored", o.Partition, o.At)
		}
	})
	fs.mu.Lock()
	fs.down = false
	fs.mu.Unlock()
	waitCommitted(t, brokers)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	cl.Close()
	if _, ids := storedIDs(t, admin, db); len(ids) != len(events) {
		t.Fatalf("stored %d distinct events, want %d", len(ids), len(events))
	}
}

func (s *failingStore) failuresSoFar() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failures
}

// TestNothingCommittedAfterDeadLettersRefused: when the broker refuses the
// dead letters of a batch (the member may not write the dead-letter topic),
// the member stops with that error, and no later batch commits past the
// poison record, however long the poller goes on.
func TestNothingCommittedAfterDeadLettersRefused(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topics.Events, topics.DeadLetter))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	brokers := c.ListenAddrs()
	store, _, _ := freshStore(t)
	// The poison record first, then many valid events: many batches of 10
	// after the one that holds it.
	raw, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(topics.Events))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.ProduceSync(context.Background(), &kgo.Record{Key: []byte("C00000001"), Value: []byte("not avro")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	publish(t, brokers, lineagetest.Events(13, 500, 50))
	// From now on the broker refuses every produce, as it would refuse a
	// member without the right to write the dead-letter topic. (Requests
	// name topics by id in recent protocol versions, so all are refused:
	// only the member produces from here.)
	c.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		produce := req.(*kmsg.ProduceRequest)
		resp := produce.ResponseKind().(*kmsg.ProduceResponse)
		for _, pt := range produce.Topics {
			rt := kmsg.NewProduceResponseTopic()
			rt.Topic, rt.TopicID = pt.Topic, pt.TopicID
			for _, pp := range pt.Partitions {
				rp := kmsg.NewProduceResponseTopicPartition()
				rp.Partition = pp.Partition
				rp.ErrorCode = kerr.TopicAuthorizationFailed.Code
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		return resp, nil, true
	})

	codec, _ := wire.New()
	m, err := materialize.New(materialize.Config{Group: group, DeadLetter: topics.DeadLetter, BatchSize: 10, BatchLinger: 20 * time.Millisecond},
		store, codec.NewDecoder(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topics.Events)}, m.Options()...)...)
	if err != nil {
		t.Fatal(err)
	}
	m.Attach(cl)
	done := make(chan error, 1)
	go func() { done <- m.Run(context.Background(), context.Background()) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "dead letters not acknowledged") {
			t.Fatalf("Run = %v, want the refused dead letters", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the member did not stop")
	}
	committed, err := kadm.NewClient(raw).FetchOffsets(context.Background(), group)
	if err != nil {
		t.Fatal(err)
	}
	committed.Each(func(o kadm.OffsetResponse) {
		if o.At > 0 {
			t.Errorf("partition %d committed to %d, past the poison record at 0 whose dead letter was refused", o.Partition, o.At)
		}
	})
	cl.Close()
}

// startEngine runs a materializer of one member on brokers until the test
// ends or it stops by itself, and returns its Run's result channel.
func startEngine(t *testing.T, brokers []string, store materialize.Store, batchSize int) <-chan error {
	t.Helper()
	codec, err := wire.New()
	if err != nil {
		t.Fatal(err)
	}
	m, err := materialize.New(materialize.Config{
		Group: group, DeadLetter: topics.DeadLetter, BatchSize: batchSize, BatchLinger: 50 * time.Millisecond,
		RetryMin: 10 * time.Millisecond, RetryMax: 100 * time.Millisecond,
	}, store, codec.NewDecoder(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topics.Events)}, m.Options()...)...)
	if err != nil {
		t.Fatal(err)
	}
	m.Attach(cl)
	ctx, cancel := context.WithCancel(context.Background())
	done, finished := make(chan error, 1), make(chan struct{})
	go func() {
		defer close(finished)
		err := m.Run(ctx, context.Background())
		cl.Close()
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-finished:
		case <-time.After(30 * time.Second):
			t.Error("the member did not stop")
		}
	})
	return done
}

// committedOffsets returns the group's committed offset per partition of
// the events topic.
func committedOffsets(t *testing.T, brokers []string) map[int32]int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	resp, err := kadm.NewClient(cl).FetchOffsets(context.Background(), group)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int32]int64{}
	resp.Each(func(o kadm.OffsetResponse) {
		if o.Topic == topics.Events && o.At > 0 {
			out[o.Partition] = o.At
		}
	})
	return out
}

// TestStopsWhenClickHouseIsMisconfigured: an insert ClickHouse refuses
// whatever its rows (the table missing from the configured database, a
// column the code writes dropped) stops the member within seconds with an
// error that names what is missing, and nothing is committed.
func TestStopsWhenClickHouseIsMisconfigured(t *testing.T) {
	for _, c := range []struct {
		name  string
		store func(t *testing.T) *chstore.Store
		names string
	}{
		{"a database without the table", func(t *testing.T) *chstore.Store {
			_, admin, db := freshStore(t)
			empty := db + "_empty"
			if err := admin.Exec(context.Background(), "CREATE DATABASE "+empty); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+empty) })
			s, err := chstore.Open(context.Background(), chstore.Config{Addrs: []string{chstoretest.Addr()}, Database: empty})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		}, "lineage_events"},
		{"a column dropped", func(t *testing.T) *chstore.Store {
			s, admin, db := freshStore(t)
			if err := admin.Exec(context.Background(), "ALTER TABLE "+db+".lineage_events DROP COLUMN actor_employee"); err != nil {
				t.Fatal(err)
			}
			return s
		}, "actor_employee"},
	} {
		t.Run(c.name, func(t *testing.T) {
			brokers := broker(t, 2)
			publish(t, brokers, lineagetest.Events(14, 200, 20))
			done := startEngine(t, brokers, c.store(t), 50)
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), c.names) {
					t.Fatalf("Run = %v, want an error naming %s", err, c.names)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the member still runs 10 s after ClickHouse refused its insert")
			}
			if got := committedOffsets(t, brokers); len(got) > 0 {
				t.Errorf("committed %v though nothing was stored", got)
			}
		})
	}
}

// TestDeadLettersRowsClickHouseRejects: a table an operator gave a column
// that takes staff numbers for numbers (a MATERIALIZED expression) refuses
// the events of a staff number with a letter, which passed validation;
// those are dead-lettered with the ClickHouse error, as they were
// produced, the rest of their batch is stored, and the group commits past
// all of them.
func TestDeadLettersRowsClickHouseRejects(t *testing.T) {
	brokers := broker(t, 2)
	store, admin, db := freshStore(t)
	if err := admin.Exec(context.Background(), "ALTER TABLE "+db+".lineage_events ADD COLUMN staff_number UInt32 MATERIALIZED toUInt32(concat('0', actor_employee))"); err != nil {
		t.Fatal(err)
	}
	events := lineagetest.Events(15, 400, 40)
	poisoned := map[string]bool{}
	for i := range events {
		if events[i].Actor.Type != lineage.EmployeeRole {
			continue
		}
		staff := fmt.Sprint(4000 + i)
		if i%97 == 0 {
			staff = fmt.Sprintf("E%d", i) // a staff number the column cannot take
			poisoned[events[i].ID] = true
		}
		events[i].Actor.Employee = &staff
	}
	if len(poisoned) == 0 {
		t.Fatal("no event to poison: Events made no employee's event")
	}
	// Keyed by event id, so that readDeadLetters tells the dead letters apart.
	codec, err := wire.New()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(topics.Events))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	produced := map[string]*kgo.Record{}
	for i := range events {
		value, err := codec.Append(nil, &events[i])
		if err != nil {
			t.Fatal(err)
		}
		r := &kgo.Record{Key: []byte(events[i].ID), Value: value, Headers: []kgo.RecordHeader{{Key: "traceparent", Value: []byte("00-x")}}}
		produced[events[i].ID] = r
		if err := raw.ProduceSync(context.Background(), r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}

	done := startEngine(t, brokers, store, 1000)
	waitCommitted(t, brokers)
	select {
	case err := <-done:
		t.Fatalf("the member stopped: %v", err)
	default:
	}
	_, ids := storedIDs(t, admin, db)
	for _, e := range events {
		if ids[e.ID] == poisoned[e.ID] {
			t.Errorf("event %s stored %v, poisoned %v", e.ID, ids[e.ID], poisoned[e.ID])
		}
	}
	got := readDeadLetters(t, brokers, len(poisoned))
	for id := range poisoned {
		info, ok := got[id]
		r := produced[id]
		if !ok {
			t.Errorf("poisoned event %s is not in the dead-letter topic", id)
			continue
		}
		if info.Reason != "clickhouse_cannot_parse_text" || info.Topic != topics.Events || info.Partition != r.Partition || info.Offset != r.Offset || info.Group != group {
			t.Errorf("dead letter of %s: %+v, want reason clickhouse_cannot_parse_text from %s/%d@%d", id, info, topics.Events, r.Partition, r.Offset)
		}
		if !strings.Contains(info.Error, "CANNOT_PARSE_TEXT") || strings.Contains(info.Error, "0E") {
			t.Errorf("dead letter of %s: error %q must name the ClickHouse error without quoting the value", id, info.Error)
		}
	}
	if len(got) != len(poisoned) {
		t.Errorf("dead letters %d, want %d", len(got), len(poisoned))
	}
}

// TestRetriesWhileClickHouseHasTooManyParts: a table with more parts than
// it takes (merges stopped) refuses inserts with TOO_MANY_PARTS, which
// passes once the parts are merged: the member retries, commits nothing
// meanwhile, and then stores and commits every event.
func TestRetriesWhileClickHouseHasTooManyParts(t *testing.T) {
	brokers := broker(t, 2)
	store, admin, db := freshStore(t)
	ctx := context.Background()
	table := db + ".lineage_events"
	for _, q := range []string{
		"RENAME TABLE " + table + " TO " + table + "_migrated",
		"CREATE TABLE " + table + " AS " + table + "_migrated ENGINE = ReplacingMergeTree " +
			"PARTITION BY toYear(toDateTime(intDiv(occurred_us, 1000000), 'UTC')) ORDER BY (subject_id, occurred_us, event_id) " +
			"SETTINGS index_granularity = 1024, parts_to_throw_insert = 3, parts_to_delay_insert = 3",
		"SYSTEM STOP MERGES " + table,
	} {
		if err := admin.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	events := lineagetest.Events(16, 300, 30)
	for i := range 3 {
		b := chstore.NewBatch(1)
		b.Add(&events[0], 0, int64(i))
		if err := store.Insert(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	publish(t, brokers, events)
	fs := &countingStore{Store: store}
	done := startEngine(t, brokers, fs, 1000)
	for fs.tooManyParts() < 3 {
		time.Sleep(10 * time.Millisecond)
	}
	if got := committedOffsets(t, brokers); len(got) > 0 {
		t.Errorf("committed %v while the inserts were refused", got)
	}
	for _, q := range []string{"SYSTEM START MERGES " + table, "OPTIMIZE TABLE " + table + " FINAL"} {
		if err := admin.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	waitCommitted(t, brokers)
	select {
	case err := <-done:
		t.Fatalf("the member stopped: %v", err)
	default:
	}
	if _, ids := storedIDs(t, admin, db); len(ids) != len(events) {
		t.Fatalf("stored %d distinct events, want %d", len(ids), len(events))
	}
}

// countingStore is the real store, counting the TOO_MANY_PARTS errors the
// server gave its inserts.
type countingStore struct {
	*chstore.Store
	mu sync.Mutex
	n  int
}

func (s *countingStore) Insert(ctx context.Context, b *chstore.Batch) error {
	err := s.Store.Insert(ctx, b)
	if err != nil && strings.Contains(err.Error(), "code: 252") {
		s.mu.Lock()
		s.n++
		s.mu.Unlock()
	}
	return err
}

func (s *countingStore) tooManyParts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}
