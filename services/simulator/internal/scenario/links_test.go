package scenario

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

// drain returns every statement of p, in the order Rest gives them.
func drain(p *LinkPlan) []lineage.IdentityLink {
	var out []lineage.IdentityLink
	for batch := p.Rest(100); len(batch) > 0; batch = p.Rest(100) {
		out = append(out, batch...)
	}
	return out
}

// linkName names a link: its statements share it.
type linkName struct {
	subject string
	key     string
	from    int64
}

// TestLinkPlanStatesEveryHolding checks that the plan's statements, taken
// as the store takes them (the latest statement of each link), say exactly
// what the identity model says, and come in due order.
func TestLinkPlanStatesEveryHolding(t *testing.T) {
	const subjects = 600
	keyer := testKeyer(t)
	g := newGen(t, Config{Seed: 11, Subjects: subjects, Start: idStart, End: idEnd, Events: 10, Keyer: keyer})
	const delay = 72 * time.Hour
	p, err := g.Links(LinkConfig{Delay: delay})
	if err != nil {
		t.Fatal(err)
	}
	if p.Withheld() != 0 {
		t.Errorf("%d links withheld, want none", p.Withheld())
	}
	statements := drain(p)
	if !p.Done() {
		t.Error("plan not done after Rest returned nothing")
	}
	latest := map[linkName]lineage.IdentityLink{}
	var prevDue time.Time
	for i, l := range statements {
		if err := l.Validate(idEnd); err != nil {
			t.Fatalf("statement %d: %v", i, err)
		}
		if due := l.RecordedAt.Add(delay); due.Before(prevDue) {
			t.Fatalf("statement %d due at %s, before its predecessor at %s", i, due, prevDue)
		} else {
			prevDue = due
		}
		name := linkName{l.SubjectID, l.Identifier.Key(), l.ValidFrom.UnixMicro()}
		if prev, ok := latest[name]; !ok || l.RecordedAt.After(prev.RecordedAt) {
			latest[name] = l
		}
	}
	if int64(len(latest)) != p.Links() {
		t.Errorf("%d links stated, the plan counts %d", len(latest), p.Links())
	}
	want := 0
	for n := 1; n <= subjects; n++ {
		for _, h := range g.Holdings(n) {
			want++
			ident, err := keyer.Identifier(h.Identity.Kind(), h.Value)
			if err != nil {
				t.Fatal(err)
			}
			l, ok := latest[linkName{SubjectID(n), ident.Key(), h.From.UnixMicro()}]
			switch {
			case !ok:
				t.Fatalf("customer %d's %s from %s is never stated", n, h.Identity, h.From)
			case h.Open != (l.ValidTo == nil), !h.Open && !l.ValidTo.Equal(h.To):
				t.Fatalf("customer %d's %s: link valid to %v, holding to %s (open %t)", n, h.Identity, l.ValidTo, h.To, h.Open)
			}
		}
	}
	if want != len(latest) {
		t.Errorf("%d links stated for %d holdings", len(latest), want)
	}

	// The same plan again: the same statements.
	again, err := g.Links(LinkConfig{Delay: delay})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(drain(again), statements) {
		t.Error("two plans of one generator disagree")
	}
}

// TestLinkPlanDue checks the interleaving: nothing before the start plus
// the delay, everything due by a time and nothing later, and the limit.
func TestLinkPlanDue(t *testing.T) {
	g := newGen(t, Config{Seed: 2, Subjects: 300, Start: idStart, End: idEnd, Events: 10})
	const delay = 30 * 24 * time.Hour
	p, err := g.Links(LinkConfig{Delay: delay})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Due(idStart.Add(delay-time.Microsecond), 10); len(got) != 0 {
		t.Fatalf("%d statements due before the start plus the delay", len(got))
	}
	if due, ok := p.NextDue(); !ok || !due.Equal(idStart.Add(delay)) {
		t.Fatalf("NextDue = %s, %t; want the start plus the delay", due, ok)
	}
	if got := p.Due(idStart.Add(delay), 7); len(got) != 7 {
		t.Fatalf("%d statements at the start, want the limit of 7", len(got))
	}
	mid := idStart.Add(365 * 24 * time.Hour)
	var n int
	for batch := p.Due(mid, 50); len(batch) > 0; batch = p.Due(mid, 50) {
		for _, l := range batch {
			if l.RecordedAt.Add(delay).After(mid) {
				t.Fatalf("statement recorded at %s is due after %s", l.RecordedAt, mid)
			}
		}
		n += len(batch)
	}
	if due, ok := p.NextDue(); !ok || !due.After(mid) {
		t.Fatalf("NextDue = %s, %t after the statements due by %s", due, ok, mid)
	}
	rest := drain(p)
	if _, ok := p.NextDue(); ok {
		t.Error("NextDue reports a statement after the last")
	}
	if len(rest) == 0 || n == 0 {
		t.Fatalf("%d statements by mid-period, %d after: want both", n, len(rest))
	}
	for _, l := range rest {
		if !l.RecordedAt.Add(delay).After(mid) {
			t.Fatalf("statement recorded at %s was due by %s but came later", l.RecordedAt, mid)
		}
	}
}

// TestLinkPlanWithholds checks SIM_UNLINKED's fraction and that a withheld
// link loses all its statements.
func TestLinkPlanWithholds(t *testing.T) {
	g := newGen(t, Config{Seed: 4, Subjects: 2000, Start: idStart, End: idEnd, Events: 10})
	full, err := g.Links(LinkConfig{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := g.Links(LinkConfig{Unlinked: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	if p.Links()+p.Withheld() != full.Links() {
		t.Fatalf("%d stated + %d withheld, want %d links", p.Links(), p.Withheld(), full.Links())
	}
	if share := float64(p.Withheld()) / float64(full.Links()); math.Abs(share-0.2) > 0.03 {
		t.Errorf("%.3f of links withheld, want about 0.2", share)
	}
	names := map[linkName]int{}
	for _, l := range drain(p) {
		names[linkName{l.SubjectID, l.Identifier.Key(), l.ValidFrom.UnixMicro()}]++
	}
	if int64(len(names)) != p.Links() {
		t.Errorf("%d links stated, the plan counts %d", len(names), p.Links())
	}
	for _, cfg := range []LinkConfig{{Unlinked: -0.1}, {Unlinked: 1.5}, {Unlinked: math.NaN()}, {Delay: -time.Second}} {
		if _, err := g.Links(cfg); err == nil {
			t.Errorf("Links accepted %+v", cfg)
		}
	}
	noKey := newGen(t, Config{Seed: 4, Subjects: 10, Start: idStart, End: idEnd, Events: 10, Sources: []string{"billing"}})
	noKey.keyer = nil
	if _, err := noKey.Links(LinkConfig{}); err == nil {
		t.Error("Links planned without an identity key")
	}
}
