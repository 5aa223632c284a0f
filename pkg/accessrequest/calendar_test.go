package accessrequest_test

import (
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/accessrequest"
)

func rigaLocation(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// at is a Riga wall-clock time.
func at(t testing.TB, y int, m time.Month, d, hour, minute int) time.Time {
	return time.Date(y, m, d, hour, minute, 0, 0, rigaLocation(t))
}

func date(y int, m time.Month, d int) accessrequest.Date {
	return accessrequest.Date{Year: y, Month: m, Day: d}
}

func TestPeriodEnd(t *testing.T) {
	for _, tc := range []struct {
		name     string
		received time.Time
		months   int
		want     accessrequest.Date
	}{
		// Month ends: the same date, or the last day of a month without it.
		{"5 March to 5 April (the EDPB's example)", at(t, 2027, 3, 5, 10, 0), 1, date(2027, 4, 5)},
		{"5 March to 5 April, Easter Sunday, so after Easter Monday", at(t, 2026, 3, 5, 10, 0), 1, date(2026, 4, 7)},
		{"31 January to 28 February", at(t, 2025, 1, 31, 10, 0), 1, date(2025, 2, 28)},
		{"31 January to 29 February in a leap year", at(t, 2024, 1, 31, 10, 0), 1, date(2024, 2, 29)},
		{"31 March to 30 April", at(t, 2025, 3, 31, 10, 0), 1, date(2025, 4, 30)},
		{"30 March to 30 April", at(t, 2025, 3, 30, 10, 0), 1, date(2025, 4, 30)},
		{"30 April to 30 May, a Saturday, so Monday", at(t, 2026, 4, 30, 10, 0), 1, date(2026, 6, 1)},
		{"31 January 2026 to 28 February, a Saturday, so Monday", at(t, 2026, 1, 31, 10, 0), 1, date(2026, 3, 2)},
		// Holidays.
		{"18 November", at(t, 2025, 10, 18, 10, 0), 1, date(2025, 11, 19)},
		{"18 November on a Saturday: Monday is off too", at(t, 2028, 10, 18, 10, 0), 1, date(2028, 11, 21)},
		{"Good Friday to Easter Monday", at(t, 2026, 3, 3, 10, 0), 1, date(2026, 4, 7)},
		{"4 May on a Sunday: Monday is off too", at(t, 2025, 4, 4, 10, 0), 1, date(2025, 5, 6)},
		{"4 May on a Monday: Tuesday is not off", at(t, 2026, 4, 4, 10, 0), 1, date(2026, 5, 5)},
		{"1 May", at(t, 2025, 4, 1, 10, 0), 1, date(2025, 5, 2)},
		{"Christmas into the weekend", at(t, 2025, 11, 24, 10, 0), 1, date(2025, 12, 29)},
		{"31 December and 1 January", at(t, 2025, 11, 30, 10, 0), 1, date(2025, 12, 30)},
		{"New Year", at(t, 2025, 12, 1, 10, 0), 1, date(2026, 1, 2)},
		{"Līgo and Jāņi", at(t, 2026, 5, 23, 10, 0), 1, date(2026, 6, 25)},
		{"Song and Dance Festival closing day 2023", at(t, 2023, 6, 10, 10, 0), 1, date(2023, 7, 11)},
		// Riga days, not UTC days: 00:30 in Riga is the day before in UTC.
		{"just after midnight in Riga", time.Date(2025, 6, 9, 21, 30, 0, 0, time.UTC), 1, date(2025, 7, 10)},
		{"just before midnight in Riga", at(t, 2025, 6, 9, 23, 59), 1, date(2025, 7, 9)},
		// Extensions count the whole period from receipt.
		{"extended by one month", at(t, 2026, 1, 31, 10, 0), 2, date(2026, 3, 31)},
		{"extended by two months", at(t, 2026, 1, 31, 10, 0), 3, date(2026, 4, 30)},
		{"extended into a leap February", at(t, 2023, 12, 31, 10, 0), 2, date(2024, 2, 29)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := accessrequest.PeriodEnd(tc.received, tc.months); got != tc.want {
				t.Errorf("PeriodEnd(%s, %d) = %s (%s), want %s", tc.received, tc.months, got, weekday(got), tc.want)
			}
		})
	}
}

func weekday(d accessrequest.Date) time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

func TestHoliday(t *testing.T) {
	for _, tc := range []struct {
		day  accessrequest.Date
		want bool
	}{
		{date(2025, 4, 18), true},  // Good Friday
		{date(2025, 4, 20), true},  // Easter Sunday
		{date(2025, 4, 21), true},  // Easter Monday
		{date(2025, 4, 22), false}, // the Tuesday after
		{date(2024, 3, 29), true},  // Good Friday in March
		{date(2024, 4, 1), true},   // Easter Monday
		{date(2027, 3, 26), true},  // Good Friday 2027
		{date(2027, 3, 29), true},  // Easter Monday 2027
		{date(2025, 5, 5), true},   // 4 May was a Sunday
		{date(2024, 5, 6), true},   // 4 May was a Saturday
		{date(2024, 5, 3), false},  // the Friday before is not
		{date(2026, 5, 4), true},   // a Monday itself
		{date(2026, 5, 5), false},  // so the Tuesday is not
		{date(2028, 11, 20), true}, // 18 November was a Saturday
		{date(2029, 11, 19), true}, // 18 November was a Sunday
		{date(2025, 11, 17), false},
		{date(2025, 6, 23), true},
		{date(2025, 6, 24), true},
		{date(2025, 12, 24), true},
		{date(2025, 12, 31), true},
		{date(2025, 12, 30), false},
		{date(2018, 9, 24), true}, // one-off: Pope Francis' visit
		{date(2023, 5, 29), true}, // one-off: ice hockey bronze
		{date(2024, 5, 20), false},
	} {
		if got := accessrequest.Holiday(tc.day); got != tc.want {
			t.Errorf("Holiday(%s, %s) = %v, want %v", tc.day, weekday(tc.day), got, tc.want)
		}
	}
}

func TestDateOfAndEnd(t *testing.T) {
	// 22:30 UTC on 28 March 2026 is already 29 March in Riga (UTC+2), the
	// day clocks go forward; its end is midnight of the 30th, UTC+3.
	d := accessrequest.DateOf(time.Date(2026, 3, 28, 22, 30, 0, 0, time.UTC))
	if d != date(2026, 3, 29) {
		t.Fatalf("DateOf = %s", d)
	}
	if want := time.Date(2026, 3, 29, 21, 0, 0, 0, time.UTC); !d.End().Equal(want) {
		t.Errorf("End = %s, want %s", d.End().UTC(), want)
	}
	if b, _ := d.MarshalText(); string(b) != "2026-03-29" {
		t.Errorf("MarshalText = %s", b)
	}
	if n := date(2026, 3, 28).DaysUntil(date(2026, 4, 2)); n != 5 {
		t.Errorf("DaysUntil = %d, want 5", n)
	}
	if n := date(2026, 4, 2).DaysUntil(date(2026, 3, 28)); n != -5 {
		t.Errorf("DaysUntil backwards = %d, want -5", n)
	}
}
