//go:build faults

package e2e

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// The fault suite: "nothing lost, nothing doubled: the pipeline under
// faults". One run drives LINEAGE_FAULTS_EVENTS events (default 1,000,000)
// through the SDK, the broker binary, a fleet of materializer processes and
// ClickHouse into the query API, while, one scenario after the other,
//
//   - member kills: members are SIGKILLed in the middle of an INSERT (seen
//     in ClickHouse's process list and tied to the process by its
//     connection) and started again, LINEAGE_FAULTS_KILLS times (20);
//   - clickhouse outage: the server is stopped with scripts/clickhouse for
//     LINEAGE_FAULTS_CH_OUTAGE (60s) while a batch is being inserted; the
//     members must back off in the same processes and catch up;
//   - broker restarts: SIGTERM and start on the same address and data
//     directory, then SIGKILL and start, each time down for
//     LINEAGE_FAULTS_BROKER_DOWN (6s), longer than the producer's delivery
//     timeout: publishing fails and is retried with the same events, and
//     producers and consumers reconnect;
//   - rebalances: members join and leave the group while the load flows.
//
// Each scenario feeds its share of the load while its faults happen, and
// ends with a checkpoint: once the group has caught up, every produced event
// must be in ClickHouse or in the dead-letter topic, every poison record in
// the dead-letter topic, and the API's answers for a sample of subjects
// (recipients, and the whole timeline page by page) must hold each produced
// event exactly once, newest first, as produced. Events are also published
// twice on purpose, as a producer does when an acknowledgement is lost.
//
// LINEAGE_FAULTS_MEMBERS (3) sizes the group and LINEAGE_FAULTS_SUBJECTS
// (200) the sample of subjects; the subjects of re-published events are
// checked on top of it.
//
// Run it with scripts/faults, or:
//
//	cd services/e2e && go test -tags faults -run Faults -timeout 60m -v .
//
// It stops and starts the ClickHouse server that scripts/clickhouse runs
// for this checkout, so it needs that server (and no one else's tests on
// it during the outage).

type faultConfig struct {
	events  int           // LINEAGE_FAULTS_EVENTS
	outage  time.Duration // LINEAGE_FAULTS_CH_OUTAGE
	kills   int           // LINEAGE_FAULTS_KILLS
	members int           // LINEAGE_FAULTS_MEMBERS
	sample  int           // LINEAGE_FAULTS_SUBJECTS: subjects whose answers are checked
	// brokerDown is how long the broker stays down in each restart
	// (LINEAGE_FAULTS_BROKER_DOWN): longer than the producer's delivery
	// timeout, so that publishing fails and is retried.
	brokerDown time.Duration
}

func loadFaultConfig(t *testing.T) faultConfig {
	t.Helper()
	c := faultConfig{
		events:  envInt("LINEAGE_FAULTS_EVENTS", 1_000_000),
		kills:   envInt("LINEAGE_FAULTS_KILLS", 20),
		members: envInt("LINEAGE_FAULTS_MEMBERS", 3),
		sample:  envInt("LINEAGE_FAULTS_SUBJECTS", 200),
	}
	c.outage = envDuration(t, "LINEAGE_FAULTS_CH_OUTAGE", 60*time.Second)
	c.brokerDown = envDuration(t, "LINEAGE_FAULTS_BROKER_DOWN", 2*deliveryTimeout)
	if c.members < 2 {
		t.Fatalf("LINEAGE_FAULTS_MEMBERS=%d: the group needs at least 2 members", c.members)
	}
	if c.sample < 3 {
		t.Fatalf("LINEAGE_FAULTS_SUBJECTS=%d: want at least 3 (poison records name three of them)", c.sample)
	}
	return c
}

// envDuration reads a duration ("90s", or a number of seconds).
func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if n, nerr := strconv.Atoi(v); nerr == nil {
		d, err = time.Duration(n)*time.Second, nil
	}
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q: want a duration such as 60s", name, v)
	}
	return d
}

// faultSuite is the state of one run: the processes, the load, and the
// poison records written so far.
type faultSuite struct {
	t      *testing.T
	cfg    faultConfig
	db     string
	broker *faultBroker
	fleet  *fleet
	ch     *clickhouseServer
	lag    *groupLag
	load   *loader
	sample []string
	api    string
	poison []poisonRecord
	topUps int // chunks fed beyond the plan because the group had nothing left to insert
}

func TestFaults(t *testing.T) {
	began := time.Now()
	cfg := loadFaultConfig(t)
	db := randomName("faults_")
	t.Cleanup(func() { dropDatabase(t, db) })
	s := &faultSuite{t: t, cfg: cfg, db: db, ch: projectClickHouse(t)}
	s.broker = startFaultBroker(t)
	s.fleet = newFleet(t, s.broker.addr, db)
	for range cfg.members {
		s.fleet.add()
	}
	s.api = startAPI(t, s.broker.addr, db)
	s.lag = newGroupLag(t, s.broker.addr, db)
	subjects := max(1000, cfg.events/10)
	s.sample = sampleSubjects(cfg.sample, subjects)
	s.load = newLoader(t, s.broker.addr, subjects, s.sample)
	t.Logf("fault suite: %d events over %d subjects, %d members, %d kills, a %s ClickHouse outage; database %s, broker %s",
		cfg.events, subjects, cfg.members, cfg.kills, cfg.outage, db, s.broker.addr)

	scenarios := []struct {
		name    string
		percent int
		run     func(chunks int) string
	}{
		{"member kills", 40, s.memberKills},
		{"clickhouse outage", 20, s.clickhouseOutage},
		{"broker restarts", 20, s.brokerRestarts},
		{"rebalances", 20, s.rebalances},
	}
	var last figures
	var report []string
	var reinserted uint64 // the most Kafka positions stored twice that a checkpoint saw
	chunks, planned := (cfg.events+chunkEvents-1)/chunkEvents, 0
	for i, sc := range scenarios {
		start := time.Now()
		share := chunks * sc.percent / 100
		if i == len(scenarios)-1 {
			share = chunks - planned
		}
		planned += share
		detail := sc.run(share)
		faults := time.Since(start)
		last = s.checkpoint(sc.name)
		reinserted = max(reinserted, last.reinserted)
		line := fmt.Sprintf("%-18s %7s (faults %s, checkpoint %s): %s",
			sc.name, time.Since(start).Round(time.Second), faults.Round(time.Second),
			(time.Since(start) - faults).Round(time.Second), detail)
		report = append(report, line)
		if last.failed() || s.fleet.crashes() > 0 {
			t.Errorf("checkpoint after %s failed: %s", sc.name, last)
		}
	}
	s.shutdown()

	t.Logf("fault suite figures (%s in all):\n"+
		"  events produced (distinct)  %9d\n"+
		"  re-published (on purpose)   %9d\n"+
		"  re-published (after errors) %9d\n"+
		"  stored (distinct)           %9d\n"+
		"  dead-lettered               %9d records (%d distinct; %d poison records written)\n"+
		"  duplicated in answers       %9d\n"+
		"  missing from answers        %9d\n"+
		"  out of order in answers     %9d\n"+
		"  altered in answers          %9d\n"+
		"  lost                        %9d\n"+
		"  rows in ClickHouse          %9d (Kafka positions stored twice: %d now, up to %d at a checkpoint)\n"+
		"  answers checked             %9d subjects, %d timeline pages, %d events\n"+
		"  unexpected member exits     %9d\n"+
		"  load top-ups                %9d chunks\n"+
		"%s",
		time.Since(began).Round(time.Second),
		last.produced, last.republished, last.retried, last.stored, last.deadLettered, last.dlqOrigins, len(s.poison),
		last.duplicated, last.missing, last.misordered, last.corrupted, last.lost,
		last.rows, last.reinserted, reinserted, last.subjects, last.pages, last.answered,
		s.fleet.crashes(), s.topUps, "  "+strings.Join(report, "\n  "))
	if last.failed() {
		t.Errorf("events lost or doubled: %s", last)
	}
}

// checkpoint waits until everything fed is acknowledged and the group has
// caught up, then checks the store and the answers.
func (s *faultSuite) checkpoint(name string) figures {
	s.t.Helper()
	began := time.Now()
	s.load.drain()
	caught := waitCaughtUp(s.t, s.broker.addr, s.db, 10*time.Minute)
	var f figures
	checkStore(s.t, clickhouseConn(s.t), s.db, s.broker.addr, s.load, s.poison, &f)
	checkAnswers(s.t, s.api, s.load, &f)
	s.t.Logf("checkpoint after %s: caught up %s after the load was acknowledged; %s (checked in %s)",
		name, caught.Round(time.Millisecond), f, (time.Since(began) - caught).Round(time.Millisecond))
	return f
}

// waitInsert waits until ClickHouse runs an INSERT for a member that want
// accepts (nil: any), and returns it. When the group has caught up and the
// loader is idle, there is nothing to insert: it feeds another chunk.
func (s *faultSuite) waitInsert(what string, want func(*member) bool) insert {
	s.t.Helper()
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{clickhouseAddr()}})
	if err != nil {
		s.t.Fatal(err)
	}
	defer conn.Close()
	ctx := context.Background()
	deadline := time.Now().Add(3 * time.Minute)
	lagAt := time.Now()
	for {
		in, ok, err := s.fleet.inserting(ctx, conn, want)
		if err != nil {
			s.t.Fatalf("waiting for %s: %v", what, err)
		}
		if ok {
			return in
		}
		if time.Since(lagAt) > 2*time.Second {
			lagAt = time.Now()
			if lag, err := s.lag.lag(ctx); err == nil && lag == 0 && s.load.idle() {
				s.load.feed(1)
				s.topUps++
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no INSERT by %s within 3 minutes", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// memberKills SIGKILLs a member in the middle of an INSERT, cfg.kills
// times, each time right after feeding a slice of the load, and starts it
// again at once. A killed member's partitions wait for its session to
// expire (45 s, the client's default) before the group gives them to
// another, so the kills come in waves of up to one per member.
func (s *faultSuite) memberKills(chunks int) string {
	s.poison = append(s.poison, publishFaultPoison(s.t, s.broker.addr, "kills", 1, s.sample[0])...)
	var running time.Duration
	for i, feed := range split(chunks, s.cfg.kills) {
		k := i + 1
		s.load.feed(feed)
		in := s.waitInsert("any member", nil)
		pid := s.fleet.kill(in.member)
		running += in.elapsed
		s.t.Logf("kill %d/%d: %s pid %d SIGKILLed during its INSERT %s (running %s, %d rows written); started again as pid %d",
			k, s.cfg.kills, in.member.name, in.pid, in.queryID, in.elapsed.Round(time.Microsecond), in.written, pid)
	}
	return fmt.Sprintf("%d members SIGKILLed, each while ClickHouse ran its INSERT (for %s on average)",
		s.cfg.kills, (running / time.Duration(s.cfg.kills)).Round(time.Microsecond))
}

// clickhouseOutage stops ClickHouse while a member inserts, keeps it down
// for cfg.outage while the load goes on, and starts it again. Every member
// must still be the process it was, and the members must have retried
// their inserts: they held batches through the outage.
func (s *faultSuite) clickhouseOutage(chunks int) string {
	halves := split(chunks, 2)
	before := s.fleet.pids()
	const retrying = `"msg":"insert failed, retrying"`
	retries := func() int {
		n := 0
		for _, m := range s.fleet.live() {
			n += m.proc.countLog(retrying)
		}
		return n
	}
	retriesBefore := retries()
	s.load.feed(halves[0])
	in := s.waitInsert("any member", nil)
	stopping := time.Now()
	s.ch.stop(s.t)
	down := time.Now()
	// Published while ClickHouse is away, at least one chunk: the members
	// read it and hold it in batches they cannot insert.
	if halves[1] == 0 {
		halves[1]++
		s.topUps++
	}
	s.load.feed(halves[1])
	for time.Since(down) < s.cfg.outage {
		time.Sleep(200 * time.Millisecond)
		for _, m := range s.fleet.live() {
			if m.proc.exited() {
				s.t.Fatalf("%s exited while ClickHouse was down", m.name)
			}
		}
	}
	s.ch.start(s.t)
	outage := time.Since(down)
	after := s.fleet.pids()
	for name, pid := range before {
		if after[name] != pid {
			s.t.Errorf("%s was pid %d before the outage and is %d after it", name, pid, after[name])
		}
	}
	n := retries() - retriesBefore
	if n < 1 {
		s.t.Errorf("no member logged a retried insert: none held a batch through the outage")
	}
	return fmt.Sprintf("ClickHouse stopped (in %s) while %s inserted, down for %s; the members retried %d inserts with back-off in the same processes",
		down.Sub(stopping).Round(time.Millisecond), in.member.name, outage.Round(time.Millisecond), n)
}

// brokerRestarts restarts the broker gracefully, then kills it, each time
// while members insert, and keeps it down for cfg.brokerDown before
// starting it again on the same address and data directory: publishing
// fails and is retried, and the members reconnect in the same processes.
func (s *faultSuite) brokerRestarts(chunks int) string {
	before := s.fleet.pids()
	thirds := split(chunks, 3)
	retried := s.load.retried.Load()
	s.load.feed(thirds[0])
	s.poison = append(s.poison, publishFaultPoison(s.t, s.broker.addr, "broker-term", 3, s.sample[1])...)
	s.waitInsert("any member", nil)
	// Fed just before the stop, the next third is being published while
	// the broker is away.
	s.load.feed(thirds[1])
	term := s.broker.restart(s.t, syscall.SIGTERM, s.cfg.brokerDown)
	s.waitInsert("any member after the graceful restart", nil)
	s.poison = append(s.poison, publishFaultPoison(s.t, s.broker.addr, "broker-kill", 5, s.sample[2])...)
	s.load.feed(thirds[2])
	kill := s.broker.restart(s.t, syscall.SIGKILL, s.cfg.brokerDown)
	s.waitInsert("any member after the kill", nil)
	after := s.fleet.pids()
	for name, pid := range before {
		if after[name] != pid {
			s.t.Errorf("%s was pid %d before the broker restarts and is %d after them", name, pid, after[name])
		}
	}
	s.load.drain()
	return fmt.Sprintf("broker SIGTERM, down, start: %s; SIGKILL, down, start: %s; %d events published again after failing; members kept their pids",
		term.Round(time.Millisecond), kill.Round(time.Millisecond), s.load.retried.Load()-retried)
}

// rebalances adds a member, removes the oldest, adds another and removes
// the next oldest, while the load flows: four rebalances at least. Each new
// member must insert (own partitions) before the next change; each removed
// one must flush, commit and exit with status 0.
func (s *faultSuite) rebalances(chunks int) string {
	var steps []string
	for i, feed := range split(chunks, 4) {
		s.load.feed(feed)
		if i%2 == 0 {
			m := s.fleet.add()
			s.waitInsert(m.name, func(x *member) bool { return x == m })
			steps = append(steps, "+"+m.name)
			continue
		}
		old := s.fleet.live()[0]
		s.fleet.remove(old)
		s.waitInsert("any member after "+old.name+" left", nil)
		steps = append(steps, "-"+old.name)
	}
	return fmt.Sprintf("membership changes %s, each followed by inserts; members now %d", strings.Join(steps, " "), len(s.fleet.live()))
}

// shutdown stops the members, then the API and the broker, in that order,
// so that each member can commit on its way out.
func (s *faultSuite) shutdown() {
	for _, m := range s.fleet.live() {
		s.fleet.remove(m)
	}
	s.broker.proc.stop(s.t)
}
