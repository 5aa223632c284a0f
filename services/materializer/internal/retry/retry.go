// Package retry holds the back-off the materializer's loops wait by when
// ClickHouse or Kafka does not answer: they retry for as long as it takes,
// since giving up would lose the batch's place in the log. Inserts is
// their one policy for the errors of a ClickHouse insert: retry what
// passes, set aside the rows ClickHouse rejects, stop on what only a fix
// of the configuration cures.
package retry

import (
	"context"
	"time"
)

// Backoff doubles from lo to hi with each attempt.
func Backoff(attempt int, lo, hi time.Duration) time.Duration {
	d := lo
	for range attempt {
		d *= 2
		if d >= hi {
			return hi
		}
	}
	return d
}

// Sleep waits d and reports true, or reports false as soon as ctx ends.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
