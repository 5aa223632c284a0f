package accessrequest

import (
	"fmt"
	"time"
	_ "time/tzdata" // Riga's rules in the binary: deadlines must not depend on the host's zoneinfo
)

// riga is the operator's time zone: a period's days are Riga calendar days.
var riga = loadRiga()

func loadRiga() *time.Location {
	loc, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		// time/tzdata is linked in: only a broken build gets here.
		panic(fmt.Sprintf("accessrequest: %v", err))
	}
	return loc
}

// Date is a calendar day in Riga. Its zero value is no day.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the Riga calendar day of t.
func DateOf(t time.Time) Date {
	y, m, d := t.In(riga).Date()
	return Date{y, m, d}
}

// String is the day as 2006-01-02.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// MarshalText writes the day as String does, for JSON.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// IsZero reports whether d is no day.
func (d Date) IsZero() bool { return d == Date{} }

// End is the instant the day ends in Riga (the next day's midnight): a
// period whose last day is d has run out from End on.
func (d Date) End() time.Time { return time.Date(d.Year, d.Month, d.Day+1, 0, 0, 0, 0, riga) }

// DaysUntil is the number of calendar days from d to e, negative when e is
// before d. Calendar days, not 24-hour spans: a day of a daylight-saving
// change counts one like any other.
func (d Date) DaysUntil(e Date) int {
	return int(e.midnightUTC().Sub(d.midnightUTC()) / (24 * time.Hour))
}

// midnightUTC is the day's start on a clock without daylight saving, for
// arithmetic on days.
func (d Date) midnightUTC() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

func (d Date) addDays(n int) Date {
	y, m, day := d.midnightUTC().AddDate(0, 0, n).Date()
	return Date{y, m, day}
}

// addMonths is the same date n months later, or the last day of that
// month when it has no such date (31 January → 28 or 29 February):
// Regulation 1182/71 Art. 3(2)(c).
func (d Date) addMonths(n int) Date {
	first := time.Date(d.Year, d.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return Date{first.Year(), first.Month(), min(d.Day, last)}
}

func (d Date) weekday() time.Weekday { return d.midnightUTC().Weekday() }

// PeriodEnd is the last day of a period of months that runs from the
// receipt of a request at received, as Regulation (EEC, Euratom) No 1182/71
// Art. 3 counts it: the day of receipt is not counted (3(1)); the period
// ends on the same date in its last month as the day of receipt, or on that
// month's last day when it has no such date (3(2)(c)); and when that day is
// a Saturday, a Sunday or a public holiday, on the next working day (3(4)).
// The period has run out at PeriodEnd(...).End().
//
// Art. 12(3) GDPR: one month from receipt, PeriodEnd(received, 1); with an
// extension of n further months, the whole period is counted from receipt,
// PeriodEnd(received, 1+n), rather than from the first period's end, so
// that a first period moved past a weekend does not move the second.
func PeriodEnd(received time.Time, months int) Date {
	d := DateOf(received).addMonths(months)
	for !WorkingDay(d) {
		d = d.addDays(1)
	}
	return d
}

// WorkingDay reports whether d is neither a Saturday, a Sunday nor a
// Latvian public holiday.
func WorkingDay(d Date) bool {
	switch d.weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return !Holiday(d)
}

// Holiday reports whether d is a public holiday (svētku diena) in Latvia,
// or the day off that replaces one, under the law "Par svētku, atceres un
// atzīmējamām dienām" Art. 1, as it stands since 2014:
//
//   - 1 January; Good Friday, Easter Sunday and Easter Monday; 1 May;
//     4 May; 23 and 24 June; 18 November; 24, 25, 26 and 31 December;
//   - when 4 May or 18 November falls on a Saturday or a Sunday, the next
//     working day (the Monday) is a day off;
//   - Mother's Day (the second Sunday of May) and Whitsunday are holidays
//     too, but always Sundays, which end no period anyway;
//   - the closing day of the General Latvian Song and Dance Festival, and
//     the days the Saeima declared holidays once: those known are listed
//     in oneOffHoliday.
//
// Not holidays: the days the Cabinet moves a working day away from (a
// Friday between a holiday and a weekend, worked on a Saturday). They are
// days off by order, not public holidays, and Art. 3(4) of Regulation
// 1182/71 counts public holidays only.
func Holiday(d Date) bool {
	switch {
	case d.Month == time.January && d.Day == 1,
		d.Month == time.May && (d.Day == 1 || d.Day == 4),
		d.Month == time.June && (d.Day == 23 || d.Day == 24),
		d.Month == time.November && d.Day == 18,
		d.Month == time.December && (d.Day == 24 || d.Day == 25 || d.Day == 26 || d.Day == 31):
		return true
	case movedToMonday(d, time.May, 4), movedToMonday(d, time.November, 18):
		return true
	}
	switch easterSunday(d.Year).DaysUntil(d) {
	case -2, 0, 1: // Good Friday, Easter Sunday, Easter Monday
		return true
	}
	return oneOffHoliday(d)
}

// movedToMonday reports whether d is the Monday that replaces the holiday
// of month and day of d's year when that falls on a weekend.
func movedToMonday(d Date, month time.Month, day int) bool {
	if d.weekday() != time.Monday {
		return false
	}
	n := (Date{d.Year, month, day}).DaysUntil(d)
	return n == 1 || n == 2 // the holiday was the Sunday or the Saturday before
}

// oneOffHoliday reports the holidays of one year only. The closing day of
// the Song and Dance Festival is a holiday by the law, but its date is set
// for each festival (every five years; the next in 2028): add it here when
// it is announced.
func oneOffHoliday(d Date) bool {
	switch d {
	case Date{2018, time.July, 9}, // Song and Dance Festival closing day
		Date{2018, time.September, 24}, // pastoral visit of Pope Francis
		Date{2023, time.May, 29},       // the national ice hockey team's bronze medal
		Date{2023, time.July, 10}:      // Song and Dance Festival closing day
		return true
	}
	return false
}

// easterSunday is Easter Sunday of the Gregorian calendar (the anonymous
// Gregorian algorithm of Meeus, Jones and Butcher).
func easterSunday(year int) Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Date{year, time.Month(month), day}
}
