package chstore

import (
	"slices"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// BenchmarkSettle times the settlements of the overview's rollups on the
// lookup benchmarks' store (12,300,000 events over 2021-2025): first
// whatever is unsettled when it starts (after migration 0011, every day:
// logged), then a settlement of one changed day of the current year, the
// steady state while events arrive, and of a month of days changed at
// once. A day is made to look changed by adding to its count in
// lineage_day_rows, so the events stay as generated; its settlement reads
// and compares as if events had arrived, and inserts nothing.
// Run with
//
//	go test -run '^$' -bench Settle -benchtime 10x -timeout 30m
func BenchmarkSettle(b *testing.B) {
	s := benchStore(b, benchDatabase, nil, true)
	began := time.Now()
	st, err := s.Settle(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("settled what was unsettled: %d days in %d passes, %v", st.Days, st.Passes, time.Since(began).Round(time.Millisecond))

	last := time.Date(2025, 11, 30, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		days int
	}{{"one_day", 1}, {"a_month_of_days", 30}} {
		b.Run(c.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				for d := range c.days {
					// INSERT … SELECT: the driver takes an INSERT … VALUES with
					// arguments for a batch, and waits for its rows.
					if err := s.conn.Exec(b.Context(), "INSERT INTO lineage_day_rows (day, stored) SELECT toDate(@day), toUInt64(1)",
						clickhouse.Named("day", last.AddDate(0, 0, -d).Format(time.DateOnly))); err != nil {
						b.Fatal(err)
					}
				}
				t0 := time.Now()
				st, err := s.Settle(b.Context())
				if err != nil || st.Days != c.days {
					b.Fatalf("settled %+v, %v; want %d days", st, err, c.days)
				}
				took = append(took, time.Since(t0))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2])/float64(time.Millisecond), "p50_ms")
			b.ReportMetric(float64(took[len(took)-1])/float64(time.Millisecond), "max_ms")
		})
	}
}
