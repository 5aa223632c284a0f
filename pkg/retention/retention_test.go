package retention_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/retention"
	"github.com/balticom/lineage/pkg/taxonomy"
)

func day(s string) time.Time {
	d, err := retention.ParseDay(s)
	if err != nil {
		panic(err)
	}
	return d
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestMonthsLater(t *testing.T) {
	for _, tc := range []struct {
		from   string
		months int
		want   string
	}{
		{"2026-01-31", 6, "2026-07-31"},
		{"2026-03-02", 6, "2026-09-02"},
		{"2025-08-31", 6, "2026-02-28"}, // no 31 February: its last day, not 3 March
		{"2023-08-31", 6, "2024-02-29"}, // a leap year has the 29th
		{"2024-02-29", 24, "2026-02-28"},
		{"2024-02-29", 48, "2028-02-29"},
		{"2026-03-31", 1, "2026-04-30"},
		{"2025-12-15", 1, "2026-01-15"}, // across a year
		{"2026-05-05", 0, "2026-05-05"},
	} {
		if got := retention.MonthsLater(day(tc.from), tc.months).Format(time.DateOnly); got != tc.want {
			t.Errorf("%s + %d months = %s, want %s", tc.from, tc.months, got, tc.want)
		}
	}
}

// TestPeriodsMatchTaxonomy: each rule's calendar period is the one the
// taxonomy rounds to a duration: a maximum to the shortest span it can
// have, a minimum to the longest, over every start day of 32 years.
func TestPeriodsMatchTaxonomy(t *testing.T) {
	for _, r := range taxonomy.RetentionRules() {
		p, ok := retention.PeriodOf(r)
		if !ok {
			if r.MinPeriod != 0 || r.MaxPeriod != 0 {
				t.Errorf("%s has a period in the taxonomy but none here", r.Code)
			}
			continue
		}
		if p.Months == 0 || p.Days != 0 {
			t.Errorf("%s: period %+v, want calendar months", r.Code, p)
			continue
		}
		shortest, longest := 1<<30, 0
		for from := day("2000-01-01"); from.Year() < 2032; from = from.AddDate(0, 0, 1) {
			n := int(p.End(from).Sub(from) / (24 * time.Hour))
			shortest, longest = min(shortest, n), max(longest, n)
		}
		want, got := r.MinPeriod, time.Duration(longest)*24*time.Hour
		if p.Maximum {
			want, got = r.MaxPeriod, time.Duration(shortest)*24*time.Hour
		}
		if got != want {
			t.Errorf("%s: %d months span %s at the rounded end, taxonomy says %s", r.Code, p.Months, got, want)
		}
	}
}

func TestJudge(t *testing.T) {
	for _, tc := range []struct {
		name       string
		occurred   string
		categories []string
		from, rule string
		want       []retention.Judgement
	}{
		{"6 months: on the last day", "2026-07-31T23:59:59.999999Z", []string{"call_recordings"}, "2026-01-31", "",
			[]retention.Judgement{{"call_recordings", "recordings_6m", retention.Within, day("2026-07-31")}}},
		{"6 months: the day after", "2026-08-01T00:00:00Z", []string{"call_recordings"}, "2026-01-31", "",
			[]retention.Judgement{{"call_recordings", "recordings_6m", retention.Exceeded, day("2026-07-31")}}},
		{"6 months from 31 August: February's last day", "2026-03-01T08:00:00Z", []string{"communication"}, "2025-08-31", "",
			[]retention.Judgement{{"communication", "recordings_6m", retention.Exceeded, day("2026-02-28")}}},
		{"on the day itself", "2026-01-31T10:00:00Z", []string{"call_recordings"}, "2026-01-31", "",
			[]retention.Judgement{{"call_recordings", "recordings_6m", retention.Within, day("2026-07-31")}}},
		{"prepaid_2y from a leap day: 28 February", "2026-02-28T12:00:00Z", []string{"contact", "service"}, "2024-02-29", "prepaid_2y",
			[]retention.Judgement{
				{"contact", "prepaid_2y", retention.Within, day("2026-02-28")},
				{"service", "prepaid_2y", retention.Within, day("2026-02-28")},
			}},
		{"prepaid_2y from a leap day: 1 March", "2026-03-01T00:00:00Z", []string{"contact"}, "2024-02-29", "prepaid_2y",
			[]retention.Judgement{{"contact", "prepaid_2y", retention.Exceeded, day("2026-02-28")}}},
		{"invoices: 5 years is a minimum", "2025-03-03T09:00:00Z", []string{"billing"}, "2020-03-02", "",
			[]retention.Judgement{{"billing", "accounting_5y", retention.MinimumPassed, day("2025-03-02")}}},
		{"invoices: inside the minimum", "2025-03-02T23:00:00Z", []string{"billing"}, "2020-03-02", "",
			[]retention.Judgement{{"billing", "accounting_5y", retention.Within, day("2025-03-02")}}},
		{"high-security audit by system", "2026-03-01T00:00:00Z", []string{"website_activity", "identification"}, "2024-08-31", "audit_high_security_18m",
			[]retention.Judgement{
				{"website_activity", "audit_high_security_18m", retention.MinimumPassed, day("2026-02-28")},
				{"identification", "audit_high_security_18m", retention.MinimumPassed, day("2026-02-28")},
			}},
		{"no period, dated or not", "2026-03-01T00:00:00Z", []string{"identification", "contact", "traffic_data"}, "2001-01-01", "",
			[]retention.Judgement{
				{"identification", "legitimate_interest_claims", retention.NoPeriod, time.Time{}},
				{"contact", "contract_term", retention.NoPeriod, time.Time{}},
				{"traffic_data", "legitimate_interest_claims", retention.NoPeriod, time.Time{}},
			}},
		{"an override without a period", "2026-03-01T00:00:00Z", []string{"call_recordings"}, "2020-01-01", "consent_storage",
			[]retention.Judgement{{"call_recordings", "consent_storage", retention.NoPeriod, time.Time{}}}},
		{"undated, and no period needs no date", "2026-03-01T00:00:00Z", []string{"call_recordings", "contact"}, "", "",
			[]retention.Judgement{
				{"call_recordings", "recordings_6m", retention.Undated, time.Time{}},
				{"contact", "contract_term", retention.NoPeriod, time.Time{}},
			}},
		{"a retention_from that is no day is undated", "2026-03-01T00:00:00Z", []string{"call_recordings"}, "last spring", "",
			[]retention.Judgement{{"call_recordings", "recordings_6m", retention.Undated, time.Time{}}}},
		{"an unknown override is ignored", "2026-03-01T00:00:00Z", []string{"call_recordings"}, "2026-01-01", "forever",
			[]retention.Judgement{{"call_recordings", "recordings_6m", retention.Within, day("2026-07-01")}}},
		{"an unknown category is left out", "2026-03-01T00:00:00Z", []string{"dna", "call_recordings"}, "2026-01-01", "",
			[]retention.Judgement{{"call_recordings", "recordings_6m", retention.Within, day("2026-07-01")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := retention.Judge(retention.NewEvent("e", at(tc.occurred), tc.categories, tc.from, tc.rule))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestOf(t *testing.T) {
	e := lineagetest.Access(lineagetest.UUID(1), "C00000001", lineagetest.Base)
	e.Attributes = map[string]string{lineage.AttrRetentionFrom: "2026-01-05", lineage.AttrRetentionRule: "prepaid_2y", "ticket": "CC-1"}
	want := retention.Event{ID: e.ID, OccurredAt: e.OccurredAt, Categories: e.DataCategories, From: day("2026-01-05"), Rule: "prepaid_2y"}
	if got := retention.Of(&e); !reflect.DeepEqual(got, want) {
		t.Errorf("Of = %+v, want %+v", got, want)
	}
}

func TestSeverity(t *testing.T) {
	for i := 1; i < len(retention.Statuses); i++ {
		if worse, better := retention.Statuses[i-1], retention.Statuses[i]; worse.Severity() <= better.Severity() {
			t.Errorf("%s is not worse than %s", worse, better)
		}
	}
	if retention.Status("nonsense").Severity() != 0 {
		t.Error("an unknown status has a severity")
	}
}

func TestSummarise(t *testing.T) {
	const subject = "C00000042"
	ev := func(id, occurred string, categories []string, from, rule string) retention.Event {
		return retention.NewEvent(id, at(occurred), categories, from, rule)
	}
	events := []retention.Event{
		// Recordings: one within, two past the deadline, one undated;
		// the earlier past one is listed, whatever the input order.
		ev("r2", "2026-09-10T10:00:00Z", []string{"call_recordings", "identification"}, "2026-01-31", ""),
		ev("r1", "2026-03-01T10:00:00Z", []string{"call_recordings"}, "2026-02-01", ""),
		ev("r3", "2026-08-01T00:00:00Z", []string{"call_recordings"}, "2026-01-31", ""),
		ev("r4", "2026-08-02T00:00:00Z", []string{"call_recordings"}, "", ""),
		// A prepaid customer's contact data: a line of their own, apart
		// from the contract_term line of the same category.
		ev("p1", "2026-05-01T00:00:00Z", []string{"contact"}, "2024-02-29", "prepaid_2y"),
		ev("c1", "2026-05-01T00:00:00Z", []string{"contact"}, "", ""),
		// Invoices inside the minimum, and undated.
		ev("b1", "2026-05-01T00:00:00Z", []string{"billing"}, "2026-04-30", ""),
		ev("b2", "2026-06-01T00:00:00Z", []string{"billing"}, "", ""),
	}
	got := retention.Summarise(subject, events)
	want := []retention.Line{
		{SubjectID: subject, Category: "call_recordings", Rule: "recordings_6m", Status: retention.Exceeded,
			Events: 4, Past: 2, Undated: 1, First: at("2026-03-01T10:00:00Z"), Last: at("2026-09-10T10:00:00Z"),
			FirstPast: &retention.PastEvent{EventID: "r3", OccurredAt: at("2026-08-01T00:00:00Z"), RetentionFrom: day("2026-01-31"), PeriodEnd: day("2026-07-31")}},
		{SubjectID: subject, Category: "contact", Rule: "prepaid_2y", Status: retention.Exceeded,
			Events: 1, Past: 1, First: at("2026-05-01T00:00:00Z"), Last: at("2026-05-01T00:00:00Z"),
			FirstPast: &retention.PastEvent{EventID: "p1", OccurredAt: at("2026-05-01T00:00:00Z"), RetentionFrom: day("2024-02-29"), PeriodEnd: day("2026-02-28")}},
		{SubjectID: subject, Category: "billing", Rule: "accounting_5y", Status: retention.Undated,
			Events: 2, Undated: 1, First: at("2026-05-01T00:00:00Z"), Last: at("2026-06-01T00:00:00Z")},
		{SubjectID: subject, Category: "contact", Rule: "contract_term", Status: retention.NoPeriod,
			Events: 1, First: at("2026-05-01T00:00:00Z"), Last: at("2026-05-01T00:00:00Z")},
		{SubjectID: subject, Category: "identification", Rule: "legitimate_interest_claims", Status: retention.NoPeriod,
			Events: 1, First: at("2026-09-10T10:00:00Z"), Last: at("2026-09-10T10:00:00Z")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Summarise\n got %+v\nwant %+v", got, want)
	}
	if got := retention.Summarise(subject, nil); len(got) != 0 {
		t.Errorf("no events: %+v", got)
	}
}

// TestSummariseMinimum: a minimum passed is listed with its first event,
// and an exceeded deadline is never hidden by it (two rules, two lines).
func TestSummariseMinimum(t *testing.T) {
	events := []retention.Event{
		retention.NewEvent("a", at("2026-04-01T00:00:00Z"), []string{"website_activity"}, "2025-01-15", ""),
		retention.NewEvent("b", at("2026-03-01T00:00:00Z"), []string{"website_activity"}, "2025-01-15", ""),
		retention.NewEvent("c", at("2025-06-01T00:00:00Z"), []string{"website_activity"}, "2025-01-15", ""),
	}
	got := retention.Summarise("C00000001", events)
	if len(got) != 1 {
		t.Fatalf("lines %+v, want one", got)
	}
	l := got[0]
	if l.Rule != "audit_1y" || l.Status != retention.MinimumPassed || l.Events != 3 || l.Past != 2 ||
		l.FirstPast == nil || l.FirstPast.EventID != "b" || !l.FirstPast.PeriodEnd.Equal(day("2026-01-15")) {
		t.Errorf("line %+v (first past %+v)", l, l.FirstPast)
	}
}
