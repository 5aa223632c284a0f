package chstore

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/balticom/lineage/services/chstore/chclustertest"
)

// clusterBenchDatabase is the cluster's copy of the lookup benchmarks'
// store: the same generators (testdata/bench/*.sql) run through the
// Distributed tables, so it holds the same rows as benchDatabase, spread
// over the shards by subject and kept between runs like it. Generating it
// on the 2-shard × 2-replica cluster of scripts/cluster took 6 minutes on
// two cores.
//
// It is not merged: on scripts/cluster's servers (background_pool_size 2)
// 18.16 never runs a merge of more than 19.8 MiB of parts (the cap falls
// when fewer than number_of_free_entries_in_pool_to_lower_max_size_of_merge,
// 8, of the pool's threads are free), and an OPTIMIZE … FINAL waits for it
// for ever. Its parts are what the background merges make of the inserts',
// like those of benchDatabase + "_unmerged" (RecipientsLookupVariants),
// which BenchmarkClusterLookup times beside it.
const clusterBenchDatabase = "lineage_bench_cluster"

// clusterBenchConfig is the store of clusterBenchDatabase, in cluster mode
// over every server, the first that answers taking the queries, as a
// service configured with all of them would.
func clusterBenchConfig() Config {
	return Config{
		Addrs:       chclustertest.Addrs(),
		Database:    clusterBenchDatabase,
		Cluster:     chclustertest.Cluster,
		DialTimeout: 2 * time.Second,
	}
}

// BenchmarkClusterLookup times Recipients and the first page of Events
// for the same random subjects on the single server's bench store (merged,
// and as the inserts left it) and on the cluster's copy of it, side by
// side: in each of benchRounds rounds, each lookup's single-node runs,
// then its cluster run, so that they alternate and share the box's load.
// It needs scripts/cluster and the project's server:
//
//	go test -run '^$' -bench ClusterLookup -benchtime 1000x -timeout 60m
func BenchmarkClusterLookup(b *testing.B) {
	chclustertest.Require(b)
	targets := []struct {
		name string
		cfg  Config
	}{
		{"single", testConfig(benchDatabase)},
		{"single_unmerged", testConfig(benchDatabase + "_unmerged")},
		{"cluster", clusterBenchConfig()},
	}
	lookups := []struct {
		name   string
		lookup func(s *Store) func(ctx context.Context, subject string) (int, error)
	}{
		{"recipients", func(s *Store) func(context.Context, string) (int, error) {
			return func(ctx context.Context, subject string) (int, error) {
				rs, err := s.Recipients(ctx, RecipientsQuery{SubjectID: subject})
				return len(rs.Recipients), err
			}
		}},
		{"events", func(s *Store) func(context.Context, string) (int, error) {
			return func(ctx context.Context, subject string) (int, error) {
				page, err := s.Events(ctx, EventsQuery{SubjectID: subject})
				return len(page.Events), err
			}
		}},
	}
	for round := range benchRounds() {
		for _, l := range lookups {
			for _, target := range targets {
				b.Run(fmt.Sprintf("%s/%s/round=%d", l.name, target.name, round+1), func(b *testing.B) {
					s := benchStoreAt(b, target.cfg, nil, target.name == "single")
					benchLookups(b, s, l.lookup(s))
				})
			}
		}
	}
}

// benchRounds is how many times the side-by-side benchmarks run each of
// their targets in turn: LINEAGE_BENCH_ROUNDS, default 2. (go test's
// -count repeats each sub-benchmark in a row, which does not alternate.)
func benchRounds() int {
	if n, err := strconv.Atoi(os.Getenv("LINEAGE_BENCH_ROUNDS")); err == nil && n > 0 {
		return n
	}
	return 2
}

// benchGenerators returns the statements that fill the bench store: the
// generators as written on one server. On a cluster each INSERT … SELECT
// … FROM numbers(n) is cut into slices of clusterBenchSlice numbers: the
// cluster's servers allow a query 1 GiB (deploy/clickhouse/cluster/users.xml),
// and the 10,000,000 rows of events.sql in one insert through the
// Distributed table, with the views the local tables feed, went past it
// after about a million rows.
func benchGenerators(cfg Config) []string {
	all := append([]string{benchEventsSQL, benchBreachSQL}, splitStatements(benchIdentitiesSQL)...)
	if cfg.Cluster == "" {
		return all
	}
	var out []string
	for _, stmt := range all {
		m := numbersSource.FindStringSubmatchIndex(stmt)
		if m == nil {
			out = append(out, stmt)
			continue
		}
		n, err := strconv.Atoi(stmt[m[2]:m[3]])
		if err != nil {
			panic(fmt.Sprintf("bench generator: numbers(%s): %v", stmt[m[2]:m[3]], err))
		}
		for from := 0; from < n; from += clusterBenchSlice {
			out = append(out, fmt.Sprintf("%s WHERE intDiv(number, %d) = %d%s",
				stmt[:m[1]], clusterBenchSlice, from/clusterBenchSlice, stmt[m[1]:]))
		}
	}
	return out
}

// clusterBenchSlice is how many numbers one generating insert takes on a
// cluster.
const clusterBenchSlice = 500_000

// numbersSource matches the generators' row source, FROM numbers(n).
var numbersSource = regexp.MustCompile(`FROM numbers\((\d+)\)`)

// onClusterOf is the ON CLUSTER clause of a DDL statement of cfg's store.
func onClusterOf(cfg Config) string {
	if cfg.Cluster == "" {
		return ""
	}
	return " ON CLUSTER " + cfg.Cluster
}

// benchTable is the table that holds table's rows on one server: the
// Replicated table behind the Distributed one on a cluster.
func benchTable(s *Store, table string) string {
	if s.cfg.Cluster == "" {
		return table
	}
	return table + localSuffix
}

// catchUpReplicas waits, on a cluster, until no replica has a part left to
// fetch: an insert returns once one replica of each shard has its rows,
// and a count or a lookup may read the other. A server that does not
// answer (a test may have stopped it) is waited for.
func catchUpReplicas(b *testing.B, s *Store) {
	if s.cfg.Cluster == "" {
		return
	}
	deadline := time.Now().Add(30 * time.Minute)
	for _, r := range chclustertest.ShardReplicas() {
		conn := chclustertest.Conn(b, r.Addr)
		for {
			var fetches uint64
			err := conn.QueryRow(b.Context(),
				"SELECT toUInt64(sum(inserts_in_queue)) FROM system.replicas WHERE database = ?", s.cfg.Database,
			).Scan(&fetches)
			if err == nil && fetches == 0 {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("%s still has %d parts to fetch in %s (%v)", r.Name(), fetches, s.cfg.Database, err)
			}
			time.Sleep(time.Second)
		}
	}
}
