// Command gateway is the HTTP ingest gateway: source systems that cannot
// embed the Go SDK post lineage events and identity links as JSON, and the
// gateway validates them against the taxonomy and publishes them to Kafka
// through the SDK, answering only after Kafka acknowledged them.
// Identifiers (phone numbers, IP addresses, contracts, devices) arrive in
// clear and leave as HMACs under the operator's identity key
// (GATEWAY_IDENTITY_KEY; without it they are refused). See openapi.yaml for
// the endpoints and config.go for the environment variables.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sethvargo/go-envconfig"

	"github.com/balticom/lineage/pkg/httphealth"
	"github.com/balticom/lineage/pkg/httpserve"
	"github.com/balticom/lineage/services/gateway/internal/httpingest"
	"github.com/balticom/lineage/services/gateway/internal/kafkapub"
	"github.com/balticom/lineage/services/telemetry"
)

const serviceName = "lineage-gateway"

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

// run serves the gateway until ctx is cancelled, then shuts down: HTTP
// first (requests in flight get their answer), then the Kafka publisher
// (what is buffered is flushed), and telemetry last. It reads its
// configuration through env and logs to logOut.
func run(ctx context.Context, env envconfig.Lookuper, logOut io.Writer) (err error) {
	cfg, err := loadConfig(ctx, env)
	if err != nil {
		return err
	}
	log := telemetry.NewLogger(logOut, cfg.LogLevel)
	log.Info("starting", "service", serviceName, "config", cfg)

	sources, err := parseSources(cfg.Sources)
	if err != nil {
		return err
	}
	keyer, err := parseIdentityKey(cfg.IdentityKey)
	if err != nil {
		return err
	}
	if keyer == nil {
		log.Info("no identity key: events with subject_identifier and identity links are refused with 422")
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

	pub, err := kafkapub.New(kafkapub.Config{
		Brokers:         cfg.KafkaBrokers,
		ClientID:        serviceName,
		DeliveryTimeout: cfg.PublishTimeout,
		// Every record buffered belongs to a request holding a slot, so
		// the buffer can never be full: Publish never blocks on it.
		MaxBuffered: cfg.MaxInFlight * cfg.MaxBatch,
	})
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		if cerr := pub.Close(cctx); cerr != nil {
			err = errors.Join(err, cerr)
		}
		log.Info("kafka publisher closed")
	}()

	gw, err := httpingest.New(httpingest.Deps{
		Publisher:            pub,
		Sources:              sources,
		Keyer:                keyer,
		LinkSources:          cfg.LinkSources,
		Log:                  log,
		Checks:               []httphealth.Check{{Name: "kafka", Func: pub.Ping}},
		MaxBodyBytes:         cfg.MaxBodyBytes,
		MaxBatch:             cfg.MaxBatch,
		MaxInFlight:          cfg.MaxInFlight,
		MaxInFlightPerSource: cfg.MaxInFlightPerSource,
		PublishTimeout:       cfg.PublishTimeout,
	})
	if err != nil {
		return err
	}
	return httpserve.Run(ctx, httpserve.Config{
		Addr:              cfg.ListenAddr,
		Handler:           gw,
		Log:               log,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ShutdownTimeout:   cfg.ShutdownTimeout,
		// At most MaxConns connections are open at once. A new one takes
		// the place of the one idle longest, else waits in the kernel's
		// accept queue: idle connections (a 401 closes its own) never keep
		// a source with events out, and the file descriptors stay bounded.
		MaxConns: cfg.MaxConns,
	})
}
