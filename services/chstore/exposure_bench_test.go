package chstore

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkExposure times what the DPO asks first after a breach, on the
// lookup benchmarks' store (10,000,000 events, 2,000,000 under phone
// numbers, and 300,000 transfers of 100,000 subjects to one recipient):
// the first estimate an incident records (estimate), the count with its
// categories, and the first page of 100 subjects. Each iteration asks
// about a random window of at least a year. Run with
//
//	go test -run '^$' -bench Exposure -benchtime 200x -timeout 30m
//
// The sub-benchmarks: the breached recipient (ordered by recipient in
// lineage_disclosures), the police (every event under a phone number,
// resolved through the links), and a source system (lineage_events read
// whole within the window's years).
func BenchmarkExposure(b *testing.B) {
	s := benchStore(b, benchDatabase, nil, true)
	parties := []struct {
		name  string
		kind  PartyKind
		party string
	}{
		{"recipient_100k_subjects", Recipient, benchBreachRecipient},
		{"recipient_under_phone_numbers", Recipient, "rcp-state-police"},
		{"source_system", SourceSystem, "crm"},
	}
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range parties {
		b.Run(p.name, func(b *testing.B) {
			var estimate, count, page, both []time.Duration
			var subjects uint64
			i := 0
			for b.Loop() {
				// Windows from one to five years, starting on a month boundary.
				from := start.AddDate(0, i%24, 0)
				q := ExposureQuery{Kind: p.kind, Party: p.party, From: from, To: from.AddDate(1+i%4, 0, 0)}
				i++
				tE := time.Now()
				if _, _, err := s.EstimateExposure(b.Context(), q); err != nil {
					b.Fatal(err)
				}
				t0 := time.Now()
				e, err := s.Exposure(b.Context(), q)
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if _, err := s.ExposedSubjects(b.Context(), q, "", 100); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				estimate = append(estimate, t0.Sub(tE))
				count, page, both = append(count, t1.Sub(t0)), append(page, t2.Sub(t1)), append(both, t2.Sub(t0))
				subjects += e.Subjects
			}
			for _, m := range []struct {
				name string
				d    []time.Duration
			}{{"estimate", estimate}, {"count", count}, {"page", page}, {"both", both}} {
				slices.Sort(m.d)
				b.ReportMetric(float64(m.d[len(m.d)/2])/float64(time.Millisecond), m.name+"_p50_ms")
				b.ReportMetric(float64(m.d[len(m.d)*99/100])/float64(time.Millisecond), m.name+"_p99_ms")
			}
			b.ReportMetric(float64(subjects)/float64(len(both)), "subjects/query")
		})
	}
}

// BenchmarkDPOLists times the DPO's questions across the store, on the
// lookup benchmarks' store (12 million events over 2019-2026, 2 million
// of them CDR disclosures to the police under phone numbers): a year's
// retained-data statistics (every CDR disclosure of the year read), the
// list of data held past a retention period in a year (the attribute
// arrays of the year read), and the consent flags of a year (the facts
// table, then only its subjects' events). Run with
//
//	go test -run '^$' -bench DPOLists -benchtime 10x -timeout 30m
func BenchmarkDPOLists(b *testing.B) {
	s := benchStore(b, benchDatabase, nil, true)
	year := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, q := range []struct {
		name string
		run  func() error
	}{
		{"retained_statistics_year", func() error { _, err := s.RetainedDataStatistics(b.Context(), 2025); return err }},
		{"retention_past_year", func() error {
			_, err := s.Retention(b.Context(), RetentionQuery{From: year, To: year.AddDate(1, 0, 0)})
			return err
		}},
		{"consent_flags_year", func() error { _, err := s.ConsentFlags(b.Context(), year, year.AddDate(1, 0, 0)); return err }},
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
