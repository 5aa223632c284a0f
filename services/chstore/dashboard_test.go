package chstore

import (
	"slices"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

// fixtureDay is day n of exposureFixture, as a UTC midnight.
func fixtureDay(n int) time.Time {
	d := t0.Add(time.Duration(n) * 24 * time.Hour)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

// TestOverview: the rollups on exposureFixture (ten events, one of them
// stored twice), whole, for one recipient and for one source system.
func TestOverview(t *testing.T) {
	s := exposureFixture(t)
	all, err := s.Overview(t.Context(), OverviewQuery{From: fixtureDay(0), To: fixtureDay(11)})
	if err != nil {
		t.Fatal(err)
	}
	var rows, bank uint64
	for _, f := range all.Flows {
		rows += f.Events
		if f.RecipientID == "rcp-bank-swedbank" {
			bank += f.Events
			if f.RecipientName != "Swedbank AS" || f.RecipientCategory != "bank" || f.Country != "LV" {
				t.Errorf("bank flow %+v", f)
			}
		}
	}
	// The rollups count stored rows: customer 2's transfer was stored twice.
	if rows != 11 || bank != 5 {
		t.Errorf("flows %+v: %d rows, %d to the bank; want 11 and 5 (the retried transfer's copy counts)", all.Flows, rows, bank)
	}
	var perDay uint64
	for _, d := range all.Days {
		perDay += d.Events
		if d.Day.Hour() != 0 || d.Day.Before(fixtureDay(0)) || !d.Day.Before(fixtureDay(11)) {
			t.Errorf("day %v outside the window", d.Day)
		}
	}
	if perDay != rows {
		t.Errorf("days add up to %d, flows to %d", perDay, rows)
	}
	// 7 subject keys: customers 1-4 and three phone numbers.
	if all.SubjectsApprox != 7 {
		t.Errorf("subjects %d, want 7", all.SubjectsApprox)
	}
	if len(all.Categories) == 0 || all.Categories[0].Category != "billing" && all.Categories[0].Category != "identification" {
		t.Errorf("categories %+v: want billing or identification first", all.Categories)
	}
	if sp := all.RecipientTimes["rcp-bank-swedbank"]; !sp.First.Equal(t0) || !sp.Last.Equal(t0.Add(10*24*time.Hour)) {
		t.Errorf("bank times %+v", sp)
	}

	one, err := s.Overview(t.Context(), OverviewQuery{From: fixtureDay(0), To: fixtureDay(11), RecipientID: "rcp-bank-swedbank"})
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Flows) != 1 || one.Flows[0].Events != 5 || one.SubjectsApprox != 3 || len(one.RecipientTimes) != 1 {
		t.Errorf("the bank alone: %+v", one)
	}
	crm, err := s.Overview(t.Context(), OverviewQuery{From: fixtureDay(0), To: fixtureDay(1), SourceSystem: "crm"})
	if err != nil {
		t.Fatal(err)
	}
	if len(crm.Flows) != 1 || crm.Flows[0].Kind != "access" || crm.Flows[0].Events != 1 || crm.SubjectsApprox != 1 {
		t.Errorf("crm on day 0: %+v", crm)
	}
	if _, err := s.Overview(t.Context(), OverviewQuery{From: fixtureDay(1), To: fixtureDay(1)}); err == nil {
		t.Error("an empty window was answered")
	}
}

// TestEventList: the events behind the overview's numbers, filtered, paged
// one at a time, each event once though one was stored twice.
func TestEventList(t *testing.T) {
	s := exposureFixture(t)
	walk := func(q EventListQuery) []string {
		var got []string
		for range 20 {
			page, err := s.EventList(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range page.Events {
				got = append(got, e.ID)
			}
			if page.Next == nil {
				return got
			}
			q.After = page.Next
		}
		t.Fatalf("more than 20 pages for %+v", q)
		return nil
	}
	// Customer 2's transfer (UUID 3) was stored twice; the restricted
	// transfer (UUID 4) is the DPO's to see.
	bank := walk(EventListQuery{Filter: EventFilter{RecipientID: "rcp-bank-swedbank"}, Limit: 1})
	if want := []string{lineagetest.UUID(2), lineagetest.UUID(4), lineagetest.UUID(3), lineagetest.UUID(1)}; !slices.Equal(bank, want) {
		t.Errorf("bank events %v, want %v (newest first, each once)", bank, want)
	}
	if got := walk(EventListQuery{Limit: 3}); len(got) != 10 {
		t.Errorf("every event: %v, want the 10", got)
	}
	for _, tc := range []struct {
		name   string
		q      EventListQuery
		expect int
	}{
		{"kind", EventListQuery{Filter: EventFilter{Kind: "access"}}, 2},
		{"category", EventListQuery{Filter: EventFilter{DataCategory: "traffic_data"}}, 3},
		{"country", EventListQuery{Filter: EventFilter{Country: "IN"}}, 1},
		{"recipient category", EventListQuery{Filter: EventFilter{RecipientCategory: "processor"}}, 1},
		{"basis and purpose", EventListQuery{Filter: EventFilter{LegalBasis: "legal_obligation", Purpose: "legal_obligation"}}, 3},
		{"source", EventListQuery{Filter: EventFilter{SourceSystem: "billing"}}, 4},
		{"window", EventListQuery{From: fixtureDay(1), To: fixtureDay(2)}, 5},
	} {
		if got := walk(tc.q); len(got) != tc.expect {
			t.Errorf("%s: %v, want %d events", tc.name, got, tc.expect)
		}
	}
	page, err := s.EventList(t.Context(), EventListQuery{Filter: EventFilter{DataCategory: "traffic_data"}, Limit: 1})
	if err != nil || len(page.Events) != 1 || page.Events[0].SubjectIdentifier != nil ||
		page.Events[0].SubjectID[:7] != "msisdn:" {
		t.Errorf("a CDR: %+v, %v: want it under its number's key, as stored", page.Events, err)
	}
}

// TestLineage: a customer known only by a phone number's events, a data
// source stated on an event, and a restricted disclosure hidden but from
// the DPO who asks for it.
func TestLineage(t *testing.T) {
	s := exposureFixture(t)
	now := fixtureDay(30)
	held, err := s.Lineage(t.Context(), LineageQuery{SubjectID: lineagetest.Subject(5), Restricted: Restricted{Now: now}})
	if err != nil {
		t.Fatal(err)
	}
	if len(held.Flows) != 1 {
		t.Fatalf("customer 5: %+v, want the CDR through its number", held.Flows)
	}
	if f := held.Flows[0]; f.DataSource != "" || f.SourceSystem != "cdr_mediation" || f.RecipientID != "rcp-state-police" ||
		f.Events != 1 || f.Restricted || !slices.Equal(f.DataCategories, []string{"location", "traffic_data"}) {
		t.Errorf("customer 5's flow %+v", f)
	}

	stated := lineagetest.Access(lineagetest.UUID(20), lineagetest.Subject(3), t0)
	stated.Attributes = map[string]string{AttrDataSource: "customer"}
	insert(t, s, 200, stated, stated) // stored twice in one batch
	hidden, err := s.Lineage(t.Context(), LineageQuery{SubjectID: lineagetest.Subject(3), Restricted: Restricted{Now: now}})
	if err != nil {
		t.Fatal(err)
	}
	if len(hidden.Flows) != 1 || hidden.Flows[0].DataSource != "customer" || hidden.Flows[0].Events != 1 {
		t.Errorf("customer 3 as a responder sees it: %+v, want the stated access alone, once", hidden.Flows)
	}
	dpo, err := s.Lineage(t.Context(), LineageQuery{SubjectID: lineagetest.Subject(3), Restricted: Restricted{Include: true, Now: now}})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(dpo.Flows, func(f LineageFlow) bool { return f.RecipientID == "rcp-bank-swedbank" })
	if len(dpo.Flows) != 2 || i < 0 || !dpo.Flows[i].Restricted {
		t.Errorf("customer 3 for the DPO: %+v, want the access and the restricted transfer", dpo.Flows)
	}
	only, err := s.Lineage(t.Context(), LineageQuery{SubjectID: lineagetest.Subject(3), Category: "billing", Purpose: "service_provision",
		Restricted: Restricted{Include: true, Now: now}})
	if err != nil || len(only.Flows) != 1 || only.Flows[0].RecipientID != "rcp-bank-swedbank" {
		t.Errorf("customer 3's billing data: %+v, %v", only.Flows, err)
	}
	if _, err := s.Lineage(t.Context(), LineageQuery{SubjectID: "29123456"}); err == nil {
		t.Error("a phone number was taken for a customer id")
	}
}

// rollupRows is the stored rows the daily rollup counts.
func rollupRows(t *testing.T, s *Store) uint64 {
	t.Helper()
	var n uint64
	if err := s.conn.QueryRow(t.Context(), "SELECT sum(events) FROM lineage_daily").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRebuildRollups: a rebuild rebuilds the rollups from the replayed
// events, and the rollups' views feed them from the swapped table, each
// row once.
func TestRebuildRollups(t *testing.T) {
	s := newMigratedStore(t)
	live := lineagetest.Events(41, 40, 4)
	insert(t, s, 0, live...)
	if got := rollupRows(t, s); got != 40 {
		t.Fatalf("rollup after the inserts: %d rows, want 40", got)
	}
	if err := s.PrepareRebuild(t.Context()); err != nil {
		t.Fatal(err)
	}
	rebuilt := NewBatch(20)
	for i := range live[:20] {
		rebuilt.Add(&live[i], 0, int64(i))
	}
	if err := s.InsertInto(t.Context(), RebuildTable, rebuilt); err != nil {
		t.Fatal(err)
	}
	// The cut is taken to the second: the replayed rows are older.
	time.Sleep(1100 * time.Millisecond)
	if err := s.SwapRebuild(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := rollupRows(t, s); got != 20 {
		t.Fatalf("rollup after the swap: %d rows, want the 20 rebuilt", got)
	}
	insert(t, s, 1000, lineagetest.Events(42, 10, 4)...)
	if got := rollupRows(t, s); got != 30 {
		t.Fatalf("rollup after inserts into the swapped table: %d rows, want 30", got)
	}
	o, err := s.Overview(t.Context(), OverviewQuery{From: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil || o.SubjectsApprox == 0 || len(o.Categories) == 0 {
		t.Fatalf("overview after the rebuild: %+v, %v", o, err)
	}
}
