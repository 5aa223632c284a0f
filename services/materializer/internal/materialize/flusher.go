package materialize

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/balticom/lineage/services/materializer/internal/retry"
)

// flushLoop inserts, then commits, each sealed batch in the order sealed.
// ctx ends only when even the final flush must give up. A fatal flush is
// sticky: no later batch is inserted or committed, since committing it
// would move the offset past the records whose dead letters were lost;
// stopPolling stops the poller, and the batches still sealed are only
// released.
func (m *Materializer) flushLoop(ctx context.Context, stopPolling func()) {
	var failed bool
	for b := range m.sealed {
		if b.done != nil {
			close(b.done)
			continue
		}
		if !failed {
			if err := m.flush(ctx, b); err != nil {
				failed = true
				select {
				case m.fatal <- err:
				default:
				}
				stopPolling()
			}
		}
		m.free <- b
	}
}

// flush makes one batch durable and commits its offsets. A transient
// insert error is retried until the insert succeeds or ctx ends:
// ClickHouse being away is a wait, not a loss. Rows ClickHouse rejected
// for their values are dead-lettered and the others stored. An error only
// a fix of ClickHouse's configuration cures, and a dead letter the broker
// refused, are fatal: the process stops without committing, and the
// records are read again after restart.
func (m *Materializer) flush(ctx context.Context, b *batch) error {
	ctx, span := m.metrics.tracer.Start(ctx, "lineage.insert", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.Int("lineage.batch.rows", b.len()), attribute.String("db.system", "clickhouse")))
	defer span.End()
	if b.len() > 0 {
		if err := m.insert(ctx, b); err != nil {
			if retry.Abandoned(err) {
				span.SetStatus(codes.Error, "insert abandoned")
				return nil // shutting down; the batch is not committed and will be read again
			}
			span.RecordError(err)
			span.SetStatus(codes.Error, "insert refused")
			return fmt.Errorf("not committing: %w", err)
		}
		if err := m.deadLetterRefused(ctx, b); err != nil {
			if ctx.Err() != nil {
				return nil // shutting down, as above
			}
			span.RecordError(err)
			return fmt.Errorf("dead letters not acknowledged, not committing: %w", err)
		}
	}
	b.dlq.Wait()
	if b.dlqErr != nil {
		span.RecordError(b.dlqErr)
		return fmt.Errorf("dead letters not acknowledged, not committing: %w", b.dlqErr)
	}
	if err := m.commit(ctx, b); err != nil {
		// The events are stored; a new owner of the partition stores them
		// again, and the answers count each event id once.
		m.log.Warn("commit failed", "err", err)
		span.RecordError(err)
	}
	return nil
}

// insert stores b's rows by the policy every loop shares (retry.Inserts),
// noting in b the rows ClickHouse rejected.
func (m *Materializer) insert(ctx context.Context, b *batch) error {
	p := retry.Inserts{Min: m.cfg.RetryMin, Max: m.cfg.RetryMax, Log: m.log,
		Failed: func(ctx context.Context) { m.metrics.insertFailures.Add(ctx, 1) }}
	return p.Rows(ctx, b.len(), func(ctx context.Context, lo, hi int) error {
		rows := b.rows
		if lo > 0 || hi < b.len() {
			rows = rows.Slice(lo, hi)
		}
		start := time.Now()
		if err := m.store.Insert(ctx, rows); err != nil {
			return err
		}
		m.metrics.inserted(ctx, hi-lo, time.Since(start))
		return nil
	}, func(i int, err error) {
		b.refused = append(b.refused, refusal{row: i, err: err})
	})
}

func (m *Materializer) commit(ctx context.Context, b *batch) error {
	var errs []error
	m.cl.CommitOffsetsSync(ctx, b.offsets, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			errs = append(errs, err)
			return
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
					errs = append(errs, fmt.Errorf("commit %s/%d: %w", t.Topic, p.Partition, err))
				}
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return err
	}
	m.metrics.committed(b.offsets)
	return nil
}
