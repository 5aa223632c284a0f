// Package sink stores a small topic in ClickHouse: identity links, access
// request events. Their records are few, so the loop is simple: poll,
// decode and validate, insert the valid ones, dead-letter the others,
// commit, and only then let a rebalance happen. Nothing is committed
// before it is in ClickHouse or the dead-letter topic; a crash reads it
// again, and storing a record twice is harmless because every read counts
// it once.
//
// The lineage events topic does not use it: its volume needs the batching
// engine of package materialize.
package sink

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/deadletter"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/materializer/internal/retry"
)

// Config of a Sink.
type Config struct {
	// Group is the consumer group, one of the topic's own, so that the
	// topic never waits for another.
	Group string
	// DeadLetter is the topic of records that can never be stored.
	DeadLetter string
	// MaxPoll bounds the records of one insert (default 10,000).
	MaxPoll int
	// RetryMin and RetryMax bound the back-off between insert attempts
	// (default 200 ms and 30 s).
	RetryMin, RetryMax time.Duration
	// Now is the clock validation uses (default time.Now).
	Now func() time.Time
}

// Topic says how the records of one topic become rows: T is the decoded
// record, R the row the store takes.
type Topic[T, R any] struct {
	// Name is what the records are, in errors: "identity links".
	Name string
	// Decode fills a zero T from a record value. Its errors are poison: a
	// *wire.PoisonError names its reason, any other is malformed_avro.
	Decode func(value []byte, v *T) error
	// Validate returns an error naming the broken rules, or nil; a record
	// that breaks one is dead-lettered as deadletter.ReasonInvalid.
	Validate func(v *T, now time.Time) error
	// Row is the row of a valid record, with where Kafka had it.
	Row func(v T, partition int32, offset int64) R
	// Insert stores the rows of one poll. It is retried until it succeeds,
	// so storing a row twice must be harmless.
	Insert func(ctx context.Context, rows []R) error
}

// Sink consumes one topic into a store. Run it on one goroutine.
type Sink[T, R any] struct {
	cfg   Config
	topic Topic[T, R]
	log   *slog.Logger
}

// New returns a sink; its client must be made with Options.
func New[T, R any](cfg Config, topic Topic[T, R], log *slog.Logger) (*Sink[T, R], error) {
	if cfg.Group == "" {
		return nil, fmt.Errorf("%s: no consumer group", topic.Name)
	}
	if topic.Decode == nil || topic.Validate == nil || topic.Row == nil || topic.Insert == nil {
		return nil, fmt.Errorf("%s: Decode, Validate, Row and Insert are all required", topic.Name)
	}
	if cfg.MaxPoll <= 0 {
		cfg.MaxPoll = 10_000
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
	return &Sink[T, R]{cfg: cfg, topic: topic, log: log}, nil
}

// Options are the client options the sink's loop relies on: its group,
// manual commits, and no rebalance between a poll and its commit.
func (s *Sink[T, R]) Options() []kgo.Opt {
	return []kgo.Opt{
		kgo.ConsumerGroup(s.cfg.Group),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	}
}

// Run stores what cl consumes until ctx ends. A poll's records are
// committed only once they are stored or dead-lettered.
func (s *Sink[T, R]) Run(ctx context.Context, cl *kgo.Client) error {
	for {
		fetches := cl.PollRecords(ctx, s.cfg.MaxPoll)
		if ctx.Err() != nil {
			cl.AllowRebalance()
			return ctx.Err()
		}
		fetches.EachError(func(topic string, p int32, err error) {
			s.log.Warn("fetch failed", "topic", topic, "partition", p, "err", err)
		})
		records := fetches.Records()
		if err := s.store(ctx, cl, records); err != nil {
			cl.AllowRebalance()
			return err
		}
		if len(records) > 0 {
			// A failed commit is made good by the next one, which covers
			// these offsets too; a crash before it reads them again, and
			// storing a record twice is harmless.
			if err := cl.CommitRecords(ctx, records...); err != nil {
				s.log.Warn("commit failed", "records", len(records), "err", err)
			}
		}
		cl.AllowRebalance()
	}
}

// store stores one poll's records: the rows of valid ones into the store,
// the others into the dead-letter topic, retrying each until it answers.
// It fails only when ctx ends.
func (s *Sink[T, R]) store(ctx context.Context, cl *kgo.Client, records []*kgo.Record) error {
	var (
		rows []R
		dead []*kgo.Record
	)
	for _, r := range records {
		var v T
		reason, err := "", s.topic.Decode(r.Value, &v)
		var pe *wire.PoisonError
		switch {
		case errors.As(err, &pe):
			reason = pe.Reason
		case err != nil:
			reason = wire.ReasonMalformed
		default:
			if err = s.topic.Validate(&v, s.cfg.Now()); err != nil {
				reason = deadletter.ReasonInvalid
			}
		}
		if reason != "" {
			s.log.Info("dead-lettering record", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset, "reason", reason)
			dead = append(dead, deadletter.Record(s.cfg.DeadLetter, r, deadletter.Info{
				Reason: reason, Error: err.Error(), Group: s.cfg.Group, FailedAt: s.cfg.Now(),
			}))
			continue
		}
		rows = append(rows, s.topic.Row(v, r.Partition, r.Offset))
	}
	if len(rows) > 0 {
		if err := s.retry(ctx, "insert", func() error { return s.topic.Insert(ctx, rows) }); err != nil {
			return err
		}
	}
	if len(dead) > 0 && s.cfg.DeadLetter != "" {
		return s.retry(ctx, "dead-letter", func() error { return cl.ProduceSync(ctx, dead...).FirstErr() })
	}
	return nil
}

// retry calls do until it succeeds or ctx ends, backing off between tries.
func (s *Sink[T, R]) retry(ctx context.Context, what string, do func() error) error {
	for attempt := 0; ; attempt++ {
		err := do()
		if err == nil {
			return nil
		}
		s.log.Warn(what+" failed, retrying", "attempt", attempt, "err", err)
		if !retry.Sleep(ctx, retry.Backoff(attempt, s.cfg.RetryMin, s.cfg.RetryMax)) {
			return fmt.Errorf("%s: %s: %w", s.topic.Name, what, ctx.Err())
		}
	}
}
