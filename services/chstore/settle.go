package chstore

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Settling the overview's rollups (migrations/0011): the days whose stored
// rows changed since they were last settled are counted again from the
// events, each event once, and the rollups take the difference.
var (
	//go:embed queries/settle_changed.sql
	settleChangedSQL string
	//go:embed queries/settle_flows.sql
	settleFlowsSQL string
	//go:embed queries/settle_categories.sql
	settleCategoriesSQL string
	//go:embed queries/settle_subjects.sql
	settleSubjectsSQL string
	//go:embed queries/settle_all_subjects.sql
	settleAllSubjectsSQL string
	//go:embed queries/settle_monthly.sql
	settleMonthlySQL string
)

// Bounds of one pass over the events. A pass reads the occurred_us column
// of the years it spans whatever the days in it, so close changed days are
// settled together; and it remembers the key of every event of its days
// to count each once, so its days' stored rows are bounded (about 50 bytes
// a row on the server).
const (
	settleSpan     = 31 * 24 * time.Hour
	settleMaxRows  = 2_000_000
	settledColumns = "(day, stored, run)"
)

// Settlement is what one Settle did.
type Settlement struct {
	// Days is the number of days settled, Passes the passes over the
	// events it took.
	Days, Passes int
}

// ChangedDay is a day to settle and the rows it had stored when that was
// read.
type ChangedDay struct {
	Day    time.Time
	Stored uint64
}

// Settle settles every day whose stored rows changed since it was last
// settled (ChangedDays, then SettleDays).
func (s *Store) Settle(ctx context.Context) (Settlement, error) {
	changed, err := s.ChangedDays(ctx)
	if err != nil {
		return Settlement{}, err
	}
	return s.SettleDays(ctx, changed)
}

// SettleDays settles days, as ChangedDays read them, and their months, and
// then writes them down as settled with the rows they had then: rows
// stored since make their day change again, to be settled by a later call.
//
// Calls must not overlap, in this process or another: two settlements of
// one day at the same moment would both add the same difference. The
// materializer runs it in the member that holds the topic's first
// partition. A settlement cut short leaves rollups that the next one puts
// right, since each difference is computed against the rollups as they are.
func (s *Store) SettleDays(ctx context.Context, days []ChangedDay) (Settlement, error) {
	if len(days) == 0 {
		return Settlement{}, nil
	}
	if s.cfg.Cluster != "" {
		var err error
		if ctx, err = s.quorumWrites(ctx); err != nil {
			return Settlement{}, err
		}
	}
	run := uint64(time.Now().UnixNano())
	passes := settlePasses(days)
	for _, p := range passes {
		if err := s.settleDays(ctx, p); err != nil {
			return Settlement{}, err
		}
	}
	for _, m := range monthRuns(days) {
		if err := s.settleMonths(ctx, m); err != nil {
			return Settlement{}, err
		}
	}
	// Written last: a day is settled once the months of it are.
	err := insertRows(ctx, s, "settled days", "lineage_settled_days", settledColumns, days,
		func(d *ChangedDay) []any { return []any{d.Day, d.Stored, run} })
	if err != nil {
		return Settlement{}, err
	}
	return Settlement{Days: len(days), Passes: len(passes)}, nil
}

// quorumWrites returns ctx with inserts that return once every replica of
// the shard holds them (insert_quorum, the fewest replicas of a shard). A
// difference is computed against the rollups as one replica of each shard
// holds them: a replica still fetching the last difference would have it
// added again. Written to all replicas first, a difference is in every
// later read. A settlement while a replica is down fails, and is tried
// again.
func (s *Store) quorumWrites(ctx context.Context) (context.Context, error) {
	shards, err := s.shardReplicas(ctx)
	if err != nil {
		return nil, fmt.Errorf("settle in %s: %w", s.cfg.Database, err)
	}
	quorum := len(shards[0])
	for _, replicas := range shards {
		quorum = min(quorum, len(replicas))
	}
	return clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"insert_quorum": quorum})), nil
}

// settleDays settles the daily rollups for the days of p, in one pass
// over the events for each.
func (s *Store) settleDays(ctx context.Context, p dayRange) error {
	fromUS, toUS := bounds(p.from, p.to)
	args := []any{
		clickhouse.Named("from_us", fromUS), clickhouse.Named("to_us", toUS),
		clickhouse.Named("from_day", p.from.Format(time.DateOnly)),
		clickhouse.Named("to_day", p.to.Format(time.DateOnly)),
	}
	for _, q := range []struct{ what, sql string }{
		{"flows", settleFlowsSQL}, {"categories", settleCategoriesSQL},
		{"subjects", settleSubjectsSQL}, {"subjects of all recipients", settleAllSubjectsSQL},
	} {
		if err := s.conn.Exec(ctx, q.sql, args...); err != nil {
			return fmt.Errorf("settle the %s of %s in %s: %w", q.what, p, s.cfg.Database, err)
		}
	}
	return nil
}

// settleMonths settles the monthly rollup for the months of m.
func (s *Store) settleMonths(ctx context.Context, m dayRange) error {
	err := s.conn.Exec(ctx, settleMonthlySQL,
		clickhouse.Named("from_month", m.from.Format(time.DateOnly)),
		clickhouse.Named("to_month", m.to.Format(time.DateOnly)))
	if err != nil {
		return fmt.Errorf("settle the months of %s in %s: %w", m, s.cfg.Database, err)
	}
	return nil
}

// UnsettledDays is the number of days with events stored since they were
// last settled: events the rollups do not count yet.
func (s *Store) UnsettledDays(ctx context.Context) (int, error) {
	changed, err := s.ChangedDays(ctx)
	return len(changed), err
}

// ChangedDays reads the days to settle, in order: those whose stored rows
// changed since they were last settled.
func (s *Store) ChangedDays(ctx context.Context) ([]ChangedDay, error) {
	var out []ChangedDay
	err := s.each(ctx, settleChangedSQL, nil, func(scan func(...any) error) error {
		var (
			text            string
			stored, settled uint64
		)
		if err := scan(&text, &stored, &settled); err != nil {
			return err
		}
		day, err := time.Parse(time.DateOnly, text)
		if err != nil {
			return fmt.Errorf("day %q: %w", text, err)
		}
		out = append(out, ChangedDay{Day: day, Stored: stored})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the days to settle in %s: %w", s.cfg.Database, err)
	}
	return out, nil
}

// dayRange is the UTC days or months [from, to).
type dayRange struct{ from, to time.Time }

func (r dayRange) String() string {
	return r.from.Format(time.DateOnly) + " to " + r.to.Format(time.DateOnly)
}

// settlePasses groups the changed days, in order, into passes over the
// events: a pass takes the next day while it begins within settleSpan of
// the pass's first day and the pass's stored rows stay within
// settleMaxRows. A day alone over that bound is a pass of its own.
func settlePasses(days []ChangedDay) []dayRange {
	var (
		out  []dayRange
		rows uint64
	)
	for _, d := range days {
		end := d.Day.AddDate(0, 0, 1)
		if n := len(out); n > 0 && d.Day.Sub(out[n-1].from) < settleSpan && rows+d.Stored <= settleMaxRows {
			out[n-1].to = end
			rows += d.Stored
			continue
		}
		out = append(out, dayRange{from: d.Day, to: end})
		rows = d.Stored
	}
	return out
}

// monthRuns is the months of the changed days, in order, consecutive
// months joined.
func monthRuns(days []ChangedDay) []dayRange {
	var out []dayRange
	for _, d := range days {
		first := time.Date(d.Day.Year(), d.Day.Month(), 1, 0, 0, 0, 0, time.UTC)
		next := first.AddDate(0, 1, 0)
		if n := len(out); n > 0 && !out[n-1].to.Before(first) {
			out[n-1].to = next
			continue
		}
		out = append(out, dayRange{from: first, to: next})
	}
	return out
}
