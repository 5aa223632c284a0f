// Command simulator is the realistic traffic source of the lineage tracker:
// it plays the operations of AS Balticom's source systems (CRM, billing,
// network inventory, TV platform, CDR mediation, processors abroad) for a
// population of simulated customers over a simulated period and publishes
// the lineage events through the producer SDK. The embedded demo and the
// benchmarks run it.
//
// The run is deterministic for a seed: re-running it re-sends the same event
// ids, which shows that the store counts each fact once; SIM_DUPLICATES does
// the same within one run. At the end it prints a summary line to stdout,
// "simulator: events=… sample_subject=C…", naming a customer who received
// transfers, for the demo to query.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sethvargo/go-envconfig"

	"github.com/balticom/lineage/services/telemetry"
)

// Config is read from the environment, every name prefixed SIM_. Nothing in
// it is secret.
type Config struct {
	KafkaBrokers    []string `env:"KAFKA_BROKERS, default=127.0.0.1:9092"`
	Topic           string   `env:"TOPIC, default=lineage.events.v1"`
	EnsureTopics    bool     `env:"ENSURE_TOPICS, default=true"`
	TopicPartitions int32    `env:"TOPIC_PARTITIONS, default=12"`
	Subjects        int      `env:"SUBJECTS, default=10000"`
	// Events is how many distinct events to send; 0 sends until stopped.
	Events int64 `env:"EVENTS, default=100000"`
	// Rate caps the send rate in events per second; 0 sends as fast as
	// Kafka takes them.
	Rate        float64 `env:"RATE, default=0"`
	Seed        uint64  `env:"SEED, default=1"`
	PeriodStart Date    `env:"PERIOD_START, default=2025-01-01"`
	// PeriodEnd defaults to today (UTC midnight), set by main.
	PeriodEnd Date `env:"PERIOD_END"`
	// Duplicates is the fraction (0 to 1) of events sent a second time with
	// the same id, on top of Events.
	Duplicates       float64       `env:"DUPLICATES, default=0"`
	Buffer           int           `env:"BUFFER, default=50000"`
	ProgressInterval time.Duration `env:"PROGRESS_INTERVAL, default=1s"`
	ShutdownTimeout  time.Duration `env:"SHUTDOWN_TIMEOUT, default=30s"`
	OTLPEndpoint     string        `env:"OTEL_EXPORTER_OTLP_ENDPOINT"`
	LogLevel         slog.Level    `env:"LOG_LEVEL, default=info"`
}

// LogValue implements slog.LogValuer: the config as logged at start, with
// durations and dates readable. Nothing in it is secret.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("kafka_brokers", c.KafkaBrokers),
		slog.String("topic", c.Topic),
		slog.Bool("ensure_topics", c.EnsureTopics),
		slog.Int("topic_partitions", int(c.TopicPartitions)),
		slog.Int("subjects", c.Subjects),
		slog.Int64("events", c.Events),
		slog.Float64("rate", c.Rate),
		slog.Uint64("seed", c.Seed),
		slog.String("period_start", c.PeriodStart.String()),
		slog.String("period_end", c.PeriodEnd.String()),
		slog.Float64("duplicates", c.Duplicates),
		slog.Int("buffer", c.Buffer),
		slog.String("progress_interval", c.ProgressInterval.String()),
		slog.String("shutdown_timeout", c.ShutdownTimeout.String()),
		slog.String("otel_exporter_otlp_endpoint", c.OTLPEndpoint),
		slog.String("log_level", c.LogLevel.String()),
	)
}

// check rejects settings the run cannot honour.
func (c *Config) check() error {
	switch {
	case len(c.KafkaBrokers) == 0:
		return fmt.Errorf("SIM_KAFKA_BROKERS is empty")
	case c.Events < 0:
		return fmt.Errorf("SIM_EVENTS must be 0 or more, got %d", c.Events)
	case c.Rate < 0:
		return fmt.Errorf("SIM_RATE must be 0 or more, got %g", c.Rate)
	case c.Duplicates < 0 || c.Duplicates > 1:
		return fmt.Errorf("SIM_DUPLICATES must be between 0 and 1, got %g", c.Duplicates)
	case c.Buffer < 1:
		return fmt.Errorf("SIM_BUFFER must be at least 1, got %d", c.Buffer)
	case c.ProgressInterval <= 0:
		return fmt.Errorf("SIM_PROGRESS_INTERVAL must be positive, got %s", c.ProgressInterval)
	case !c.PeriodEnd.After(c.PeriodStart.Time):
		return fmt.Errorf("SIM_PERIOD_END %s must be after SIM_PERIOD_START %s", c.PeriodEnd, c.PeriodStart)
	}
	return nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var cfg Config
	if err := envconfig.ProcessWith(ctx, &envconfig.Config{
		Target: &cfg, Lookuper: envconfig.PrefixLookuper("SIM_", envconfig.OsLookuper()),
	}); err != nil {
		fmt.Fprintln(os.Stderr, "simulator: config:", err)
		os.Exit(2)
	}
	if cfg.PeriodEnd.IsZero() {
		cfg.PeriodEnd = Today(time.Now())
	}
	if err := cfg.check(); err != nil {
		fmt.Fprintln(os.Stderr, "simulator: config:", err)
		os.Exit(2)
	}
	log := telemetry.NewLogger(os.Stderr, cfg.LogLevel)
	if err := run(ctx, cfg, log, os.Stdout); err != nil {
		log.Error("simulator stopped", "err", err)
		os.Exit(1)
	}
}
