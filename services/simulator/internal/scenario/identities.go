package scenario

import (
	"fmt"
	"math/bits"
	"net/netip"
	"time"

	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/pkg/lineage"
)

// The identity model. Every customer holds a contract number and a terminal
// at the connection point for the whole period; a voice customer a phone
// number, an internet customer an IP address, a TV customer a set-top box.
// Customers come in pairs (C…1 and C…2, C…3 and C…4, …), and some pairs
// share a number or an address over the period:
//
//   - a phone number: the first of the pair gives up the voice line at a
//     release time, the number rests for a quarantine gap, then the second
//     of the pair, a new voice customer, gets it until the end. So a CDR of
//     the first holder and one of the second carry the same number, and
//     only the time tells them apart: the case the links exist for. Half
//     of the pairs where both are voice customers do so.
//   - an IP address: at the release time the first of the pair is moved to
//     another address, and after the gap the freed address goes to the
//     second, who until then had an address of their own. A quarter of the
//     pairs where both are internet customers do so. Both always hold an
//     address, as a connection always has one.
//   - a set-top box: one TV customer in eight has the box replaced during
//     the period (a new serial number, the same customer).
//
// The release time is 15 % to 45 % into the period, the gap 5 % to 20 % of
// it, so the second holder starts at most 65 % in, and every window lies
// inside the period. The windows start at the period's start for what a
// customer already has then: the simulation begins with CRM's current
// assignments (see LinkPlan).
//
// Values are unique by construction (a bijection of the customer number),
// so no two customers ever hold one value at one time by accident, and
// they depend on the seed alone. The windows also depend on the period
// and, for the last customer of an odd population (who has no partner), on
// the population; not on the selected sources or the event count, so that
// the processes of a per-source deployment with one seed, population and
// period agree on who held what when.
type identities struct {
	seed     uint64
	profSeed uint64
	subjects uint64
	startUs  int64
	endUs    int64
}

// holding is one identifier held over a time: the value's index (see
// value) from fromUs until toUs, exclusive; toUs == endUs means still held
// at the end of the period.
type holding struct {
	value      uint64
	fromUs     int64
	toUs       int64
	reusedFrom uint64 // the customer who held the value before, 0 if none
}

// Shares, out of 256, of the pairs that reuse a number or an address, and
// of TV customers whose set-top box is replaced.
const (
	phoneReuseShare  = 128
	ipReuseShare     = 64
	boxReplacedShare = 32
)

// Latvian numbers have 8 digits; the first digit of the national number of
// the customers' block of ten million: 2 is the mobile range, the first
// ten million customers' numbers are in it. Later blocks use other first
// digits so that no two customers' numbers collide.
const phoneBlocks = "2678593410"

func (m *identities) profile(n uint64) Profile {
	return profileOf(mix(m.profSeed + n*0x9e3779b97f4a7c15))
}

// hash is customer or pair x's hash for identity id.
func (m *identities) hash(id Identity, x uint64) uint64 {
	return mix(m.seed + uint64(id)*0xa0761d6478bd642f + x*0x9e3779b97f4a7c15)
}

// fraction maps 24 bits of h (from bit shift on) to [0, 1).
func fraction(h uint64, shift uint) float64 { return float64(h>>shift&0xffffff) / (1 << 24) }

// reuse reports whether customer n's pair passes identifier id from its
// first to its second member, and the first's release time and the
// second's start, in µs.
func (m *identities) reuse(n uint64, id Identity, share uint64) (first, second uint64, releaseUs, backUs int64, ok bool) {
	k := (n + 1) / 2
	first, second = 2*k-1, 2*k
	if second > m.subjects {
		return 0, 0, 0, 0, false
	}
	h := m.hash(id, k)
	need := id.Requires()
	if h&0xff >= share || m.profile(first)&need != need || m.profile(second)&need != need {
		return 0, 0, 0, 0, false
	}
	span := float64(m.endUs - m.startUs)
	releaseUs = m.startUs + int64(span*(0.15+0.30*fraction(h, 8)))
	backUs = releaseUs + int64(span*(0.05+0.15*fraction(h, 32)))
	// A period of a few microseconds has no room for a gap.
	ok = m.startUs < releaseUs && releaseUs < backUs && backUs < m.endUs
	return first, second, releaseUs, backUs, ok
}

// holdings returns what customer n, of profile p, held of identity id, in
// time order (at most two holdings). It has none of an identity their
// profile lacks, nor of ByCustomerID.
func (m *identities) holdings(n uint64, p Profile, id Identity) (hs [2]holding, count int) {
	if id == ByCustomerID || id >= identityCount || p&id.Requires() != id.Requires() {
		return hs, 0
	}
	whole := func(v uint64) ([2]holding, int) {
		return [2]holding{{value: v, fromUs: m.startUs, toUs: m.endUs}}, 1
	}
	switch id {
	case ByPhoneNumber:
		first, _, release, back, ok := m.reuse(n, id, phoneReuseShare)
		switch {
		case !ok:
			return whole(n)
		case n == first:
			return [2]holding{{value: n, fromUs: m.startUs, toUs: release}}, 1
		default:
			return [2]holding{{value: first, fromUs: back, toUs: m.endUs, reusedFrom: first}}, 1
		}
	case ByIPAddress:
		// Customer n's own addresses are 2n-1 and 2n.
		first, _, release, back, ok := m.reuse(n, id, ipReuseShare)
		switch {
		case !ok:
			return whole(2*n - 1)
		case n == first:
			return [2]holding{
				{value: 2*n - 1, fromUs: m.startUs, toUs: release},
				{value: 2 * n, fromUs: release, toUs: m.endUs},
			}, 2
		default:
			return [2]holding{
				{value: 2*n - 1, fromUs: m.startUs, toUs: back},
				{value: 2*first - 1, fromUs: back, toUs: m.endUs, reusedFrom: first},
			}, 2
		}
	case BySetTopBox:
		h := m.hash(id, n)
		at := m.startUs + int64(float64(m.endUs-m.startUs)*(0.10+0.80*fraction(h, 8)))
		if h&0xff >= boxReplacedShare || at <= m.startUs || at >= m.endUs {
			return whole(2*n - 1)
		}
		return [2]holding{
			{value: 2*n - 1, fromUs: m.startUs, toUs: at},
			{value: 2 * n, fromUs: at, toUs: m.endUs},
		}, 2
	default: // ByContract, ByTerminalMAC
		return whole(n)
	}
}

// heldAt returns the holding of identity id that customer n, of profile p,
// held at atUs.
func (m *identities) heldAt(n uint64, p Profile, id Identity, atUs int64) (holding, bool) {
	hs, count := m.holdings(n, p, id)
	for _, h := range hs[:count] {
		if h.fromUs <= atUs && atUs < h.toUs {
			return h, true
		}
	}
	return holding{}, false
}

// Multipliers of the bijections that scatter the values: each is prime to
// its modulus, so x ↦ (mul·x + offset) mod modulus is a permutation.
const (
	phoneMul    = 7_368_787     // mod 10^7
	contractMul = 738_787_213   // mod 10^9
	boxMul      = 7_387_872_131 // mod 10^10
	ipv4Mul     = 0x2c9277      // mod 2^22
	macMul      = 0x9e3779b97   // mod 2^40
)

// permute returns (mul·x + the seed's offset for id) mod modulus.
func (m *identities) permute(id Identity, x, mul, modulus uint64) uint64 {
	hi, lo := bits.Mul64(mul, x%modulus)
	_, r := bits.Div64(hi, lo, modulus)
	return (r + m.hash(id, 0)%modulus) % modulus
}

// value returns value v (1-based) of identity id in clear, in the form
// identity.Normalize gives it:
//
//   - phone numbers "+371" and 8 digits, +3712xxxxxxx for the first ten
//     million;
//   - IPv4 addresses in the shared address space 100.64.0.0/10 for the
//     first 4,194,304 addresses, then IPv6 in the documentation prefix
//     2001:db8::/32;
//   - contracts "BAL-" and 9 digits; set-top boxes "STB-" and 10 digits;
//   - terminals' MAC addresses, locally administered (02:…).
func (m *identities) value(id Identity, v uint64) string {
	x := v - 1
	switch id {
	case ByPhoneNumber:
		return fmt.Sprintf("+371%c%07d", phoneBlocks[x/10_000_000%10], m.permute(id, x, phoneMul, 10_000_000))
	case ByIPAddress:
		if x < 1<<22 {
			a := m.permute(id, x, ipv4Mul, 1<<22)
			return netip.AddrFrom4([4]byte{100, byte(64 + a>>16), byte(a >> 8), byte(a)}).String()
		}
		var b [16]byte
		b[0], b[1], b[2], b[3] = 0x20, 0x01, 0x0d, 0xb8
		b[4], b[5], b[6], b[7] = byte(x>>24), byte(x>>16), byte(x>>8), byte(x)
		b[15] = 1
		return netip.AddrFrom16(b).String()
	case ByContract:
		return fmt.Sprintf("BAL-%09d", m.permute(id, x, contractMul, 1_000_000_000))
	case BySetTopBox:
		return fmt.Sprintf("STB-%010d", m.permute(id, x, boxMul, 10_000_000_000))
	case ByTerminalMAC:
		a := m.permute(id, x, macMul, 1<<40)
		return fmt.Sprintf("02:%02x:%02x:%02x:%02x:%02x", byte(a>>32), byte(a>>24), byte(a>>16), byte(a>>8), byte(a))
	}
	return ""
}

// maxValue is the largest value index of identity id in a population.
func (m *identities) maxValue(id Identity) uint64 {
	switch id {
	case ByIPAddress, BySetTopBox:
		return 2 * m.subjects
	}
	return m.subjects
}

// checkValues makes sure every identity's values, first and last, are
// identifiers keyer accepts: then no value of the population fails, and
// the generator need not handle the error per event.
func (m *identities) checkValues(keyer *identity.Keyer) error {
	for id := ByCustomerID + 1; id < identityCount; id++ {
		for _, v := range []uint64{1, m.maxValue(id), min(1<<22, m.maxValue(id)), min(1<<22+1, m.maxValue(id))} {
			if _, err := keyer.Identifier(id.Kind(), m.value(id, v)); err != nil {
				return fmt.Errorf("simulated %s is not a valid identifier: %w", id, err)
			}
		}
	}
	return nil
}

// Holding is one identifier a customer held over part of the period, in
// clear. It exists for tests and for demos that must know whose number was
// whose: never log or publish Value.
type Holding struct {
	Identity Identity
	Value    string
	// From and To bound the time held, To exclusive. Open is true when the
	// customer still holds it at the end of the period (the link has no
	// valid_to); To is then the period's end.
	From, To time.Time
	Open     bool
	// ReusedFrom is the customer who held Value before (a reused phone
	// number or address), empty if none.
	ReusedFrom string
}

// Holdings lists what customer n (1 … Subjects) holds over the period, in
// clear: every identity, in the order of the Identity constants, each in
// time order.
func (g *Generator) Holdings(n int) []Holding {
	if n < 1 || uint64(n) > g.subjects {
		return nil
	}
	m := g.ids
	p := m.profile(uint64(n))
	var out []Holding
	for id := ByCustomerID + 1; id < identityCount; id++ {
		hs, count := m.holdings(uint64(n), p, id)
		for _, h := range hs[:count] {
			hd := Holding{
				Identity: id, Value: m.value(id, h.value),
				From: time.UnixMicro(h.fromUs).UTC(), To: time.UnixMicro(h.toUs).UTC(), Open: h.toUs == m.endUs,
			}
			if h.reusedFrom != 0 {
				hd.ReusedFrom = formatSubject(h.reusedFrom)
			}
			out = append(out, hd)
		}
	}
	return out
}

// keyCache remembers recent keyed identifiers, so that an HMAC is computed
// once per identifier rather than per event (a customer's CDRs all carry
// one number). Direct-mapped, sized to the population up to a bound (some
// eight identifiers a customer, 16 bytes an entry, 4 MiB at most): a
// collision just recomputes.
type keyCache struct {
	keys  []uint64
	ids   []*lineage.Identifier
	shift uint
}

const maxKeyCacheBits = 18

func newKeyCache(subjects uint64) *keyCache {
	b := uint(10)
	for b < maxKeyCacheBits && uint64(1)<<b < 8*subjects {
		b++
	}
	return &keyCache{keys: make([]uint64, 1<<b), ids: make([]*lineage.Identifier, 1<<b), shift: 64 - b}
}

// identifier returns the keyed identifier of value v of identity id.
// Events share the returned pointer: read-only.
func (g *Generator) identifier(id Identity, v uint64) *lineage.Identifier {
	key := v<<3 | uint64(id)
	slot := mix(key) >> g.cache.shift
	if g.cache.keys[slot] == key+1 {
		return g.cache.ids[slot]
	}
	// Cannot fail: New checked every identity's value format (checkValues).
	ident, _ := g.keyer.Identifier(id.Kind(), g.ids.value(id, v))
	g.cache.keys[slot], g.cache.ids[slot] = key+1, &ident
	return &ident
}
