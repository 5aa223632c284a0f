// Command api is the lineage query API: it answers data-subject access
// responders and the DPO who received a subject's data, which data, when and
// why, from the ClickHouse projection, and writes every lookup to the audit
// topic before answering it. See openapi.yaml for the endpoints and
// config.go for the environment variables.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/sethvargo/go-envconfig"

	"github.com/balticom/lineage/pkg/httpauth"
	"github.com/balticom/lineage/pkg/httphealth"
	"github.com/balticom/lineage/pkg/httpserve"
	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/services/api/internal/dashboard"
	"github.com/balticom/lineage/services/api/internal/httpapi"
	"github.com/balticom/lineage/services/api/internal/kafkaaudit"
	"github.com/balticom/lineage/services/chstore"
	"github.com/balticom/lineage/services/telemetry"
)

const serviceName = "lineage-api"

// telemetryFlushTimeout bounds the last flush of spans and metrics.
const telemetryFlushTimeout = 5 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, envconfig.OsLookuper(), os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", serviceName, err)
		os.Exit(1)
	}
}

// run serves the API until ctx is cancelled, then shuts down: HTTP first
// (in-flight lookups finish), then the Kafka and ClickHouse clients, and
// telemetry last. It reads its configuration through env and logs to logOut.
func run(ctx context.Context, env envconfig.Lookuper, logOut io.Writer) (err error) {
	cfg, err := loadConfig(ctx, env)
	if err != nil {
		return err
	}
	log := telemetry.NewLogger(logOut, cfg.LogLevel)
	log.Info("starting", "service", serviceName, "config", cfg)
	debug.SetGCPercent(cfg.GCPercent)

	tokens, err := httpauth.ParseTokens(cfg.Tokens.Reveal())
	if err != nil {
		return fmt.Errorf("parse %sTOKENS: %w", envPrefix, err)
	}
	roles, err := httpapi.ParseRoles(cfg.CallerRoles)
	if err != nil {
		return fmt.Errorf("parse %sCALLER_ROLES: %w", envPrefix, err)
	}
	var keyer *identity.Keyer
	if key := cfg.IdentityKey.Reveal(); key != "" {
		if keyer, err = identity.ParseKey(key); err != nil {
			return fmt.Errorf("parse %sIDENTITY_KEY: %w", envPrefix, err)
		}
	}

	flushTelemetry, err := telemetry.Setup(ctx, telemetry.Config{
		ServiceName: serviceName, OTLPEndpoint: cfg.OTLPEndpoint, Insecure: cfg.OTLPInsecure,
	})
	if err != nil {
		return fmt.Errorf("set up telemetry: %w", err)
	}
	defer func() {
		fctx, cancel := context.WithTimeout(context.Background(), telemetryFlushTimeout)
		defer cancel()
		if ferr := flushTelemetry(fctx); ferr != nil {
			err = errors.Join(err, fmt.Errorf("flush telemetry: %w", ferr))
		}
	}()

	store, err := chstore.Open(ctx, chstore.Config{
		Addrs:        cfg.ClickHouseAddrs,
		Database:     cfg.ClickHouseDatabase,
		Username:     cfg.ClickHouseUser,
		Password:     cfg.ClickHousePassword.Reveal(),
		DialTimeout:  cfg.ClickHouseDialTimeout,
		MaxOpenConns: cfg.ClickHouseMaxOpenConns,
		Cluster:      cfg.ClickHouseCluster,
	})
	if err != nil {
		return err
	}
	defer func() {
		if cerr := store.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}()

	auditor, err := kafkaaudit.New(kafkaaudit.Config{
		Brokers: cfg.KafkaBrokers, Timeout: cfg.AuditTimeout, ClientID: serviceName,
		NoConsultations: !cfg.Consultations,
	})
	if err != nil {
		return err
	}
	defer auditor.Close()

	api, err := httpapi.New(httpapi.Deps{
		Store:      store,
		Auditor:    auditor,
		RequestLog: auditor,
		Tokens:     tokens,
		Roles:      roles,
		Keyer:      keyer,
		Log:        log,
		Checks: []httphealth.Check{
			{Name: "clickhouse", Func: store.Ping},
			{Name: "kafka", Func: auditor.Ping},
		},
		QueryTimeout:     cfg.QueryTimeout,
		UnresolvedMaxAge: cfg.UnresolvedMaxAge,
		RateLimit:        cfg.RateLimit,
		RateBurst:        cfg.RateBurst,
	})
	if err != nil {
		return err
	}
	api.CountFlags(ctx)
	return httpserve.Run(ctx, httpserve.Config{
		Addr:              cfg.ListenAddr,
		Handler:           withDashboard(api),
		Log:               log,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ShutdownTimeout:   cfg.ShutdownTimeout,
		// A new connection beyond MaxConns takes the place of the one
		// idle longest, else waits in the kernel's accept queue: idle
		// connections (a 401 closes its own) never keep a caller with a
		// token out, and the file descriptors stay bounded.
		MaxConns: cfg.MaxConns,
	})
}

// withDashboard serves the dashboard at / next to the API. The page holds
// no data; it calls the /v1 endpoints with the token its user pastes.
func withDashboard(api http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", api)
	page := dashboard.Handler()
	mux.Handle("GET /{$}", page)
	mux.Handle("GET "+dashboard.AssetPrefix, page)
	return mux
}
