package chstore

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestClassifyRealErrors classifies the errors the real server (and the
// driver) give to inserts: each case provokes one through insertRows, the
// path every Insert method takes, on a table of its own.
func TestClassifyRealErrors(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	db := s.cfg.Database
	admin, err := dial(s.cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for _, q := range []string{
		"CREATE DATABASE " + db,
		// staff_number stands for a column an operator added: it takes
		// staff numbers for numbers, and a staff number with a letter
		// passes the events' validation but not the column.
		"CREATE TABLE " + db + ".t (employee String, n UInt8, kind Enum8('a' = 1, 'b' = 2), " +
			"staff_number UInt32 MATERIALIZED toUInt32(concat('0', employee))) " +
			"ENGINE = MergeTree ORDER BY employee SETTINGS index_granularity = 1024, parts_to_throw_insert = 2, parts_to_delay_insert = 2",
	} {
		if err := admin.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	type row struct {
		employee string
		n        uint8
		kind     string
	}
	insert := func(s *Store, table, columns string, rows ...row) error {
		return insertRows(ctx, s, "rows", table, columns, rows, func(r *row) []any {
			switch columns {
			case "(employee)":
				return []any{r.employee}
			case "(employee, kind)":
				return []any{r.employee, r.kind}
			}
			return []any{r.employee, r.n}
		})
	}
	stranger, err := Open(ctx, Config{Addrs: s.cfg.Addrs, Database: db, Username: "lineage_test_nobody"})
	if err == nil {
		defer stranger.Close()
	}
	if code := Classify(err); err == nil || code != Misconfigured {
		t.Errorf("Open as an unknown user: %v, classified %v, want %v", err, code, Misconfigured)
	}

	for _, c := range []struct {
		name   string
		insert func() error
		want   Failure
		reason string // for Rejected
	}{
		{"a value the column's expression cannot parse", func() error {
			return insert(s, "t", "(employee, n)", row{"4711", 1, ""}, row{"E17", 2, ""})
		}, Rejected, "clickhouse_cannot_parse_text"},
		{"an unknown enum element", func() error {
			return insert(s, "t", "(employee, kind)", row{"1", 0, "a"}, row{"2", 0, "z"})
		}, Rejected, "clickhouse_value_refused"},
		{"a table that does not exist", func() error { return insert(s, "missing", "(employee, n)", row{"1", 1, ""}) }, Misconfigured, ""},
		{"a column that does not exist", func() error {
			return insert(s, "t", "(employee, absent)", row{"1", 1, ""})
		}, Misconfigured, ""},
		{"a Go type the column cannot take", func() error {
			return insertRows(ctx, s, "rows", "t", "(employee, n)", []int{1}, func(*int) []any { return []any{"1", "not a number"} })
		}, Misconfigured, ""},
		{"a server that does not answer", func() error {
			unreachable, err := Open(ctx, Config{Addrs: []string{"127.0.0.1:1"}, Database: db, DialTimeout: time.Second})
			if err == nil {
				defer unreachable.Close()
				err = insert(unreachable, "t", "(employee, n)", row{"1", 1, ""})
			}
			return err
		}, Transient, ""},
		{"too many parts", func() error {
			if err := admin.Exec(ctx, "SYSTEM STOP MERGES "+db+".t"); err != nil {
				t.Fatal(err)
			}
			var err error
			for i := range 3 {
				if err = insert(s, "t", "(employee, n)", row{"1", uint8(i), ""}); err != nil {
					break
				}
			}
			return err
		}, Transient, ""},
		{"a cancelled insert", func() error {
			ctx, cancel := context.WithCancel(ctx)
			cancel()
			return insertRows(ctx, s, "rows", "t", "(employee, n)", []row{{"1", 1, ""}}, func(r *row) []any { return []any{r.employee, r.n} })
		}, Transient, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.insert()
			if err == nil {
				t.Fatal("the insert succeeded")
			}
			if got := Classify(err); got != c.want {
				t.Fatalf("Classify(%v) = %v, want %v", err, got, c.want)
			}
			if c.want == Misconfigured && Fix(err) == "" {
				t.Errorf("no fix for %v", err)
			}
			if c.want != Rejected {
				return
			}
			reason, detail := Rejection(err)
			if reason != c.reason {
				t.Errorf("Rejection(%v) reason %q, want %q", err, reason, c.reason)
			}
			if strings.Contains(detail, "E17") || strings.Contains(detail, "'z'") {
				t.Errorf("Rejection detail %q quotes the row's value", detail)
			}
		})
	}
}
