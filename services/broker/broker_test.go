package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/topics"
)

// records is how many records each test writes: enough for several batches
// on every partition.
const records = 10_000

// TestRestartAfterSIGTERM checks the graceful path: every acknowledged record
// is there after a stop and a start on the same data directory, and the
// topics seeded on the first start are loaded, not seeded again.
func TestRestartAfterSIGTERM(t *testing.T) {
	testRestart(t, syscall.SIGTERM)
}

// TestRestartAfterSIGKILL checks that acknowledged records survive the
// broker being killed without a chance to save its state. Without
// BROKER_SYNC_WRITES the records are in the page cache, not on the disk,
// which is enough as long as only the process dies.
func TestRestartAfterSIGKILL(t *testing.T) {
	testRestart(t, syscall.SIGKILL)
}

func testRestart(t *testing.T, sig syscall.Signal) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	bin := buildBroker(t)
	dataDir := t.TempDir()

	b := startBroker(ctx, t, bin, dataDir)
	produce(ctx, t, b.addr, topics.Events, records)
	b.stop(t, sig)

	b = startBroker(ctx, t, bin, dataDir)
	checkTopics(ctx, t, b.addr)
	got := readAll(ctx, t, b.addr, topics.Events)
	checkExactly(t, got, records)
	b.stop(t, syscall.SIGTERM)
}

// TestSIGKILLWhileProducing kills the broker in the middle of a stream of
// produce requests, the way a crash happens: the data directory then ends in
// whatever was being written. The broker must start on it, and every record
// it acknowledged must be there.
func TestSIGKILLWhileProducing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	bin := buildBroker(t)
	dataDir := t.TempDir()

	b := startBroker(ctx, t, bin, dataDir)
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(b.addr),
		kgo.DefaultProduceTopic(topics.Events),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		// Records in flight at the kill fail instead of waiting for the
		// broker to come back.
		kgo.RecordRetries(0),
		kgo.RecordDeliveryTimeout(5*time.Second),
	)
	if err != nil {
		t.Fatal(err)
	}
	const max = 200_000
	var (
		mu    sync.Mutex
		acked = make([]bool, max)
		nack  int
		wg    sync.WaitGroup
	)
	killAt := make(chan struct{})
	var once sync.Once
	pctx, stopProducing := context.WithCancel(ctx)
	produced := make(chan struct{})
	// Close fails the records still buffered, so every callback has run
	// after it; the producing loop must have ended first, as wg.Add must
	// not race with wg.Wait.
	closeProducer := sync.OnceFunc(func() {
		stopProducing()
		<-produced
		cl.Close()
	})
	defer closeProducer()
	go func() {
		defer close(produced)
		for i := 0; i < max && pctx.Err() == nil; i++ {
			wg.Add(1)
			cl.Produce(pctx, record(i), func(_ *kgo.Record, err error) {
				defer wg.Done()
				if err != nil {
					return
				}
				mu.Lock()
				acked[i] = true
				nack++
				if nack >= 2*records {
					once.Do(func() { close(killAt) })
				}
				mu.Unlock()
			})
		}
	}()
	select {
	case <-killAt:
	case <-ctx.Done():
		t.Fatalf("fewer than %d records acknowledged: %v", 2*records, ctx.Err())
	}
	b.stop(t, syscall.SIGKILL)
	closeProducer()
	wg.Wait()

	b = startBroker(ctx, t, bin, dataDir)
	got := readAll(ctx, t, b.addr, topics.Events)
	b.stop(t, syscall.SIGTERM)

	missing := 0
	for i, ok := range acked {
		if ok && !got[i] {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged records missing after SIGKILL", missing, nack)
	}
	t.Logf("all %d acknowledged records there after SIGKILL, %d stored", nack, len(got))
}

// TestTopicMissingFromDataDir starts the broker on a data directory that has
// only the events topic, as one written before the other topics existed would.
// The broker must create the others, and records written to a topic created
// that way must survive a SIGKILL as well as seeded ones do.
func TestTopicMissingFromDataDir(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	bin := buildBroker(t)
	dataDir := t.TempDir()

	old, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.DataDir(dataDir), kfake.SeedTopics(topics.DefaultPartitions, topics.Events))
	if err != nil {
		t.Fatalf("write an old data directory: %v", err)
	}
	old.Close()

	b := startBroker(ctx, t, bin, dataDir)
	checkTopics(ctx, t, b.addr)
	produce(ctx, t, b.addr, topics.Audit, records)
	b.stop(t, syscall.SIGKILL)

	b = startBroker(ctx, t, bin, dataDir)
	got := readAll(ctx, t, b.addr, topics.Audit)
	checkExactly(t, got, records)
	b.stop(t, syscall.SIGTERM)
}

// buildBroker builds this package's binary, so the test runs what a
// developer runs, signals and exit codes included.
func buildBroker(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "broker")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// brokerProc is a running broker binary.
type brokerProc struct {
	cmd  *exec.Cmd
	addr string
	logs *lockedBuffer
	done chan struct{} // closed when the process has exited
	err  error         // the exit status; read after done
}

// lockedBuffer collects the broker's log lines from its reader goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startBroker starts the binary on a free loopback port and returns once it
// has logged the address it listens on.
func startBroker(ctx context.Context, t *testing.T, bin, dataDir string) *brokerProc {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"BROKER_ADDR=127.0.0.1:0",
		"BROKER_DATA_DIR="+dataDir,
		"BROKER_LOG_LEVEL=info",
	)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start broker: %v", err)
	}
	b := &brokerProc{cmd: cmd, logs: new(lockedBuffer), done: make(chan struct{})}
	addrc := make(chan string, 1)
	go func() {
		b.scanLogs(stderr, addrc)
		b.err = cmd.Wait()
		close(b.done)
	}()
	t.Cleanup(func() {
		select {
		case <-b.done:
		default:
			_ = cmd.Process.Kill()
			<-b.done
		}
		if t.Failed() {
			t.Logf("broker log:\n%s", b.logs.String())
		}
	})

	select {
	case b.addr = <-addrc:
		return b
	case <-b.done:
		t.Fatalf("broker exited before listening: %v\n%s", b.err, b.logs.String())
	case <-ctx.Done():
		t.Fatalf("broker did not log its address: %v\n%s", ctx.Err(), b.logs.String())
	}
	return nil
}

// scanLogs copies the broker's JSON log lines into b.logs and sends the
// address of the "listening" line on addrc.
func (b *brokerProc) scanLogs(r io.Reader, addrc chan<- string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Bytes()
		_, _ = b.logs.Write(append(line, '\n'))
		var entry struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal(line, &entry) == nil && entry.Msg == "listening" {
			addrc <- entry.Addr
		}
	}
}

// stop sends sig and waits for the process to exit. After SIGTERM the
// broker must exit 0; after SIGKILL it cannot.
func (b *brokerProc) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := b.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal broker: %v", err)
	}
	select {
	case <-b.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("broker still runs 30s after %v", sig)
	}
	if sig == syscall.SIGTERM && b.err != nil {
		t.Fatalf("broker exit after SIGTERM: %v\n%s", b.err, b.logs.String())
	}
}

// record is the i-th test record; its value is i. Keys spread the records
// over all partitions, as subject ids do.
func record(i int) *kgo.Record {
	return &kgo.Record{Key: fmt.Appendf(nil, "subject-%d", i%997), Value: strconv.AppendInt(nil, int64(i), 10)}
}

// produce writes records 0..n-1 to topic with acks=all and fails the test
// unless every one is acknowledged.
func produce(ctx context.Context, t *testing.T, addr, topic string, n int) {
	t.Helper()
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(addr),
		kgo.DefaultProduceTopic(topic),
		kgo.RequiredAcks(kgo.AllISRAcks()),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		failed   int
	)
	start := time.Now()
	for i := range n {
		wg.Add(1)
		cl.Produce(ctx, record(i), func(_ *kgo.Record, err error) {
			defer wg.Done()
			if err != nil {
				mu.Lock()
				failed++
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if failed > 0 {
		t.Fatalf("%d of %d records not acknowledged, first error: %v", failed, n, firstErr)
	}
	t.Logf("produced %d records to %s in %s", n, topic, time.Since(start).Round(time.Millisecond))
}

// checkTopics checks that a restarted broker has every project topic with
// its partitions: topics seeded on the first start are loaded from the data
// directory, not seeded again.
func checkTopics(ctx context.Context, t *testing.T, addr string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	details, err := kadm.NewClient(cl).ListTopics(ctx, topics.All()...)
	if err != nil {
		t.Fatalf("list topics: %v", err)
	}
	for _, name := range topics.All() {
		d, ok := details[name]
		switch {
		case !ok || d.Err != nil:
			t.Errorf("topic %s after restart: missing (%v)", name, d.Err)
		case len(d.Partitions) != topics.DefaultPartitions:
			t.Errorf("topic %s after restart: %d partitions, want %d", name, len(d.Partitions), topics.DefaultPartitions)
		}
	}
}

// readAll reads topic from the start to its end offsets and returns how many
// times each value was read. Reading to the end offsets rather than to an
// expected count makes a loss a count instead of a timeout.
func readAll(ctx context.Context, t *testing.T, addr, topic string) map[int]bool {
	t.Helper()
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(addr),
		kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(200*time.Millisecond),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()

	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatalf("list end offsets: %v", err)
	}
	var stored int64
	ends.Each(func(o kadm.ListedOffset) { stored += o.Offset })

	seen := make(map[int]bool, stored)
	var read int64
	for read < stored {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of %d stored records before %v", read, stored, ctx.Err())
		}
		fetches.EachError(func(topic string, p int32, err error) {
			t.Fatalf("fetch %s/%d: %v", topic, p, err)
		})
		fetches.EachRecord(func(r *kgo.Record) {
			read++
			v, err := strconv.Atoi(string(r.Value))
			if err != nil {
				t.Fatalf("unexpected record value %q at %s/%d@%d", r.Value, r.Topic, r.Partition, r.Offset)
			}
			if seen[v] {
				t.Fatalf("value %d read twice, again at %s/%d@%d", v, r.Topic, r.Partition, r.Offset)
			}
			seen[v] = true
		})
	}
	return seen
}

// checkExactly fails the test unless got holds exactly the values 0..n-1.
func checkExactly(t *testing.T, got map[int]bool, n int) {
	t.Helper()
	missing := 0
	for i := range n {
		if !got[i] {
			missing++
		}
	}
	if missing > 0 || len(got) != n {
		t.Fatalf("%d of %d records missing after the restart, %d stored", missing, n, len(got))
	}
	t.Logf("all %d records there after the restart", n)
}
