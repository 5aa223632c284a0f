package chstore

import (
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

// settle settles s's rollups and returns how many days it settled.
func settle(t *testing.T, s *Store) int {
	t.Helper()
	st, err := s.Settle(t.Context())
	if err != nil {
		t.Fatalf("Settle: %v", err)
	}
	return st.Days
}

// rollupSums is what each rollup counts in all: the daily flows, the
// monthly flows and the daily categories.
func rollupSums(t *testing.T, s *Store) (daily, monthly, categories int64) {
	t.Helper()
	for _, q := range []struct {
		table string
		into  *int64
	}{{"lineage_daily", &daily}, {"lineage_monthly", &monthly}, {"lineage_daily_categories", &categories}} {
		if err := s.conn.QueryRow(t.Context(), "SELECT sum(events) FROM "+q.table).Scan(q.into); err != nil {
			t.Fatalf("sum of %s: %v", q.table, err)
		}
	}
	return daily, monthly, categories
}

// TestSettle: settled rollups count each event once however often it was
// stored; a day that changes is settled again and the others are not; a
// settlement cut short is put right by the next.
func TestSettle(t *testing.T) {
	s := newMigratedStore(t)
	stopMerges(t, s)
	jan := func(d int) time.Time { return time.Date(2025, 1, d, 9, 0, 0, 0, time.UTC) }
	first := lineagetest.Transfer(lineagetest.UUID(1), lineagetest.Subject(1), jan(30))
	events := []lineage.Event{
		first,
		lineagetest.Transfer(lineagetest.UUID(2), lineagetest.Subject(2), jan(30)),
		lineagetest.Access(lineagetest.UUID(3), lineagetest.Subject(1), jan(31)),
		lineagetest.Handoff(lineagetest.UUID(4), lineagetest.Subject(3), jan(31).AddDate(0, 0, 1)),
	}
	insert(t, s, 0, events...)
	insert(t, s, 100, first) // a copy stored again: a retry
	categories := int64(0)
	for _, e := range events {
		categories += int64(len(e.DataCategories))
	}

	if got := settle(t, s); got != 3 {
		t.Errorf("settled %d days, want the 3 with events", got)
	}
	if d, m, c := rollupSums(t, s); d != 4 || m != 4 || c != categories {
		t.Errorf("rollups count %d daily, %d monthly, %d by category; want 4, 4, %d: each event once", d, m, c, categories)
	}
	if got := settle(t, s); got != 0 {
		t.Errorf("settled %d days again with nothing stored since", got)
	}

	// A late event of 31 January and another copy of the first: only the
	// days they belong to are settled again.
	insert(t, s, 200, lineagetest.Access(lineagetest.UUID(5), lineagetest.Subject(4), jan(31)), first)
	if got := settle(t, s); got != 2 {
		t.Errorf("settled %d days after two inserts on two days, want 2", got)
	}
	if d, m, _ := rollupSums(t, s); d != 5 || m != 5 {
		t.Errorf("rollups count %d daily, %d monthly; want 5", d, m)
	}

	// A settlement of the flows that inserted its difference and stopped
	// before it wrote its days down; then the full one.
	insert(t, s, 300, lineagetest.Transfer(lineagetest.UUID(6), lineagetest.Subject(5), jan(30)))
	fromUS, toUS := bounds(time.Date(2025, 1, 30, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC))
	if err := s.conn.Exec(t.Context(), settleFlowsSQL,
		clickhouse.Named("from_us", fromUS), clickhouse.Named("to_us", toUS),
		clickhouse.Named("from_day", "2025-01-30"), clickhouse.Named("to_day", "2025-01-31")); err != nil {
		t.Fatalf("a settlement's first step: %v", err)
	}
	if got := settle(t, s); got != 1 {
		t.Errorf("settled %d days, want 30 January", got)
	}
	if d, m, _ := rollupSums(t, s); d != 6 || m != 6 {
		t.Errorf("rollups count %d daily, %d monthly after a settlement cut short; want 6", d, m)
	}
	o, err := s.Overview(t.Context(), OverviewQuery{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if o.SubjectsApprox != 5 {
		t.Errorf("overview subjects %d, want 5", o.SubjectsApprox)
	}
}

// TestSettleMigratedCounts: the rollups' counts of stored rows from before
// migration 0011 (a retried copy counted twice) are made exact by the
// first settlement.
func TestSettleMigratedCounts(t *testing.T) {
	s := newStore(t)
	files := projectMigrations(t, nil)
	for name := range files {
		if name >= "m/0011" && name != "m/"+recordFile {
			delete(files, name)
		}
	}
	if err := s.migrate(t.Context(), files, "m"); err != nil {
		t.Fatalf("migrate to 0010: %v", err)
	}
	at := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	e := lineagetest.Transfer(lineagetest.UUID(1), lineagetest.Subject(1), at)
	insert(t, s, 0, e, lineagetest.Access(lineagetest.UUID(2), lineagetest.Subject(2), at))
	insert(t, s, 100, e)
	var before int64
	if err := s.conn.QueryRow(t.Context(), "SELECT toInt64(sum(events)) FROM lineage_daily").Scan(&before); err != nil || before != 3 {
		t.Fatalf("0009's rollup counts %d (%v), want the 3 stored rows", before, err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	insert(t, s, 200, e) // after the views are gone: counted by nothing
	if got := settle(t, s); got != 1 {
		t.Errorf("settled %d days, want 1", got)
	}
	if d, m, _ := rollupSums(t, s); d != 2 || m != 2 {
		t.Errorf("rollups count %d daily, %d monthly; want the 2 events", d, m)
	}
}

func TestSettlePasses(t *testing.T) {
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 0, 0, 0, 0, time.UTC) }
	r := func(from, to time.Time) dayRange { return dayRange{from, to} }
	for _, tc := range []struct {
		name      string
		days      []ChangedDay
		passes    []dayRange
		monthRuns []dayRange
	}{
		{"close days together, gaps included",
			[]ChangedDay{{day(1, 30), 10}, {day(2, 2), 10}, {day(2, 20), 10}},
			[]dayRange{r(day(1, 30), day(2, 21))},
			[]dayRange{r(day(1, 1), day(3, 1))}},
		{"a day past the span begins a pass",
			[]ChangedDay{{day(1, 1), 10}, {day(2, 1), 10}},
			[]dayRange{r(day(1, 1), day(1, 2)), r(day(2, 1), day(2, 2))},
			[]dayRange{r(day(1, 1), day(3, 1))}},
		{"rows past the bound begin a pass; a large day is alone",
			[]ChangedDay{{day(3, 1), settleMaxRows - 5}, {day(3, 2), 10}, {day(3, 3), 3 * settleMaxRows}, {day(5, 9), 1}},
			[]dayRange{r(day(3, 1), day(3, 2)), r(day(3, 2), day(3, 3)), r(day(3, 3), day(3, 4)), r(day(5, 9), day(5, 10))},
			[]dayRange{r(day(3, 1), day(4, 1)), r(day(5, 1), day(6, 1))}},
	} {
		if got := settlePasses(tc.days); !slicesEqual(got, tc.passes) {
			t.Errorf("%s: passes %v, want %v", tc.name, got, tc.passes)
		}
		if got := monthRuns(tc.days); !slicesEqual(got, tc.monthRuns) {
			t.Errorf("%s: months %v, want %v", tc.name, got, tc.monthRuns)
		}
	}
}

func slicesEqual(a, b []dayRange) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].from.Equal(b[i].from) || !a[i].to.Equal(b[i].to) {
			return false
		}
	}
	return true
}
