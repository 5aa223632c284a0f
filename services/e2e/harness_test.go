package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/topics"
)

func clickhouseAddr() string {
	if a := os.Getenv("LINEAGE_TEST_CLICKHOUSE_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:9000"
}

var (
	buildMu  sync.Mutex
	binDir   string
	binBuilt = map[string]bool{}
)

// binary builds the service once per test run and returns its path.
func binary(tb testing.TB, svc string) string {
	tb.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if binDir == "" {
		dir, err := os.MkdirTemp("", "lineage-e2e-bin")
		if err != nil {
			tb.Fatal(err)
		}
		binDir = dir
	}
	path := filepath.Join(binDir, svc)
	if !binBuilt[svc] {
		cmd := exec.Command("go", "build", "-o", path, ".")
		cmd.Dir = filepath.Join("..", svc)
		if out, err := cmd.CombinedOutput(); err != nil {
			tb.Fatalf("build %s: %v\n%s", svc, err, out)
		}
		binBuilt[svc] = true
	}
	return path
}

// process is a running service binary; its output goes to a log file that
// is printed when the test fails.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func start(tb testing.TB, name, bin string, env ...string) *process {
	tb.Helper()
	return startArgs(tb, name, bin, nil, env...)
}

// startArgs is start with command-line arguments.
func startArgs(tb testing.TB, name, bin string, args []string, env ...string) *process {
	tb.Helper()
	logPath := filepath.Join(tb.TempDir(), name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(binary(tb, bin), args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	tb.Cleanup(func() {
		p.stop(tb)
		if tb.Failed() {
			b, _ := os.ReadFile(logPath)
			tb.Logf("--- %s log ---\n%s", name, tail(string(b), 40))
		}
	})
	return p
}

// stop sends SIGTERM and waits for a graceful exit.
func (p *process) stop(tb testing.TB) {
	tb.Helper()
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		if code := p.cmd.ProcessState.ExitCode(); code != 0 {
			tb.Errorf("%s exited with %d after SIGTERM", p.name, code)
		}
	case <-time.After(45 * time.Second):
		_ = p.cmd.Process.Kill()
		tb.Errorf("%s did not stop within 45 s of SIGTERM", p.name)
	}
}

// peakRSS is the process's high-water resident set, in bytes.
func (p *process) peakRSS() int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return -1
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitTCP(tb testing.TB, addr string) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("nothing listens on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func randomName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// startBroker runs the embedded broker binary with its own data directory.
func startBroker(tb testing.TB, partitions int) string {
	tb.Helper()
	addr := freeAddr(tb)
	start(tb, "broker", "broker",
		"BROKER_ADDR="+addr, "BROKER_DATA_DIR="+filepath.Join(tb.TempDir(), "broker"),
		"BROKER_PARTITIONS="+strconv.Itoa(partitions))
	waitTCP(tb, addr)
	return addr
}

func startMaterializer(tb testing.TB, name, broker, db string, extra ...string) *process {
	tb.Helper()
	return start(tb, name, "materializer", materializerEnv(tb, broker, db, extra...)...)
}

// materializerEnv configures a materializer (or one of its commands) for
// the test's broker and database; the group is named after the database.
func materializerEnv(tb testing.TB, broker, db string, extra ...string) []string {
	return append([]string{
		"MATERIALIZER_KAFKA_BROKERS=" + broker,
		"MATERIALIZER_CLICKHOUSE_ADDRS=" + clickhouseAddr(),
		"MATERIALIZER_CLICKHOUSE_DATABASE=" + db,
		"MATERIALIZER_CLICKHOUSE_USER=default",
		"MATERIALIZER_CLICKHOUSE_PASSWORD=",
		"MATERIALIZER_GROUP=" + db,
		"MATERIALIZER_BATCH_LINGER=200ms",
		"MATERIALIZER_HEALTH_ADDR=" + freeAddr(tb),
		"GOMEMLIMIT=" + os.Getenv("LINEAGE_BENCH_GOMEMLIMIT"),
	}, extra...)
}

// waitCaughtUp waits until the group committed the end of every partition
// of the events topic, and returns how long that took.
func waitCaughtUp(tb testing.TB, broker, group string, timeout time.Duration) time.Duration {
	tb.Helper()
	return waitTopicCaughtUp(tb, broker, group, topics.Events, timeout)
}

// waitTopicCaughtUp is waitCaughtUp for any topic.
func waitTopicCaughtUp(tb testing.TB, broker, group, topic string, timeout time.Duration) time.Duration {
	tb.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(broker))
	if err != nil {
		tb.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	began := time.Now()
	for {
		lag, err := topics.Lag(context.Background(), adm, group, topic)
		if err == nil && lag == 0 {
			return time.Since(began)
		}
		if time.Since(began) > timeout {
			tb.Fatalf("group %s did not catch up within %s: lag %d, %v", group, timeout, lag, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func clickhouseConn(tb testing.TB) clickhouse.Conn {
	tb.Helper()
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{clickhouseAddr()}})
	if err != nil {
		tb.Fatal(err)
	}
	if err := conn.Ping(context.Background()); err != nil {
		tb.Fatalf("clickhouse at %s (start it with scripts/clickhouse start): %v", clickhouseAddr(), err)
	}
	tb.Cleanup(func() { _ = conn.Close() })
	return conn
}

// dropDatabase removes a test's database; the name is the test's own.
func dropDatabase(tb testing.TB, db string) {
	if err := clickhouseConn(tb).Exec(context.Background(), "DROP DATABASE IF EXISTS "+db); err != nil {
		tb.Errorf("drop %s: %v", db, err)
	}
}

func countDistinct(tb testing.TB, db string) int {
	tb.Helper()
	var n uint64
	if err := clickhouseConn(tb).QueryRow(context.Background(), "SELECT uniqExact(event_id) FROM "+db+".lineage_events").Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return int(n)
}

// topicRecords is the number of records in topic (the sum of its end
// offsets: the project's topics are never compacted or trimmed in tests).
func topicRecords(tb testing.TB, broker, topic string) int64 {
	tb.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(broker))
	if err != nil {
		tb.Fatal(err)
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(context.Background(), topic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		tb.Fatal(err)
	}
	var n int64
	ends.Each(func(o kadm.ListedOffset) { n += o.Offset })
	return n
}

// startAPI runs the query API binary on the test's database with the
// DPO token of the end-to-end tests.
func startAPI(t testing.TB, broker, db string, extra ...string) string {
	t.Helper()
	addr := freeAddr(t)
	start(t, "api", "api", append([]string{
		"API_LISTEN_ADDR=" + addr, "API_KAFKA_BROKERS=" + broker,
		"API_CLICKHOUSE_ADDRS=" + clickhouseAddr(), "API_CLICKHOUSE_DATABASE=" + db,
		"API_CLICKHOUSE_USER=default", "API_CLICKHOUSE_PASSWORD=",
		"API_TOKENS=dpo:" + token, "API_CALLER_ROLES=dpo:dpo",
		// The suites count the events of their stores exactly, and read
		// every answer back as fast as they can: no rate limit.
		"API_CONSULTATIONS=false", "API_RATE_LIMIT=0", "API_LOG_LEVEL=warn"}, extra...)...)
	waitTCP(t, addr)
	return addr
}

// clickhouseServer is the project's local server, stopped and started with
// scripts/clickhouse. The suite runs only against that server.
type clickhouseServer struct {
	script  string
	env     []string
	stopped bool
}

func projectClickHouse(t testing.TB) *clickhouseServer {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("..", "..", "scripts", "clickhouse"))
	if err != nil {
		t.Fatal(err)
	}
	env := os.Environ()
	if _, port, err := net.SplitHostPort(clickhouseAddr()); err == nil && os.Getenv("LINEAGE_CH_NATIVE_PORT") == "" {
		env = append(env, "LINEAGE_CH_NATIVE_PORT="+port)
	}
	c := &clickhouseServer{script: script, env: env}
	if out, err := c.run("status"); err != nil {
		t.Fatalf("the fault suite stops and starts the project's ClickHouse with scripts/clickhouse, "+
			"but that script does not run the server at %s: %v\n%s", clickhouseAddr(), err, out)
	}
	// A failure in the middle of the outage must not leave the server down.
	t.Cleanup(func() {
		if c.stopped {
			if out, err := c.run("start"); err != nil {
				t.Errorf("start clickhouse again: %v\n%s", err, out)
			}
		}
	})
	return c
}

func (c *clickhouseServer) run(cmd string) ([]byte, error) {
	x := exec.Command(c.script, cmd)
	x.Env = c.env
	return x.CombinedOutput()
}

func (c *clickhouseServer) stop(t testing.TB) {
	t.Helper()
	c.stopped = true
	if out, err := c.run("stop"); err != nil {
		t.Fatalf("scripts/clickhouse stop: %v\n%s", err, out)
	}
}

func (c *clickhouseServer) start(t testing.TB) {
	t.Helper()
	if out, err := c.run("start"); err != nil {
		t.Fatalf("scripts/clickhouse start: %v\n%s", err, out)
	}
	c.stopped = false
}

// waitSettled waits until unsettled says that no day has events the
// overview's rollups do not count yet, and returns how long that took.
func waitSettled(tb testing.TB, timeout time.Duration, unsettled func() (int, error)) time.Duration {
	tb.Helper()
	began := time.Now()
	for {
		n, err := unsettled()
		if err == nil && n == 0 {
			return time.Since(began)
		}
		if time.Since(began) > timeout {
			tb.Fatalf("%d days not settled after %s (%v)", n, timeout, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
