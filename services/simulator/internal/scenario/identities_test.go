package scenario

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/pkg/lineage"
)

// twoYears is long enough for every kind of reuse to happen many times.
var (
	idStart = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	idEnd   = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
)

// TestIdentifierValues checks that every value is spelled as
// identity.Normalize spells it (so the simulator hashes what the gateway
// would) and that no two customers get one value by accident, at both
// ends of the population.
func TestIdentifierValues(t *testing.T) {
	m := &identities{seed: mix(7), profSeed: mix(8), subjects: MaxSubjects, startUs: idStart.UnixMicro(), endUs: idEnd.UnixMicro()}
	for id := ByCustomerID + 1; id < identityCount; id++ {
		seen := map[string]uint64{}
		var ranges [][2]uint64
		for _, lo := range []uint64{1, 1<<22 - 2_000, 10_000_000 - 2_000, m.maxValue(id) - 3_000} {
			ranges = append(ranges, [2]uint64{lo, lo + 3_000})
		}
		for _, r := range ranges {
			for v := r[0]; v <= min(r[1], m.maxValue(id)); v++ {
				val := m.value(id, v)
				norm, err := identity.Normalize(id.Kind(), val)
				if err != nil || norm != val {
					t.Fatalf("%s value %d = %q normalises to %q, %v", id, v, val, norm, err)
				}
				if prev, ok := seen[val]; ok && prev != v {
					t.Fatalf("%s values %d and %d are both %q", id, prev, v, val)
				}
				seen[val] = v
			}
		}
	}
	if v := m.value(ByPhoneNumber, 1); !strings.HasPrefix(v, "+3712") || len(v) != 12 {
		t.Errorf("first phone number %q, want +3712 and 7 digits", v)
	}
	if v := m.value(ByIPAddress, 1); !strings.HasPrefix(v, "100.") {
		t.Errorf("first address %q, want one in 100.64.0.0/10", v)
	}
	if v := m.value(ByIPAddress, 1<<22+1); !strings.HasPrefix(v, "2001:db8:") {
		t.Errorf("address beyond the IPv4 pool %q, want 2001:db8::/32", v)
	}
}

// TestHoldings checks the identity model over a population: every window
// inside the period, no value held by two customers at once, services
// bring their identifiers, and numbers and addresses are reused with a gap.
func TestHoldings(t *testing.T) {
	const subjects = 4001 // odd: the last customer has no partner
	g := newGen(t, Config{Seed: 3, Subjects: subjects, Start: idStart, End: idEnd, Events: 10})
	type window struct {
		subject  string
		from, to time.Time
	}
	byValue := map[string][]window{}
	reused := map[Identity]int{}
	replaced := 0
	for n := 1; n <= subjects; n++ {
		p := g.ids.profile(uint64(n))
		count := map[Identity]int{}
		for _, h := range g.Holdings(n) {
			if h.From.Before(idStart) || !h.To.After(h.From) || h.To.After(idEnd) || h.Open != h.To.Equal(idEnd) {
				t.Fatalf("customer %d holds %s over [%s, %s), open %t: outside the period", n, h.Identity, h.From, h.To, h.Open)
			}
			key := h.Identity.String() + "|" + h.Value
			byValue[key] = append(byValue[key], window{SubjectID(n), h.From, h.To})
			count[h.Identity]++
			if h.ReusedFrom != "" {
				reused[h.Identity]++
			}
		}
		for id := ByCustomerID + 1; id < identityCount; id++ {
			has := p&id.Requires() == id.Requires()
			if has != (count[id] > 0) {
				t.Fatalf("customer %d, profile %07b: %d holdings of %s", n, p, count[id], id)
			}
		}
		if count[BySetTopBox] == 2 {
			replaced++
		}
		// Contracts and terminals are held throughout.
		for _, id := range []Identity{ByContract, ByTerminalMAC} {
			if h, ok := g.ids.heldAt(uint64(n), p, id, idEnd.UnixMicro()-1); !ok || h.fromUs != idStart.UnixMicro() {
				t.Fatalf("customer %d does not hold a %s throughout", n, id)
			}
		}
	}
	for key, ws := range byValue {
		slices.SortFunc(ws, func(a, b window) int { return a.from.Compare(b.from) })
		for i := 1; i < len(ws); i++ {
			if ws[i].from.Before(ws[i-1].to) {
				t.Fatalf("%s is held by %s and %s at once", key, ws[i-1].subject, ws[i].subject)
			}
			if ws[i].subject != ws[i-1].subject && !ws[i].from.After(ws[i-1].to) {
				t.Fatalf("%s passes from %s to %s without a gap", key, ws[i-1].subject, ws[i].subject)
			}
		}
	}
	t.Logf("reused: %v; set-top boxes replaced: %d", reused, replaced)
	// Expected: 2000 pairs × 35 %² voice × 1/2 ≈ 120 numbers; × 85 %² × 1/4
	// ≈ 360 addresses; 55 % × 4001 / 8 ≈ 275 boxes.
	if reused[ByPhoneNumber] < 60 || reused[ByIPAddress] < 200 || replaced < 150 {
		t.Errorf("reused %v, replaced %d: want about 120 numbers, 360 addresses, 275 boxes", reused, replaced)
	}
	if reused[ByContract]+reused[ByTerminalMAC]+reused[BySetTopBox] != 0 {
		t.Errorf("reused %v: contracts, terminals and boxes are never reused", reused)
	}
}

// TestHoldingsInShortPeriods checks that a period too short for a gap
// makes no reuse rather than empty windows.
func TestHoldingsInShortPeriods(t *testing.T) {
	for _, span := range []time.Duration{time.Microsecond, 3 * time.Microsecond, time.Second} {
		g := newGen(t, Config{Seed: 1, Subjects: 200, Start: idStart, End: idStart.Add(span), Events: 10})
		for n := 1; n <= 200; n++ {
			for _, h := range g.Holdings(n) {
				if !h.To.After(h.From) {
					t.Fatalf("span %s: customer %d holds %s over an empty window", span, n, h.Identity)
				}
			}
		}
	}
}

// TestEventsNameWhoHolds checks the generator's promise: an event known by
// an identifier carries the one the customer meant held at its time, and
// every other event carries the customer id.
func TestEventsNameWhoHolds(t *testing.T) {
	const subjects = 1000
	keyer := testKeyer(t)
	g := newGen(t, Config{Seed: 5, Subjects: subjects, Start: idStart, End: idEnd, Events: 100_000, Keyer: keyer})
	holdings := map[string][]Holding{}
	for n := 1; n <= subjects; n++ {
		holdings[SubjectID(n)] = g.Holdings(n)
	}
	steps := map[string][]Step{}
	for _, s := range Catalogue() {
		steps[s.Name] = s.Steps
	}
	byIdentity := map[lineage.IdentifierKind]int{}
	for range 100_000 {
		e := g.Next()
		subject := g.Subject()
		if e.SubjectIdentifier == nil {
			if e.SubjectID != subject {
				t.Fatalf("event %s names %s, meant %s", e.ID, e.SubjectID, subject)
			}
			continue
		}
		byIdentity[e.SubjectIdentifier.Kind]++
		if e.SubjectID != "" {
			t.Fatalf("event %s names both %s and an identifier", e.ID, e.SubjectID)
		}
		var found bool
		for _, h := range holdings[subject] {
			if h.From.After(e.OccurredAt) || !e.OccurredAt.Before(h.To) || h.Identity.Kind() != e.SubjectIdentifier.Kind {
				continue
			}
			ident, err := keyer.Identifier(h.Identity.Kind(), h.Value)
			if err != nil {
				t.Fatal(err)
			}
			found = found || ident == *e.SubjectIdentifier
		}
		if !found {
			t.Fatalf("event %s (%s) at %s: %s held no such identifier then", e.ID, e.Attributes[ScenarioAttr], e.OccurredAt, subject)
		}
	}
	t.Logf("identified events by kind: %v", byIdentity)
	for _, k := range lineage.IdentifierKinds {
		// No source files events under a personal code: CRM links it so
		// that a responder can find the customer.
		if byIdentity[k] == 0 && k != lineage.PersonalCode {
			t.Errorf("no event known by %s", k)
		}
	}
}
