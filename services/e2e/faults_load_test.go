package e2e

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/deadletter"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/producer"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
)

// The load of the fault suite: events published through the SDK in chunks
// by a few concurrent workers, as upstream systems would, while the faults
// happen. Chunk k is lineagetest.Events(k, chunkEvents, subjects), so an
// event id (lineagetest.UUID(k<<32 | i)) says which chunk and position it
// is, and what was produced is known without keeping a million ids.

const (
	chunkEvents = 5000
	loadWorkers = 3
	// republishEvery: after a chunk is acknowledged, every republishEvery-th
	// event of the worker's previous chunk is published again, the same
	// event with the same id, as a producer does when an acknowledgement is
	// lost.
	republishEvery = 97
	// deliveryTimeout is the producer's; the broker stays down longer.
	deliveryTimeout = 3 * time.Second
)

// loader publishes chunks fed to it and keeps what the answers must show.
type loader struct {
	t        *testing.T
	p        *producer.Producer
	subjects int
	sampled  map[string]bool

	chunks  chan uint64
	pending sync.WaitGroup
	fed     int    // events fed; the test goroutine's only
	next    uint64 // next chunk seed; the test goroutine's only

	mu       sync.Mutex
	expected map[string][]lineage.Event // sampled subject → its events
	again    [2]map[string]bool         // subjects of events published again: on purpose, after a failure

	republished atomic.Int64 // events published again on purpose
	retried     atomic.Int64 // events published again after Publish failed for them
	failedCalls atomic.Int64 // Publish calls that failed for some events
	busy        atomic.Int64 // chunks fed and not yet acknowledged
}

func newLoader(t *testing.T, broker string, subjects int, sample []string) *loader {
	t.Helper()
	// A producer gives up on a record the broker has not taken within its
	// delivery timeout (Java's delivery.timeout.ms); the caller publishes
	// it again. Without one, franz-go waits for the broker forever.
	p, err := producer.New(producer.Config{Brokers: []string{broker}, ClientID: "fault-suite", Linger: 10 * time.Millisecond},
		kgo.RecordDeliveryTimeout(deliveryTimeout))
	if err != nil {
		t.Fatal(err)
	}
	l := &loader{
		t: t, p: p, subjects: subjects, sampled: map[string]bool{},
		chunks: make(chan uint64, 1<<16), next: 1, expected: map[string][]lineage.Event{},
		again: [2]map[string]bool{{}, {}},
	}
	for _, s := range sample {
		l.sampled[s] = true
	}
	for range loadWorkers {
		go l.work()
	}
	t.Cleanup(func() {
		close(l.chunks)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = p.Close(ctx)
	})
	return l
}

// feed hands n more chunks to the workers and returns at once.
func (l *loader) feed(n int) {
	for range n {
		l.pending.Add(1)
		l.busy.Add(1)
		l.chunks <- l.next
		l.next++
		l.fed += chunkEvents
	}
}

// split divides n chunks into parts as equal as possible.
func split(n, parts int) []int {
	out := make([]int, parts)
	for i := range out {
		out[i] = n / parts
		if i < n%parts {
			out[i]++
		}
	}
	return out
}

// drain waits until every event fed has been acknowledged by the broker.
func (l *loader) drain() { l.pending.Wait() }

// idle reports whether every chunk fed has been acknowledged.
func (l *loader) idle() bool { return l.busy.Load() == 0 }

// produced is the number of distinct events fed so far; after drain, every
// one of them has been acknowledged at least once.
func (l *loader) produced() int { return l.fed }

func (l *loader) work() {
	var previous []lineage.Event
	for seed := range l.chunks {
		events := lineagetest.Events(seed, chunkEvents, l.subjects)
		l.mu.Lock()
		for _, e := range events {
			if l.sampled[e.SubjectID] {
				l.expected[e.SubjectID] = append(l.expected[e.SubjectID], e)
			}
		}
		l.mu.Unlock()
		l.publish(events)
		if previous == nil {
			previous = events
		}
		var again []lineage.Event
		for i := seed % republishEvery; i < uint64(len(previous)); i += republishEvery {
			again = append(again, previous[i])
		}
		l.republished.Add(int64(len(again)))
		l.noteAgain(again, false)
		l.publish(again)
		previous = events
		l.busy.Add(-1)
		l.pending.Done()
	}
}

// publish publishes events and then, until it succeeds, the ones the broker
// did not acknowledge: the same events with the same ids, as a producer's
// retry loop does while the broker is away.
func (l *loader) publish(events []lineage.Event) {
	giveUp := time.Now().Add(5 * time.Minute)
	for attempt := 0; len(events) > 0; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		err := l.p.Publish(ctx, events...)
		cancel()
		if err == nil {
			return
		}
		failed := failedEvents(err, events)
		if len(failed) == 0 || time.Now().After(giveUp) {
			l.t.Errorf("publish: giving up on %d events after %d attempts: %v", len(events), attempt+1, firstError(err))
			return
		}
		if l.failedCalls.Add(1) <= 5 {
			l.t.Logf("publish failed for %d of %d events, publishing them again: %v", len(failed), len(events), firstError(err))
		}
		l.retried.Add(int64(len(failed)))
		l.noteAgain(failed, true)
		time.Sleep(min(100*time.Millisecond<<min(attempt, 5), 2*time.Second))
		events = failed
	}
}

// failedEvents returns the events that an error of Publish names as not
// acknowledged by Kafka. An invalid event is not retried.
func failedEvents(err error, events []lineage.Event) []lineage.Event {
	if errors.Is(err, lineage.ErrInvalid) {
		return nil
	}
	var out []lineage.Event
	walkErrors(err, func(err error) {
		if ee, ok := err.(*producer.EventError); ok && ee.Index < len(events) {
			out = append(out, events[ee.Index])
		}
	})
	return out
}

// walkErrors calls fn on err and every error it wraps, through joins too.
func walkErrors(err error, fn func(error)) {
	if err == nil {
		return
	}
	fn(err)
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			walkErrors(e, fn)
		}
	case interface{ Unwrap() error }:
		walkErrors(u.Unwrap(), fn)
	}
}

// firstError is the first EventError of a Publish error, short enough to log.
func firstError(err error) error {
	var first error
	walkErrors(err, func(e error) {
		if _, ok := e.(*producer.EventError); ok && first == nil {
			first = e
		}
	})
	if first == nil {
		return err
	}
	return first
}

// maxAgain bounds the subjects of re-published events whose answers are
// checked on top of the sample, for each kind of retry.
const maxAgain = 50

// noteAgain remembers the subjects of events published again, on purpose
// or after Publish failed for them.
func (l *loader) noteAgain(events []lineage.Event, failed bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	again := l.again[0]
	if failed {
		again = l.again[1]
	}
	for _, e := range events {
		if len(again) >= maxAgain {
			return
		}
		again[e.SubjectID] = true
	}
}

// checked returns the subjects whose answers a checkpoint checks: the
// sample, then the subjects of re-published events.
func (l *loader) checked() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var extra []string
	for _, again := range l.again {
		for s := range again {
			if !l.sampled[s] && !slices.Contains(extra, s) {
				extra = append(extra, s)
			}
		}
	}
	slices.Sort(extra)
	var out []string
	for s := range l.sampled {
		out = append(out, s)
	}
	slices.Sort(out)
	return append(out, extra...)
}

// expectations returns the distinct events produced for each subject. The
// sampled subjects' events were kept as they were produced; the others'
// are found by generating every chunk fed so far again.
func (l *loader) expectations(subjects []string) map[string][]lineage.Event {
	out := map[string][]lineage.Event{}
	rest := map[string]bool{}
	l.mu.Lock()
	for _, s := range subjects {
		if l.sampled[s] {
			out[s] = append([]lineage.Event(nil), l.expected[s]...)
		} else {
			rest[s] = true
		}
	}
	l.mu.Unlock()
	if len(rest) == 0 {
		return out
	}
	for seed := uint64(1); seed < l.next; seed++ {
		for _, e := range lineagetest.Events(seed, chunkEvents, l.subjects) {
			if rest[e.SubjectID] {
				out[e.SubjectID] = append(out[e.SubjectID], e)
			}
		}
	}
	return out
}

// index maps an event id of the load to its position in the load (chunk
// seed k covers [(k-1)*chunkEvents, k*chunkEvents)), or -1 for any other id.
func index(id string) int {
	const prefix = "00000000-0000-4000-8000-"
	if len(id) != len(prefix)+12 || id[:len(prefix)] != prefix {
		return -1
	}
	n, err := strconv.ParseUint(id[len(prefix):], 16, 64)
	if err != nil {
		return -1
	}
	seed, i := n>>32, n&0xffffffff
	if seed == 0 || i >= chunkEvents {
		return -1
	}
	return int(seed-1)*chunkEvents + int(i)
}

// poisonRecord is a record no SDK would send, written to the events topic
// with a raw client; the dead-letter topic must hold it with its reason.
type poisonRecord struct {
	key       string
	reason    string
	id        string // the event id, when the record decodes
	partition int32
	offset    int64
}

// publishFaultPoison writes four poison records, keyed "poison/<tag>/<kind>":
// random bytes, truncated Avro, an unknown schema fingerprint, and a valid
// encoding of an event that breaks the taxonomy (of subject, so that an
// answer about that subject would show it if it were stored).
func publishFaultPoison(t *testing.T, broker, tag string, n uint64, subject string) []poisonRecord {
	t.Helper()
	codec, err := wire.New()
	if err != nil {
		t.Fatal(err)
	}
	bad := lineagetest.Handoff(lineagetest.UUID(n), subject, lineagetest.Base)
	bad.Purpose = "world_domination"
	invalid, err := codec.Append(nil, &bad)
	if err != nil {
		t.Fatal(err)
	}
	good := lineagetest.Access(lineagetest.UUID(n+1), subject, lineagetest.Base)
	valid, err := codec.Append(nil, &good)
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 48)
	_, _ = rand.Read(random)
	random[0] = 'x' // neither the single-object nor the Confluent marker
	fingerprint := append([]byte(nil), valid...)
	for i := 2; i < 10; i++ {
		fingerprint[i] ^= 0x5a
	}
	records := []poisonRecord{
		{key: "random", reason: wire.ReasonUnknownFormat},
		{key: "truncated", reason: wire.ReasonMalformed},
		{key: "fingerprint", reason: wire.ReasonUnknownSchema},
		{key: "invalid", reason: deadletter.ReasonInvalid, id: bad.ID},
	}
	values := [][]byte{random, valid[:len(valid)-9], fingerprint, invalid}

	cl, err := kgo.NewClient(kgo.SeedBrokers(broker), kgo.DefaultProduceTopic(topics.Events))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := range records {
		records[i].key = fmt.Sprintf("poison/%s/%s", tag, records[i].key)
		r, err := cl.ProduceSync(ctx, &kgo.Record{Key: []byte(records[i].key), Value: values[i]}).First()
		if err != nil {
			t.Fatalf("poison %s: %v", records[i].key, err)
		}
		records[i].partition, records[i].offset = r.Partition, r.Offset
	}
	return records
}
