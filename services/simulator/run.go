package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/producer"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/services/simulator/internal/scenario"
	"github.com/balticom/lineage/services/telemetry"
)

// eventsPerSubjectPass is the density of one pass over the period when the
// run has no event count (SIM_EVENTS=0): the generator needs to know how
// thinly to spread events, and 100 per customer is a busy customer's year.
const eventsPerSubjectPass = 100

// dupWindow is how many recent events a duplicate is drawn from: a re-send
// comes a little after the original, as a producer retry or replay would.
const dupWindow = 256

// run publishes the simulated events until cfg.Events are sent or ctx ends,
// then flushes and writes a summary line to out. It fails if any event was
// not acknowledged.
func run(ctx context.Context, cfg Config, log *slog.Logger, out io.Writer) error {
	log.Info("starting", "config", cfg)
	shutdownTelemetry, err := telemetry.Setup(ctx, telemetry.Config{ServiceName: "lineage-simulator", OTLPEndpoint: cfg.OTLPEndpoint})
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

	perPass := cfg.Events
	if perPass == 0 {
		perPass = int64(cfg.Subjects) * eventsPerSubjectPass
	}
	gen, err := scenario.New(scenario.Config{
		Seed: cfg.Seed, Subjects: cfg.Subjects,
		Start: cfg.PeriodStart.Time, End: cfg.PeriodEnd.Time, Events: perPass,
	})
	if err != nil {
		return fmt.Errorf("build generator: %w", err)
	}
	if cfg.EnsureTopics {
		if err := ensureTopics(ctx, cfg); err != nil {
			return err
		}
	}
	p, err := producer.New(producer.Config{
		Brokers: cfg.KafkaBrokers, Topic: cfg.Topic, ClientID: "lineage-simulator",
		// Our own bound (Buffer) holds the sender back first, so the SDK's
		// buffer never blocks and a signal can always stop the sender.
		MaxBuffered: cfg.Buffer + 1024,
	})
	if err != nil {
		return err
	}

	s := &sender{
		cfg: cfg, log: log, gen: gen, pub: p,
		inflight: make(chan struct{}, cfg.Buffer),
		dupRNG:   rand.New(rand.NewPCG(cfg.Seed, 0xd1b54a32d192ed03)),
	}
	start := time.Now()
	progressDone := s.reportProgress(ctx, start)
	log.Info("sending", "topic", cfg.Topic, "events", cfg.Events, "subjects", cfg.Subjects,
		"period_start", cfg.PeriodStart.String(), "period_end", cfg.PeriodEnd.String())
	s.send(ctx, start)
	if ctx.Err() != nil {
		log.Info("stopping on signal; flushing buffered events")
	}

	// Close flushes: every buffered event is acknowledged or failed.
	closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	closeErr := p.Close(closeCtx)
	s.waitCallbacks(closeCtx)
	progressDone()
	return s.summarise(out, time.Since(start), closeErr)
}

// publisher is the part of the producer SDK the sender uses.
type publisher interface {
	PublishAsync(ctx context.Context, e lineage.Event, done func(error))
}

// sender feeds generated events to the producer and counts the outcome.
// send runs on one goroutine; the counters are updated from the producer's
// callbacks.
type sender struct {
	cfg      Config
	log      *slog.Logger
	gen      *scenario.Generator
	pub      publisher
	inflight chan struct{} // bounds events sent but not yet answered
	pending  sync.WaitGroup
	dupRNG   *rand.Rand

	sent, duplicates, acked, failed atomic.Int64
	failLogged                      atomic.Int64
	sample                          string // a customer who received a transfer
}

// maxFailureLogs bounds the failures logged one by one; all are counted.
const maxFailureLogs = 10

// send publishes until cfg.Events distinct events are out or ctx ends.
func (s *sender) send(ctx context.Context, start time.Time) {
	var recent [dupWindow]lineage.Event
	// The SDK must not see ctx: cancelling it would fail the buffered
	// events instead of flushing them.
	pctx := context.WithoutCancel(ctx)
	for n := int64(0); s.cfg.Events == 0 || n < s.cfg.Events; n++ {
		if !s.pace(ctx, start) {
			return
		}
		e := s.gen.Next()
		if !s.publish(ctx, pctx, e) {
			return
		}
		if s.sample == "" && e.Kind == lineage.Transfer {
			s.sample = e.SubjectID
		}
		if s.cfg.Duplicates == 0 {
			continue
		}
		recent[n%dupWindow] = e
		if s.dupRNG.Float64() < s.cfg.Duplicates {
			if !s.pace(ctx, start) || !s.publish(ctx, pctx, recent[s.dupRNG.Int64N(min(n+1, dupWindow))]) {
				return
			}
			s.duplicates.Add(1)
		}
	}
}

// publish hands e to the producer once the buffer has room. It reports
// false, sending nothing, when ctx ends first.
func (s *sender) publish(ctx, pctx context.Context, e lineage.Event) bool {
	select {
	case s.inflight <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	s.pending.Add(1)
	s.sent.Add(1)
	s.pub.PublishAsync(pctx, e, s.done)
	return true
}

// done is the producer's callback for one event.
func (s *sender) done(err error) {
	defer s.pending.Done()
	<-s.inflight
	if err == nil {
		s.acked.Add(1)
		return
	}
	s.failed.Add(1)
	if s.failLogged.Add(1) <= maxFailureLogs {
		s.log.Warn("event failed", "err", err)
	}
}

// pace sleeps while the sender is ahead of cfg.Rate. It reports false when
// ctx ends.
func (s *sender) pace(ctx context.Context, start time.Time) bool {
	if ctx.Err() != nil {
		return false
	}
	if s.cfg.Rate <= 0 {
		return true
	}
	due := start.Add(time.Duration(float64(s.sent.Load()) / s.cfg.Rate * float64(time.Second)))
	wait := time.Until(due)
	if wait < time.Millisecond {
		return true
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// waitCallbacks waits until the producer has answered every event sent, or
// ctx ends.
func (s *sender) waitCallbacks(ctx context.Context) {
	all := make(chan struct{})
	go func() {
		s.pending.Wait()
		close(all)
	}()
	select {
	case <-all:
	case <-ctx.Done():
		s.log.Warn("gave up waiting for acknowledgements", "unanswered", len(s.inflight))
	}
}

// reportProgress logs the counters every cfg.ProgressInterval until the
// returned function is called.
func (s *sender) reportProgress(ctx context.Context, start time.Time) (stop func()) {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(s.cfg.ProgressInterval)
		defer t.Stop()
		last, lastAt := int64(0), start
		for {
			select {
			case <-quit:
				return
			case now := <-t.C:
				acked := s.acked.Load()
				s.log.InfoContext(ctx, "progress",
					"sent", s.sent.Load(), "acked", acked, "failed", s.failed.Load(),
					"in_flight", len(s.inflight),
					"events_per_s", int64(float64(acked-last)/now.Sub(lastAt).Seconds()))
				last, lastAt = acked, now
			}
		}
	}()
	return func() {
		close(quit)
		wg.Wait()
	}
}

// summarise writes the summary line and decides the run's outcome.
func (s *sender) summarise(out io.Writer, elapsed time.Duration, closeErr error) error {
	sent, acked, failed, dups := s.sent.Load(), s.acked.Load(), s.failed.Load(), s.duplicates.Load()
	rate := int64(float64(acked) / max(elapsed.Seconds(), 1e-9))
	line := fmt.Sprintf("simulator: events=%d duplicates=%d sent=%d acked=%d failed=%d elapsed=%s events_per_s=%d",
		sent-dups, dups, sent, acked, failed, elapsed.Round(time.Millisecond), rate)
	if s.sample != "" {
		line += " sample_subject=" + s.sample
	}
	if _, err := fmt.Fprintln(out, line); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	s.log.Info("done", "sent", sent, "duplicates", dups, "acked", acked, "failed", failed,
		"elapsed", elapsed.Round(time.Millisecond).String(), "events_per_s", rate)
	var errs []error
	if failed > 0 {
		errs = append(errs, fmt.Errorf("%d of %d events failed", failed, sent))
	}
	if lost := sent - acked - failed; lost > 0 {
		errs = append(errs, fmt.Errorf("%d of %d events unanswered at shutdown", lost, sent))
	}
	if closeErr != nil {
		errs = append(errs, fmt.Errorf("close producer: %w", closeErr))
	}
	return errors.Join(errs...)
}

// ensureTopics creates the project's topics if they are missing, so the
// simulator can start before the materializer.
func ensureTopics(ctx context.Context, cfg Config) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(cfg.KafkaBrokers...), kgo.ClientID("lineage-simulator-admin"))
	if err != nil {
		return fmt.Errorf("kafka admin client: %w", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return topics.Ensure(ctx, kadm.NewClient(cl), cfg.TopicPartitions, -1)
}
