// Command materializer is one member of the consumer fleet: it projects the
// lineage events of its partitions into ClickHouse. Run several with the
// same group to scale up to the topic's partition count.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sethvargo/go-envconfig"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/secret"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/chstore"
	"github.com/balticom/lineage/services/materializer/internal/materialize"
	"github.com/balticom/lineage/services/telemetry"
)

// Config is read from the environment, every name prefixed MATERIALIZER_.
type Config struct {
	KafkaBrokers      []string      `env:"KAFKA_BROKERS, default=127.0.0.1:9092"`
	Group             string        `env:"GROUP, default=lineage-materializer"`
	Topic             string        `env:"TOPIC, default=lineage.events.v1"`
	DeadLetterTopic   string        `env:"DLQ_TOPIC, default=lineage.events.dlq.v1"`
	TopicPartitions   int32         `env:"TOPIC_PARTITIONS, default=12"`
	SchemaRegistryURL string        `env:"SCHEMA_REGISTRY_URL"`
	ClickHouseAddrs   []string      `env:"CLICKHOUSE_ADDRS, default=127.0.0.1:9000"`
	ClickHouseDB      string        `env:"CLICKHOUSE_DATABASE, default=lineage"`
	ClickHouseUser    string        `env:"CLICKHOUSE_USER, default=lineage_writer"`
	ClickHousePass    secret.Secret `env:"CLICKHOUSE_PASSWORD, default=writer-dev-secret"`
	Migrate           bool          `env:"MIGRATE, default=true"`
	BatchSize         int           `env:"BATCH_SIZE, default=50000"`
	BatchLinger       time.Duration `env:"BATCH_LINGER, default=1s"`
	ShutdownTimeout   time.Duration `env:"SHUTDOWN_TIMEOUT, default=30s"`
	OTLPEndpoint      string        `env:"OTEL_EXPORTER_OTLP_ENDPOINT"`
	LogLevel          slog.Level    `env:"LOG_LEVEL, default=info"`
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
	if err := run(ctx, cfg, log); err != nil {
		log.Error("materializer stopped", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg Config, log *slog.Logger) error {
	log.Info("starting", "config", cfg)
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

	store, err := chstore.Open(ctx, chstore.Config{
		Addrs: cfg.ClickHouseAddrs, Database: cfg.ClickHouseDB,
		Username: cfg.ClickHouseUser, Password: cfg.ClickHousePass.Reveal(),
	})
	if err != nil {
		return err
	}
	defer store.Close()
	if cfg.Migrate {
		if err := store.Migrate(ctx); err != nil {
			return err
		}
	}

	var codecOpts []wire.Option
	if cfg.SchemaRegistryURL != "" {
		reg, err := newRegistry(cfg.SchemaRegistryURL)
		if err != nil {
			return err
		}
		codecOpts = append(codecOpts, wire.WithRegistry(reg))
	}
	codec, err := wire.New(codecOpts...)
	if err != nil {
		return err
	}
	m, err := materialize.New(materialize.Config{
		Group: cfg.Group, DeadLetter: cfg.DeadLetterTopic,
		BatchSize: cfg.BatchSize, BatchLinger: cfg.BatchLinger,
	}, store, codec, log)
	if err != nil {
		return err
	}
	opts := append([]kgo.Opt{
		kgo.SeedBrokers(cfg.KafkaBrokers...),
		kgo.ConsumeTopics(cfg.Topic),
		kgo.ClientID("lineage-materializer"),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.FetchMaxPartitionBytes(4 << 20),
	}, m.Options()...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("kafka client: %w", err)
	}
	defer cl.Close()
	if err := topics.Ensure(ctx, kadm.NewClient(cl), cfg.TopicPartitions, -1); err != nil {
		return err
	}
	m.Attach(cl)

	flushCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	go func() {
		<-ctx.Done()
		time.AfterFunc(cfg.ShutdownTimeout, cancel)
	}()
	log.Info("consuming", "topic", cfg.Topic, "group", cfg.Group)
	err = m.Run(ctx, flushCtx)
	log.Info("stopped consuming; leaving the group")
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
