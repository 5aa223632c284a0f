package chclustertest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/balticom/lineage/services/chstore/chclustertest"
)

// createEvents creates, on every server, a replicated table events_local
// (each shard's replicas share its ZooKeeper path) and a Distributed table
// events over it sharded by subject.
func createEvents(t *testing.T, admin clickhouse.Conn, db string) {
	t.Helper()
	ctx := context.Background()
	stmts := []string{
		"CREATE TABLE " + db + ".events_local ON CLUSTER " + chclustertest.Cluster +
			" (subject_id String, seq UInt64)" +
			" ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/" + db + "/events_local', '{replica}')" +
			" ORDER BY (subject_id, seq)",
		"CREATE TABLE " + db + ".events ON CLUSTER " + chclustertest.Cluster +
			" AS " + db + ".events_local" +
			" ENGINE = Distributed(" + chclustertest.Cluster + ", " + db + ", events_local, cityHash64(subject_id))",
	}
	for _, q := range stmts {
		if err := chclustertest.OnCluster(ctx, admin, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// insert sends rows seq from..to-1, subjects "subject-<seq mod subjects>",
// as one block into table on conn.
func insert(ctx context.Context, t *testing.T, conn clickhouse.Conn, table string, from, to, subjects int) {
	t.Helper()
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+table+" (subject_id, seq)")
	if err != nil {
		t.Fatalf("prepare insert into %s: %v", table, err)
	}
	for i := from; i < to; i++ {
		if err := batch.Append(fmt.Sprintf("subject-%d", i%subjects), uint64(i)); err != nil {
			t.Fatalf("append to %s: %v", table, err)
		}
	}
	if err := batch.Send(); err != nil {
		t.Fatalf("insert into %s: %v", table, err)
	}
}

// syncInsert makes an insert into a Distributed table return only when
// every shard has its rows (18.16's name of the setting).
func syncInsert() context.Context {
	return clickhouse.Context(context.Background(),
		clickhouse.WithSettings(clickhouse.Settings{"insert_distributed_sync": 1}))
}

// content is what one server holds in a table: its row count and an
// order-independent checksum of the rows.
type content struct {
	Rows uint64
	Sum  uint64
}

func contentOf(t *testing.T, conn clickhouse.Conn, table string) content {
	t.Helper()
	c, err := readContent(conn, table)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func readContent(conn clickhouse.Conn, table string) (content, error) {
	var c content
	row := conn.QueryRow(context.Background(),
		"SELECT count(), sum(cityHash64(subject_id, seq)) FROM "+table)
	if err := row.Scan(&c.Rows, &c.Sum); err != nil {
		return c, fmt.Errorf("read %s: %w", table, err)
	}
	return c, nil
}

// converge polls until both replicas of a shard hold the same rows of
// table and returns them; replication is asynchronous. A failed read is
// retried too: a pool's connection to a restarted server fails once.
func converge(t *testing.T, a, b clickhouse.Conn, table string, deadline time.Duration) content {
	t.Helper()
	end := time.Now().Add(deadline)
	for {
		ca, errA := readContent(a, table)
		cb, errB := readContent(b, table)
		if errA == nil && errB == nil && ca == cb {
			return ca
		}
		if time.Now().After(end) {
			t.Fatalf("replicas of %s still differ after %s: %+v (%v) and %+v (%v)", table, deadline, ca, errA, cb, errB)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// conns opens a connection to each server, indexed [shard-1][replica-1].
func conns(t *testing.T) [][]clickhouse.Conn {
	t.Helper()
	out := make([][]clickhouse.Conn, chclustertest.Shards())
	for _, r := range chclustertest.ShardReplicas() {
		out[r.Shard-1] = append(out[r.Shard-1], chclustertest.Conn(t, r.Addr))
	}
	return out
}

func TestLayout(t *testing.T) {
	chclustertest.Require(t)
	ctx := context.Background()
	for _, r := range chclustertest.ShardReplicas() {
		conn := chclustertest.Conn(t, r.Addr)
		var shard, replica string
		if err := conn.QueryRow(ctx, "SELECT"+
			" anyIf(substitution, macro = 'shard'), anyIf(substitution, macro = 'replica') FROM system.macros",
		).Scan(&shard, &replica); err != nil {
			t.Fatalf("%s: macros: %v", r.Addr, err)
		}
		if want := fmt.Sprintf("%02d", r.Shard); shard != want || replica != r.Name() {
			t.Errorf("%s: macros shard=%q replica=%q, want %q and %q", r.Addr, shard, replica, want, r.Name())
		}
		var shards, replicas uint64
		if err := conn.QueryRow(ctx,
			"SELECT uniqExact(shard_num), count() FROM system.clusters WHERE cluster = ?", chclustertest.Cluster,
		).Scan(&shards, &replicas); err != nil {
			t.Fatalf("%s: system.clusters: %v", r.Addr, err)
		}
		if int(shards) != chclustertest.Shards() || int(replicas) != len(chclustertest.Addrs()) {
			t.Errorf("%s: cluster %s has %d shards, %d servers; want %d and %d",
				r.Addr, chclustertest.Cluster, shards, replicas, chclustertest.Shards(), len(chclustertest.Addrs()))
		}
		var zkNodes uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM system.zookeeper WHERE path = '/'").Scan(&zkNodes); err != nil {
			t.Errorf("%s: no ZooKeeper session: %v", r.Addr, err)
		}
	}
}

// TestDistributedInsertReachesEveryShardAndReplica: rows inserted through
// the Distributed table land on the shard their subject hashes to, and on
// both replicas of it.
func TestDistributedInsertReachesEveryShardAndReplica(t *testing.T) {
	admin, db := chclustertest.Fresh(t, "clu_spread_")
	createEvents(t, admin, db)
	servers := conns(t)
	const rows, subjects = 400, 40

	// Through the last server: it holds a part of the rows and forwards the
	// rest.
	last := servers[len(servers)-1][chclustertest.ReplicasPerShard-1]
	insert(syncInsert(), t, last, db+".events", 0, rows, subjects)

	var total uint64
	for i, shard := range servers {
		got := converge(t, shard[0], shard[1], db+".events_local", 30*time.Second)
		if got.Rows == 0 {
			t.Errorf("shard %d received no rows of %d", i+1, rows)
		}
		total += got.Rows
		// The sharding key with equal weights: shard i+1 holds the subjects
		// whose hash leaves remainder i.
		var misplaced uint64
		if err := shard[0].QueryRow(context.Background(),
			"SELECT count() FROM "+db+".events_local WHERE cityHash64(subject_id) % ? != ?",
			len(servers), i,
		).Scan(&misplaced); err != nil {
			t.Fatal(err)
		}
		if misplaced != 0 {
			t.Errorf("shard %d holds %d rows of another shard's subjects", i+1, misplaced)
		}
	}
	if total != rows {
		t.Errorf("the shards hold %d rows in all, want %d", total, rows)
	}
	for _, shard := range servers {
		for _, conn := range shard {
			if got := contentOf(t, conn, db+".events"); got.Rows != rows {
				t.Errorf("the Distributed table reads %d rows, want %d", got.Rows, rows)
			}
		}
	}
}

// TestReplicatedBlockDeduplication: the same block inserted again, into
// either replica, is stored once; a different block is stored.
func TestReplicatedBlockDeduplication(t *testing.T) {
	admin, db := chclustertest.Fresh(t, "clu_dedup_")
	createEvents(t, admin, db)
	shard1 := conns(t)[0]
	ctx := context.Background()
	table := db + ".events_local"

	insert(ctx, t, shard1[0], table, 0, 50, 7)
	first := converge(t, shard1[0], shard1[1], table, 30*time.Second)
	if first.Rows != 50 {
		t.Fatalf("after one insert of 50 rows: %d", first.Rows)
	}
	insert(ctx, t, shard1[0], table, 0, 50, 7) // a retry, to the same replica
	insert(ctx, t, shard1[1], table, 0, 50, 7) // and to the other one
	if got := converge(t, shard1[0], shard1[1], table, 30*time.Second); got != first {
		t.Errorf("the same block three times: %+v, want %+v as after the first", got, first)
	}

	insert(ctx, t, shard1[1], table, 50, 100, 7)
	if got := converge(t, shard1[0], shard1[1], table, 30*time.Second); got.Rows != 100 {
		t.Errorf("after a second, different block of 50 rows: %d rows, want 100", got.Rows)
	}
}

// TestStoppedReplicaCatchesUp: rows inserted while a replica is down reach
// it once it is started again.
func TestStoppedReplicaCatchesUp(t *testing.T) {
	admin, db := chclustertest.Fresh(t, "clu_catchup_")
	createEvents(t, admin, db)
	servers := conns(t)
	table := db + ".events_local"
	const subjects = 30

	insert(syncInsert(), t, servers[1][0], db+".events", 0, 100, subjects)
	before := converge(t, servers[0][0], servers[0][1], table, 30*time.Second)

	chclustertest.StopReplica(t, 1, 2)
	if err := servers[0][1].Ping(context.Background()); err == nil {
		t.Fatal("shard 1 replica 2 still answers after stop-replica")
	}
	// Through shard 2, whose Distributed insert fails over to the live
	// replica of shard 1.
	insert(syncInsert(), t, servers[1][0], db+".events", 100, 300, subjects)
	during := contentOf(t, servers[0][0], table)
	if during.Rows <= before.Rows {
		t.Fatalf("shard 1 replica 1 got no rows while replica 2 was down: %d before, %d after", before.Rows, during.Rows)
	}

	chclustertest.StartReplica(t, 1, 2)
	got := converge(t, servers[0][0], servers[0][1], table, 60*time.Second)
	if got != during {
		t.Errorf("after catching up the replicas hold %+v, want %+v", got, during)
	}
	var queue, readonly uint64
	if err := servers[0][1].QueryRow(context.Background(),
		"SELECT toUInt64(queue_size), toUInt64(is_readonly) FROM system.replicas WHERE database = ? AND table = 'events_local'", db,
	).Scan(&queue, &readonly); err != nil {
		t.Fatal(err)
	}
	if readonly != 0 {
		t.Errorf("the restarted replica is read-only (no ZooKeeper session)")
	}
	if queue != 0 {
		t.Errorf("the restarted replica has %d entries left in its replication queue", queue)
	}
}
