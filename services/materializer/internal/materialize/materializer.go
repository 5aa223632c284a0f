// Package materialize is the consumer fleet's engine: it reads lineage events
// from Kafka in a consumer group, decodes and validates them, inserts them
// into ClickHouse in batches, and commits offsets only after the insert is
// durable. A record that can never be stored goes to the dead-letter topic
// with the reason, and the partition keeps moving.
//
// Two goroutines share the work so that decoding overlaps with inserting:
// the poller decodes records into the filling batch; the flusher inserts
// sealed batches, waits for their dead letters to be acknowledged, and
// commits their offsets, strictly in order. Three batches are in memory at
// most (one filling, one sealed, one flushing), which bounds memory
// whatever the speed of ClickHouse: a slow insert stops the poller, not the
// other way. Fetched records go back to the Kafka client's pool once
// decoded, so that fetching makes little garbage.
package materialize

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/balticom/lineage/pkg/kafkatrace"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/services/chstore"
	"github.com/balticom/lineage/services/materializer/internal/dlq"
	"github.com/balticom/lineage/services/materializer/internal/retry"
)

// Store is where batches go. *chstore.Store implements it.
type Store interface {
	Insert(ctx context.Context, b *chstore.Batch) error
}

// Decoder turns a record value into an event. It is called from one
// goroutine only, the poller, and the event it fills is copied into the
// batch before the next call: *wire.Decoder, which reuses the event's
// storage, implements it, and so does *wire.Codec. The event must not refer
// to the value's bytes, which go back to the Kafka client's pool.
type Decoder interface {
	Decode(ctx context.Context, b []byte, e *lineage.Event) error
}

// Config of a Materializer.
type Config struct {
	Group string
	// DeadLetter is the dead-letter topic. Empty only for a rebuild, which
	// reads records the live fleet has dead-lettered already: it counts
	// poison and skips it.
	DeadLetter  string
	BatchSize   int           // rows that seal a batch
	BatchLinger time.Duration // age that seals a non-empty batch
	// RetryMin and RetryMax bound the back-off between insert attempts.
	RetryMin, RetryMax time.Duration
	// Now is the clock validation uses (default time.Now).
	Now func() time.Time
}

// Materializer consumes one consumer-group member's partitions. Create it
// with New, give its Hooks to the kgo client, then call Run once.
type Materializer struct {
	cfg     Config
	store   Store
	decoder Decoder
	log     *slog.Logger
	metrics *metrics
	cl      *kgo.Client
	pool    fetchPool

	followers []Follower

	mu      sync.Mutex // guards cur, taken and stopped; held while records are added and while sealing
	cur     *batch
	taken   *taken
	stopped bool // the final drain is done; later revocations have nothing to flush

	sealed chan *batch // to the flusher; capacity 1 bounds memory
	free   chan *batch // recycled batches
	fatal  chan error  // the flusher's unrecoverable error
}

// New builds a materializer. Its hooks (Hooks) must be passed to the kgo
// client before Attach.
func New(cfg Config, store Store, decoder Decoder, log *slog.Logger) (*Materializer, error) {
	if cfg.BatchSize <= 0 || cfg.BatchLinger <= 0 || cfg.Group == "" {
		return nil, errors.New("materialize: batch size, linger and group are required")
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = 200 * time.Millisecond
	}
	if cfg.RetryMax < cfg.RetryMin {
		cfg.RetryMax = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m := &Materializer{
		cfg: cfg, store: store, decoder: decoder, log: log,
		sealed: make(chan *batch, 1),
		free:   make(chan *batch, 3),
		fatal:  make(chan error, 1),
		taken:  newTaken(),
	}
	for range 3 {
		m.free <- newBatch(cfg.BatchSize)
	}
	m.cur = <-m.free
	var err error
	if m.metrics, err = newMetrics(m); err != nil {
		return nil, err
	}
	return m, nil
}

// Options are the kgo options the materializer needs: manual commits, no
// rebalance while a polled fetch is being added, a drain of every in-flight
// batch before partitions are revoked or lost, and the pool that recycles
// fetched records.
func (m *Materializer) Options() []kgo.Opt {
	return []kgo.Opt{
		kgo.WithPools(&m.pool),
		kgo.ConsumerGroup(m.cfg.Group),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), // a new group replays the whole log
		kgo.OnPartitionsAssigned(m.onAssigned),
		kgo.OnPartitionsRevoked(m.onRevoked),
		kgo.OnPartitionsLost(m.onLost),
	}
}

// Follower is told of the partitions the member is given and loses (the
// settler of the overview's rollups follows the first).
type Follower interface {
	Assigned(ctx context.Context, cl *kgo.Client, assigned map[string][]int32)
	// Revoked is told of partitions revoked or lost, once the member's
	// batches of them are flushed.
	Revoked(ctx context.Context, cl *kgo.Client, revoked map[string][]int32)
}

// Follow adds f to the followers of the member's partitions. Call it
// before the client is built.
func (m *Materializer) Follow(f Follower) { m.followers = append(m.followers, f) }

// Attach gives the materializer the client it consumes with and produces
// dead letters on. The client must have been built with Options.
func (m *Materializer) Attach(cl *kgo.Client) { m.cl = cl }

// Run consumes until ctx is done, then flushes and commits what it holds.
// flushCtx bounds the final flush: if ClickHouse cannot take it in time, the
// uncommitted events are read again by whoever gets the partitions next.
func (m *Materializer) Run(ctx, flushCtx context.Context) error {
	// A fatal flush stops the poller at once, even while it waits in a
	// poll for records that may never come.
	ctx, stopPolling := context.WithCancel(ctx)
	defer stopPolling()
	flusherDone := make(chan struct{})
	go func() {
		defer close(flusherDone)
		m.flushLoop(flushCtx, stopPolling)
	}()
	err := m.pollLoop(ctx)
	m.drain(flushCtx)
	m.mu.Lock()
	m.stopped = true
	close(m.sealed)
	m.mu.Unlock()
	<-flusherDone
	select {
	case ferr := <-m.fatal:
		return errors.Join(err, ferr)
	default:
		return err
	}
}

func (m *Materializer) pollLoop(ctx context.Context) error {
	ticker := time.NewTicker(m.cfg.BatchLinger / 2)
	defer ticker.Stop()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
				m.sealIfOld()
			}
		}
	}()
	for {
		select {
		case err := <-m.fatal:
			m.fatal <- err
			return nil
		default:
		}
		fetches := m.cl.PollRecords(ctx, m.cfg.BatchSize)
		if fetches.IsClientClosed() || ctx.Err() != nil {
			m.cl.AllowRebalance()
			return nil
		}
		fetches.EachError(func(topic string, partition int32, err error) {
			m.log.Warn("fetch failed", "topic", topic, "partition", partition, "err", err)
		})
		m.add(ctx, fetches)
		m.cl.AllowRebalance()
	}
}

// add decodes every polled record into the filling batch, sealing it
// whenever it is full.
func (m *Materializer) add(ctx context.Context, fetches kgo.Fetches) {
	m.mu.Lock()
	defer m.mu.Unlock()
	// One consume span per poll, linked to the spans that produced its
	// records (their W3C context travels in the headers): a span per record
	// would cost more than decoding it.
	ctx, span := m.metrics.tracer.Start(ctx, "lineage.consume", trace.WithSpanKind(trace.SpanKindConsumer))
	defer span.End()
	links := 0
	var ev lineage.Event
	fetches.EachPartition(func(p kgo.FetchTopicPartition) {
		m.metrics.observeHighWatermark(p.Topic, p.Partition, p.HighWatermark)
	})
	var n, again int64
	defer func() {
		m.metrics.consumed.Add(ctx, n)
		span.SetAttributes(attribute.Int64("messaging.batch.message_count", n))
		if again > 0 {
			m.metrics.redelivered.Add(ctx, again)
			m.log.Info("records handed over again, already taken: skipped", "records", again)
		}
	}()
	// Made once a poll, not for every record.
	decode := func(b []byte, e *lineage.Event) error { return m.decoder.Decode(ctx, b, e) }
	validate := m.validate
	iter := fetches.RecordIter()
	for !iter.Done() {
		r := iter.Next()
		if links < maxLinks && span.IsRecording() {
			// Before decode: a stored record goes back to the pool there.
			if sc := trace.SpanContextFromContext(kafkatrace.Extract(context.Background(), r)); sc.IsValid() {
				span.AddLink(trace.Link{SpanContext: sc})
				links++
			}
		}
		n++
		seen, h := m.taken.again(r)
		if seen {
			again++
			r.Recycle()
			continue
		}
		// Before decode, which gives r back to the pool. A record decode
		// does not take is lost only on shutdown, with this memory.
		m.taken.take(r, h)
		if !m.decode(ctx, r, &ev, decode, validate) {
			return // shutting down: the rest is read again after restart
		}
		if m.cur.len() >= m.cfg.BatchSize {
			m.sealLocked()
		}
	}
}

// maxLinks bounds the producer spans one consume span links to.
const maxLinks = 128

// decode adds r to the filling batch or dead-letters it, by the policy
// every loop shares (dlq.Check). It returns false only when ctx ended
// while a transient failure was being retried.
func (m *Materializer) decode(ctx context.Context, r *kgo.Record, ev *lineage.Event, decode func([]byte, *lineage.Event) error, validate func(*lineage.Event) error) bool {
	for attempt := 0; ; attempt++ {
		reason, err := dlq.Check(r.Value, ev, decode, validate)
		switch {
		case err == nil:
			m.cur.rows.Add(ev, r.Partition, r.Offset)
			m.cur.topics = append(m.cur.topics, r.Topic)
			m.cur.track(r)
			// The batch holds copies of what it needs: the record's
			// memory can go back to the pool. A dead-lettered record's
			// cannot (the dead letter shares its key, value and
			// headers until produced), and is left to the collector.
			r.Recycle()
			return true
		case reason != "":
			m.deadLetter(ctx, r, reason, err)
			m.cur.track(r)
			return true
		}
		m.log.Warn("decode failed, retrying", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset, "attempt", attempt, "err", err)
		if !retry.Sleep(ctx, retry.Backoff(attempt, m.cfg.RetryMin, m.cfg.RetryMax)) {
			return false
		}
	}
}

// validate is the events' rule check, at the configured clock.
func (m *Materializer) validate(e *lineage.Event) error { return e.Validate(m.cfg.Now()) }

// deadLetter produces r to the dead-letter topic. The batch that holds r's
// offset is not committed before the broker acknowledged the dead letter.
func (m *Materializer) deadLetter(ctx context.Context, r *kgo.Record, reason string, cause error) {
	m.metrics.deadLettered(ctx, reason)
	if m.cfg.DeadLetter == "" {
		return
	}
	m.log.Info("dead-lettering record", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset, "reason", reason)
	dl := dlq.Letter(m.cfg.DeadLetter, r, m.cfg.Group, reason, cause, m.cfg.Now())
	b := m.cur
	b.dlq.Add(1)
	m.cl.Produce(context.WithoutCancel(ctx), dl, func(_ *kgo.Record, err error) {
		if err != nil {
			b.setDLQErr(fmt.Errorf("dead-letter %s/%d@%d: %w", r.Topic, r.Partition, r.Offset, err))
		}
		b.dlq.Done()
	})
}

func (m *Materializer) sealIfOld() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cur.tracked() && time.Since(m.cur.started) >= m.cfg.BatchLinger {
		m.sealLocked()
	}
}

// sealLocked hands the filling batch to the flusher and takes a free one.
// It blocks while the flusher is busy with the previous batch: that is the
// back-pressure that bounds memory.
func (m *Materializer) sealLocked() {
	if m.stopped || !m.cur.tracked() {
		return
	}
	m.sealed <- m.cur
	m.cur = <-m.free
	m.cur.reset()
}

// drain seals the filling batch and waits until the flusher has committed
// everything handed to it.
func (m *Materializer) drain(ctx context.Context) {
	m.mu.Lock()
	if m.stopped {
		m.mu.Unlock()
		return
	}
	m.sealLocked()
	barrier := &batch{done: make(chan struct{})}
	m.sealed <- barrier
	m.mu.Unlock()
	select {
	case <-barrier.done:
	case <-ctx.Done():
	}
}

func (m *Materializer) onAssigned(ctx context.Context, cl *kgo.Client, assigned map[string][]int32) {
	for _, f := range m.followers {
		f.Assigned(ctx, cl, assigned)
	}
}

func (m *Materializer) onRevoked(ctx context.Context, cl *kgo.Client, revoked map[string][]int32) {
	m.log.Info("partitions revoked, flushing", "partitions", count(revoked))
	m.drain(ctx)
	for _, f := range m.followers {
		f.Revoked(ctx, cl, revoked)
	}
}

func (m *Materializer) onLost(ctx context.Context, cl *kgo.Client, lost map[string][]int32) {
	// The insert is still worth doing (it is idempotent); the commit will be
	// refused and the new owner reads the records again.
	m.log.Warn("partitions lost, flushing without commit guarantee", "partitions", count(lost))
	m.drain(ctx)
	for _, f := range m.followers {
		f.Revoked(ctx, cl, lost)
	}
}

func count(m map[string][]int32) int {
	n := 0
	for _, ps := range m {
		n += len(ps)
	}
	return n
}
