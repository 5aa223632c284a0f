package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/producer"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/simulator/internal/scenario"
)

// records reads every record of topic, all of them: as many as its end
// offsets say.
func records(t *testing.T, brokers []string, topic string) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	ends.Each(func(o kadm.ListedOffset) { want += int(o.Offset) })
	var out []*kgo.Record
	for len(out) < want {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d records of %s, want %d", len(out), topic, want)
		}
		out = append(out, f.Records()...)
	}
	return out
}

// consumeLinks decodes every record of the links topic.
func consumeLinks(t *testing.T, brokers []string) []lineage.IdentityLink {
	t.Helper()
	codec, err := wire.NewLinkCodec()
	if err != nil {
		t.Fatal(err)
	}
	var out []lineage.IdentityLink
	for _, r := range records(t, brokers, topics.IdentityLinks) {
		var l lineage.IdentityLink
		if err := codec.Decode(r.Value, &l); err != nil {
			t.Fatalf("decode link at %d@%d: %v", r.Partition, r.Offset, err)
		}
		if string(r.Key) != l.Identifier.Key() {
			t.Fatalf("link record key %q is not the identifier's key", r.Key)
		}
		out = append(out, l)
	}
	return out
}

// linkKey names a link: its statements share it.
type linkKey struct {
	subject, ident string
	from           int64
}

// resolver resolves identifiers as the store does: the latest statement of
// each link, a link covering [valid_from, valid_to).
type resolver map[linkKey]lineage.IdentityLink

func newResolver(statements []lineage.IdentityLink) resolver {
	r := resolver{}
	for _, l := range statements {
		k := linkKey{l.SubjectID, l.Identifier.Key(), l.ValidFrom.UnixMicro()}
		if prev, ok := r[k]; !ok || l.RecordedAt.After(prev.RecordedAt) {
			r[k] = l
		}
	}
	return r
}

// holders returns the subjects of the links of ident that cover at.
func (r resolver) holders(ident lineage.Identifier, at time.Time) []string {
	var out []string
	for _, l := range r {
		if l.Identifier == ident && !l.ValidFrom.After(at) && (l.ValidTo == nil || at.Before(*l.ValidTo)) && !l.Retracted {
			out = append(out, l.SubjectID)
		}
	}
	return out
}

// meant replays the run's generator: the customer each event id is about.
func meant(t *testing.T, cfg Config, events int) map[string]string {
	t.Helper()
	gen, _, _, err := simulation(cfg, cfg.Events)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string, events)
	for range events {
		out[gen.Next().ID] = gen.Subject()
	}
	return out
}

// TestRunPublishesLinks runs the whole catalogue over two years and checks
// that the links resolve every identified event to the customer the
// generator meant, and to no one else, also where a phone number passed
// from one customer to another.
func TestRunPublishesLinks(t *testing.T) {
	brokers := cluster(t)
	cfg := testConfig(brokers)
	cfg.PeriodStart = Date{time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)}
	cfg.PeriodEnd = Date{time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	cfg.Events = 8000
	var out bytes.Buffer
	if err := run(context.Background(), cfg, quietLogger(), &out); err != nil {
		t.Fatal(err)
	}
	s := parseSummary(t, out.String())
	events := consume(t, brokers, s.sent)
	statements := consumeLinks(t, brokers)
	if s.links != len(statements) || s.links == 0 || s.linksFailed != 0 || s.linksWithheld != 0 {
		t.Fatalf("summary %+v, links topic holds %d statements", s, len(statements))
	}
	links := newResolver(statements)
	subjectOf := meant(t, cfg, s.events)

	identified := map[lineage.IdentifierKind]int{}
	heldBy := map[string][]string{} // identifier key → the customers its events resolve to
	for _, e := range events {
		want := subjectOf[e.ID]
		if e.SubjectIdentifier == nil {
			if e.SubjectID != want {
				t.Fatalf("event %s names %s, the generator meant %s", e.ID, e.SubjectID, want)
			}
			continue
		}
		identified[e.SubjectIdentifier.Kind]++
		got := links.holders(*e.SubjectIdentifier, e.OccurredAt)
		if len(got) != 1 || got[0] != want {
			t.Fatalf("event %s (%s at %s) resolves to %v, the generator meant %s",
				e.ID, e.Attributes[scenario.ScenarioAttr], e.OccurredAt, got, want)
		}
		k := e.SubjectIdentifier.Key()
		if !slices.Contains(heldBy[k], want) {
			heldBy[k] = append(heldBy[k], want)
		}
	}
	t.Logf("identified events: %v of %d", identified, len(events))
	for _, k := range lineage.IdentifierKinds {
		// No source files events under a personal code.
		if identified[k] == 0 && k != lineage.PersonalCode {
			t.Errorf("no event known by %s", k)
		}
	}

	// A number passed on: two customers' links, a gap between them, and
	// events of both holders under the one number.
	reused, bothSides := 0, 0
	byIdent := map[string][]lineage.IdentityLink{}
	for _, l := range links {
		if l.Identifier.Kind == lineage.MSISDN {
			byIdent[l.Identifier.Key()] = append(byIdent[l.Identifier.Key()], l)
		}
	}
	for k, ls := range byIdent {
		if len(ls) < 2 {
			continue
		}
		slices.SortFunc(ls, func(a, b lineage.IdentityLink) int { return a.ValidFrom.Compare(b.ValidFrom) })
		if len(ls) != 2 || ls[0].SubjectID == ls[1].SubjectID || ls[0].ValidTo == nil || !ls[1].ValidFrom.After(*ls[0].ValidTo) {
			t.Fatalf("number %s: links %+v, want two holders with a gap between them", k, ls)
		}
		reused++
		if len(heldBy[k]) == 2 {
			bothSides++
		}
	}
	t.Logf("%d numbers reused, %d with events of both holders", reused, bothSides)
	if reused == 0 || bothSides == 0 {
		t.Errorf("%d numbers reused, %d with events of both holders: want some of each", reused, bothSides)
	}
}

// TestRunLeaksNoIdentifier checks every record of both topics, keys and
// headers included, for any customer's phone number (in any usual
// spelling), address, contract number, set-top box or MAC in clear.
func TestRunLeaksNoIdentifier(t *testing.T) {
	brokers := cluster(t)
	cfg := testConfig(brokers)
	cfg.Events = 3000
	if err := run(context.Background(), cfg, quietLogger(), &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	gen, _, _, err := simulation(cfg, cfg.Events)
	if err != nil {
		t.Fatal(err)
	}
	var clear []string
	for n := 1; n <= cfg.Subjects; n++ {
		for _, h := range gen.Holdings(n) {
			clear = append(clear, h.Value)
			if h.Identity == scenario.ByPhoneNumber {
				national := strings.TrimPrefix(h.Value, "+371")
				clear = append(clear, national, "00371"+national, "371"+national)
			}
		}
	}
	all := append(records(t, brokers, topics.Events), records(t, brokers, topics.IdentityLinks)...)
	if len(all) < cfg.Subjects {
		t.Fatalf("only %d records", len(all))
	}
	for _, r := range all {
		blob := append(append([]byte(nil), r.Key...), r.Value...)
		for _, h := range r.Headers {
			blob = append(append(blob, h.Key...), h.Value...)
		}
		for _, v := range clear {
			if bytes.Contains(blob, []byte(v)) {
				t.Fatalf("record %s %d@%d holds an identifier in clear", r.Topic, r.Partition, r.Offset)
			}
		}
	}
}

// TestRunOneSource runs CDR mediation alone: only its events, every one
// valid and known by a phone number or an address, and no links, which
// are CRM's to publish.
func TestRunOneSource(t *testing.T) {
	brokers := cluster(t)
	cfg := testConfig(brokers)
	cfg.Sources, cfg.Events = []string{"cdr_mediation"}, 1000
	var out bytes.Buffer
	if err := run(context.Background(), cfg, quietLogger(), &out); err != nil {
		t.Fatal(err)
	}
	s := parseSummary(t, out.String())
	if s.links != 0 {
		t.Errorf("summary %+v: links published without crm", s)
	}
	now := time.Now()
	for _, e := range consume(t, brokers, 1000) {
		if err := e.Validate(now); err != nil {
			t.Fatalf("event %s: %v", e.ID, err)
		}
		if e.SourceSystem != "cdr_mediation" {
			t.Fatalf("event %s from %s in a cdr_mediation run", e.ID, e.SourceSystem)
		}
		if e.SubjectIdentifier == nil || e.SubjectIdentifier.Kind != lineage.MSISDN && e.SubjectIdentifier.Kind != lineage.IPAddress {
			t.Fatalf("event %s names %q, %v: want a phone number or an address", e.ID, e.SubjectID, e.SubjectIdentifier)
		}
	}
	if got := records(t, brokers, topics.IdentityLinks); len(got) != 0 {
		t.Errorf("%d link records without crm", len(got))
	}
}

// TestRunEachSourceAlone runs every source system alone: only its events,
// all valid.
func TestRunEachSourceAlone(t *testing.T) {
	for _, src := range scenario.Sources(scenario.Catalogue()) {
		t.Run(src, func(t *testing.T) {
			brokers := cluster(t)
			cfg := testConfig(brokers)
			cfg.Sources, cfg.Events = []string{src}, 300
			if err := run(context.Background(), cfg, quietLogger(), &bytes.Buffer{}); err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			for _, e := range consume(t, brokers, 300) {
				if err := e.Validate(now); err != nil {
					t.Fatalf("event %s: %v", e.ID, err)
				}
				if e.SourceSystem != src {
					t.Fatalf("event %s from %s in a %s run", e.ID, e.SourceSystem, src)
				}
			}
			if links := len(records(t, brokers, topics.IdentityLinks)); (links > 0) != (src == scenario.LinkSource) {
				t.Errorf("%d link records in a %s run", links, src)
			}
		})
	}
}

// fakePublisher records what the sender publishes, in order, and answers
// every event at once.
type fakePublisher struct {
	mu    sync.Mutex
	order []any // lineage.Event, lineage.IdentityLink or subjectfact.Fact
	// factCalls counts the PublishFacts calls.
	factCalls int
}

func (f *fakePublisher) PublishFacts(_ context.Context, facts ...subjectfact.Fact) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.factCalls++
	for _, x := range facts {
		f.order = append(f.order, x)
	}
	return nil
}

func (f *fakePublisher) PublishAsync(_ context.Context, e lineage.Event, done func(error)) {
	f.mu.Lock()
	f.order = append(f.order, e)
	f.mu.Unlock()
	done(nil)
}

func (f *fakePublisher) PublishLinks(_ context.Context, links ...lineage.IdentityLink) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, l := range links {
		f.order = append(f.order, l)
	}
	return nil
}

// sendTo runs a sender of cfg into a fake publisher.
func sendTo(t *testing.T, cfg Config) (*sender, *fakePublisher) {
	t.Helper()
	gen, links, facts, err := simulation(cfg, cfg.Events)
	if err != nil {
		t.Fatal(err)
	}
	pub := &fakePublisher{}
	s := newSender(cfg, quietLogger(), gen, pub, links, pub)
	s.withFacts(facts, pub)
	s.send(context.Background(), context.Background(), time.Now())
	return s, pub
}

// lateEvents counts the identified events sent before the statement that
// resolves them, and fails on an event that the links, once all are in,
// resolve to anyone but the one customer meant (unresolved ones are
// counted apart).
func lateEvents(t *testing.T, cfg Config, order []any) (late, unresolved int) {
	t.Helper()
	var statements []lineage.IdentityLink
	for _, x := range order {
		if l, ok := x.(lineage.IdentityLink); ok {
			statements = append(statements, l)
		}
	}
	all := newResolver(statements)
	subjectOf := meant(t, cfg, int(cfg.Events))
	sofar := resolver{}
	for _, x := range order {
		switch v := x.(type) {
		case lineage.IdentityLink:
			sofar[linkKey{v.SubjectID, v.Identifier.Key(), v.ValidFrom.UnixMicro()}] = v
		case lineage.Event:
			if v.SubjectIdentifier == nil {
				continue
			}
			got := all.holders(*v.SubjectIdentifier, v.OccurredAt)
			switch {
			case len(got) == 0:
				unresolved++
				continue
			case len(got) > 1 || got[0] != subjectOf[v.ID]:
				t.Fatalf("event %s resolves to %v, the generator meant %s", v.ID, got, subjectOf[v.ID])
			}
			if len(sofar.holders(*v.SubjectIdentifier, v.OccurredAt)) == 0 {
				late++
			}
		}
	}
	return late, unresolved
}

// TestLinksDelay checks the order of links and events: by default every
// link is out before the first event it resolves; SIM_LINKS_DELAY sends
// events ahead of their links, which resolve them all the same once in.
func TestLinksDelay(t *testing.T) {
	cfg := testConfig([]string{"unused:9092"})
	cfg.Events = 3000
	s, pub := sendTo(t, cfg)
	if late, unresolved := lateEvents(t, cfg, pub.order); late != 0 || unresolved != 0 {
		t.Errorf("without a delay, %d events came before their link, %d unresolved", late, unresolved)
	}
	published := 0
	for _, x := range pub.order {
		if _, ok := x.(lineage.IdentityLink); ok {
			published++
		}
	}
	if s.linksAcked.Load() != int64(published) || !s.links.Done() {
		t.Errorf("%d link statements counted, %d published, plan done %t", s.linksAcked.Load(), published, s.links.Done())
	}

	cfg.LinksDelay = 30 * 24 * time.Hour
	_, pub = sendTo(t, cfg)
	late, unresolved := lateEvents(t, cfg, pub.order)
	t.Logf("with a delay of %s: %d events before their link", cfg.LinksDelay, late)
	if late == 0 || unresolved != 0 {
		t.Errorf("with a delay, %d events came before their link, %d unresolved: want some late, none unresolved", late, unresolved)
	}
}

// TestUnlinked checks SIM_UNLINKED: some events stay unresolved, and no
// event resolves to the wrong customer.
func TestUnlinked(t *testing.T) {
	cfg := testConfig([]string{"unused:9092"})
	cfg.Events, cfg.Unlinked = 3000, 0.25
	s, pub := sendTo(t, cfg)
	_, unresolved := lateEvents(t, cfg, pub.order)
	t.Logf("%d links withheld, %d events unresolved", s.withheldLinks(), unresolved)
	if s.withheldLinks() == 0 || unresolved == 0 {
		t.Errorf("%d links withheld, %d events unresolved: want some of each", s.withheldLinks(), unresolved)
	}
}

// TestFailedLinks counts a PublishLinks error's failed links.
func TestFailedLinks(t *testing.T) {
	one := &producer.EventError{Index: 1, Err: errors.New("broker says no")}
	two := &producer.EventError{Index: 4, Err: errors.New("broker says no")}
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{fmt.Errorf("publish: %w", errors.Join(one, two)), 2},
		{errors.Join(one), 1},
		{errors.New("no broker"), 10},
		{errors.Join(&producer.EventError{Index: 2, Err: &lineage.ValidationError{Sentinel: lineage.ErrInvalid}}), 10}, // nothing sent
	} {
		if got := failedLinks(tc.err, 10); got != tc.want {
			t.Errorf("failedLinks(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// TestIdentityConfig checks SIM_SOURCES and SIM_IDENTITY_KEY together.
func TestIdentityConfig(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sources []string
		key     string
		mutate  func(*Config)
		errHas  []string // empty: accepted
	}{
		{name: "all sources with a key", key: testKey},
		{name: "unknown source", sources: []string{"crm", "mainframe"}, key: testKey, errHas: []string{"SIM_SOURCES", `"mainframe"`}},
		{name: "all sources without a key", errHas: []string{"SIM_IDENTITY_KEY", "cdr_mediation", "crm"}},
		{name: "cdr without a key", sources: []string{"cdr_mediation"}, errHas: []string{"SIM_IDENTITY_KEY", "cdr_mediation"}},
		{name: "crm states links", sources: []string{"crm"}, errHas: []string{"SIM_IDENTITY_KEY", "crm"}},
		{name: "billing needs no key", sources: []string{"billing", "third_country_processor"}},
		{name: "key not hex", key: strings.Repeat("zz", 32), errHas: []string{"SIM_IDENTITY_KEY", "hex"}},
		{name: "key too short", key: testKey[:62], errHas: []string{"SIM_IDENTITY_KEY", "31 bytes"}},
		{name: "negative delay", key: testKey, mutate: func(c *Config) { c.LinksDelay = -time.Second }, errHas: []string{"SIM_LINKS_DELAY"}},
		{name: "unlinked above 1", key: testKey, mutate: func(c *Config) { c.Unlinked = 1.5 }, errHas: []string{"SIM_UNLINKED"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig([]string{"unused:9092"})
			cfg.Sources, cfg.IdentityKey = tc.sources, secretOf(tc.key)
			if tc.mutate != nil {
				tc.mutate(&cfg)
			}
			err := cfg.check()
			if len(tc.errHas) == 0 {
				if err != nil {
					t.Fatalf("check: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("check accepted it")
			}
			for _, s := range tc.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			if tc.key != "" && strings.Contains(err.Error(), tc.key[:16]) {
				t.Errorf("error %q quotes the key", err)
			}
		})
	}
}

// TestConfigLogRedactsKey logs the config as main does: the key must not
// appear, its presence must.
func TestConfigLogRedactsKey(t *testing.T) {
	cfg := testConfig([]string{"unused:9092"})
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("starting", "config", cfg)
	if strings.Contains(logs.String(), testKey) || strings.Contains(fmt.Sprintf("%+v %#v", cfg, cfg), testKey) {
		t.Fatalf("the identity key was printed: %s", logs.String())
	}
	var line struct {
		Config map[string]any `json:"config"`
	}
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	if line.Config["identity_key"] != "[redacted]" || line.Config["sources"] != "all" {
		t.Errorf("logged config %v", line.Config)
	}
}
