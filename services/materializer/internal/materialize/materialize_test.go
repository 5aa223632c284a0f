package materialize_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
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
	cancel context.CancelFunc
	done   chan error
}

func startMember(t *testing.T, brokers []string, store *chstore.Store, batchSize int) *member {
	t.Helper()
	codec, err := wire.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
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
	x := &member{cancel: cancel, done: make(chan error, 1)}
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
