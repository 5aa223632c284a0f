// Package links projects the identity links topic into ClickHouse: which
// customer held which phone number, IP address, contract or device, and
// when. The store resolves identified lineage events through these rows at
// lookup time, so this loop only has to store every link once it is read;
// the order links and events arrive in does not matter.
//
// Links are few (one per identifier assigned or given back), so the loop
// is simple: poll, decode and validate, insert, dead-letter what cannot be
// stored, commit, and only then let a rebalance happen. Nothing is
// committed before it is in ClickHouse or the dead-letter topic.
package links

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/deadletter"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/chstore"
	"github.com/balticom/lineage/services/materializer/internal/retry"
)

// Store is where links go; *chstore.Store is one.
type Store interface {
	InsertLinks(ctx context.Context, links []chstore.StoredLink) error
}

// Config of a Sink.
type Config struct {
	// Group is the consumer group, distinct from the events' group.
	Group string
	// DeadLetter is the topic of links that can never be stored.
	DeadLetter string
	// MaxPoll bounds the links of one insert (default 10,000).
	MaxPoll int
	// RetryMin and RetryMax bound the back-off between insert attempts
	// (default 200 ms and 30 s).
	RetryMin, RetryMax time.Duration
	// Now is the clock validation uses (default time.Now).
	Now func() time.Time
}

// Sink consumes the links topic into a Store.
type Sink struct {
	cfg   Config
	store Store
	codec *wire.LinkCodec
	log   *slog.Logger
}

// New returns a sink; its client must be made with Options.
func New(cfg Config, store Store, log *slog.Logger) (*Sink, error) {
	if cfg.Group == "" {
		return nil, errors.New("links: no consumer group")
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
	codec, err := wire.NewLinkCodec()
	if err != nil {
		return nil, fmt.Errorf("links: %w", err)
	}
	return &Sink{cfg: cfg, store: store, codec: codec, log: log}, nil
}

// Options are the client options the sink's loop relies on: its group,
// manual commits, and no rebalance between a poll and its commit.
func (s *Sink) Options() []kgo.Opt {
	return []kgo.Opt{
		kgo.ConsumerGroup(s.cfg.Group),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	}
}

// Run stores what cl consumes until ctx ends. A poll's links are committed
// only once they are stored or dead-lettered.
func (s *Sink) Run(ctx context.Context, cl *kgo.Client) error {
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
		if err := s.store1(ctx, cl, records); err != nil {
			cl.AllowRebalance()
			return err
		}
		if len(records) > 0 {
			// A failed commit is made good by the next one, which covers
			// these offsets too; a crash before it reads them again, and
			// storing a link twice is harmless.
			if err := cl.CommitRecords(ctx, records...); err != nil {
				s.log.Warn("commit identity links failed", "links", len(records), "err", err)
			}
		}
		cl.AllowRebalance()
	}
}

// store1 stores one poll's records: valid links into the store, the others
// into the dead-letter topic, retrying each until it answers. It fails only
// when ctx ends.
func (s *Sink) store1(ctx context.Context, cl *kgo.Client, records []*kgo.Record) error {
	var (
		links []chstore.StoredLink
		dead  []*kgo.Record
	)
	for _, r := range records {
		var l lineage.IdentityLink
		reason, err := "", s.codec.Decode(r.Value, &l)
		var pe *wire.PoisonError
		switch {
		case errors.As(err, &pe):
			reason = pe.Reason
		case err != nil:
			reason = wire.ReasonMalformed
		default:
			if err = l.Validate(s.cfg.Now()); err != nil {
				reason = deadletter.ReasonInvalid
			}
		}
		if reason != "" {
			s.log.Info("dead-lettering identity link", "partition", r.Partition, "offset", r.Offset, "reason", reason)
			dead = append(dead, deadletter.Record(s.cfg.DeadLetter, r, deadletter.Info{
				Reason: reason, Error: err.Error(), Group: s.cfg.Group, FailedAt: s.cfg.Now(),
			}))
			continue
		}
		links = append(links, chstore.StoredLink{IdentityLink: l, Partition: r.Partition, Offset: r.Offset})
	}
	if len(links) > 0 {
		if err := s.retry(ctx, "insert identity links", func() error { return s.store.InsertLinks(ctx, links) }); err != nil {
			return err
		}
	}
	if len(dead) > 0 && s.cfg.DeadLetter != "" {
		return s.retry(ctx, "dead-letter identity links", func() error { return cl.ProduceSync(ctx, dead...).FirstErr() })
	}
	return nil
}

// retry calls do until it succeeds or ctx ends, backing off between tries.
func (s *Sink) retry(ctx context.Context, what string, do func() error) error {
	for attempt := 0; ; attempt++ {
		err := do()
		if err == nil {
			return nil
		}
		s.log.Warn(what+" failed, retrying", "attempt", attempt, "err", err)
		if !retry.Sleep(ctx, retry.Backoff(attempt, s.cfg.RetryMin, s.cfg.RetryMax)) {
			return fmt.Errorf("links: %s: %w", what, ctx.Err())
		}
	}
}
