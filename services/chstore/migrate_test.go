package chstore

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// recorded returns schema_migrations' rows as version list, copies included.
func recorded(t *testing.T, s *Store) []uint32 {
	t.Helper()
	rows, err := s.conn.Query(t.Context(), "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	defer rows.Close()
	var out []uint32
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			t.Fatalf("scan schema_migrations: %v", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	return out
}

// projectVersions are the versions of the project's migrations.
func projectVersions(t testing.TB) []uint32 {
	t.Helper()
	all, err := loadMigrations(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	var out []uint32
	for _, m := range all {
		out = append(out, m.version)
	}
	return out
}

// projectMigrations copies the project's migrations, and the record's DDL,
// into a file system under m/, each through edit when it is not nil.
func projectMigrations(t testing.TB, edit func(name, body string) string) fstest.MapFS {
	t.Helper()
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	files := fstest.MapFS{}
	for _, e := range entries {
		body, err := fs.ReadFile(migrationFiles, "migrations/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			body = []byte(edit(e.Name(), string(body)))
		}
		files["m/"+e.Name()] = &fstest.MapFile{Data: body}
	}
	return files
}

func tableExists(t *testing.T, s *Store, table string) bool {
	t.Helper()
	var n uint64
	err := s.conn.QueryRow(t.Context(),
		"SELECT count() FROM system.tables WHERE database = @db AND name = @table",
		clickhouse.Named("db", s.cfg.Database), clickhouse.Named("table", table)).Scan(&n)
	if err != nil {
		t.Fatalf("look up table %s: %v", table, err)
	}
	return n == 1
}

func TestMigrateTwiceIsNoop(t *testing.T) {
	s := newStore(t)
	for range 2 {
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		if got, want := recorded(t, s), projectVersions(t); !slices.Equal(got, want) {
			t.Fatalf("schema_migrations = %v, want %v", got, want)
		}
	}
	for _, table := range []string{EventsTable, LinksTable, "identity_links_by_identifier_v2"} {
		if !tableExists(t, s, table) {
			t.Fatalf("%s missing", table)
		}
	}
}

func TestMigrateConcurrently(t *testing.T) {
	// Two materializers starting together on a server without the database:
	// each has its own pool, like two processes.
	first := newStore(t)
	second, err := Open(t.Context(), first.cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer second.Close()

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, s := range []*Store{first, second} {
		wg.Go(func() { errs[i] = s.Migrate(t.Context()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Migrate %d: %v", i, err)
		}
	}
	// Both may have applied and recorded each version; nothing else.
	for _, v := range recorded(t, first) {
		if !slices.Contains(projectVersions(t), v) {
			t.Errorf("recorded version %d", v)
		}
	}
	if !tableExists(t, first, "lineage_events") {
		t.Fatal("lineage_events missing")
	}
	// And a later start accepts the duplicate record.
	if err := second.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate after concurrent start: %v", err)
	}
}

func TestMigrateRefusesChangedMigration(t *testing.T) {
	s := newMigratedStore(t)
	record, err := fs.ReadFile(migrationFiles, "migrations/"+recordFile)
	if err != nil {
		t.Fatal(err)
	}
	edited := fstest.MapFS{
		"m/" + recordFile:             {Data: record},
		"m/0001_lineage_events.sql":   {Data: []byte("CREATE TABLE IF NOT EXISTS lineage_events (x String) ENGINE = Memory;")},
		"m/0009_must_not_run.sql":     {Data: []byte("CREATE TABLE IF NOT EXISTS must_not_run (x String) ENGINE = Memory;")},
		"m/README.txt":                {Data: []byte("not a migration")},
		"m/0010_second_change.sql.gz": {Data: []byte("not a migration either")},
	}
	err = s.migrate(t.Context(), edited, "m")
	if !errors.Is(err, ErrMigrationChanged) {
		t.Fatalf("migrate with an edited 0001 = %v, want ErrMigrationChanged", err)
	}
	if tableExists(t, s, "must_not_run") {
		t.Fatal("a migration ran although an applied one had changed")
	}
	if got, want := recorded(t, s), projectVersions(t); !slices.Equal(got, want) {
		t.Fatalf("schema_migrations = %v, want %v (the project's own, untouched)", got, want)
	}
}

func TestMigrateAppliesNewVersion(t *testing.T) {
	s := newMigratedStore(t)
	files := projectMigrations(t, nil)
	versions := projectVersions(t)
	next := versions[len(versions)-1] + 1
	files[fmt.Sprintf("m/%04d_extra.sql", next)] = &fstest.MapFile{Data: []byte(
		"-- two statements; the second has a ';' in a string\n" +
			"CREATE TABLE IF NOT EXISTS extra_a (x String) ENGINE = Memory;\n" +
			"CREATE TABLE IF NOT EXISTS extra_b (x String DEFAULT 'a;b') ENGINE = Memory;\n")}
	for range 2 {
		if err := s.migrate(t.Context(), files, "m"); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	if got, want := recorded(t, s), append(versions, next); !slices.Equal(got, want) {
		t.Fatalf("schema_migrations = %v, want %v", got, want)
	}
	for _, table := range []string{"extra_a", "extra_b"} {
		if !tableExists(t, s, table) {
			t.Errorf("%s missing", table)
		}
	}
}

func TestLoadMigrations(t *testing.T) {
	all, err := loadMigrations(migrationFiles, "migrations")
	if err != nil {
		t.Fatalf("embedded migrations: %v", err)
	}
	if len(all) == 0 || all[0].version != 1 || all[0].name != "lineage_events" {
		t.Fatalf("embedded migrations = %+v", all)
	}
	for name, body := range map[string]string{
		"1_short.sql":       "SELECT 1",
		"abcd_letters.sql":  "SELECT 1",
		"0001.sql":          "SELECT 1",
		"0001_.sql":         "SELECT 1",
		"00001_long.sql":    "SELECT 1",
		"0001_a.sql+0001_b": "",
	} {
		files := fstest.MapFS{"m/" + name: {Data: []byte(body)}}
		if name == "0001_a.sql+0001_b" {
			files = fstest.MapFS{"m/0001_a.sql": {}, "m/0001_b.sql": {}}
		}
		if _, err := loadMigrations(files, "m"); err == nil {
			t.Errorf("loadMigrations accepted %s", name)
		}
	}
}

func TestSplitStatements(t *testing.T) {
	tests := []struct {
		name   string
		script string
		want   []string
	}{
		{"one without semicolon", "SELECT 1", []string{"SELECT 1"}},
		{"two", "SELECT 1;\nSELECT 2;\n", []string{"SELECT 1", "SELECT 2"}},
		{"semicolon in string", "SELECT 'a;b';SELECT 2", []string{"SELECT 'a;b'", "SELECT 2"}},
		{"escaped quote", `SELECT 'a\';b'; SELECT 2`, []string{`SELECT 'a\';b'`, "SELECT 2"}},
		{"quoted identifier", "SELECT 1 AS `a;b`; SELECT 2", []string{"SELECT 1 AS `a;b`", "SELECT 2"}},
		{"line comment", "-- a; b\nSELECT 1; -- c;\n", []string{"-- a; b\nSELECT 1"}},
		{"block comment", "/* a; b */ SELECT 1;", []string{"/* a; b */ SELECT 1"}},
		{"only comments", "-- nothing here;\n-- at all\n", nil},
		{"empty statements", ";;\n;", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := splitStatements(tt.script); !slices.Equal(got, tt.want) {
				t.Errorf("splitStatements(%q) = %q, want %q", tt.script, got, tt.want)
			}
		})
	}
}
