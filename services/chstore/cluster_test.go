package chstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// The cluster form of every statement of every migration, the record's
// DDL included: each one exists (parseStatement and the rewrite fail on a
// shape they do not know), runs ON CLUSTER but for the one-off copies, and
// names only the database's qualified tables.
func TestClusterFormOfEveryMigration(t *testing.T) {
	const cluster, db = "lineage", "lineage_db"
	record, err := fs.ReadFile(migrationFiles, "migrations/"+recordFile)
	if err != nil {
		t.Fatal(err)
	}
	all, err := loadMigrations(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	recordDDL, clustered, err := clusterMigrations(cluster, db, string(record), all)
	if err != nil {
		t.Fatalf("cluster form of the migrations: %v", err)
	}
	files := append([]string{recordFile}, migrationNames(all)...)
	scripts := append([]string{recordDDL}, sqlOf(clustered)...)
	originals := append([]string{string(record)}, sqlOf(all)...)
	for i, file := range files {
		t.Run(file, func(t *testing.T) {
			if i > 0 && (clustered[i-1].checksum != all[i-1].checksum || clustered[i-1].version != all[i-1].version) {
				t.Errorf("cluster form changed the version or checksum")
			}
			single := splitStatements(originals[i])
			if len(single) == 0 {
				t.Fatal("no statements")
			}
			for _, stmt := range splitStatements(scripts[i]) {
				checkClusterStatement(t, stmt, cluster, db)
			}
			// Every single-node statement has its cluster form: a table
			// two, an ALTER two, a DROP of a table two, the rest one.
			if got, min := len(splitStatements(scripts[i])), len(single); got < min {
				t.Errorf("%d cluster statements for %d single-node ones", got, min)
			}
		})
	}
}

var (
	replicatedEngine  = regexp.MustCompile(`ENGINE = Replicated\w*MergeTree\('/clickhouse/tables/\{shard\}/lineage_db/(\w+)_local', '\{replica\}'`)
	distributedEngine = regexp.MustCompile(`ENGINE = Distributed\(lineage, lineage_db, (\w+)_local, cityHash64\((\w+)\)\)$`)
)

// checkClusterStatement checks one statement of a cluster form.
func checkClusterStatement(t *testing.T, stmt, cluster, db string) {
	t.Helper()
	code := codeOf(stmt)
	f := strings.Fields(code)
	switch {
	case strings.HasPrefix(code, "INSERT INTO "):
		// The copies run once, through the Distributed tables.
		if strings.Contains(code, "ON CLUSTER") || strings.Contains(code, localSuffix+" ") {
			t.Errorf("copy not through the Distributed tables: %s", head(code))
		}
		return
	case strings.HasPrefix(code, "ALTER TABLE"):
		// Run on one replica of each shard, which replicates it.
		if !onEachShard(code) || !strings.HasPrefix(f[2], db+".") || !strings.HasSuffix(f[2], localSuffix) {
			t.Errorf("ALTER not of a local table on each shard: %s", head(code))
		}
		return
	case !strings.Contains(code+" ", " ON CLUSTER "+cluster+" "):
		t.Errorf("not ON CLUSTER: %s", head(code))
	}
	if i := slicesIndex(f, "ON"); i < 1 || !strings.HasPrefix(f[i-1], db+".") {
		t.Errorf("name before ON CLUSTER not qualified by %s: %s", db, head(code))
	}
	switch {
	case strings.HasPrefix(code, "CREATE TABLE"):
		name := strings.TrimPrefix(f[slicesIndex(f, "ON")-1], db+".")
		if local, ok := strings.CutSuffix(name, localSuffix); ok {
			m := replicatedEngine.FindStringSubmatch(code)
			if m == nil || m[1] != local {
				t.Errorf("%s: not a Replicated engine with its own path: %s", name, code)
			}
		} else if m := distributedEngine.FindStringSubmatch(code); m == nil || m[1] != name {
			t.Errorf("%s: not Distributed over %s%s: %s", name, name, localSuffix, code)
		}
	case strings.HasPrefix(code, "CREATE MATERIALIZED VIEW"):
		tables := strings.ReplaceAll(code, "ARRAY JOIN", "ARRAY_JOIN") // of a column
		for _, ref := range regexp.MustCompile(`\b(?:FROM|JOIN|TO)\s+([\w.]+)`).FindAllStringSubmatch(tables, -1) {
			if !strings.HasPrefix(ref[1], db+".") || !strings.HasSuffix(ref[1], localSuffix) {
				t.Errorf("view reads or writes %s, not a local table: %s", ref[1], head(code))
			}
		}
	case strings.HasPrefix(code, "DROP TABLE"):
	default:
		t.Errorf("unexpected cluster statement: %s", head(code))
	}
}

func slicesIndex(f []string, s string) int {
	for i, x := range f {
		if x == s {
			return i
		}
	}
	return -1
}

func migrationNames(all []migration) []string {
	var out []string
	for _, m := range all {
		out = append(out, fmt.Sprintf("%04d_%s.sql", m.version, m.name))
	}
	return out
}

func sqlOf(all []migration) []string {
	var out []string
	for _, m := range all {
		out = append(out, m.sql)
	}
	return out
}

// The choices the rewrite makes for the project's tables: engines and
// their arguments, sharding keys (a table a view fills goes by the view's
// source), and deduplication off where rows add up.
func TestClusterFormOfProjectTables(t *testing.T) {
	scripts := []string{}
	for _, name := range []string{"0001_lineage_events.sql", "0002_identity_links.sql",
		"0003_identity_links_by_identifier.sql", "0005_access_requests.sql", "0006_disclosures_by_recipient.sql"} {
		body, err := fs.ReadFile(migrationFiles, "migrations/"+name)
		if err != nil {
			t.Fatal(err)
		}
		scripts = append(scripts, string(body))
	}
	scripts = append(scripts, `CREATE TABLE IF NOT EXISTS daily (day Date, n UInt64) ENGINE = SummingMergeTree(n) ORDER BY day;
CREATE TABLE IF NOT EXISTS daily_set (day Date, s AggregateFunction(uniq, String)) ENGINE = AggregatingMergeTree ORDER BY day SETTINGS index_granularity = 1024;`)
	out, err := clusterScripts("lineage", "db", scripts)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(out, "\n")
	for _, want := range []string{
		"CREATE TABLE IF NOT EXISTS db.lineage_events_local ON CLUSTER lineage (",
		"ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db/lineage_events_local', '{replica}')\nPARTITION BY toYear(",
		"ENGINE = Distributed(lineage, db, lineage_events_local, cityHash64(subject_id))",
		"ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db/identity_links_local', '{replica}', recorded_us)",
		// Filled by views on the subject's shard: sharded by subject.
		"ENGINE = Distributed(lineage, db, identity_links_by_identifier_local, cityHash64(subject_id))",
		"ENGINE = Distributed(lineage, db, lineage_disclosures_local, cityHash64(subject_id))",
		"ENGINE = Distributed(lineage, db, access_request_events_local, cityHash64(request_id))",
		"CREATE MATERIALIZED VIEW IF NOT EXISTS db.lineage_disclosures_feed ON CLUSTER lineage TO db.lineage_disclosures_local AS SELECT",
		"FROM db.lineage_events_local\nWHERE kind IN ('transfer', 'processor_handoff')",
		"ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/db/daily_local', '{replica}', n)\nORDER BY day\nSETTINGS replicated_deduplication_window = 0",
		"ORDER BY day SETTINGS index_granularity = 1024, replicated_deduplication_window = 0",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("cluster form lacks %q", want)
		}
	}
	if n := strings.Count(all, "replicated_deduplication_window"); n != 2 {
		t.Errorf("deduplication turned off on %d tables, want the 2 that add up", n)
	}
	// The copies of 0003 and 0006 are unchanged.
	if !strings.Contains(out[4], "INSERT INTO lineage_disclosures (recipient_id") {
		t.Errorf("0006's copy changed:\n%s", out[4])
	}
}

// A statement the rewrite does not know stops it: nothing runs
// single-node on a cluster by mistake.
func TestClusterFormRefusesUnknownShapes(t *testing.T) {
	const table = "CREATE TABLE IF NOT EXISTS t (id String, n UInt64) ENGINE = MergeTree ORDER BY id;\n"
	for name, script := range map[string]string{
		"plain view":           table + "CREATE VIEW v AS SELECT id FROM t",
		"view without TO":      table + "CREATE MATERIALIZED VIEW v ENGINE = Memory AS SELECT id FROM t",
		"view of unknown":      table + "CREATE MATERIALIZED VIEW v TO t AS SELECT id, n FROM other",
		"view into unknown":    table + "CREATE MATERIALIZED VIEW v TO other AS SELECT id, n FROM t",
		"rename":               table + "RENAME TABLE t TO u",
		"mutation":             table + "ALTER TABLE t DELETE WHERE n = 0",
		"alter unknown":        "ALTER TABLE t ADD COLUMN x String",
		"optimize":             table + "OPTIMIZE TABLE t",
		"memory engine":        "CREATE TABLE t (id String) ENGINE = Memory",
		"already replicated":   "CREATE TABLE t (id String) ENGINE = ReplicatedMergeTree('/p', '{replica}') ORDER BY id",
		"old engine syntax":    "CREATE TABLE t (d Date, id String) ENGINE = MergeTree(d, (id), 8192)",
		"order by expression":  "CREATE TABLE t (id String) ENGINE = MergeTree ORDER BY cityHash64(id)",
		"qualified name":       "CREATE TABLE other.t (id String) ENGINE = MergeTree ORDER BY id",
		"insert values":        table + "INSERT INTO t (id, n) VALUES ('a', 1)",
		"insert from unknown":  table + "INSERT INTO t (id, n) SELECT id, n FROM other",
		"drop unknown":         "DROP TABLE IF EXISTS t",
		"create table as":      table + "CREATE TABLE u AS t",
		"select":               "SELECT 1",
		"drop with extra text": table + "DROP TABLE t SYNC",
	} {
		t.Run(name, func(t *testing.T) {
			if out, err := clusterScripts("lineage", "db", []string{script}); err == nil {
				t.Errorf("cluster form accepted:\n%s", out[0])
			}
		})
	}
}

func TestOnEachShard(t *testing.T) {
	for stmt, want := range map[string]bool{
		"ALTER TABLE db.t_local ADD COLUMN x String":                    true,
		"-- why\nALTER TABLE db.t_local MODIFY COLUMN x String":         true,
		"ALTER TABLE db.t_local ON CLUSTER lineage ADD COLUMN x String": false,
		"DROP TABLE db.t ON CLUSTER lineage":                            false,
		"CREATE TABLE db.t ON CLUSTER lineage AS db.t_local":            false,
	} {
		if got := onEachShard(stmt); got != want {
			t.Errorf("onEachShard(%q) = %v, want %v", stmt, got, want)
		}
	}
}

func TestAddsColumn(t *testing.T) {
	for stmt, want := range map[string]bool{
		"ALTER TABLE t ADD COLUMN x String DEFAULT ''":                        true,
		"-- why\nALTER TABLE t ADD COLUMN x String":                           true,
		"ALTER TABLE db.t_local ON CLUSTER lineage ADD COLUMN x String":       true,
		"ALTER TABLE db.t ON CLUSTER lineage ADD COLUMN x String, ADD COLUMN": false,
		"ALTER TABLE t DROP COLUMN x":                                         false,
		"ALTER TABLE db.t ON CLUSTER lineage DROP COLUMN x":                   false,
	} {
		if got := addsColumn(stmt); got != want {
			t.Errorf("addsColumn(%q) = %v, want %v", stmt, got, want)
		}
	}
}

func TestWithProductMode(t *testing.T) {
	local := (&Store{}).sameShard(t.Context())
	tests := []struct {
		name  string
		ctx   context.Context
		query string
		want  string
	}{
		{"select", t.Context(), "SELECT 1", "SELECT 1\nSETTINGS distributed_product_mode = 'global'"},
		{"after a comment", t.Context(), "-- why\nSELECT 1 -- trailing", "-- why\nSELECT 1 -- trailing\nSETTINGS distributed_product_mode = 'global'"},
		{"same shard", local, "SELECT 1", "SELECT 1\nSETTINGS distributed_product_mode = 'local'"},
		{"own settings", t.Context(), "SELECT 1 SETTINGS max_threads = 1", "SELECT 1 SETTINGS max_threads = 1"},
		{"not a select", t.Context(), "SYSTEM FLUSH LOGS", "SYSTEM FLUSH LOGS"},
	}
	for _, tt := range tests {
		if got := withProductMode(tt.ctx, tt.query); got != tt.want {
			t.Errorf("%s: withProductMode(%q) = %q, want %q", tt.name, tt.query, got, tt.want)
		}
	}
}

func TestRebuildRefusedOnCluster(t *testing.T) {
	s := &Store{cfg: Config{Database: "lineage", Cluster: "lineage"}}
	if err := s.PrepareRebuild(t.Context()); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("PrepareRebuild on a cluster = %v, want ErrUnsupported", err)
	}
	if err := s.SwapRebuild(t.Context()); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("SwapRebuild on a cluster = %v, want ErrUnsupported", err)
	}
}
