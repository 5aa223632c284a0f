package chstore

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/services/chstore/chclustertest"
)

// These tests run on the cluster scripts/cluster starts (2 shards × 2
// replicas); chclustertest skips them when it does not answer, or fails
// them with LINEAGE_CLUSTER_TESTS=1.

// clusterStore returns a store in cluster mode on a fresh database of
// every server, not yet migrated, and an admin connection per server,
// indexed [shard-1][replica-1].
func clusterStore(t *testing.T) (*Store, [][]clickhouse.Conn) {
	t.Helper()
	_, db := chclustertest.Fresh(t, "chstore_clu_")
	s := openCluster(t, db, chclustertest.Addrs())
	servers := make([][]clickhouse.Conn, chclustertest.Shards())
	for _, r := range chclustertest.ShardReplicas() {
		servers[r.Shard-1] = append(servers[r.Shard-1], chclustertest.Conn(t, r.Addr))
	}
	return s, servers
}

func openCluster(t *testing.T, db string, addrs []string) *Store {
	t.Helper()
	s, err := Open(t.Context(), Config{Addrs: addrs, Database: db, Cluster: chclustertest.Cluster, DialTimeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// syncReplicas waits until every replica has fetched what its shard was
// sent: an insert returns once one replica of each shard has it, and a
// read may go to the other.
func syncReplicas(t *testing.T, s *Store, servers [][]clickhouse.Conn) {
	t.Helper()
	for _, shard := range servers {
		for _, conn := range shard {
			rows, err := conn.Query(t.Context(),
				"SELECT name FROM system.tables WHERE database = ? AND engine LIKE 'Replicated%'", s.cfg.Database)
			if err != nil {
				t.Fatalf("list replicated tables: %v", err)
			}
			var tables []string
			for rows.Next() {
				var name string
				if err := rows.Scan(&name); err != nil {
					t.Fatal(err)
				}
				tables = append(tables, name)
			}
			rows.Close()
			for _, table := range tables {
				if err := conn.Exec(t.Context(), "SYSTEM SYNC REPLICA "+s.cfg.Database+"."+table); err != nil {
					t.Fatalf("sync replica of %s: %v", table, err)
				}
			}
		}
	}
}

// count is a raw count() (no FINAL, no dedup by id) of a table.
func count(t *testing.T, conn clickhouse.Conn, table string) uint64 {
	t.Helper()
	var n uint64
	if err := conn.QueryRow(t.Context(), "SELECT count() FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// TestClusterMigrate: the migrations run ON CLUSTER from scratch and again,
// from another server, as a no-op; every server has the same tables, each
// table a Replicated one behind a Distributed one, and the record is
// replicated: both replicas of a shard hold the same rows, and all servers
// read every version through the Distributed table.
func TestClusterMigrate(t *testing.T) {
	s, servers := clusterStore(t)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	addrs := chclustertest.Addrs()
	slices.Reverse(addrs)
	again := openCluster(t, s.cfg.Database, addrs)
	if err := again.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate again, from the last server: %v", err)
	}
	syncReplicas(t, s, servers)
	want := projectVersions(t)
	if got := recorded(t, s); !slices.Equal(got, want) {
		t.Fatalf("schema_migrations = %v, want %v", got, want)
	}

	var first []string
	for i, shard := range servers {
		for j, conn := range shard {
			var tables []string
			if err := conn.QueryRow(t.Context(),
				"SELECT arraySort(groupArray(concat(name, ' ', engine))) FROM system.tables WHERE database = ?",
				s.cfg.Database).Scan(&tables); err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = tables
			} else if !slices.Equal(tables, first) {
				t.Errorf("shard %d replica %d has tables %v, shard 1 replica 1 %v", i+1, j+1, tables, first)
			}
			// The ALTERs ran on one replica of each shard: every server
			// has their columns, in its Distributed table too.
			var dist, stored []string
			for table, cols := range map[string]*[]string{EventsTable: &dist, EventsTable + localSuffix: &stored} {
				if err := conn.QueryRow(t.Context(), "SELECT arraySort(groupArray(concat(name, ' ', type))) FROM system.columns WHERE database = ? AND table = ?",
					s.cfg.Database, table).Scan(cols); err != nil {
					t.Fatal(err)
				}
			}
			if !slices.Equal(dist, stored) || !slices.Contains(stored, "restriction_basis String") {
				t.Errorf("shard %d replica %d: %s has columns %v, %s %v", i+1, j+1,
					EventsTable, dist, EventsTable+localSuffix, stored)
			}
			var local []uint32
			if err := conn.QueryRow(t.Context(), "SELECT arraySort(groupArray(version)) FROM "+
				s.cfg.Database+".schema_migrations_local").Scan(&local); err != nil {
				t.Fatal(err)
			}
			var other []uint32
			if err := shard[1-j].QueryRow(t.Context(), "SELECT arraySort(groupArray(version)) FROM "+
				s.cfg.Database+".schema_migrations_local").Scan(&other); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(local, other) {
				t.Errorf("shard %d: replicas record %v and %v", i+1, local, other)
			}
		}
	}
	for _, table := range []string{EventsTable, "identity_links_v2", "schema_migrations"} {
		if !slices.Contains(first, table+" Distributed") {
			t.Errorf("%s is not Distributed: %v", table, first)
		}
	}
	for _, table := range []string{"lineage_events_local ReplicatedReplacingMergeTree",
		"schema_migrations_local ReplicatedMergeTree", "lineage_disclosures_feed MaterializedView"} {
		if !slices.Contains(first, table) {
			t.Errorf("no %s: %v", table, first)
		}
	}
}

// TestClusterInsertRetryStoredOnce: a batch inserted twice through the
// Distributed tables (a retry after an answer lost) is stored once on
// every shard: a raw count, not FINAL and not by id, as are the rows the
// disclosures view made of it. Links likewise.
func TestClusterInsertRetryStoredOnce(t *testing.T) {
	s, servers := clusterStore(t)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	// A retry is the same batch sent again: the materializer keeps it
	// until ClickHouse stores it.
	events := lineagetest.Events(7, 500, 40)
	b := NewBatch(len(events))
	for i := range events {
		b.Add(&events[i], 0, int64(i))
	}
	for range 2 {
		if err := s.Insert(t.Context(), b); err != nil {
			t.Fatalf("Insert: %v", err)
		}
		time.Sleep(1100 * time.Millisecond) // the retry comes in another second
	}
	links := []lineage.IdentityLink{
		lineagetest.Link(lineagetest.Subject(1), lineagetest.Identifier(lineage.MSISDN, 1), t0, time.Time{}),
		lineagetest.Link(lineagetest.Subject(2), lineagetest.Identifier(lineage.MSISDN, 2), t0, time.Time{}),
		lineagetest.Link(lineagetest.Subject(3), lineagetest.Identifier(lineage.MSISDN, 3), t0, time.Time{}),
	}
	insertLinks(t, s, 0, links...)
	insertLinks(t, s, 0, links...)
	syncReplicas(t, s, servers)

	for table, want := range map[string]uint64{
		EventsTable:                       uint64(len(events)),
		"lineage_disclosures":             disclosures(events),
		LinksTable:                        uint64(len(links)),
		"identity_links_by_identifier_v2": uint64(len(links)),
	} {
		if got := count(t, s.conn, table); got != want {
			t.Errorf("%s holds %d rows after the batch twice, want %d", table, got, want)
		}
	}
	// Each shard has some of the events, both its replicas the same number.
	var total uint64
	for i, shard := range servers {
		a, b := count(t, shard[0], s.cfg.Database+".lineage_events_local"), count(t, shard[1], s.cfg.Database+".lineage_events_local")
		if a == 0 || a != b {
			t.Errorf("shard %d: replicas hold %d and %d events", i+1, a, b)
		}
		total += a
	}
	if total != uint64(len(events)) {
		t.Errorf("the shards hold %d events, want %d", total, len(events))
	}
}

// clusterFixture stores the same data in s: subjects with direct events
// (recipientsFixture, lineagetest.Events), events under identifiers held
// by one customer, by nobody, and by two at once (exposureFixture's),
// a retried batch, consent facts.
func clusterFixture(t *testing.T, s *Store) {
	t.Helper()
	day := func(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }
	held, free, claimed := lineagetest.Identifier(lineage.MSISDN, 1), lineagetest.Identifier(lineage.MSISDN, 2), lineagetest.Identifier(lineage.MSISDN, 3)
	insert(t, s, 0, recipientsFixture()...)
	insert(t, s, 100, lineagetest.Events(11, 400, 30)...)
	cdrs := []lineage.Event{
		lineagetest.CDR(lineagetest.UUID(9001), held, day(1)),
		lineagetest.CDR(lineagetest.UUID(9002), free, day(1)),
		lineagetest.CDR(lineagetest.UUID(9003), claimed, day(1)),
		lineagetest.CDR(lineagetest.UUID(9004), held, day(7)),
	}
	insert(t, s, 1000, cdrs...)
	insert(t, s, 2000, cdrs[:2]...) // a retry of part of a batch
	insertLinks(t, s, 0,
		lineagetest.Link(lineagetest.Subject(5), held, day(-1), day(5)),
		lineagetest.Link(lineagetest.Subject(6), claimed, day(-1), time.Time{}),
		lineagetest.Link(lineagetest.Subject(7), claimed, day(0), time.Time{}))
	withdrawn := newFact(1, subjectfact.ConsentWithdrawn, lineagetest.Subject(3), t0)
	withdrawn.Purpose = "marketing"
	insertFacts(t, s, 0, withdrawn, newFact(2, subjectfact.ErasureRequested, lineagetest.Subject(4), t0))
}

// lookups is what the store's read functions answer on the fixture.
func lookups(t *testing.T, s *Store) map[string]any {
	t.Helper()
	ctx := t.Context()
	out := map[string]any{}
	for n := 1; n <= 31; n++ {
		subject := lineagetest.Subject(n)
		for _, restricted := range []Restricted{{Now: t0}, {Include: true}} {
			rs, err := s.Recipients(ctx, RecipientsQuery{SubjectID: subject, Restricted: restricted})
			if err != nil {
				t.Fatalf("Recipients of %s: %v", subject, err)
			}
			out[fmt.Sprintf("recipients %s %v", subject, restricted.Include)] = rs
		}
		// Small pages, so that paging across shards' rows is compared too.
		out["events "+subject] = readTimeline(t, s, EventsQuery{SubjectID: subject, Limit: 4, Restricted: Restricted{Include: true}})
	}
	for _, id := range []lineage.Identifier{lineagetest.Identifier(lineage.MSISDN, 1), lineagetest.Identifier(lineage.MSISDN, 3)} {
		h, err := s.Holders(ctx, id)
		if err != nil {
			t.Fatalf("Holders: %v", err)
		}
		out["holders "+id.Key()] = h
	}
	u, err := s.Unresolved(ctx)
	if err != nil {
		t.Fatalf("Unresolved: %v", err)
	}
	out["unresolved"] = u
	for _, q := range []ExposureQuery{
		{Kind: Recipient, Party: swedbank, Now: t0},
		{Kind: SourceSystem, Party: "cdr_mediation", Now: t0},
	} {
		e, err := s.Exposure(ctx, q)
		if err != nil {
			t.Fatalf("Exposure: %v", err)
		}
		out["exposure "+q.Party] = e
		subjects, err := s.ExposedSubjects(ctx, q, "", 100)
		if err != nil {
			t.Fatalf("ExposedSubjects: %v", err)
		}
		out["exposed "+q.Party] = subjects
	}
	flags, err := s.ConsentFlags(ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatalf("ConsentFlags: %v", err)
	}
	out["consent"] = flags
	erasures, err := s.Erasures(ctx, 10)
	if err != nil {
		t.Fatalf("Erasures: %v", err)
	}
	out["erasures"] = erasures
	return out
}

// TestClusterAnswersMatchSingleNode: the same data on one server and on
// the cluster gives the same answers from every read function compared:
// subjects' recipients and timelines (identity-resolved, contested windows
// included), an identifier's holders, the unresolved counts, a
// recipient's and a source system's exposure, consent flags.
func TestClusterAnswersMatchSingleNode(t *testing.T) {
	single := newMigratedStore(t)
	cluster, servers := clusterStore(t)
	if err := cluster.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	clusterFixture(t, single)
	clusterFixture(t, cluster)
	syncReplicas(t, cluster, servers)

	want, got := lookups(t, single), lookups(t, cluster)
	if len(want) < 70 {
		t.Fatalf("only %d answers compared", len(want))
	}
	nonEmpty := 0
	for key, w := range want {
		if !reflect.DeepEqual(got[key], w) {
			t.Errorf("%s:\ncluster     %+v\nsingle node %+v", key, got[key], w)
		}
		if v := reflect.ValueOf(w); v.Kind() == reflect.Slice && v.Len() > 0 || v.Kind() == reflect.Struct && !v.IsZero() {
			nonEmpty++
		}
	}
	if nonEmpty < len(want)/2 {
		t.Errorf("only %d of %d answers have anything in them", nonEmpty, len(want))
	}

	// The overview, once both are settled; settling again finds nothing
	// changed.
	window := OverviewQuery{From: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}
	var overviews [2]Overview
	for i, s := range []*Store{single, cluster} {
		if st, err := s.Settle(t.Context()); err != nil || st.Days == 0 {
			t.Fatalf("Settle: %+v, %v", st, err)
		}
		if i == 1 {
			syncReplicas(t, cluster, servers)
		}
		if st, err := s.Settle(t.Context()); err != nil || st.Days != 0 {
			t.Errorf("settled again: %+v, %v; want nothing to do", st, err)
		}
		o, err := s.Overview(t.Context(), window)
		if err != nil {
			t.Fatal(err)
		}
		overviews[i] = o
	}
	if len(overviews[0].Flows) == 0 || !reflect.DeepEqual(overviews[1], overviews[0]) {
		t.Errorf("overview:\ncluster     %+v\nsingle node %+v", overviews[1], overviews[0])
	}
}

// TestClusterSubjectLookupReadsOneShard: a lookup of a subject without
// identifiers reads its rows on its own shard only. ClickHouse 18.16 has no
// optimize_skip_unused_shards, so the other shard gets its part of the query
// too, but its primary key narrows that to a probe of the one or two
// granules (index_granularity 1024 rows) of each part where the subject's
// key would sort, and nothing is found there. Measured from system.query_log
// on every server, with prefer_localhost_replica=0 so that the initiator's
// own shard is queried like the other one and logged apart.
func TestClusterSubjectLookupReadsOneShard(t *testing.T) {
	s, servers := clusterStore(t)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	const events, granule = 20000, 1024
	insert(t, s, 0, lineagetest.Events(3, events, 50)...)
	syncReplicas(t, s, servers)
	subject := lineagetest.Subject(17)
	var home uint64 // shard index, from 0, of the subject (equal weights)
	if err := s.conn.QueryRow(t.Context(), "SELECT toUInt64(cityHash64(?) % ?)", subject, len(servers)).Scan(&home); err != nil {
		t.Fatal(err)
	}

	id := fmt.Sprintf("lookup-%d", time.Now().UnixNano())
	ctx := clickhouse.Context(t.Context(), clickhouse.WithQueryID(id), clickhouse.WithSettings(clickhouse.Settings{
		"log_queries": 1, "prefer_localhost_replica": 0,
	}))
	page, err := s.Events(ctx, EventsQuery{SubjectID: subject, Limit: 1000, Restricted: Restricted{Include: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) == 0 {
		t.Fatalf("%s has no events", subject)
	}
	read := make([]uint64, len(servers))
	for i, shard := range servers {
		for _, conn := range shard {
			if err := conn.Exec(t.Context(), "SYSTEM FLUSH LOGS"); err != nil {
				t.Fatal(err)
			}
			// A server that has logged no query yet has no query_log
			// table, even after the flush: it read nothing.
			var logged uint64
			if err := conn.QueryRow(t.Context(), "SELECT count() FROM system.tables WHERE database = 'system' AND name = 'query_log'").Scan(&logged); err != nil {
				t.Fatal(err)
			}
			if logged == 0 {
				continue
			}
			var rows uint64
			err := conn.QueryRow(t.Context(), "SELECT sum(read_rows) FROM system.query_log"+
				" WHERE type = 2 AND is_initial_query = 0 AND initial_query_id = ? AND query LIKE '%lineage_events_local%'", id).Scan(&rows)
			if err != nil {
				t.Fatalf("read query_log: %v", err)
			}
			read[i] += rows
		}
	}
	var parts uint64 // of the events on the other shard
	if err := servers[1-home][0].QueryRow(t.Context(), "SELECT count() FROM system.parts WHERE active AND database = ? AND table = ?",
		s.cfg.Database, EventsTable+localSuffix).Scan(&parts); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d events, on shard %d; rows read per shard %v, of %d events in all; parts on the other shard %d",
		subject, len(page.Events), home+1, read, events, parts)
	for i, rows := range read {
		switch {
		case uint64(i) == home && rows < uint64(len(page.Events)):
			t.Errorf("the subject's shard %d read %d rows for %d events", i+1, rows, len(page.Events))
		case uint64(i) != home && rows > 2*granule*parts:
			t.Errorf("shard %d, not the subject's, read %d rows: more than a probe of its %d parts", i+1, rows, parts)
		}
	}
}

// TestClusterLookupWithReplicaStopped: with one replica of the subject's
// shard stopped (the first server, which the pool connects to), a new
// store connects to the next server and the lookups answer as before from
// the other replica.
func TestClusterLookupWithReplicaStopped(t *testing.T) {
	s, servers := clusterStore(t)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	clusterFixture(t, s)
	syncReplicas(t, s, servers)
	before := lookups(t, s)

	chclustertest.StopReplica(t, 1, 1)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	after := openCluster(t, s.cfg.Database, chclustertest.Addrs())
	if err := after.Ping(ctx); err != nil {
		t.Fatalf("no server answers with shard 1 replica 1 stopped: %v", err)
	}
	if got := lookups(t, after); !reflect.DeepEqual(got, before) {
		for key := range before {
			if !reflect.DeepEqual(got[key], before[key]) {
				t.Errorf("%s with a replica stopped:\n%+v\nwant %+v", key, got[key], before[key])
			}
		}
	}
}
