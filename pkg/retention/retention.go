// Package retention judges lineage events against the retention rules of
// the privacy policy (§20–§23; GDPR Art. 5(1)(e), storage limitation): for
// each data category of an event, which rule governs it, and whether the
// event happened inside that rule's period, counted from the day the
// event's source names in the attribute retention_from
// (lineage.AttrRetentionFrom).
//
// An event is evidence that the operator still held and used the data on
// the day it happened. So an access to a call recording seven months after
// the call shows a recording kept past §22's six months: Exceeded. The
// reverse is not shown: an event inside the period says nothing about
// deletion later.
//
// The rule of a category is its default (taxonomy.Category.Retention, our
// mapping), or the rule the event names in retention_rule, which then
// governs all its categories: prepaid_2y applies by subject and
// audit_high_security_18m by system, so no category maps to them.
//
// The package knows nothing of Kafka or ClickHouse; chstore reads the
// events and hands them here.
package retention

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/taxonomy"
)

// Status is how an event stands against the period of one rule.
type Status string

const (
	// Exceeded: the rule sets a deletion deadline (MaxPeriod) and the
	// event happened after it: the data were held and used when they
	// should have been deleted. A violation.
	Exceeded Status = "exceeded"
	// MinimumPassed: the rule sets a minimum (MinPeriod) and the event
	// happened after it: keeping the data is lawful only while another
	// criterion of §20 holds. To review, not a violation.
	MinimumPassed Status = "minimum_passed"
	// Undated: the rule has a period but the event names no
	// retention_from, so it cannot be judged.
	Undated Status = "undated"
	// Within: the event happened inside the period.
	Within Status = "within"
	// NoPeriod: the rule states no period (contract_term,
	// legitimate_interest_claims, consent_storage). None is invented.
	NoPeriod Status = "no_period"
)

// Statuses lists every status, worst first.
var Statuses = []Status{Exceeded, MinimumPassed, Undated, Within, NoPeriod}

// Severity orders statuses, higher is worse: exceeded (a violation) over
// minimum_passed (to review) over undated (unknown, and possibly either of
// those) over within over no_period (nothing to judge). An unknown status
// is 0.
func (s Status) Severity() int {
	if i := slices.Index(Statuses, s); i >= 0 {
		return len(Statuses) - i
	}
	return 0
}

// Past reports whether the status says a period has run out: Exceeded or
// MinimumPassed.
func (s Status) Past() bool { return s == Exceeded || s == MinimumPassed }

// Period is the calendar period of a rule: Months, then Days, counted from
// the day after retention_from.
type Period struct {
	Months, Days int
	// Maximum is set for a deletion deadline (MaxPeriod), clear for a
	// minimum (MinPeriod).
	Maximum bool
}

// calendarMonths are the rules' periods as the policy states them, in
// calendar months: taxonomy keeps them as durations rounded to the safe
// side, and a date must be exact (see the taxonomy package doc).
// TestPeriodsMatchTaxonomy keeps the two in step.
var calendarMonths = map[string]int{
	"accounting_5y":           60, // §20.3: at least 5 years
	"audit_1y":                12, // §21: at least one year
	"audit_high_security_18m": 18, // §21: at least 18 months
	"recordings_6m":           6,  // §22: 6 months, then deleted
	"prepaid_2y":              24, // §23: 2 years after the end of service use
}

// PeriodOf returns the calendar period of a rule; ok is false when the rule
// states none. A rule given a period in taxonomy but not here (a policy
// revision) is counted in the taxonomy's whole days, which are rounded to
// the safe side, rather than treated as having none.
func PeriodOf(r taxonomy.RetentionRule) (p Period, ok bool) {
	d := r.MaxPeriod
	p.Maximum = d > 0
	if !p.Maximum {
		d = r.MinPeriod
	}
	if d <= 0 {
		return Period{}, false
	}
	if m, ok := calendarMonths[r.Code]; ok {
		p.Months = m
	} else {
		p.Days = int(d / (24 * time.Hour))
	}
	return p, true
}

// End is the last day of the period counted from the day from: the data
// may be held through End and no later (a maximum), or must be kept
// through it (a minimum). As Regulation 1182/71 Art. 3 counts a period
// that runs from a day: the day itself is not counted (3(1)), and a
// period of months ends on the same date of its last month as from, or
// on that month's last day when it has none (3(2)(c)): 31 January plus 6
// months ends on 31 July, 29 February plus 2 years on 28 February.
func (p Period) End(from time.Time) time.Time {
	return MonthsLater(from, p.Months).AddDate(0, 0, p.Days)
}

// Day is the UTC calendar day of t, as midnight UTC.
func Day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ParseDay reads a YYYY-MM-DD day, as retention_from carries it, as
// midnight UTC.
func ParseDay(s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("retention day %q: %w", s, err)
	}
	return d, nil
}

// MonthsLater is the same day n months after day (a UTC day), or the last
// day of that month when it has no such day. Unlike time.AddDate, it never
// runs into the next month: 31 August plus 6 months is 28 February, not 3
// March.
func MonthsLater(day time.Time, n int) time.Time {
	y, m, d := day.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}

// Event is what judging needs of a lineage event.
type Event struct {
	ID         string
	OccurredAt time.Time
	Categories []string
	// From is the day named by retention_from (midnight UTC); zero when
	// the event names none.
	From time.Time
	// Rule is the retention rule code named by retention_rule; empty when
	// the event names none.
	Rule string
}

// NewEvent builds an Event from the attributes' values as stored
// (retentionFrom and retentionRule empty when absent). A retention_from
// that is not a day (possible only for an event stored before the
// attribute had a meaning: Validate refuses it) leaves the event undated.
func NewEvent(id string, occurred time.Time, categories []string, retentionFrom, retentionRule string) Event {
	e := Event{ID: id, OccurredAt: occurred, Categories: categories, Rule: retentionRule}
	if retentionFrom != "" {
		e.From, _ = ParseDay(retentionFrom)
	}
	return e
}

// Of is NewEvent of a lineage event's fields and attributes.
func Of(e *lineage.Event) Event {
	return NewEvent(e.ID, e.OccurredAt, e.DataCategories, e.Attributes[lineage.AttrRetentionFrom], e.Attributes[lineage.AttrRetentionRule])
}

// Judgement is how the data of one category of an event stand.
type Judgement struct {
	Category string
	// Rule is the retention rule code that governs the category here.
	Rule   string
	Status Status
	// PeriodEnd is the last day of the rule's period counted from the
	// event's retention_from (Period.End); zero when Undated or NoPeriod.
	PeriodEnd time.Time
}

// Judge says, for each category of the event in its order, which rule
// governs it and how the event stands against that rule's period.
// Unknown category codes are left out. An unknown retention_rule (only
// an event stored before the attribute had a meaning can carry one:
// Validate refuses it) is ignored and the categories' defaults govern.
func Judge(e Event) []Judgement {
	override, hasOverride := taxonomy.LookupRetentionRule(e.Rule)
	out := make([]Judgement, 0, len(e.Categories))
	for _, code := range e.Categories {
		rule := override
		if !hasOverride {
			c, ok := taxonomy.LookupCategory(code)
			if !ok {
				continue
			}
			if rule, ok = taxonomy.LookupRetentionRule(c.Retention); !ok {
				continue // the taxonomy's tests rule this out
			}
		}
		out = append(out, judge(code, rule, e))
	}
	return out
}

func judge(category string, rule taxonomy.RetentionRule, e Event) Judgement {
	j := Judgement{Category: category, Rule: rule.Code}
	p, ok := PeriodOf(rule)
	switch {
	case !ok:
		j.Status = NoPeriod
		return j
	case e.From.IsZero():
		j.Status = Undated
		return j
	}
	j.PeriodEnd = p.End(e.From)
	// The last day of the period is still inside it: the event is past
	// only from the next UTC day on.
	switch {
	case !Day(e.OccurredAt).After(j.PeriodEnd):
		j.Status = Within
	case p.Maximum:
		j.Status = Exceeded
	default:
		j.Status = MinimumPassed
	}
	return j
}

// Line is how one subject's data of one category under one rule stand
// over a set of events. A category whose events name different rules (an
// override on some) has a line per rule, so that no status is shown under
// a rule that did not give it.
type Line struct {
	SubjectID string
	Category  string
	Rule      string
	// Status is the worst of the events' statuses (Status.Severity).
	Status Status
	// Events counts the events, Past those past the rule's period
	// (Exceeded or MinimumPassed), Undated those without retention_from.
	Events, Past, Undated int
	// First and Last are the first and last event's occurred_at.
	First, Last time.Time
	// FirstPast is the earliest event with the line's Status, when that
	// status is Exceeded or MinimumPassed; nil otherwise.
	FirstPast *PastEvent
}

// PastEvent is an event that happened after its rule's period.
type PastEvent struct {
	EventID       string
	OccurredAt    time.Time
	RetentionFrom time.Time
	PeriodEnd     time.Time
}

// Summarise judges a subject's events and gives a line per (category,
// rule): the worst first, then by category and rule code. The events must
// be distinct (a stored retry counted once); their order does not matter.
func Summarise(subject string, events []Event) []Line {
	type key struct{ category, rule string }
	lines := map[key]*Line{}
	var order []*Line
	for _, e := range events {
		for _, j := range Judge(e) {
			k := key{j.Category, j.Rule}
			l := lines[k]
			if l == nil {
				l = &Line{SubjectID: subject, Category: j.Category, Rule: j.Rule, Status: j.Status, First: e.OccurredAt, Last: e.OccurredAt}
				lines[k] = l
				order = append(order, l)
			}
			l.add(e, j)
		}
	}
	out := make([]Line, len(order))
	for i, l := range order {
		out[i] = *l
	}
	slices.SortFunc(out, func(a, b Line) int {
		return cmp.Or(
			cmp.Compare(b.Status.Severity(), a.Status.Severity()),
			cmp.Compare(a.Category, b.Category),
			cmp.Compare(a.Rule, b.Rule))
	})
	return out
}

// add counts one event's judgement into the line.
func (l *Line) add(e Event, j Judgement) {
	l.Events++
	switch {
	case j.Status.Past():
		l.Past++
	case j.Status == Undated:
		l.Undated++
	}
	if e.OccurredAt.Before(l.First) {
		l.First = e.OccurredAt
	}
	if e.OccurredAt.After(l.Last) {
		l.Last = e.OccurredAt
	}
	if j.Status.Severity() > l.Status.Severity() {
		l.Status, l.FirstPast = j.Status, nil
	}
	if j.Status != l.Status || !j.Status.Past() {
		return
	}
	if f := l.FirstPast; f == nil || e.OccurredAt.Before(f.OccurredAt) || (e.OccurredAt.Equal(f.OccurredAt) && e.ID < f.EventID) {
		l.FirstPast = &PastEvent{EventID: e.ID, OccurredAt: e.OccurredAt, RetentionFrom: e.From, PeriodEnd: j.PeriodEnd}
	}
}
