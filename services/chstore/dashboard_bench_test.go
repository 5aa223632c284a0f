package chstore

import (
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

// BenchmarkDashboard times what the DPO's dashboard asks, on the lookup
// benchmarks' store (12,300,000 events over 2021-2025, the rollups
// settled from them): the overview of 30 and of
// 365 days, whole and for one recipient, the first page of 50 events
// behind a number (a recipient's, in 30 days) and a subject's lineage
// (through its phone number), with the rollups merged; and the store's
// lists the API reads every 5 minutes to count the overview's flags. The dashboard is
// held to 300 ms a page.
// Run with
//
//	go test -run '^$' -bench Dashboard -benchtime 20x -timeout 30m
func BenchmarkDashboard(b *testing.B) {
	s := benchStore(b, benchDatabase, nil, true)
	if _, err := s.Settle(b.Context()); err != nil {
		b.Fatal(err)
	}
	// Merged, as the rollups of years no longer written to are: a
	// settlement's differences are rows of their own until they merge.
	for _, table := range []string{"lineage_daily", "lineage_monthly", "lineage_daily_categories", "lineage_daily_subjects"} {
		if err := s.conn.Exec(b.Context(), "OPTIMIZE TABLE "+table+" FINAL"); err != nil {
			b.Fatalf("merge %s: %v", table, err)
		}
	}
	end := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(3, 4))
	for _, q := range []struct {
		name string
		run  func() error
	}{
		{"overview_30d", func() error {
			_, err := s.Overview(b.Context(), OverviewQuery{From: end.AddDate(0, 0, -30), To: end})
			return err
		}},
		{"overview_365d", func() error {
			_, err := s.Overview(b.Context(), OverviewQuery{From: end.AddDate(0, 0, -365), To: end})
			return err
		}},
		{"overview_365d_recipient", func() error {
			_, err := s.Overview(b.Context(), OverviewQuery{From: end.AddDate(0, 0, -365), To: end, RecipientID: "rcp-7"})
			return err
		}},
		{"events_page_recipient_30d", func() error {
			_, err := s.EventList(b.Context(), EventListQuery{From: end.AddDate(0, 0, -30), To: end,
				Filter: EventFilter{RecipientID: "rcp-7"}, Limit: 50})
			return err
		}},
		{"events_page_30d", func() error {
			_, err := s.EventList(b.Context(), EventListQuery{From: end.AddDate(0, 0, -30), To: end, Limit: 50})
			return err
		}},
		// What the API reads to count the overview's flags anew, at once,
		// every FlowsMaxAge: the lists behind them over the whole store.
		{"flag_lists", func() error {
			var wg sync.WaitGroup
			errs := make([]error, 5)
			wg.Go(func() { _, errs[0] = s.ConsentFlags(b.Context(), time.Time{}, time.Time{}) })
			wg.Go(func() { _, errs[1] = s.Retention(b.Context(), RetentionQuery{Limit: MaxRetentionSubjects}) })
			wg.Go(func() { _, errs[2] = s.Flows(b.Context()) })
			wg.Go(func() { _, errs[3] = s.Erasures(b.Context(), 1000) })
			wg.Go(func() { _, errs[4] = s.OpenRequestEvents(b.Context()) })
			wg.Wait()
			return errors.Join(errs...)
		}},
		{"subject_lineage", func() error {
			_, err := s.Lineage(b.Context(), LineageQuery{SubjectID: lineagetest.Subject(r.IntN(benchSubjects)), Restricted: Restricted{Include: true}})
			return err
		}},
	} {
		b.Run(q.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				t0 := time.Now()
				if err := q.run(); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t0))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2])/float64(time.Millisecond), "p50_ms")
			b.ReportMetric(float64(took[len(took)-1])/float64(time.Millisecond), "max_ms")
		})
	}
}
