package retry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/balticom/lineage/services/chstore"
)

// Inserts is the policy of every loop for the errors of a ClickHouse
// insert (chstore.Classify): a transient error is retried with back-off
// for as long as it takes; rows the server rejected for their values are
// isolated by splitting the insert in halves, and handed to the caller to
// dead-letter, while the others are stored; a configuration error stops
// the loop, since no retry can cure it.
type Inserts struct {
	Min, Max time.Duration // back-off bounds
	Log      *slog.Logger
	// Failed, if set, is called after each failed attempt (a metric).
	Failed func(ctx context.Context)
}

// MisconfiguredError is the error Rows returns when ClickHouse refuses
// every insert until its configuration is fixed.
type MisconfiguredError struct {
	Fix string // what to change (chstore.Fix)
	Err error
}

func (e *MisconfiguredError) Error() string {
	return "ClickHouse refuses the insert until it is fixed (" + e.Fix + "): " + e.Err.Error()
}

func (e *MisconfiguredError) Unwrap() error { return e.Err }

// Abandoned reports whether err, from Rows, says only that ctx ended: the
// rows are in an unknown state and the caller commits nothing.
func Abandoned(err error) bool {
	var m *MisconfiguredError
	return err != nil && !errors.As(err, &m)
}

// Rows stores rows [0, n) by calling insert for ranges [lo, hi) of them.
// reject is called, in order, with each row the server rejected by itself
// and the error it gave. Rows returns nil once every row is stored or
// rejected, a *MisconfiguredError when the server refuses the insert
// whatever its rows, or an error wrapping ctx.Err() when ctx ended first.
//
// A rejected insert may have stored some of its rows (those in the blocks
// it sent before): they are inserted again with their half, which is
// harmless since every read counts a row once.
func (p Inserts) Rows(ctx context.Context, n int, insert func(ctx context.Context, lo, hi int) error, reject func(i int, err error)) error {
	if n == 0 {
		return nil
	}
	return p.rows(ctx, 0, n, insert, reject)
}

func (p Inserts) rows(ctx context.Context, lo, hi int, insert func(ctx context.Context, lo, hi int) error, reject func(i int, err error)) error {
	for attempt := 0; ; attempt++ {
		err := insert(ctx, lo, hi)
		if err == nil {
			return nil
		}
		if p.Failed != nil {
			p.Failed(ctx)
		}
		switch chstore.Classify(err) {
		case chstore.Misconfigured:
			fix := chstore.Fix(err)
			p.Log.Error("ClickHouse refuses the insert whatever its rows: stopping; fix this and restart", "fix", fix, "err", err)
			return &MisconfiguredError{Fix: fix, Err: err}
		case chstore.Rejected:
			if hi-lo == 1 {
				p.Log.Warn("ClickHouse rejected a row", "row", lo, "err", err)
				reject(lo, err)
				return nil
			}
			p.Log.Warn("ClickHouse rejected rows of an insert: splitting it to find them", "rows", hi-lo, "err", err)
			mid := lo + (hi-lo)/2
			if err := p.rows(ctx, lo, mid, insert, reject); err != nil {
				return err
			}
			return p.rows(ctx, mid, hi, insert, reject)
		}
		wait := Backoff(attempt, p.Min, p.Max)
		p.Log.Warn("insert failed, retrying", "rows", hi-lo, "attempt", attempt, "retry_in", wait, "err", err)
		if !Sleep(ctx, wait) {
			return fmt.Errorf("insert abandoned after %d attempts: %w", attempt+1, ctx.Err())
		}
	}
}
