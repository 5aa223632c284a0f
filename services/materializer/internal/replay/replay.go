// Package replay rebuilds the ClickHouse projection from the Kafka log
// without downtime: Kafka is the source of truth, ClickHouse only a view of
// it, so the view can always be made again (after a bug in the
// materializer, a new column, a lost disk).
//
// A rebuild runs the materializer's own engine under a fresh consumer group
// from the start of the log into an empty table shaped like the events
// table. When it has caught up with the live fleet's committed offsets, the
// two tables are swapped in one RENAME: readers see the old answers, then
// the new ones, never none. Batches the live fleet inserted into the old
// table just before the swap are read again by the rebuild, which goes on
// until it has also caught up with the fleet's offsets after the swap. The
// copies this makes are counted once by every query.
package replay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/services/chstore"
	"github.com/balticom/lineage/services/materializer/internal/materialize"
	"github.com/balticom/lineage/services/materializer/internal/retry"
)

// Config of a rebuild.
type Config struct {
	// LiveGroup is the fleet's consumer group, whose committed offsets the
	// rebuild must reach.
	LiveGroup string
	Topic     string
	// Engine configures the rebuild's materializer; its Group is set here
	// and its DeadLetter left empty: poison was dead-lettered by the live
	// fleet already, and is only counted.
	Engine materialize.Config
	// Grace is how long after the swap the live fleet may still be
	// inserting a batch into the old table (its linger plus an insert).
	Grace time.Duration
	// Poll is how often progress is checked (default 1 s).
	Poll time.Duration
}

// Run rebuilds the projection in store. kopts connect to the broker. It
// returns when the rebuilt table is in place and complete, or with the
// reason it is not (then the live table is untouched unless the swap was
// done, which the error says).
func Run(ctx context.Context, cfg Config, store *chstore.Store, decoder materialize.Decoder, log *slog.Logger, kopts ...kgo.Opt) error {
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	check, err := kgo.NewClient(kopts...)
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	err = wholeLog(ctx, kadm.NewClient(check), cfg.Topic)
	check.Close()
	if err != nil {
		return err
	}
	if err := store.PrepareRebuild(ctx); err != nil {
		return err
	}
	group := cfg.LiveGroup + "-rebuild-" + time.Now().UTC().Format("20060102T150405")
	cfg.Engine.Group, cfg.Engine.DeadLetter = group, ""
	target := &switching{store: store, table: chstore.RebuildTable}
	m, err := materialize.New(cfg.Engine, target, decoder, log.With("rebuild", group))
	if err != nil {
		return err
	}
	cl, err := kgo.NewClient(append(append(kopts, kgo.ConsumeTopics(cfg.Topic)), m.Options()...)...)
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	defer cl.Close()
	m.Attach(cl)
	adm := kadm.NewClient(cl)

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	engineDone := make(chan error, 1)
	go func() { engineDone <- m.Run(runCtx, ctx) }()
	wait := func(phase string) error {
		return waitCaughtUp(runCtx, adm, group, cfg.LiveGroup, cfg.Topic, cfg.Poll, engineDone, log.With("phase", phase))
	}

	log.Info("rebuilding from the start of the log", "group", group, "table", chstore.RebuildTable)
	if err := wait("fill"); err != nil {
		return err
	}
	if err := target.swap(ctx); err != nil {
		return err
	}
	log.Info("rebuilt table swapped in; the old one is kept", "previous", chstore.PreviousTable)
	if !retry.Sleep(ctx, cfg.Grace) {
		return fmt.Errorf("rebuilt table is live, but the top-up was interrupted: %w", ctx.Err())
	}
	if err := wait("top-up"); err != nil {
		return fmt.Errorf("rebuilt table is live, but the top-up failed: %w", err)
	}
	stop()
	if err := <-engineDone; err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	// The rebuild's group stays, empty: its offsets say how far the rebuilt
	// table was read, and Kafka expires them with the group.
	log.Info("rebuild complete", "group", group)
	return nil
}

// ErrLogTruncated is matched (errors.Is) when the log no longer starts at
// its first record: a rebuild from it would lose what was deleted.
var ErrLogTruncated = errors.New("the log's start was deleted")

// wholeLog checks that every partition of topic still starts at offset 0.
// Records deleted by retention or by a delete-records call are gone from
// the source of truth: rebuilding from what is left would replace the
// projection with one that lacks them, so the rebuild is refused.
func wholeLog(ctx context.Context, adm *kadm.Client, topic string) error {
	starts, err := adm.ListStartOffsets(ctx, topic)
	if err != nil {
		return fmt.Errorf("list the start offsets of %s: %w", topic, err)
	}
	if err := starts.Error(); err != nil {
		return fmt.Errorf("list the start offsets of %s: %w", topic, err)
	}
	var truncated []string
	starts.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			truncated = append(truncated, fmt.Sprintf("partition %d starts at %d", o.Partition, o.Offset))
		}
	})
	if len(truncated) > 0 {
		slices.Sort(truncated)
		return fmt.Errorf("%s: %s; refusing to rebuild from it (keep the topic with retention.ms=-1): %w",
			topic, strings.Join(truncated, ", "), ErrLogTruncated)
	}
	return nil
}

// switching inserts into the rebuild table until the swap, then into the
// events table; an insert and the swap never overlap, so every batch lands
// in the table that is live after the swap or was renamed into it.
type switching struct {
	store *chstore.Store
	mu    sync.Mutex
	table string
}

func (s *switching) Insert(ctx context.Context, b *chstore.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.store.InsertInto(ctx, s.table, b)
}

func (s *switching) swap(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.store.SwapRebuild(ctx); err != nil {
		return err
	}
	s.table = chstore.EventsTable
	return nil
}

// waitCaughtUp returns when group has committed, on every partition of
// topic, at least what live had committed when the wait began.
func waitCaughtUp(ctx context.Context, adm *kadm.Client, group, live, topic string, poll time.Duration, engineDone <-chan error, log *slog.Logger) error {
	target, err := adm.FetchOffsets(ctx, live)
	if err != nil {
		return fmt.Errorf("offsets of the live group %s: %w", live, err)
	}
	for {
		behind, err := behind(ctx, adm, group, topic, target)
		if err != nil {
			return err
		}
		if behind == 0 {
			return nil
		}
		log.Info("rebuilding", "behind", behind)
		select {
		case err := <-engineDone:
			return fmt.Errorf("rebuild engine stopped: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}

// behind sums, over the partitions of topic, how far group's commits are
// from target's.
func behind(ctx context.Context, adm *kadm.Client, group, topic string, target kadm.OffsetResponses) (int64, error) {
	got, err := adm.FetchOffsets(ctx, group)
	if err != nil {
		got = nil // the group has not committed yet
	}
	var n int64
	target.Each(func(o kadm.OffsetResponse) {
		if o.Topic != topic {
			return
		}
		at := int64(0)
		if c, ok := got.Lookup(o.Topic, o.Partition); ok {
			at = c.At
		}
		if o.At > at {
			n += o.At - at
		}
	})
	return n, nil
}
