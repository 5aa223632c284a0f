// Command materializer is one member of the consumer fleet: it projects the
// lineage events of its partitions into ClickHouse. Run several with the
// same group to scale up to the topic's partition count.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/sethvargo/go-envconfig"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/secret"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/chstore"
	"github.com/balticom/lineage/services/materializer/internal/facts"
	"github.com/balticom/lineage/services/materializer/internal/incidents"
	"github.com/balticom/lineage/services/materializer/internal/links"
	"github.com/balticom/lineage/services/materializer/internal/materialize"
	"github.com/balticom/lineage/services/materializer/internal/requests"
	"github.com/balticom/lineage/services/materializer/internal/settle"
	"github.com/balticom/lineage/services/materializer/internal/sink"
	"github.com/balticom/lineage/services/telemetry"
)

// Config is read from the environment, every name prefixed MATERIALIZER_.
type Config struct {
	KafkaBrokers    []string `env:"KAFKA_BROKERS, default=127.0.0.1:9092"`
	Group           string   `env:"GROUP, default=lineage-materializer"`
	Topic           string   `env:"TOPIC, default=lineage.events.v1"`
	DeadLetterTopic string   `env:"DLQ_TOPIC, default=lineage.events.dlq.v1"`
	// LinksTopic carries the identity links, consumed by every member under
	// LinksGroup (a group of its own, so that links never wait for events).
	LinksTopic string `env:"LINKS_TOPIC, default=lineage.identity.v1"`
	LinksGroup string `env:"LINKS_GROUP, default=lineage-identity-materializer"`
	// LinkSources are the source systems whose links are stored; a link
	// from any other is dead-lettered (the gateway refuses it already).
	LinkSources []string `env:"LINK_SOURCES, default=crm"`
	// RequestsTopic carries the access request log, consumed by every
	// member under RequestsGroup (its own group, as for the links).
	RequestsTopic string `env:"REQUESTS_TOPIC, default=lineage.requests.v1"`
	RequestsGroup string `env:"REQUESTS_GROUP, default=lineage-requests-materializer"`
	// FactsTopic carries the subject facts (consent, opt-out, erasure,
	// unmet lawful requests), consumed by every member under FactsGroup.
	FactsTopic string `env:"FACTS_TOPIC, default=lineage.facts.v1"`
	FactsGroup string `env:"FACTS_GROUP, default=lineage-facts-materializer"`
	// IncidentsTopic carries the breach record, consumed by every member
	// under IncidentsGroup.
	IncidentsTopic  string `env:"INCIDENTS_TOPIC, default=lineage.incidents.v1"`
	IncidentsGroup  string `env:"INCIDENTS_GROUP, default=lineage-incidents-materializer"`
	TopicPartitions int32  `env:"TOPIC_PARTITIONS, default=12"`
	// TopicRetentionMS is the retention.ms of the topics created at start:
	// -1, forever, since they are the source of truth a rebuild reads.
	TopicRetentionMS  int64    `env:"TOPIC_RETENTION_MS, default=-1"`
	SchemaRegistryURL string   `env:"SCHEMA_REGISTRY_URL"`
	ClickHouseAddrs   []string `env:"CLICKHOUSE_ADDRS, default=127.0.0.1:9000"`
	ClickHouseDB      string   `env:"CLICKHOUSE_DATABASE, default=lineage"`
	ClickHouseUser    string   `env:"CLICKHOUSE_USER, default=lineage_writer"`
	// ClickHousePass is required: no binary carries a password, not even
	// the development one (scripts/up passes it).
	ClickHousePass secret.Secret `env:"CLICKHOUSE_PASSWORD, required"`
	// ClickHouseCluster names the servers' cluster the schema is spread
	// over (Replicated tables behind Distributed ones); empty means one
	// server. Every service of one deployment must agree on it.
	ClickHouseCluster string `env:"CLICKHOUSE_CLUSTER"`
	Migrate           bool   `env:"MIGRATE, default=true"`
	// SettleInterval is how often the member holding the topic's first
	// partition settles the overview's rollups (chstore.Store.Settle): how
	// far the DPO's overview may be behind the events. Zero settles never.
	SettleInterval time.Duration `env:"SETTLE_INTERVAL, default=10s"`
	// BatchSize is the rows of one insert. Three batches are in memory at
	// most, about 500 bytes a row each: 75 MiB at the default.
	BatchSize   int           `env:"BATCH_SIZE, default=50000"`
	BatchLinger time.Duration `env:"BATCH_LINGER, default=1s"`
	// FetchMaxBytes bounds one fetch from Kafka, compressed. The client
	// holds up to maxConcurrentFetches fetches while the poller decodes
	// another, each decompressed (several times larger) and parsed into
	// records: at 1 MiB, about 22,000 events and 13 MiB of heap each.
	FetchMaxBytes ByteSize `env:"FETCH_MAX_BYTES, default=1MiB"`
	// MemoryLimit is the Go runtime's soft memory limit (the GC works
	// harder near it); 0 leaves it off. GOMEMLIMIT, when set, wins.
	MemoryLimit     ByteSize      `env:"MEMORY_LIMIT, default=200MiB"`
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT, default=30s"`
	// SessionTimeout is how long the group waits for a member that stopped
	// heartbeating (a crash) before giving its partitions to the others.
	SessionTimeout time.Duration `env:"SESSION_TIMEOUT, default=10s"`
	// InstanceID, when set, makes the member static: restarted with the same
	// id within the session timeout, it gets its partitions back without a
	// rebalance.
	InstanceID string `env:"INSTANCE_ID"`
	// HealthAddr serves /healthz and /readyz; ReadyMaxLag is the group lag
	// above which the member reports not ready.
	HealthAddr   string        `env:"HEALTH_ADDR, default=127.0.0.1:8090"`
	ReadyMaxLag  int64         `env:"READY_MAX_LAG, default=1000000"`
	ReplayGrace  time.Duration `env:"REPLAY_GRACE, default=15s"`
	OTLPEndpoint string        `env:"OTEL_EXPORTER_OTLP_ENDPOINT"`
	LogLevel     slog.Level    `env:"LOG_LEVEL, default=info"`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var cfg Config
	if err := envconfig.ProcessWith(ctx, &envconfig.Config{
		Target: &cfg, Lookuper: envconfig.PrefixLookuper("MATERIALIZER_", envconfig.OsLookuper()),
	}); err != nil {
		fmt.Fprintln(os.Stderr, "materializer: config:", err)
		os.Exit(2)
	}
	log := telemetry.NewLogger(os.Stderr, cfg.LogLevel)
	if err := dispatch(ctx, cfg, log, os.Args[1:]); err != nil {
		log.Error("materializer stopped", "err", err)
		os.Exit(1)
	}
}

// dispatch runs the command args name: none runs a member of the fleet;
// "replay" rebuilds the projection from the log; "dlq list" and "dlq
// redrive" work on the dead-letter topic.
func dispatch(ctx context.Context, cfg Config, log *slog.Logger, args []string) error {
	if len(args) == 0 {
		return run(ctx, cfg, log)
	}
	switch args[0] {
	case "replay":
		return replayCommand(ctx, cfg, log)
	case "dlq":
		return dlqCommand(ctx, cfg, args[1:], os.Stdout)
	default:
		return fmt.Errorf("unknown command %q: want no argument (run), replay, dlq list or dlq redrive", args[0])
	}
}

// maxConcurrentFetches bounds the fetches the client holds at once, from
// any number of brokers, so that memory does not grow with the cluster.
const maxConcurrentFetches = 2

func run(ctx context.Context, cfg Config, log *slog.Logger) error {
	log.Info("starting", "config", cfg, "memory_limit", setMemoryLimit(cfg.MemoryLimit))
	shutdownTelemetry, err := telemetry.Setup(ctx, telemetry.Config{ServiceName: "lineage-materializer", OTLPEndpoint: cfg.OTLPEndpoint})
	if err != nil {
		return err
	}
	defer func() {
		tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := shutdownTelemetry(tctx); err != nil {
			log.Warn("telemetry shutdown", "err", err)
		}
	}()

	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	codec, err := newCodec(cfg)
	if err != nil {
		return err
	}
	m, err := materialize.New(engineConfig(cfg), store, codec.NewDecoder(), log)
	if err != nil {
		return err
	}
	var settler *settle.Settler
	if cfg.SettleInterval > 0 {
		settler = settle.New(store, cfg.Topic, cfg.SettleInterval, log)
		m.Follow(settler)
	}
	opts := append(kafkaOptions(cfg), kgo.ConsumeTopics(cfg.Topic), kgo.SessionTimeout(cfg.SessionTimeout))
	if cfg.InstanceID != "" {
		opts = append(opts, kgo.InstanceID(cfg.InstanceID))
	}
	opts = append(opts, m.Options()...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	defer cl.Close()
	if err := topics.EnsureRetention(ctx, kadm.NewClient(cl), cfg.TopicPartitions, -1, cfg.TopicRetentionMS); err != nil {
		return err
	}
	m.Attach(cl)
	sinks, err := newSinks(cfg, store, log)
	if err != nil {
		return err
	}
	defer func() {
		for _, s := range sinks {
			s.cl.Close()
		}
	}()

	flushCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	go func() {
		<-ctx.Done()
		time.AfterFunc(cfg.ShutdownTimeout, cancel)
	}()
	// A member whose probes cannot be served stops: an orchestrator would
	// take it for dead anyway.
	runCtx, stopRun := context.WithCancelCause(ctx)
	defer stopRun(nil)
	healthDone := make(chan error, 1)
	go func() {
		err := serveHealth(runCtx, cfg, log, store, cl)
		stopRun(err)
		healthDone <- err
	}()
	if settler != nil {
		go settler.Run(runCtx)
	}
	sinksDone := make(chan error, len(sinks))
	for _, s := range sinks {
		go func() {
			err := s.loop.Run(runCtx, s.cl)
			if errors.Is(err, context.Canceled) {
				err = nil
			}
			stopRun(err)
			sinksDone <- err
		}()
	}
	log.Info("consuming", "topic", cfg.Topic, "group", cfg.Group, "links_topic", cfg.LinksTopic, "links_group", cfg.LinksGroup,
		"requests_topic", cfg.RequestsTopic, "requests_group", cfg.RequestsGroup, "facts_topic", cfg.FactsTopic, "facts_group", cfg.FactsGroup,
		"incidents_topic", cfg.IncidentsTopic, "incidents_group", cfg.IncidentsGroup)
	err = m.Run(runCtx, flushCtx)
	log.Info("stopped consuming; leaving the group")
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	stopRun(err)
	errs := []error{err, <-healthDone}
	for range sinks {
		errs = append(errs, <-sinksDone)
	}
	return errors.Join(errs...)
}

// sinkLoop is the loop of a small topic (package sink, whatever its
// records) with the Kafka client of its own group.
type sinkLoop struct {
	loop interface {
		Options() []kgo.Opt
		Run(ctx context.Context, cl *kgo.Client) error
	}
	cl *kgo.Client
}

// newSinks builds the loops of the small topics: the identity links, the
// access requests, the subject facts and the incidents, each consumed
// under its own group, so that none waits for the events or for another.
func newSinks(cfg Config, store *chstore.Store, log *slog.Logger) ([]sinkLoop, error) {
	linkSink, err := links.New(links.Config{Group: cfg.LinksGroup, DeadLetter: cfg.DeadLetterTopic}, cfg.LinkSources, store, log.With("loop", "identity_links"))
	if err != nil {
		return nil, err
	}
	requestSink, err := requests.New(requests.Config{Group: cfg.RequestsGroup, DeadLetter: cfg.DeadLetterTopic}, store, log.With("loop", "access_requests"))
	if err != nil {
		return nil, err
	}
	factSink, err := facts.New(sink.Config{Group: cfg.FactsGroup, DeadLetter: cfg.DeadLetterTopic}, store, log.With("loop", "subject_facts"))
	if err != nil {
		return nil, err
	}
	incidentSink, err := incidents.New(sink.Config{Group: cfg.IncidentsGroup, DeadLetter: cfg.DeadLetterTopic}, store, log.With("loop", "incidents"))
	if err != nil {
		return nil, err
	}
	loops := []sinkLoop{{loop: linkSink}, {loop: requestSink}, {loop: factSink}, {loop: incidentSink}}
	for i, topic := range []string{cfg.LinksTopic, cfg.RequestsTopic, cfg.FactsTopic, cfg.IncidentsTopic} {
		opts := append(kafkaOptions(cfg), kgo.ConsumeTopics(topic), kgo.SessionTimeout(cfg.SessionTimeout))
		cl, err := kgo.NewClient(append(opts, loops[i].loop.Options()...)...)
		if err != nil {
			for _, made := range loops[:i] {
				made.cl.Close()
			}
			return nil, fmt.Errorf("kafka client for %s: %w", topic, err)
		}
		loops[i].cl = cl
	}
	return loops, nil
}

// engineConfig is the materializer engine's part of cfg.
func engineConfig(cfg Config) materialize.Config {
	return materialize.Config{
		Group: cfg.Group, DeadLetter: cfg.DeadLetterTopic,
		BatchSize: cfg.BatchSize, BatchLinger: cfg.BatchLinger,
	}
}

// kafkaOptions connect to the broker and bound what a fetch may hold.
func kafkaOptions(cfg Config) []kgo.Opt {
	return []kgo.Opt{
		kgo.SeedBrokers(cfg.KafkaBrokers...),
		kgo.ClientID("lineage-materializer"),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.FetchMaxBytes(int32(min(cfg.FetchMaxBytes, math.MaxInt32))),
		kgo.MaxConcurrentFetches(maxConcurrentFetches),
	}
}

// openStore connects to ClickHouse and, if cfg says so, migrates.
func openStore(ctx context.Context, cfg Config) (*chstore.Store, error) {
	store, err := chstore.Open(ctx, chstore.Config{
		Addrs: cfg.ClickHouseAddrs, Database: cfg.ClickHouseDB,
		Username: cfg.ClickHouseUser, Password: cfg.ClickHousePass.Reveal(),
		Cluster: cfg.ClickHouseCluster,
	})
	if err != nil {
		return nil, err
	}
	if cfg.Migrate {
		if err := store.Migrate(ctx); err != nil {
			store.Close()
			return nil, err
		}
	}
	return store, nil
}

// newCodec reads the published schema versions and, with a registry URL,
// Confluent framing.
func newCodec(cfg Config) (*wire.Codec, error) {
	var opts []wire.Option
	if cfg.SchemaRegistryURL != "" {
		reg, err := newRegistry(cfg.SchemaRegistryURL)
		if err != nil {
			return nil, err
		}
		opts = append(opts, wire.WithRegistry(reg))
	}
	return wire.New(opts...)
}

// setMemoryLimit sets the runtime's soft memory limit to limit, unless
// GOMEMLIMIT has set one or limit is 0, and returns the limit in force.
func setMemoryLimit(limit ByteSize) ByteSize {
	if current := debug.SetMemoryLimit(-1); current != math.MaxInt64 || limit <= 0 {
		return ByteSize(current)
	}
	debug.SetMemoryLimit(int64(limit))
	return limit
}
