package chstore

import (
	"slices"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

// fixtureDay is day n of exposureFixture, as a UTC midnight.
func fixtureDay(n int) time.Time {
	d := t0.Add(time.Duration(n) * 24 * time.Hour)
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

// TestOverview: the settled rollups on exposureFixture (ten events, one of
// them stored twice), whole, for one recipient and for one source system.
func TestOverview(t *testing.T) {
	s := exposureFixture(t)
	settle(t, s)
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
	// Customer 2's transfer was stored twice, and counts once.
	if rows != 10 || bank != 4 {
		t.Errorf("flows %+v: %d events, %d to the bank; want 10 and 4 (the retried transfer once)", all.Flows, rows, bank)
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
	if len(one.Flows) != 1 || one.Flows[0].Events != 4 || one.SubjectsApprox != 3 || len(one.RecipientTimes) != 1 {
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

func TestWholeMonths(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name               string
		from, to           time.Time
		firstWant, endWant time.Time
	}{
		{"edges on both sides", day(2025, 1, 20), day(2025, 3, 5), day(2025, 2, 1), day(2025, 3, 1)},
		{"whole months", day(2025, 2, 1), day(2025, 4, 1), day(2025, 2, 1), day(2025, 4, 1)},
		{"over a year's end", day(2024, 12, 2), day(2026, 1, 1), day(2025, 1, 1), day(2026, 1, 1)},
		{"within a month", day(2025, 2, 2), day(2025, 2, 28), day(2025, 2, 28), day(2025, 2, 28)},
		{"across two months, none whole", day(2025, 1, 20), day(2025, 2, 10), day(2025, 2, 10), day(2025, 2, 10)},
		{"one day", day(2025, 3, 1), day(2025, 3, 2), day(2025, 3, 2), day(2025, 3, 2)},
	} {
		first, end := wholeMonths(tc.from, tc.to)
		if !first.Equal(tc.firstWant) || !end.Equal(tc.endWant) {
			t.Errorf("%s: wholeMonths = %s, %s; want %s, %s", tc.name, first, end, tc.firstWant, tc.endWant)
		}
	}
}

// TestOverviewMonthsAndEdgeDays: a window's flows count each event of its
// days once, whether it comes from the monthly rollup (whole months)
// or the daily one (the days around them), and no row outside it; the
// latest name is that of the latest month or day.
func TestOverviewMonthsAndEdgeDays(t *testing.T) {
	s := newMigratedStore(t)
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 12, 0, 0, 0, time.UTC) }
	days := []time.Time{day(1, 15), day(1, 31), day(2, 1), day(2, 14), day(2, 28), day(3, 1), day(3, 10), day(4, 30)}
	var events []lineage.Event
	for i, at := range days {
		e := lineagetest.Transfer(lineagetest.UUID(uint64(600+i)), lineagetest.Subject(i%3), at)
		e.Recipient.Name = "Bank " + at.Month().String()
		events = append(events, e)
	}
	insert(t, s, 0, events...)
	settle(t, s)
	midnight := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     uint64
		latest   string
	}{
		{"edges on both sides", midnight(1, 20), midnight(3, 5), 5, "Bank March"},
		{"one whole month", midnight(2, 1), midnight(3, 1), 3, "Bank February"},
		{"whole months and an edge", midnight(1, 1), midnight(3, 2), 6, "Bank March"},
		{"within a month", midnight(2, 2), midnight(2, 28), 1, "Bank February"},
		{"everything", midnight(1, 1), midnight(5, 1), 8, "Bank April"},
		{"the last day alone", midnight(4, 30), midnight(5, 1), 1, "Bank April"},
	} {
		o, err := s.Overview(t.Context(), OverviewQuery{From: tc.from, To: tc.to})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got uint64
		for _, f := range o.Flows {
			got += f.Events
		}
		if got != tc.want || len(o.Flows) != 1 || o.Flows[0].RecipientName != tc.latest {
			t.Errorf("%s: flows %+v, %d events; want %d under %q", tc.name, o.Flows, got, tc.want, tc.latest)
		}
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
		{"disclosures", EventListQuery{Filter: EventFilter{Kind: KindDisclosure}}, 8},
		{"a mechanism", EventListQuery{Filter: EventFilter{TransferMechanism: "standard_contractual_clauses"}}, 1},
		{"disclosures without a mechanism", EventListQuery{Filter: EventFilter{Kind: KindDisclosure, TransferMechanism: MechanismNone}}, 7},
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

// TestRebuildRollups: after a rebuild the rollups are settled from the
// replayed events, and from the rows inserted into the swapped table.
func TestRebuildRollups(t *testing.T) {
	s := newMigratedStore(t)
	live := lineagetest.Events(41, 40, 4)
	insert(t, s, 0, live...)
	settle(t, s)
	if d, m, _ := rollupSums(t, s); d != 40 || m != 40 {
		t.Fatalf("rollups after the inserts: %d daily, %d monthly, want 40", d, m)
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
	if err := s.SwapRebuild(t.Context()); err != nil {
		t.Fatal(err)
	}
	settle(t, s)
	if d, m, _ := rollupSums(t, s); d != 20 || m != 20 {
		t.Fatalf("rollups after the swap: %d daily, %d monthly, want the 20 rebuilt", d, m)
	}
	insert(t, s, 1000, lineagetest.Events(42, 10, 4)...)
	settle(t, s)
	if d, m, _ := rollupSums(t, s); d != 30 || m != 30 {
		t.Fatalf("rollups after inserts into the swapped table: %d daily, %d monthly, want 30", d, m)
	}
	o, err := s.Overview(t.Context(), OverviewQuery{From: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil || o.SubjectsApprox == 0 || len(o.Categories) == 0 {
		t.Fatalf("overview after the rebuild: %+v, %v", o, err)
	}
}
