// Command simulator is the realistic traffic source of the lineage tracker:
// it plays the operations of AS Balticom's source systems (CRM, billing,
// network inventory, TV platform, CDR mediation, processors abroad) for a
// population of simulated customers over a simulated period and publishes
// the lineage events through the producer SDK. The embedded demo and the
// benchmarks run it. CRM's campaigns send commercial messages (§42-§47),
// and the customers give and withdraw consents, opt out and ask for
// erasure: those subject facts, the recipients' erasure notices and the
// State Police's unmet requests for retained data go to the facts topic
// (PublishFacts), as the simulated time reaches them.
//
// The run is deterministic for a seed: re-running it re-sends the same event
// ids, which shows that the store counts each fact once; SIM_DUPLICATES does
// the same within one run. At the end it prints a summary line to stdout,
// "simulator: events=… links=… facts=… facts_by_type=… sample_subject=C…",
// counting the facts of each type and naming a customer who received
// transfers, for the demo to query.
//
// SIM_SOURCES makes one process one source system (or a few): the
// scenarios of the others are left out, so a deployment can run a process
// per source system. Sources that know customers by a phone number, an
// address, a contract or a device publish keyed identifiers instead of
// customer ids, and CRM (when selected) publishes the identity links that
// say whose they were when; both need the operator's identity key,
// SIM_IDENTITY_KEY.
package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/sethvargo/go-envconfig"

	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/pkg/secret"
	"github.com/balticom/lineage/services/simulator/internal/scenario"
	"github.com/balticom/lineage/services/telemetry"
)

// Config is read from the environment, every name prefixed SIM_. The
// identity key is a secret.Secret, which redacts itself wherever it is
// printed.
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
	// Sources are the source system codes whose scenarios this process
	// plays; empty plays all of them. A scenario is its first step's
	// system's (scenario.Scenario.Source).
	Sources []string `env:"SOURCES"`
	// IdentityKey is the operator's identity key in hex (at least 32
	// bytes), the gateway's: identifiers are keyed-hashed with it before
	// they reach Kafka. Required when a selected source knows customers
	// by identifiers or states the links (crm); unset otherwise.
	IdentityKey secret.Secret `env:"IDENTITY_KEY"`
	// LinksDelay holds CRM's link statements back by this much simulated
	// time, so that events arrive before the links that resolve them.
	LinksDelay time.Duration `env:"LINKS_DELAY, default=0"`
	// Unlinked is the fraction (0 to 1) of links never published: the
	// events identified through them stay unresolved.
	Unlinked float64 `env:"UNLINKED, default=0"`
}

// LogValue implements slog.LogValuer: the config as logged at start, with
// durations and dates readable and the identity key redacted.
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
		slog.String("sources", c.sourcesText()),
		slog.Any("identity_key", c.IdentityKey),
		slog.String("links_delay", c.LinksDelay.String()),
		slog.Float64("unlinked", c.Unlinked),
	)
}

// sourcesText is SIM_SOURCES as logged: "all" when empty.
func (c Config) sourcesText() string {
	if len(c.Sources) == 0 {
		return "all"
	}
	return strings.Join(c.Sources, ",")
}

// check rejects settings the run cannot honour. It also tidies
// c.Sources: codes trimmed, empty ones dropped.
func (c *Config) check() error {
	if err := c.checkIdentity(); err != nil {
		return err
	}
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
	case c.LinksDelay < 0:
		return fmt.Errorf("SIM_LINKS_DELAY must be 0 or more, got %s", c.LinksDelay)
	case c.Unlinked < 0 || c.Unlinked > 1:
		return fmt.Errorf("SIM_UNLINKED must be between 0 and 1, got %g", c.Unlinked)
	}
	return nil
}

// checkIdentity checks SIM_SOURCES and SIM_IDENTITY_KEY together: the key
// is required exactly when a selected source needs it. Without it the
// simulator refuses to start rather than make up a key: hashes under
// another key than the gateway's would never match the same number sent
// through the gateway, and the mismatch would go unnoticed.
func (c *Config) checkIdentity() error {
	catalogue := scenario.Catalogue()
	known := scenario.Sources(catalogue)
	var sources []string
	for _, code := range c.Sources {
		code = strings.TrimSpace(code)
		switch {
		case code == "":
			continue
		case !slices.Contains(known, code):
			return fmt.Errorf("SIM_SOURCES: unknown source system %q (known: %s)", code, strings.Join(known, ","))
		case !slices.Contains(sources, code):
			sources = append(sources, code)
		}
	}
	c.Sources = sources
	if c.IdentityKey != "" {
		if _, err := c.keyer(); err != nil {
			return err
		}
		return nil
	}
	if keyed := scenario.KeyedSources(catalogue, c.Sources); len(keyed) > 0 {
		return fmt.Errorf("SIM_IDENTITY_KEY is required: sources %s know customers by phone numbers, IP addresses, "+
			"contracts or devices, or state whose they are (crm), and hash them with the operator's identity key; "+
			"give the gateway's key (hex, at least %d bytes: openssl rand -hex 32), or leave these sources out of SIM_SOURCES",
			strings.Join(keyed, ","), identity.MinKeyBytes)
	}
	return nil
}

// keyer parses the identity key; nil when none is set. The error never
// quotes the key.
func (c *Config) keyer() (*identity.Keyer, error) {
	if c.IdentityKey == "" {
		return nil, nil
	}
	if _, err := hex.DecodeString(strings.TrimSpace(c.IdentityKey.Reveal())); err != nil {
		return nil, fmt.Errorf("SIM_IDENTITY_KEY must be hex (openssl rand -hex 32)")
	}
	k, err := identity.ParseKey(c.IdentityKey.Reveal())
	if err != nil {
		return nil, fmt.Errorf("SIM_IDENTITY_KEY: %w", err)
	}
	return k, nil
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
