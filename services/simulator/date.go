package main

import (
	"fmt"
	"time"
)

// Date is a point in time given in the environment either as a calendar day
// ("2025-01-01", UTC midnight) or as an RFC 3339 instant.
type Date struct{ time.Time }

// EnvDecode implements envconfig.Decoder.
func (d *Date) EnvDecode(v string) error {
	if v == "" {
		*d = Date{}
		return nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		d.Time = t
		return nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return fmt.Errorf("want YYYY-MM-DD or an RFC 3339 time, got %q", v)
	}
	d.Time = t.UTC()
	return nil
}

// String prints a calendar day when the time is a UTC midnight, RFC 3339
// otherwise.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	if d.Equal(d.Truncate(24 * time.Hour)) {
		return d.UTC().Format(time.DateOnly)
	}
	return d.UTC().Format(time.RFC3339Nano)
}

// Today returns the UTC midnight that starts now's day.
func Today(now time.Time) Date {
	y, m, day := now.UTC().Date()
	return Date{time.Date(y, m, day, 0, 0, 0, 0, time.UTC)}
}
