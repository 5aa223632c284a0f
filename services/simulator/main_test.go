package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sethvargo/go-envconfig"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/secret"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
)

// cluster starts an in-process Kafka broker reached over TCP.
func cluster(t *testing.T) []string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.SeedTopics(12, topics.Events, topics.IdentityLinks, topics.Facts))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

// testKey is the identity key of the tests, in hex as configured.
const testKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

func testConfig(brokers []string) Config {
	return Config{
		IdentityKey:  testKey,
		KafkaBrokers: brokers, Topic: topics.Events, EnsureTopics: true, TopicPartitions: 12,
		Subjects: 300, Events: 4000, Seed: 7,
		PeriodStart: Date{time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		PeriodEnd:   Date{time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)},
		Buffer:      500, ProgressInterval: 50 * time.Millisecond, ShutdownTimeout: 10 * time.Second,
		LogLevel: slog.LevelInfo,
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

var summaryRE = regexp.MustCompile(`^simulator: events=(\d+) duplicates=(\d+) sent=(\d+) acked=(\d+) failed=(\d+) ` +
	`links=(\d+) links_failed=(\d+) links_withheld=(\d+) facts=(\d+) facts_failed=(\d+) facts_by_type=(\S+) ` +
	`.*?(?: sample_subject=(C\d{8}))?\n$`)

type summary struct {
	events, duplicates, sent, acked, failed int
	links, linksFailed, linksWithheld       int
	facts, factsFailed                      int
	factsByType                             map[string]int
	sample                                  string
}

func parseSummary(t *testing.T, out string) summary {
	t.Helper()
	m := summaryRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("summary line not found in %q", out)
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	byType := map[string]int{}
	for _, kv := range strings.Split(m[11], ",") {
		typ, count, ok := strings.Cut(kv, ":")
		v, err := strconv.Atoi(count)
		if !ok || err != nil {
			t.Fatalf("facts_by_type %q", m[11])
		}
		byType[typ] = v
	}
	return summary{
		events: n(1), duplicates: n(2), sent: n(3), acked: n(4), failed: n(5),
		links: n(6), linksFailed: n(7), linksWithheld: n(8),
		facts: n(9), factsFailed: n(10), factsByType: byType, sample: m[12],
	}
}

func secretOf(s string) secret.Secret { return secret.Secret(s) }

// consume reads every record of the events topic, checking first that the
// topic holds exactly want of them.
func consume(t *testing.T, brokers []string, want int) []lineage.Event {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topics.Events),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topics.Events)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	ends.Each(func(o kadm.ListedOffset) { total += int(o.Offset) })
	if total != want {
		t.Fatalf("topic holds %d records, want %d", total, want)
	}
	codec, err := wire.New()
	if err != nil {
		t.Fatal(err)
	}
	var out []lineage.Event
	for len(out) < want {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("consumed %d records, want %d", len(out), want)
		}
		for _, r := range f.Records() {
			var e lineage.Event
			if err := codec.Decode(ctx, r.Value, &e); err != nil {
				t.Fatalf("decode record at %d@%d: %v", r.Partition, r.Offset, err)
			}
			if string(r.Key) != e.SubjectKey() {
				t.Fatalf("record key %q is not the subject's key %q", r.Key, e.SubjectKey())
			}
			out = append(out, e)
		}
	}
	return out
}

func TestRunEndToEnd(t *testing.T) {
	brokers := cluster(t)
	cfg := testConfig(brokers)
	cfg.Duplicates = 0.1
	var out bytes.Buffer
	if err := run(context.Background(), cfg, quietLogger(), &out); err != nil {
		t.Fatal(err)
	}
	s := parseSummary(t, out.String())
	if s.events != 4000 || s.failed != 0 || s.acked != s.sent || s.sent != s.events+s.duplicates {
		t.Fatalf("summary %+v, want 4000 events, all acknowledged", s)
	}
	if s.duplicates < 250 || s.duplicates > 550 {
		t.Errorf("%d duplicates for 4000 events at 10%%, want about 400", s.duplicates)
	}

	events := consume(t, brokers, s.events+s.duplicates)
	now := time.Now()
	ids := map[string]lineage.Event{}
	sampleTransfers, staffNamed := 0, 0
	for _, e := range events {
		if err := e.Validate(now); err != nil {
			t.Fatalf("event %s: %v", e.ID, err)
		}
		if e.OccurredAt.Before(cfg.PeriodStart.Time) || !e.OccurredAt.Before(cfg.PeriodEnd.Time) {
			t.Fatalf("event %s occurred at %s, outside the period", e.ID, e.OccurredAt)
		}
		if prev, ok := ids[e.ID]; ok && !prev.OccurredAt.Equal(e.OccurredAt) {
			t.Fatalf("id %s names two different events", e.ID)
		}
		ids[e.ID] = e
		if e.SubjectID == s.sample && e.Kind == lineage.Transfer {
			sampleTransfers++
		}
		if e.Actor.Employee != nil {
			staffNamed++
		}
	}
	if staffNamed == 0 {
		t.Error("no event names the staff member who acted (schema v3 actor.employee)")
	}
	if len(ids) != s.events {
		t.Errorf("%d distinct ids, want %d", len(ids), s.events)
	}
	if s.sample == "" || sampleTransfers == 0 {
		t.Errorf("sample subject %q received no transfer", s.sample)
	}
}

// TestRunIsRepeatable re-runs with the same seed: the same ids arrive again,
// which is what the demo's idempotency check relies on, and the same link
// statements, byte for byte.
func TestRunIsRepeatable(t *testing.T) {
	brokers := cluster(t)
	cfg := testConfig(brokers)
	cfg.Events = 500
	for range 2 {
		if err := run(context.Background(), cfg, quietLogger(), io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	count := map[string]int{}
	events := map[string]lineage.Event{}
	for _, e := range consume(t, brokers, 1000) {
		count[e.ID]++
		if prev, ok := events[e.ID]; ok && !reflect.DeepEqual(prev, e) {
			t.Fatalf("id %s names two different events", e.ID)
		}
		events[e.ID] = e
	}
	if len(count) != 500 {
		t.Fatalf("%d distinct ids in two runs of 500, want 500", len(count))
	}
	for id, n := range count {
		if n != 2 {
			t.Fatalf("id %s arrived %d times, want 2", id, n)
		}
	}
	for _, tc := range []struct {
		topic string
		least int
	}{
		{topics.IdentityLinks, cfg.Subjects},
		{topics.Facts, 1},
	} {
		statements := map[string]int{}
		for _, r := range records(t, brokers, tc.topic) {
			statements[string(r.Key)+"|"+string(r.Value)]++
		}
		if len(statements) < tc.least {
			t.Fatalf("%d distinct records of %s for %d customers", len(statements), tc.topic, cfg.Subjects)
		}
		for _, n := range statements {
			if n != 2 {
				t.Fatalf("a record of %s arrived %d times in two runs, want 2", tc.topic, n)
			}
		}
	}
}

// TestRunStopsOnSignal runs without an event count and cancels: the run
// stops sending, flushes what it sent, and succeeds.
func TestRunStopsOnSignal(t *testing.T) {
	brokers := cluster(t)
	cfg := testConfig(brokers)
	cfg.Events = 0
	cfg.Rate = 20_000
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, cfg, quietLogger(), &out); err != nil {
		t.Fatal(err)
	}
	s := parseSummary(t, out.String())
	if s.sent == 0 || s.acked != s.sent || s.failed != 0 {
		t.Fatalf("summary %+v, want every event sent acknowledged", s)
	}
	if s.sent > 15_000 {
		t.Errorf("sent %d in half a second at 20,000/s", s.sent)
	}
	consume(t, brokers, s.sent)
}

// TestRunFailsWhenEventsFail sends to a topic that does not exist: every
// event fails and so does the run.
func TestRunFailsWhenEventsFail(t *testing.T) {
	brokers := cluster(t)
	cfg := testConfig(brokers)
	cfg.Topic, cfg.EnsureTopics, cfg.Events = "no.such.topic", false, 20
	var out bytes.Buffer
	if err := run(context.Background(), cfg, quietLogger(), &out); err == nil {
		t.Fatal("run succeeded though no event could be delivered")
	}
	if s := parseSummary(t, out.String()); s.failed != 20 {
		t.Errorf("summary %+v, want 20 failed", s)
	}
}

func TestConfigFromEnvironment(t *testing.T) {
	var cfg Config
	err := envconfig.ProcessWith(context.Background(), &envconfig.Config{
		Target: &cfg,
		Lookuper: envconfig.PrefixLookuper("SIM_", envconfig.MapLookuper(map[string]string{
			"SIM_PERIOD_END": "2025-06-30T12:00:00+03:00", "SIM_DUPLICATES": "0.05", "SIM_LOG_LEVEL": "debug",
			"SIM_IDENTITY_KEY": testKey, "SIM_SOURCES": " cdr_mediation,crm,,cdr_mediation",
		})),
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Subjects != 10000 || cfg.Events != 100000 || cfg.Rate != 0 || cfg.Seed != 1 || cfg.Duplicates != 0.05 ||
		len(cfg.KafkaBrokers) != 1 || cfg.KafkaBrokers[0] != "127.0.0.1:9092" || cfg.LogLevel != slog.LevelDebug {
		t.Errorf("config %+v", cfg)
	}
	if cfg.LinksDelay != 0 || cfg.Unlinked != 0 || cfg.IdentityKey.Reveal() != testKey {
		t.Errorf("identity config %+v", cfg)
	}
	if got := cfg.PeriodStart.String(); got != "2025-01-01" {
		t.Errorf("period start %s, want 2025-01-01", got)
	}
	if !cfg.PeriodEnd.Equal(time.Date(2025, 6, 30, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("period end %s", cfg.PeriodEnd)
	}
	if err := cfg.check(); err != nil {
		t.Errorf("check: %v", err)
	}
	if got := strings.Join(cfg.Sources, ","); got != "cdr_mediation,crm" {
		t.Errorf("sources %q after check, want cdr_mediation,crm", got)
	}
	cfg.PeriodEnd = Date{}
	if err := cfg.check(); err == nil {
		t.Error("check accepted an end before the start")
	}
	if got := Today(time.Date(2026, 3, 2, 23, 59, 0, 0, time.FixedZone("EET", 2*3600))); got.String() != "2026-03-02" {
		t.Errorf("Today = %s", got)
	}
	var d Date
	if err := d.EnvDecode("yesterday"); err == nil {
		t.Error("EnvDecode accepted yesterday")
	}
}
