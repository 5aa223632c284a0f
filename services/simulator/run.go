package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/producer"
	"github.com/balticom/lineage/pkg/subjectfact"
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

// linkBatch bounds the link statements of one PublishLinks call: at the
// start CRM states every customer's current assignments, some four per
// customer.
const linkBatch = 1000

// linkLookahead is how far ahead of the events, in simulated time, a batch
// of link statements reaches: when a statement falls due, the sender
// publishes with it those due within the next day. A link is then never
// behind the events it resolves, and the synchronous PublishLinks costs a
// round trip per simulated day at most rather than one per statement.
const linkLookahead = 24 * time.Hour

// factBatch bounds the facts of one PublishFacts call.
const factBatch = 1000

// factGather is how long, in simulated time, a fact due waits for others:
// the sender publishes the facts due once the oldest of them is that old,
// so facts cost a round trip per simulated day at most and never go out
// before the events have reached the time they were recorded.
const factGather = 24 * time.Hour

// run publishes the simulated events until cfg.Events are sent or ctx ends,
// then flushes and writes a summary line to out. When CRM is among the
// sources it also publishes the identity links, each before the first
// event after it is due (SIM_LINKS_DELAY; see linkLookahead), and what is
// left of them at the end; and the subject facts of its sources, as the
// events reach them (see factGather). It fails if any event, link or fact
// was not acknowledged.
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
	gen, links, facts, err := simulation(cfg, perPass)
	if err != nil {
		return err
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
	// CRM has a client of its own, as it is a system of its own: its
	// synchronous batches must not wait out the events' linger. It states
	// the links and the facts; a process without CRM that has facts to
	// state (erasure notices, unmet requests) has such a client too.
	var crm *producer.Producer
	if links != nil || facts != nil {
		clientID := "lineage-simulator-crm"
		if links == nil {
			clientID = "lineage-simulator-facts"
		}
		if crm, err = producer.New(producer.Config{
			Brokers: cfg.KafkaBrokers, Topic: cfg.Topic, ClientID: clientID, Linger: time.Microsecond,
		}); err != nil {
			closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
			defer cancel()
			_ = p.Close(closeCtx)
			return err
		}
	}

	var linkPub linkPublisher
	var factPub factPublisher
	if crm != nil {
		linkPub, factPub = crm, crm
	}
	s := newSender(cfg, log, gen, p, links, linkPub)
	s.withFacts(facts, factPub)
	start := time.Now()
	progressDone := s.reportProgress(ctx, start)
	log.Info("sending", "topic", cfg.Topic, "events", cfg.Events, "subjects", cfg.Subjects,
		"period_start", cfg.PeriodStart.String(), "period_end", cfg.PeriodEnd.String(),
		"sources", cfg.sourcesText(), "links", s.plannedLinks(), "links_withheld", s.withheldLinks(), "facts_planned", s.plannedFacts())
	// A link batch under way when a signal comes may finish, as buffered
	// events are flushed, but not forever.
	lctx, cancelLinks := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelLinks()
	stopGrace := context.AfterFunc(ctx, func() { time.AfterFunc(cfg.ShutdownTimeout, cancelLinks) })
	defer stopGrace()
	s.send(ctx, lctx, start)
	if ctx.Err() != nil {
		log.Info("stopping on signal; flushing buffered events")
	}

	// Close flushes: every buffered event is acknowledged or failed.
	closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	closeErr := p.Close(closeCtx)
	if crm != nil {
		// Nothing is buffered: PublishLinks and PublishFacts wait for
		// their answers.
		closeErr = errors.Join(closeErr, crm.Close(closeCtx))
	}
	s.waitCallbacks(closeCtx)
	progressDone()
	return s.summarise(out, time.Since(start), closeErr)
}

// simulation builds the generator of cfg, perPass events a pass, its
// link plan when CRM is among the sources (nil otherwise: a process
// without CRM leaves the links to the one that has it), and its fact plan
// (nil when the sources have no facts to state).
func simulation(cfg Config, perPass int64) (*scenario.Generator, *scenario.LinkPlan, *scenario.FactPlan, error) {
	keyer, err := cfg.keyer()
	if err != nil {
		return nil, nil, nil, err
	}
	gen, err := scenario.New(scenario.Config{
		Seed: cfg.Seed, Subjects: cfg.Subjects,
		Start: cfg.PeriodStart.Time, End: cfg.PeriodEnd.Time, Events: perPass,
		Sources: cfg.Sources, Keyer: keyer,
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("build generator: %w", err)
	}
	facts := gen.Facts()
	if facts.Done() {
		facts = nil
	}
	if len(cfg.Sources) > 0 && !slices.Contains(cfg.Sources, scenario.LinkSource) {
		return gen, nil, facts, nil
	}
	links, err := gen.Links(scenario.LinkConfig{Delay: cfg.LinksDelay, Unlinked: cfg.Unlinked})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("plan identity links: %w", err)
	}
	return gen, links, facts, nil
}

// publisher is the part of the producer SDK the sender uses for events.
type publisher interface {
	PublishAsync(ctx context.Context, e lineage.Event, done func(error))
}

// linkPublisher is the part of the producer SDK the sender uses for links.
type linkPublisher interface {
	PublishLinks(ctx context.Context, links ...lineage.IdentityLink) error
}

// factPublisher is the part of the producer SDK the sender uses for
// subject facts.
type factPublisher interface {
	PublishFacts(ctx context.Context, facts ...subjectfact.Fact) error
}

// sender feeds generated events and link statements to the producer and
// counts the outcome. send runs on one goroutine; the event counters are
// updated from the producer's callbacks.
type sender struct {
	cfg      Config
	log      *slog.Logger
	gen      *scenario.Generator
	links    *scenario.LinkPlan // nil when CRM is not among the sources
	pub      publisher
	linkPub  linkPublisher
	facts    *scenario.FactPlan // nil when the sources state none
	factPub  factPublisher
	inflight chan struct{} // bounds events sent but not yet answered
	pending  sync.WaitGroup
	dupRNG   *rand.Rand

	sent, duplicates, acked, failed atomic.Int64
	failLogged                      atomic.Int64
	linksAcked, linksFailed         atomic.Int64
	// factsAcked counts the facts acknowledged by type, in the order of
	// subjectfact.Types.
	factsAcked  [7]atomic.Int64
	factsFailed atomic.Int64
	sample      string // a customer who received a transfer
}

// newSender returns a sender publishing the events of gen to pub and the
// statements of links, if any, to linkPub.
func newSender(cfg Config, log *slog.Logger, gen *scenario.Generator, pub publisher, links *scenario.LinkPlan, linkPub linkPublisher) *sender {
	return &sender{
		cfg: cfg, log: log, gen: gen, pub: pub, links: links, linkPub: linkPub,
		inflight: make(chan struct{}, cfg.Buffer),
		dupRNG:   rand.New(rand.NewPCG(cfg.Seed, 0xd1b54a32d192ed03)),
	}
}

// withFacts makes the sender publish the facts of plan, if any, to pub.
func (s *sender) withFacts(plan *scenario.FactPlan, pub factPublisher) {
	s.facts, s.factPub = plan, pub
}

// plannedFacts is the number of facts the plan knows from the start, 0
// without one.
func (s *sender) plannedFacts() int64 {
	if s.facts == nil {
		return 0
	}
	return s.facts.Planned()
}

// factsTotal is the number of facts acknowledged.
func (s *sender) factsTotal() int64 {
	var n int64
	for i := range s.factsAcked {
		n += s.factsAcked[i].Load()
	}
	return n
}

// factsByType lists the facts acknowledged by type, "consent_given:400,…",
// every type named.
func (s *sender) factsByType() string {
	parts := make([]string, len(subjectfact.Types))
	for i, t := range subjectfact.Types {
		parts[i] = fmt.Sprintf("%s:%d", t, s.factsAcked[i].Load())
	}
	return strings.Join(parts, ",")
}

// plannedLinks and withheldLinks are the link plan's counts, 0 without one.
func (s *sender) plannedLinks() int64 {
	if s.links == nil {
		return 0
	}
	return s.links.Links()
}

func (s *sender) withheldLinks() int64 {
	if s.links == nil {
		return 0
	}
	return s.links.Withheld()
}

// maxFailureLogs bounds the failures logged one by one; all are counted.
const maxFailureLogs = 10

// send publishes until cfg.Events distinct events are out or ctx ends,
// then the link statements not yet due. Links go out with lctx, which
// outlives ctx a little (see run).
func (s *sender) send(ctx, lctx context.Context, start time.Time) {
	var recent [dupWindow]lineage.Event
	// The SDK must not see ctx: cancelling it would fail the buffered
	// events instead of flushing them.
	pctx := context.WithoutCancel(ctx)
	for n := int64(0); s.cfg.Events == 0 || n < s.cfg.Events; n++ {
		if !s.pace(ctx, start) {
			return
		}
		e := s.gen.Next()
		// Every link and fact is due within the first pass; later passes
		// replay the same period, whose links and facts are all out by
		// then.
		if s.gen.Pass() > 0 {
			s.publishLinks(ctx, lctx, time.Time{})
			s.publishFacts(ctx, lctx, time.Time{})
		} else {
			s.publishLinks(ctx, lctx, e.OccurredAt)
			s.publishFacts(ctx, lctx, e.OccurredAt)
		}
		if !s.publish(ctx, pctx, e) {
			return
		}
		if s.sample == "" && e.Kind == lineage.Transfer && e.SubjectID != "" {
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
	s.publishLinks(ctx, lctx, time.Time{})
	s.publishFacts(ctx, lctx, time.Time{})
}

// publishLinks publishes the link statements due by until, and with them
// those due within linkLookahead after it (zero until: all that are left),
// in batches, each acknowledged before the next event is sent. A failed
// batch is counted and logged, and the run goes on; it fails at the end.
// It stops when ctx ends.
func (s *sender) publishLinks(ctx, lctx context.Context, until time.Time) {
	if s.links == nil {
		return
	}
	if !until.IsZero() {
		if due, ok := s.links.NextDue(); !ok || due.After(until) {
			return
		}
		until = until.Add(linkLookahead)
	}
	for ctx.Err() == nil {
		var batch []lineage.IdentityLink
		if until.IsZero() {
			batch = s.links.Rest(linkBatch)
		} else {
			batch = s.links.Due(until, linkBatch)
		}
		if len(batch) == 0 {
			return
		}
		err := s.linkPub.PublishLinks(lctx, batch...)
		failed := failedLinks(err, len(batch))
		s.linksAcked.Add(int64(len(batch) - failed))
		if failed > 0 {
			s.linksFailed.Add(int64(failed))
			if s.failLogged.Add(1) <= maxFailureLogs {
				s.log.Warn("identity links failed", "failed", failed, "of", len(batch), "err", err)
			}
		}
	}
}

// publishFacts publishes the facts due by until, once the oldest of them
// has waited factGather (zero until: all that are left), in batches, each
// acknowledged before the next event is sent. A failed batch is counted
// and logged, and the run goes on; it fails at the end. It stops when ctx
// ends.
func (s *sender) publishFacts(ctx, lctx context.Context, until time.Time) {
	if s.facts == nil {
		return
	}
	if !until.IsZero() {
		if due, ok := s.facts.NextDue(); !ok || due.Add(factGather).After(until) {
			return
		}
	}
	for ctx.Err() == nil {
		var batch []subjectfact.Fact
		if until.IsZero() {
			batch = s.facts.Rest(factBatch)
		} else {
			batch = s.facts.Due(until, factBatch)
		}
		if len(batch) == 0 {
			return
		}
		err := s.factPub.PublishFacts(lctx, batch...)
		failed := failedLinks(err, len(batch))
		if failed > 0 {
			s.factsFailed.Add(int64(failed))
			if s.failLogged.Add(1) <= maxFailureLogs {
				s.log.Warn("subject facts failed", "failed", failed, "of", len(batch), "err", err)
			}
		}
		if failed == len(batch) {
			continue
		}
		failedAt := map[int]bool{}
		for _, ee := range producer.EventErrors(err) {
			failedAt[ee.Index] = true
		}
		for i, f := range batch {
			if !failedAt[i] {
				s.factsAcked[slices.Index(subjectfact.Types, f.Type)].Add(1)
			}
		}
	}
}

// failedLinks counts the links (or facts) of a PublishLinks (or
// PublishFacts) call of n that err says failed: all n when one was invalid
// (then none is sent) or when err names none, else one per
// *producer.EventError.
func failedLinks(err error, n int) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, lineage.ErrInvalid) {
		return n
	}
	count := len(producer.EventErrors(err))
	if count == 0 || count > n {
		return n
	}
	return count
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
					"in_flight", len(s.inflight), "links", s.linksAcked.Load(), "facts", s.factsTotal(),
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
	links, linksFailed, withheld := s.linksAcked.Load(), s.linksFailed.Load(), s.withheldLinks()
	facts, factsFailed := s.factsTotal(), s.factsFailed.Load()
	rate := int64(float64(acked) / max(elapsed.Seconds(), 1e-9))
	line := fmt.Sprintf("simulator: events=%d duplicates=%d sent=%d acked=%d failed=%d links=%d links_failed=%d links_withheld=%d "+
		"facts=%d facts_failed=%d facts_by_type=%s elapsed=%s events_per_s=%d",
		sent-dups, dups, sent, acked, failed, links, linksFailed, withheld,
		facts, factsFailed, s.factsByType(), elapsed.Round(time.Millisecond), rate)
	if s.sample != "" {
		line += " sample_subject=" + s.sample
	}
	if _, err := fmt.Fprintln(out, line); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	s.log.Info("done", "sent", sent, "duplicates", dups, "acked", acked, "failed", failed,
		"links", links, "links_failed", linksFailed, "links_withheld", withheld,
		"facts", facts, "facts_failed", factsFailed, "facts_by_type", s.factsByType(),
		"elapsed", elapsed.Round(time.Millisecond).String(), "events_per_s", rate)
	var errs []error
	if failed > 0 {
		errs = append(errs, fmt.Errorf("%d of %d events failed", failed, sent))
	}
	if linksFailed > 0 {
		errs = append(errs, fmt.Errorf("%d of %d identity link statements failed", linksFailed, links+linksFailed))
	}
	if factsFailed > 0 {
		errs = append(errs, fmt.Errorf("%d of %d subject facts failed", factsFailed, facts+factsFailed))
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
