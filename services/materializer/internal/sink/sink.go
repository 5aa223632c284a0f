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

	"github.com/balticom/lineage/services/chstore"
	"github.com/balticom/lineage/services/materializer/internal/dlq"
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
	// Decode fills a zero T from a record value. A *wire.PoisonError
	// dead-letters the record with its reason; any other error is
	// transient and retried (dlq.Check), as for the lineage events.
	Decode func(value []byte, v *T) error
	// Validate returns an error naming the broken rules, or nil; a record
	// that breaks one is dead-lettered as deadletter.ReasonInvalid.
	Validate func(v *T, now time.Time) error
	// Row is the row of a valid record, with where Kafka had it.
	Row func(v T, partition int32, offset int64) R
	// Insert stores rows of one poll. Its errors are classified by
	// chstore.Classify: a transient one is retried until it passes, so
	// storing a row twice must be harmless; rows rejected for their values
	// are found by inserting halves, and dead-lettered; a configuration
	// error stops the loop.
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

// Run stores what cl consumes until ctx ends, or until ClickHouse refuses
// inserts until its configuration is fixed (the error says what to fix).
// A poll's records are committed only once they are stored or
// dead-lettered.
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
// the records that cannot be decoded or break a rule, and those whose rows
// ClickHouse rejected, into the dead-letter topic, by the policies every
// loop shares (dlq.Check, retry.Inserts). It fails when ctx ends or when
// ClickHouse refuses the insert until its configuration is fixed.
func (s *Sink[T, R]) store(ctx context.Context, cl *kgo.Client, records []*kgo.Record) error {
	var (
		rows []R
		from []*kgo.Record // the record of each row
		dead []*kgo.Record
	)
	validate := func(v *T) error { return s.topic.Validate(v, s.cfg.Now()) }
	for _, r := range records {
		var v T
		reason, err := s.check(ctx, r, &v, validate)
		switch {
		case reason != "":
			dead = append(dead, s.letter(r, reason, err))
		case err != nil:
			return err
		default:
			rows = append(rows, s.topic.Row(v, r.Partition, r.Offset))
			from = append(from, r)
		}
	}
	p := retry.Inserts{Min: s.cfg.RetryMin, Max: s.cfg.RetryMax, Log: s.log}
	if err := p.Rows(ctx, len(rows), func(ctx context.Context, lo, hi int) error {
		return s.topic.Insert(ctx, rows[lo:hi])
	}, func(i int, err error) {
		reason, detail := chstore.Rejection(err)
		dead = append(dead, s.letter(from[i], reason, errors.New(detail)))
	}); err != nil {
		return fmt.Errorf("%s: %w", s.topic.Name, err)
	}
	if len(dead) > 0 && s.cfg.DeadLetter != "" {
		return s.retry(ctx, "dead-letter", func() error { return cl.ProduceSync(ctx, dead...).FirstErr() })
	}
	return nil
}

// check decodes and validates r into v (dlq.Check), retrying a transient
// decode error until it passes or ctx ends, when it returns ctx's error.
func (s *Sink[T, R]) check(ctx context.Context, r *kgo.Record, v *T, validate func(*T) error) (reason string, err error) {
	for attempt := 0; ; attempt++ {
		reason, err := dlq.Check(r.Value, v, s.topic.Decode, validate)
		if err == nil || reason != "" {
			return reason, err
		}
		s.log.Warn("decode failed, retrying", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset, "attempt", attempt, "err", err)
		if !retry.Sleep(ctx, retry.Backoff(attempt, s.cfg.RetryMin, s.cfg.RetryMax)) {
			return "", fmt.Errorf("%s: decode: %w", s.topic.Name, ctx.Err())
		}
	}
}

// letter is the dead letter of r.
func (s *Sink[T, R]) letter(r *kgo.Record, reason string, cause error) *kgo.Record {
	s.log.Info("dead-lettering record", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset, "reason", reason)
	return dlq.Letter(s.cfg.DeadLetter, r, s.cfg.Group, reason, cause, s.cfg.Now())
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
