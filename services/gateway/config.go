package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/sethvargo/go-envconfig"

	"github.com/balticom/lineage/pkg/httpauth"
	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/pkg/secret"
	"github.com/balticom/lineage/pkg/taxonomy"
	"github.com/balticom/lineage/services/gateway/internal/httpingest"
)

// envPrefix prefixes every environment variable of the gateway.
const envPrefix = "GATEWAY_"

// Config is the gateway's whole configuration, read once from the
// environment (each name below with the GATEWAY_ prefix). Secrets are
// secret.Secret, which redacts itself wherever it is printed.
type Config struct {
	ListenAddr   string   `env:"LISTEN_ADDR, default=127.0.0.1:8081"`
	KafkaBrokers []string `env:"KAFKA_BROKERS, default=127.0.0.1:9092"`

	// Sources is "crm:token1,billing:token2": one bearer token per source
	// system, each name a taxonomy source system code.
	Sources secret.Secret `env:"SOURCES, required"`
	// IdentityKey is the operator's identity key in hex, at least 32
	// bytes (openssl rand -hex 32): the gateway hashes the identifiers of
	// events (subject_identifier) and of identity links with it. It must be
	// the key of every other producer of identifiers. Optional: without it
	// the gateway serves events with subject_id and refuses identifiers.
	IdentityKey secret.Secret `env:"IDENTITY_KEY"`
	// LinkSources are the source systems whose identity links are taken:
	// a link decides whose data an identifier's events are, so a source
	// that only files events under numbers may not state one.
	LinkSources []string `env:"LINK_SOURCES, default=crm"`

	MaxBodyBytes int64 `env:"MAX_BODY_BYTES, default=1048576"`
	MaxBatch     int   `env:"MAX_BATCH, default=500"`
	MaxInFlight  int   `env:"MAX_IN_FLIGHT, default=64"`
	// MaxInFlightPerSource is the share of MaxInFlight one source system
	// may hold, so that a slow or flooding source leaves the others
	// slots. Unset or 0: half of MaxInFlight (loadConfig sets it).
	MaxInFlightPerSource int `env:"MAX_IN_FLIGHT_PER_SOURCE"`
	// MaxConns bounds the open connections; with all taken, the one idle
	// longest is closed for a new one (pkg/httpserve).
	MaxConns       int           `env:"MAX_CONNS, default=1024"`
	PublishTimeout time.Duration `env:"PUBLISH_TIMEOUT, default=10s"`

	OTLPEndpoint string     `env:"OTEL_EXPORTER_OTLP_ENDPOINT"`
	OTLPInsecure bool       `env:"OTEL_EXPORTER_OTLP_INSECURE, default=false"`
	LogLevel     slog.Level `env:"LOG_LEVEL, default=info"`

	ReadHeaderTimeout time.Duration `env:"READ_HEADER_TIMEOUT, default=5s"`
	ReadTimeout       time.Duration `env:"READ_TIMEOUT, default=15s"`
	WriteTimeout      time.Duration `env:"WRITE_TIMEOUT, default=30s"`
	IdleTimeout       time.Duration `env:"IDLE_TIMEOUT, default=60s"`
	ShutdownTimeout   time.Duration `env:"SHUTDOWN_TIMEOUT, default=20s"`
}

// loadConfig reads the configuration through l (the process environment in
// main, a map in tests) and checks what envconfig cannot.
func loadConfig(ctx context.Context, l envconfig.Lookuper) (Config, error) {
	var cfg Config
	if err := envconfig.ProcessWith(ctx, &envconfig.Config{
		Target:   &cfg,
		Lookuper: envconfig.PrefixLookuper(envPrefix, l),
	}); err != nil {
		return Config{}, fmt.Errorf("read configuration: %w", err)
	}
	var errs []error
	positive := func(name string, v int64) {
		if v <= 0 {
			errs = append(errs, fmt.Errorf("%s%s must be positive (got %d)", envPrefix, name, v))
		}
	}
	positive("MAX_BODY_BYTES", cfg.MaxBodyBytes)
	positive("MAX_BATCH", int64(cfg.MaxBatch))
	positive("MAX_IN_FLIGHT", int64(cfg.MaxInFlight))
	positive("MAX_CONNS", int64(cfg.MaxConns))
	positive("PUBLISH_TIMEOUT", int64(cfg.PublishTimeout))
	// Without them, a connection that sends nothing, or nothing after an
	// answer, is held for ever: enough of them exhaust MAX_CONNS.
	positive("READ_HEADER_TIMEOUT", int64(cfg.ReadHeaderTimeout))
	positive("IDLE_TIMEOUT", int64(cfg.IdleTimeout))
	if cfg.PublishTimeout >= cfg.WriteTimeout {
		errs = append(errs, fmt.Errorf("%sPUBLISH_TIMEOUT (%s) must be shorter than %sWRITE_TIMEOUT (%s): the answer must still go out",
			envPrefix, cfg.PublishTimeout, envPrefix, cfg.WriteTimeout))
	}
	switch {
	case cfg.MaxInFlightPerSource < 0:
		errs = append(errs, fmt.Errorf("%sMAX_IN_FLIGHT_PER_SOURCE must not be negative (got %d; 0 is half of %sMAX_IN_FLIGHT)",
			envPrefix, cfg.MaxInFlightPerSource, envPrefix))
	case cfg.MaxInFlightPerSource == 0:
		cfg.MaxInFlightPerSource = httpingest.DefaultPerSource(cfg.MaxInFlight)
	case cfg.MaxInFlightPerSource > cfg.MaxInFlight:
		errs = append(errs, fmt.Errorf("%sMAX_IN_FLIGHT_PER_SOURCE (%d) must be at most %sMAX_IN_FLIGHT (%d)",
			envPrefix, cfg.MaxInFlightPerSource, envPrefix, cfg.MaxInFlight))
	}
	if cfg.MaxConns < cfg.MaxInFlight {
		errs = append(errs, fmt.Errorf("%sMAX_CONNS (%d) must be at least %sMAX_IN_FLIGHT (%d)",
			envPrefix, cfg.MaxConns, envPrefix, cfg.MaxInFlight))
	}
	if _, err := parseSources(cfg.Sources); err != nil {
		errs = append(errs, err)
	}
	if _, err := parseIdentityKey(cfg.IdentityKey); err != nil {
		errs = append(errs, err)
	}
	for _, code := range cfg.LinkSources {
		if _, ok := taxonomy.LookupSourceSystem(code); !ok {
			errs = append(errs, fmt.Errorf("%sLINK_SOURCES: %q is not a source system code", envPrefix, code))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("read configuration: %w", err)
	}
	return cfg, nil
}

// parseSources parses GATEWAY_SOURCES: bearer tokens whose names must be
// source system codes of the taxonomy. Errors never show a token.
func parseSources(s secret.Secret) (*httpauth.Tokens, error) {
	tokens, err := httpauth.ParseTokens(s.Reveal())
	if err != nil {
		return nil, fmt.Errorf("%sSOURCES: %w", envPrefix, err)
	}
	for _, name := range tokens.Names() {
		if _, ok := taxonomy.LookupSourceSystem(name); !ok {
			codes := make([]string, 0, len(taxonomy.SourceSystems()))
			for _, t := range taxonomy.SourceSystems() {
				codes = append(codes, t.Code)
			}
			return nil, fmt.Errorf("%sSOURCES: %q is not a source system code (%s)", envPrefix, name, strings.Join(codes, ", "))
		}
	}
	return tokens, nil
}

// parseIdentityKey parses GATEWAY_IDENTITY_KEY; nil, nil when it is not
// set. Errors never show the key.
func parseIdentityKey(s secret.Secret) (*identity.Keyer, error) {
	if s == "" {
		return nil, nil
	}
	// Decoded here rather than by identity.ParseKey, whose error would
	// quote hex's, which quotes the offending character of the key.
	key, err := hex.DecodeString(strings.TrimSpace(s.Reveal()))
	if err != nil {
		return nil, fmt.Errorf("%sIDENTITY_KEY must be hex (openssl rand -hex %d)", envPrefix, identity.MinKeyBytes)
	}
	k, err := identity.NewKeyer(key)
	if err != nil {
		return nil, fmt.Errorf("%sIDENTITY_KEY: %w", envPrefix, err)
	}
	return k, nil
}

// LogValue implements slog.LogValuer: every field, secrets redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("listen_addr", c.ListenAddr),
		slog.Any("kafka_brokers", c.KafkaBrokers),
		slog.Any("sources", c.Sources),
		slog.Any("identity_key", c.IdentityKey),
		slog.Any("link_sources", c.LinkSources),
		slog.Int64("max_body_bytes", c.MaxBodyBytes),
		slog.Int("max_batch", c.MaxBatch),
		slog.Int("max_in_flight", c.MaxInFlight),
		slog.Int("max_in_flight_per_source", c.MaxInFlightPerSource),
		slog.Int("max_conns", c.MaxConns),
		slog.Duration("publish_timeout", c.PublishTimeout),
		slog.String("otel_exporter_otlp_endpoint", c.OTLPEndpoint),
		slog.Bool("otel_exporter_otlp_insecure", c.OTLPInsecure),
		slog.String("log_level", c.LogLevel.String()),
		slog.Duration("read_header_timeout", c.ReadHeaderTimeout),
		slog.Duration("read_timeout", c.ReadTimeout),
		slog.Duration("write_timeout", c.WriteTimeout),
		slog.Duration("idle_timeout", c.IdleTimeout),
		slog.Duration("shutdown_timeout", c.ShutdownTimeout),
	)
}
