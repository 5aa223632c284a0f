package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/sethvargo/go-envconfig"

	"github.com/balticom/lineage/pkg/secret"
)

// envPrefix prefixes every environment variable of the API.
const envPrefix = "API_"

// Config is the API's whole configuration, read once from the environment
// (each name below with the API_ prefix). Secrets are secret.Secret, which
// redacts itself wherever it is printed.
type Config struct {
	ListenAddr string `env:"LISTEN_ADDR, default=127.0.0.1:8080"`
	// MaxConns bounds the open connections: with all taken, the one idle
	// longest is closed for a new one, else the new one waits
	// (pkg/httpserve). Without a bound, clients that open connections and
	// send nothing exhaust the process's file descriptors.
	MaxConns int `env:"MAX_CONNS, default=1024"`
	// RateLimit is the requests a second each caller (token) may make on
	// average, RateBurst how many at once; beyond, 429 rate_limited. A
	// person at the dashboard makes a few a second; 20 (40 at once) lets a
	// script page through timelines and stops a runaway one from taking
	// ClickHouse and the audit topic from everyone else. 0 turns the limit
	// off (benchmarks, test harnesses that replay thousands of lookups).
	RateLimit float64 `env:"RATE_LIMIT, default=20"`
	RateBurst int     `env:"RATE_BURST, default=40"`

	ClickHouseAddrs    []string `env:"CLICKHOUSE_ADDRS, default=127.0.0.1:9000"`
	ClickHouseDatabase string   `env:"CLICKHOUSE_DATABASE, default=lineage"`
	ClickHouseUser     string   `env:"CLICKHOUSE_USER, default=lineage_reader"`
	// ClickHousePassword is required: no binary carries a password, not
	// even the development one (scripts/up passes it).
	ClickHousePassword     secret.Secret `env:"CLICKHOUSE_PASSWORD, required"`
	ClickHouseDialTimeout  time.Duration `env:"CLICKHOUSE_DIAL_TIMEOUT, default=5s"`
	ClickHouseMaxOpenConns int           `env:"CLICKHOUSE_MAX_OPEN_CONNS, default=10"`
	// ClickHouseCluster names the servers' cluster the schema is spread
	// over; empty means one server. It must be the materializer's.
	ClickHouseCluster string `env:"CLICKHOUSE_CLUSTER"`

	KafkaBrokers []string      `env:"KAFKA_BROKERS, default=127.0.0.1:9092"`
	AuditTimeout time.Duration `env:"AUDIT_TIMEOUT, default=5s"`

	// Tokens is "name:token,name2:token2": one bearer token per caller.
	Tokens secret.Secret `env:"TOKENS, required"`
	// CallerRoles is "name:role,name2:role2": the role of every caller of
	// Tokens, access_responder or dpo.
	CallerRoles string `env:"CALLER_ROLES, required"`
	// Consultations records every lookup of a subject as a lineage event
	// too, so that it shows in the subject's own access report. Only tests
	// that count a store's events exactly turn it off.
	Consultations bool `env:"CONSULTATIONS, default=true"`
	// IdentityKey is the operator's identity key in hex, the one the
	// sources hash identifiers with: without it, a subject can be searched
	// by customer id only.
	IdentityKey secret.Secret `env:"IDENTITY_KEY"`

	OTLPEndpoint string     `env:"OTEL_EXPORTER_OTLP_ENDPOINT"`
	OTLPInsecure bool       `env:"OTEL_EXPORTER_OTLP_INSECURE, default=false"`
	LogLevel     slog.Level `env:"LOG_LEVEL, default=info"`

	ReadHeaderTimeout time.Duration `env:"READ_HEADER_TIMEOUT, default=5s"`
	ReadTimeout       time.Duration `env:"READ_TIMEOUT, default=10s"`
	WriteTimeout      time.Duration `env:"WRITE_TIMEOUT, default=30s"`
	IdleTimeout       time.Duration `env:"IDLE_TIMEOUT, default=60s"`
	QueryTimeout      time.Duration `env:"QUERY_TIMEOUT, default=20s"`
	// UnresolvedMaxAge is how long a count of unresolved events is reused:
	// counting reads every identified event.
	UnresolvedMaxAge time.Duration `env:"UNRESOLVED_MAX_AGE, default=30s"`
	ShutdownTimeout  time.Duration `env:"SHUTDOWN_TIMEOUT, default=20s"`
	// GCPercent is the Go collector's GOGC. An access report of 10,000
	// events holds some 100 MB of short-lived objects; at the runtime's
	// default of 100 the collector runs several times per report and
	// doubles its time (docs/PERFORMANCE.md). Lookups keep the heap small
	// otherwise, so 400 costs little memory.
	GCPercent int `env:"GC_PERCENT, default=400"`
}

// loadConfig reads the configuration through l (the process environment in
// main, a map in tests).
func loadConfig(ctx context.Context, l envconfig.Lookuper) (Config, error) {
	var cfg Config
	if err := envconfig.ProcessWith(ctx, &envconfig.Config{
		Target:   &cfg,
		Lookuper: envconfig.PrefixLookuper(envPrefix, l),
	}); err != nil {
		return Config{}, fmt.Errorf("read configuration: %w", err)
	}
	var errs []error
	if cfg.QueryTimeout >= cfg.WriteTimeout {
		errs = append(errs, fmt.Errorf("%sQUERY_TIMEOUT (%s) must be shorter than %sWRITE_TIMEOUT (%s)",
			envPrefix, cfg.QueryTimeout, envPrefix, cfg.WriteTimeout))
	}
	// Without them, a connection that sends nothing, or nothing after an
	// answer, is held for ever: enough of them exhaust MAX_CONNS.
	for _, t := range []struct {
		name string
		d    time.Duration
	}{{"READ_HEADER_TIMEOUT", cfg.ReadHeaderTimeout}, {"IDLE_TIMEOUT", cfg.IdleTimeout}} {
		if t.d <= 0 {
			errs = append(errs, fmt.Errorf("%s%s must be positive (got %s)", envPrefix, t.name, t.d))
		}
	}
	if cfg.MaxConns <= 0 {
		errs = append(errs, fmt.Errorf("%sMAX_CONNS must be positive (got %d)", envPrefix, cfg.MaxConns))
	}
	switch {
	case cfg.RateLimit < 0 || math.IsNaN(cfg.RateLimit) || math.IsInf(cfg.RateLimit, 0):
		errs = append(errs, fmt.Errorf("%sRATE_LIMIT must be a number of requests a second, 0 for no limit (got %g)", envPrefix, cfg.RateLimit))
	case cfg.RateLimit > 0 && cfg.RateBurst < 1:
		errs = append(errs, fmt.Errorf("%sRATE_BURST must be at least 1 (got %d)", envPrefix, cfg.RateBurst))
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("read configuration: %w", err)
	}
	return cfg, nil
}

// LogValue implements slog.LogValuer: every field, secrets redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("listen_addr", c.ListenAddr),
		slog.Int("max_conns", c.MaxConns),
		slog.Float64("rate_limit", c.RateLimit),
		slog.Int("rate_burst", c.RateBurst),
		slog.Any("clickhouse_addrs", c.ClickHouseAddrs),
		slog.String("clickhouse_database", c.ClickHouseDatabase),
		slog.String("clickhouse_user", c.ClickHouseUser),
		slog.Any("clickhouse_password", c.ClickHousePassword),
		slog.Duration("clickhouse_dial_timeout", c.ClickHouseDialTimeout),
		slog.Int("clickhouse_max_open_conns", c.ClickHouseMaxOpenConns),
		slog.String("clickhouse_cluster", c.ClickHouseCluster),
		slog.Any("kafka_brokers", c.KafkaBrokers),
		slog.Duration("audit_timeout", c.AuditTimeout),
		slog.Any("tokens", c.Tokens),
		slog.String("caller_roles", c.CallerRoles),
		slog.Bool("consultations", c.Consultations),
		slog.Any("identity_key", c.IdentityKey),
		slog.String("otel_exporter_otlp_endpoint", c.OTLPEndpoint),
		slog.Bool("otel_exporter_otlp_insecure", c.OTLPInsecure),
		slog.String("log_level", c.LogLevel.String()),
		slog.Duration("read_header_timeout", c.ReadHeaderTimeout),
		slog.Duration("read_timeout", c.ReadTimeout),
		slog.Duration("write_timeout", c.WriteTimeout),
		slog.Duration("idle_timeout", c.IdleTimeout),
		slog.Duration("query_timeout", c.QueryTimeout),
		slog.Duration("unresolved_max_age", c.UnresolvedMaxAge),
		slog.Duration("shutdown_timeout", c.ShutdownTimeout),
		slog.Int("gc_percent", c.GCPercent),
	)
}
