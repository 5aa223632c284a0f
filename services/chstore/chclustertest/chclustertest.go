// Package chclustertest gives tests the project's ClickHouse test cluster,
// the one scripts/cluster runs: cluster "lineage" of 2 shards × 2 replicas
// coordinated by ZooKeeper. It says where the servers are and which is
// which, creates a database of a test's own on every server (ON CLUSTER)
// and drops it when the test ends, and stops and starts one replica.
//
// A test that needs the cluster is skipped when it does not answer, unless
// LINEAGE_CLUSTER_TESTS=1 (scripts/test sets it after starting the
// cluster): then it fails.
package chclustertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Cluster is the name of the cluster in the servers' remote_servers, for
// ON CLUSTER and Distributed(...).
const Cluster = "lineage"

// ReplicasPerShard is how many consecutive addresses of Addrs make a shard.
const ReplicasPerShard = 2

// defaultAddrs are the native ports scripts/cluster uses when
// LINEAGE_CLUSTER_BASE_PORT is not set.
var defaultAddrs = []string{"127.0.0.1:9101", "127.0.0.1:9102", "127.0.0.1:9103", "127.0.0.1:9104"}

// Addrs returns the servers' native addresses shard by shard, replica by
// replica (s1-r1, s1-r2, s2-r1, s2-r2): LINEAGE_TEST_CLUSTER_ADDRS, comma
// separated (what `scripts/cluster addrs` prints), or scripts/cluster's
// defaults.
func Addrs() []string {
	env := os.Getenv("LINEAGE_TEST_CLUSTER_ADDRS")
	if env == "" {
		return append([]string(nil), defaultAddrs...)
	}
	var addrs []string
	for _, a := range strings.Split(env, ",") {
		if a = strings.TrimSpace(a); a != "" {
			addrs = append(addrs, a)
		}
	}
	return addrs
}

// Replica is one server of the cluster. Shard and Replica count from 1.
type Replica struct {
	Shard   int
	Replica int
	Addr    string
}

// Name is the server's name in scripts/cluster and its {replica} macro,
// such as "s1-r2".
func (r Replica) Name() string { return fmt.Sprintf("s%d-r%d", r.Shard, r.Replica) }

// ShardReplicas returns the servers of Addrs with their shard and replica
// numbers, in the same order.
func ShardReplicas() []Replica {
	addrs := Addrs()
	out := make([]Replica, len(addrs))
	for i, a := range addrs {
		out[i] = Replica{Shard: i/ReplicasPerShard + 1, Replica: i%ReplicasPerShard + 1, Addr: a}
	}
	return out
}

// Shards returns the number of shards of Addrs.
func Shards() int { return len(Addrs()) / ReplicasPerShard }

// Server returns the server with the given shard and replica numbers, and
// fails the test when Addrs has none.
func Server(t testing.TB, shard, replica int) Replica {
	t.Helper()
	for _, r := range ShardReplicas() {
		if r.Shard == shard && r.Replica == replica {
			return r
		}
	}
	t.Fatalf("the cluster has no shard %d replica %d (addresses %v)", shard, replica, Addrs())
	return Replica{}
}

func required() bool { return os.Getenv("LINEAGE_CLUSTER_TESTS") == "1" }

// Require skips the test unless every server of the cluster answers, or
// fails it when LINEAGE_CLUSTER_TESTS=1.
func Require(t testing.TB) {
	t.Helper()
	shareCluster(t)
	addrs := Addrs()
	err := checkLayout(addrs)
	for _, a := range addrs {
		if err != nil {
			break
		}
		err = ping(a)
	}
	if err == nil {
		return
	}
	if required() {
		t.Fatalf("clickhouse cluster (LINEAGE_CLUSTER_TESTS=1 requires it; start it with scripts/cluster start): %v", err)
	}
	t.Skipf("clickhouse cluster not available (start it with scripts/cluster start; LINEAGE_CLUSTER_TESTS=1 makes this a failure): %v", err)
}

func checkLayout(addrs []string) error {
	if len(addrs) == 0 || len(addrs)%ReplicasPerShard != 0 {
		return fmt.Errorf("LINEAGE_TEST_CLUSTER_ADDRS has %d addresses, want %d per shard", len(addrs), ReplicasPerShard)
	}
	return nil
}

func ping(addr string) error {
	conn, err := clickhouse.Open(options(addr))
	if err != nil {
		return fmt.Errorf("open %s: %w", addr, err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := conn.Ping(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", addr, err)
	}
	return nil
}

func options(addrs ...string) *clickhouse.Options {
	return &clickhouse.Options{
		Addr:        addrs,
		Protocol:    clickhouse.Native,
		DialTimeout: 2 * time.Second,
		// Failover in Addrs order, so that a conn to all servers reaches
		// the first that is up when a replica is stopped.
		ConnOpenStrategy: clickhouse.ConnOpenInOrder,
	}
}

// Conn opens a connection as the default user (admin: DDL, any database)
// to the given addresses, tried in order, closed when the test ends.
func Conn(t testing.TB, addrs ...string) clickhouse.Conn {
	t.Helper()
	conn, err := clickhouse.Open(options(addrs...))
	if err != nil {
		t.Fatalf("open clickhouse at %v: %v", addrs, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// ddlTimeout bounds how long an ON CLUSTER query waits for every server:
// shorter than 18.16's 180 s default, so that a server left stopped fails
// the cleanup in a minute rather than three.
const ddlTimeout = 60

// Fresh requires the cluster, creates a database named prefix and random
// hex on every server (ON CLUSTER), and drops it from every server when the
// test ends. It returns an admin connection to all servers (the first that
// answers is used) and the database name.
func Fresh(t testing.TB, prefix string) (clickhouse.Conn, string) {
	t.Helper()
	Require(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	db := prefix + hex.EncodeToString(b[:])
	admin := Conn(t, Addrs()...)
	if err := OnCluster(context.Background(), admin, "CREATE DATABASE "+db+" ON CLUSTER "+Cluster); err != nil {
		t.Fatalf("create database %s: %v", db, err)
	}
	t.Cleanup(func() {
		if err := DropDatabase(context.Background(), admin, db); err != nil {
			t.Errorf("drop database %s: %v", db, err)
		}
	})
	return admin, db
}

// dropWait bounds how long DropDatabase waits for a drop that the servers
// run in the background.
const dropWait = 5 * time.Minute

// codeTimeoutExceeded is 18.16's answer to an ON CLUSTER query that some
// server has not run within distributed_ddl_task_timeout; the servers run
// it later all the same.
const codeTimeoutExceeded = 159

// DropDatabase drops db from every server (ON CLUSTER) and returns once no
// server lists it. A drop can wait in the servers' queue behind the other
// packages' tasks for longer than an ON CLUSTER query waits (a loaded
// machine, every replicated table's ZooKeeper nodes to remove): 18.16 then
// answers TIMEOUT_EXCEEDED ("going to execute the query in background"),
// seen in CI after a run whose every check had passed, and DropDatabase
// waits for the servers instead, at most dropWait.
func DropDatabase(ctx context.Context, conn clickhouse.Conn, db string) error {
	err := OnCluster(ctx, conn, "DROP DATABASE IF EXISTS "+db+" ON CLUSTER "+Cluster)
	var exception *clickhouse.Exception
	if err == nil || !errors.As(err, &exception) || exception.Code != codeTimeoutExceeded {
		return err
	}
	deadline := time.Now().Add(dropWait)
	for {
		left, lerr := serversWith(ctx, db)
		switch {
		case lerr == nil && len(left) == 0:
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("%w; after %s more, still on %v (%v)", err, dropWait, left, lerr)
		}
		time.Sleep(time.Second)
	}
}

// serversWith returns the servers that list database db.
func serversWith(ctx context.Context, db string) ([]string, error) {
	var left []string
	for _, addr := range Addrs() {
		conn, err := clickhouse.Open(options(addr))
		if err != nil {
			return nil, err
		}
		var n uint64
		err = conn.QueryRow(ctx, "SELECT count() FROM system.databases WHERE name = ?", db).Scan(&n)
		_ = conn.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", addr, err)
		}
		if n > 0 {
			left = append(left, addr)
		}
	}
	return left, nil
}

// OnCluster runs an ON CLUSTER query and waits until every server has run
// it (at most a minute): 18.16 answers with a row per server and fails the
// query when one of them failed.
func OnCluster(ctx context.Context, conn clickhouse.Conn, query string) error {
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"distributed_ddl_task_timeout": ddlTimeout}))
	return conn.Exec(ctx, query)
}

// StopReplica stops one server with scripts/cluster stop-replica and
// starts it again when the test ends (StartReplica does it earlier). The
// test's hold on the cluster becomes exclusive until then: an ON CLUSTER
// query waits for every server, so no other package's test (go test runs
// packages in parallel) may start while a replica is down, and none may
// stop the other replica of the shard.
func StopReplica(t testing.TB, shard, replica int) {
	t.Helper()
	r := Server(t, shard, replica)
	h := held(t)
	if err := h.lock(syscall.LOCK_EX); err != nil {
		t.Fatalf("hold the cluster alone: %v", err)
	}
	t.Cleanup(func() {
		if err := runScript("start-replica", r); err != nil {
			t.Errorf("restart %s after the test: %v", r.Name(), err)
		}
		if err := h.lock(syscall.LOCK_SH); err != nil {
			t.Errorf("share the cluster again: %v", err)
		}
	})
	if err := runScript("stop-replica", r); err != nil {
		t.Fatalf("stop %s: %v", r.Name(), err)
	}
}

// StartReplica starts a server stopped by StopReplica and waits until it
// answers and has its ZooKeeper session.
func StartReplica(t testing.TB, shard, replica int) {
	t.Helper()
	r := Server(t, shard, replica)
	if err := runScript("start-replica", r); err != nil {
		t.Fatalf("start %s: %v", r.Name(), err)
	}
}

// runScript runs scripts/cluster CMD sN rM, in the environment of the test
// (LINEAGE_CLUSTER_BASE_PORT and LINEAGE_ZK_PORT, if set, reach it).
func runScript(cmd string, r Replica) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, filepath.Join(root, "scripts", "cluster"), cmd,
		fmt.Sprintf("s%d", r.Shard), fmt.Sprintf("r%d", r.Replica))
	c.Dir = root
	out, err := c.CombinedOutput()
	if err != nil {
		return fmt.Errorf("scripts/cluster %s %s: %w\n%s", cmd, r.Name(), err, out)
	}
	return nil
}

// repoRoot is the nearest directory above the test's working directory
// (its package's) that holds scripts/cluster.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find scripts/cluster: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "scripts", "cluster")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find scripts/cluster: not in any directory above the test's")
		}
		dir = parent
	}
}

// A test holds the cluster from Require to its end: shared by default, so
// the tests of several packages run side by side, and exclusive while it
// has a replica stopped. The hold is a flock on .run/cluster/cluster.lock,
// one open file per test, so that a test converts its own lock rather than
// waiting for itself.
type hold struct{ f *os.File }

var holds sync.Map // testing.TB → *hold

func (h *hold) lock(how int) error { return syscall.Flock(int(h.f.Fd()), how) }

// shareCluster takes the test's shared hold, once, waiting while another
// test holds the cluster alone.
func shareCluster(t testing.TB) {
	t.Helper()
	if _, ok := holds.Load(t); ok {
		return
	}
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, ".run", "cluster")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("hold the cluster: %v", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "cluster.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatalf("hold the cluster: %v", err)
	}
	h := &hold{f: f}
	if err := h.lock(syscall.LOCK_SH); err != nil {
		_ = f.Close()
		t.Fatalf("hold the cluster: %v", err)
	}
	holds.Store(t, h)
	t.Cleanup(func() {
		holds.Delete(t)
		_ = f.Close() // closing the file releases the lock
	})
}

// held is the test's hold, taken now if Require did not.
func held(t testing.TB) *hold {
	t.Helper()
	shareCluster(t)
	h, _ := holds.Load(t)
	return h.(*hold)
}
