// Package telemetry sets up OpenTelemetry tracing and metrics and the JSON
// logger that every binary of the project uses.
//
// Setup installs process-wide (global) providers: call it once, from main,
// and call the shutdown function it returns last, after everything that
// might still record a span or a measurement has stopped. Nothing here reads
// the environment: the binary's config struct decides.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Config says where telemetry goes.
type Config struct {
	// ServiceName becomes the service.name resource attribute.
	ServiceName string
	// InstanceID becomes the service.instance.id resource attribute; empty
	// means the host name (a container's or a pod's own). Without it two
	// members of a consumer group export the same series, and a metrics
	// backend keeps whichever came last instead of their sum.
	InstanceID string
	// OTLPEndpoint is the OTLP/HTTP collector: a base URL
	// ("http://collector:4318", the signal paths /v1/traces and /v1/metrics
	// are appended) or host:port. Empty: nothing is exported.
	OTLPEndpoint string
	// Insecure sends plain HTTP to a host:port endpoint. A URL's scheme
	// decides for itself.
	Insecure bool
}

// metricInterval is how often the periodic reader exports metrics.
const metricInterval = 30 * time.Second

// Setup installs the W3C TraceContext propagator and, when cfg.OTLPEndpoint
// is set, global tracer and meter providers exporting over OTLP/HTTP
// (batched spans, periodic metrics). With no endpoint the no-op providers
// stay in place and nothing leaves the process.
//
// shutdown flushes what is buffered and stops the providers; it is never nil
// and is safe to call once, with a context that bounds the flush.
func Setup(ctx context.Context, cfg Config) (shutdown func(context.Context) error, err error) {
	otel.SetTextMapPropagator(propagation.TraceContext{})
	noop := func(context.Context) error { return nil }
	if cfg.OTLPEndpoint == "" {
		return noop, nil
	}
	ep, err := parseEndpoint(cfg.OTLPEndpoint, cfg.Insecure)
	if err != nil {
		return noop, err
	}
	instance := cfg.InstanceID
	if instance == "" {
		if instance, err = os.Hostname(); err != nil {
			return noop, fmt.Errorf("telemetry instance id: %w", err)
		}
	}
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String("service.name", cfg.ServiceName),
			attribute.String("service.instance.id", instance)),
	)
	if err != nil {
		return noop, fmt.Errorf("build telemetry resource: %w", err)
	}

	traceOpts := []otlptracehttp.Option{
		otlptracehttp.WithEndpoint(ep.host),
		otlptracehttp.WithURLPath(ep.path("/v1/traces")),
	}
	metricOpts := []otlpmetrichttp.Option{
		otlpmetrichttp.WithEndpoint(ep.host),
		otlpmetrichttp.WithURLPath(ep.path("/v1/metrics")),
	}
	if ep.insecure {
		traceOpts = append(traceOpts, otlptracehttp.WithInsecure())
		metricOpts = append(metricOpts, otlpmetrichttp.WithInsecure())
	}
	spanExp, err := otlptracehttp.New(ctx, traceOpts...)
	if err != nil {
		return noop, fmt.Errorf("create otlp trace exporter: %w", err)
	}
	metricExp, err := otlpmetrichttp.New(ctx, metricOpts...)
	if err != nil {
		return noop, errors.Join(
			fmt.Errorf("create otlp metric exporter: %w", err),
			spanExp.Shutdown(ctx),
		)
	}

	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(spanExp),
		sdktrace.WithResource(res),
	)
	mp := sdkmetric.NewMeterProvider(
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metricExp, sdkmetric.WithInterval(metricInterval))),
		sdkmetric.WithResource(res),
	)
	otel.SetTracerProvider(tp)
	otel.SetMeterProvider(mp)

	return func(ctx context.Context) error {
		var errs []error
		if err := tp.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shut down tracer provider: %w", err))
		}
		if err := mp.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shut down meter provider: %w", err))
		}
		return errors.Join(errs...)
	}, nil
}

// endpoint is a parsed OTLPEndpoint.
type endpoint struct {
	host     string
	basePath string
	insecure bool
}

// path returns the signal path under the endpoint's base path.
func (e endpoint) path(signal string) string { return e.basePath + signal }

// parseEndpoint accepts a base URL (http or https) or host:port.
func parseEndpoint(s string, insecure bool) (endpoint, error) {
	if !strings.Contains(s, "://") {
		return endpoint{host: s, insecure: insecure}, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return endpoint{}, fmt.Errorf("parse otlp endpoint: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return endpoint{}, fmt.Errorf("parse otlp endpoint: want http(s)://host[:port][/path] or host:port, got scheme %q", u.Scheme)
	}
	return endpoint{
		host:     u.Host,
		basePath: strings.TrimSuffix(u.Path, "/"),
		insecure: u.Scheme == "http",
	}, nil
}
