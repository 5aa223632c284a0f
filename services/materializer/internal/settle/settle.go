// Package settle runs the settlements of the overview's rollups
// (chstore.Store.Settle) in one member of the fleet: the member that holds
// the first partition of the events topic. Two settlements at once would
// both add the same differences, and the group already makes one member
// the holder of each partition, so no other election is needed.
package settle

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/services/chstore"
)

// Store reads the days to settle and settles them.
type Store interface {
	ChangedDays(ctx context.Context) ([]chstore.ChangedDay, error)
	SettleDays(ctx context.Context, days []chstore.ChangedDay) (chstore.Settlement, error)
}

// waitIntervals is how many intervals a changed day may wait to be
// settled while it goes on changing. A day is settled at the first look
// that finds it as the previous one did (nothing stored in it since), or
// once it has waited that long: a backlog being drained changes every day
// it touches between two looks, and each settlement would recount them
// all; today, while events arrive, is settled every 3 intervals.
const waitIntervals = 3

// Settler settles every Interval while its member holds partition 0 of
// Topic. A revocation waits for the settlement in flight, cancelled, to
// return, so that the next holder's first one does not overlap it.
type Settler struct {
	store    Store
	topic    string
	interval time.Duration
	log      *slog.Logger

	mu      sync.Mutex
	held    bool
	cancel  context.CancelFunc // of the settlement in flight, nil when none
	settled chan struct{}      // closed when the settlement in flight returns

	seen map[time.Time]seenDay // the changed days at the last look, by day
}

// seenDay is a changed day as a look found it: its stored rows, and since
// when it has been waiting.
type seenDay struct {
	stored uint64
	since  time.Time
}

// New returns a settler of store for the events topic. It settles nothing
// until Assigned gives it the topic's partition 0.
func New(store Store, topic string, interval time.Duration, log *slog.Logger) *Settler {
	return &Settler{store: store, topic: topic, interval: interval, log: log, seen: map[time.Time]seenDay{}}
}

// Assigned takes note of partitions given to the member.
func (s *Settler) Assigned(_ context.Context, _ *kgo.Client, assigned map[string][]int32) {
	if holdsFirst(assigned, s.topic) {
		s.mu.Lock()
		s.held = true
		s.mu.Unlock()
		s.log.Info("settling the overview's rollups", "every", s.interval)
	}
}

// Revoked takes note of partitions taken from the member, revoked or lost:
// when the first is among them, it stops settling and returns once the
// settlement in flight has.
func (s *Settler) Revoked(_ context.Context, _ *kgo.Client, revoked map[string][]int32) {
	if !holdsFirst(revoked, s.topic) {
		return
	}
	s.mu.Lock()
	s.held = false
	cancel, settled := s.cancel, s.settled
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		<-settled
	}
	s.log.Info("no longer settling the overview's rollups")
}

func holdsFirst(partitions map[string][]int32, topic string) bool {
	for _, p := range partitions[topic] {
		if p == 0 {
			return true
		}
	}
	return false
}

// maxShare bounds the share of the time spent settling: after a
// settlement that took d, the next waits at least d × (1/maxShare − 1).
// While a backlog is drained, every day it touches changes between two
// settlements, and each settlement recounts them all: settling every half
// second, unbounded, cut the pipeline benchmark from 112,570 to 66,060
// events/s on two cores.
const maxShare = 0.1

// Run settles every interval, or less often as maxShare says, until ctx
// is done. A failed settlement is logged and tried again at the next one:
// it puts right what a settlement cut short left.
func (s *Settler) Run(ctx context.Context) {
	wait := s.interval
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		took := s.settle(ctx)
		wait = max(s.interval, time.Duration(float64(took)*(1/maxShare-1)))
	}
}

// settle runs one settlement if the member holds the first partition, and
// returns how long it took.
func (s *Settler) settle(ctx context.Context) time.Duration {
	s.mu.Lock()
	if !s.held {
		s.mu.Unlock()
		return 0
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	settled := make(chan struct{})
	defer close(settled)
	s.cancel, s.settled = cancel, settled
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.cancel, s.settled = nil, nil
		s.mu.Unlock()
	}()

	began := time.Now()
	changed, err := s.store.ChangedDays(ctx)
	var st chstore.Settlement
	if err == nil {
		st, err = s.store.SettleDays(ctx, s.ready(changed, began))
	}
	took := time.Since(began)
	switch {
	case err != nil && ctx.Err() == nil:
		s.log.Error("settling the overview's rollups", "err", err)
	case st.Days > 0:
		s.log.Info("settled the overview's rollups", "days", st.Days, "passes", st.Passes,
			"waiting", len(changed)-st.Days, "took", took)
	}
	return took
}

// ready returns the changed days to settle now (see waitIntervals) and
// remembers the others. A day returned is forgotten: if its settlement
// fails, the next look finds it changed and the one after settles it.
func (s *Settler) ready(changed []chstore.ChangedDay, now time.Time) []chstore.ChangedDay {
	var out []chstore.ChangedDay
	seen := make(map[time.Time]seenDay, len(changed))
	for _, d := range changed {
		prev, ok := s.seen[d.Day]
		switch {
		case !ok:
			seen[d.Day] = seenDay{stored: d.Stored, since: now}
		case prev.stored == d.Stored || now.Sub(prev.since) >= waitIntervals*s.interval:
			out = append(out, d)
		default:
			seen[d.Day] = seenDay{stored: d.Stored, since: prev.since}
		}
	}
	s.seen = seen
	return out
}
