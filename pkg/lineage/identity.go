package lineage

import (
	"strings"
	"time"

	"github.com/balticom/lineage/pkg/taxonomy"
)

// IdentifierKind names what a source system knows a customer by when it
// does not know the customer id. The values are the schema's codes.
type IdentifierKind string

const (
	// MSISDN is a phone number (E.164). Numbers are given back and
	// assigned to new customers, so one identifies a customer only
	// together with a time.
	MSISDN IdentifierKind = "msisdn"
	// IPAddress is an IP address assignment (IPv4 or IPv6).
	IPAddress IdentifierKind = "ip_address"
	// ContractNumber is the number of a service contract.
	ContractNumber IdentifierKind = "contract"
	// Device is a terminal: a MAC address or a set-top box serial number.
	Device IdentifierKind = "device"
	// PersonalCode is a Latvian personal code (personas kods), which CRM
	// links to the customer so that an access responder can find the
	// customer by what a person presents (policy §28-§29). No source files
	// events under it.
	PersonalCode IdentifierKind = "personal_code"
)

// IdentifierKinds lists every kind, in the order the documentation gives.
var IdentifierKinds = []IdentifierKind{MSISDN, IPAddress, ContractNumber, Device, PersonalCode}

// Valid reports whether k is one of IdentifierKinds.
func (k IdentifierKind) Valid() bool {
	switch k {
	case MSISDN, IPAddress, ContractNumber, Device, PersonalCode:
		return true
	}
	return false
}

// HMACLength is the length of Identifier.HMAC: HMAC-SHA-256 in lower-case hex.
const HMACLength = 64

// Identifier is something a source knows a customer by, keyed-hashed: HMAC
// is HMAC-SHA-256 over the kind and the normalised value under the
// operator's identity key (package identity computes it). The value itself
// never enters Kafka or ClickHouse; without the key, the hash cannot be
// turned back into a phone number by trying them all.
type Identifier struct {
	Kind IdentifierKind `avro:"kind"`
	HMAC string         `avro:"hmac"`
}

// Key is the identifier as one string, "kind:hmac": what the store files an
// event under until it is resolved, and what records are keyed by in Kafka.
// It never looks like a customer id, which starts with an upper-case C.
func (i Identifier) Key() string { return string(i.Kind) + ":" + i.HMAC }

// ParseIdentifierKey is the inverse of Key; ok is false for anything else,
// a customer id included.
func ParseIdentifierKey(s string) (id Identifier, ok bool) {
	kind, mac, found := strings.Cut(s, ":")
	id = Identifier{Kind: IdentifierKind(kind), HMAC: mac}
	return id, found && id.valid()
}

func (i Identifier) valid() bool { return i.Kind.Valid() && validHMAC(i.HMAC) }

// validHMAC reports whether s is HMACLength lower-case hex digits.
func validHMAC(s string) bool {
	if len(s) != HMACLength {
		return false
	}
	for j := 0; j < len(s); j++ {
		if b := s[j]; !(b >= '0' && b <= '9') && !(b >= 'a' && b <= 'f') {
			return false
		}
	}
	return true
}

// SubjectKey is who the event is about as its source knew it: the customer
// id, or the key of the identifier when the source knew only that. Records
// are keyed by it in Kafka and events stored under it in ClickHouse.
func (e *Event) SubjectKey() string {
	if e.SubjectIdentifier != nil {
		return e.SubjectIdentifier.Key()
	}
	return e.SubjectID
}

// subject checks that an event names its subject exactly one way.
func (c *checker) subject(id string, ident *Identifier) {
	switch {
	case ident == nil && !ValidSubjectID(id):
		c.fail("subject_id", "must be a customer id: C followed by 7 to 10 digits (or empty, with subject_identifier set)", "")
	case ident != nil && id != "":
		c.fail("subject_id", "must be empty when subject_identifier is set: an event names its subject one way", "")
	case ident != nil:
		c.identifier("subject_identifier", *ident)
	}
}

func (c *checker) identifier(field string, i Identifier) {
	if !i.Kind.Valid() {
		c.fail(field+".kind", "must be msisdn, ip_address, contract or device", string(i.Kind))
	}
	if !validHMAC(i.HMAC) {
		c.fail(field+".hmac", "must be HMAC-SHA-256 in 64 lower-case hex digits (never the identifier in clear)", "")
	}
}

// IdentityLink says that a customer held an identifier from ValidFrom until
// ValidTo (exclusive; nil while it still does). CRM emits one when it
// assigns a phone number, an IP address, a contract or a device, and emits
// it again with ValidTo set when the customer gives it back. A link is
// named by (SubjectID, Identifier, ValidFrom): a later RecordedAt replaces
// the earlier statement of the same link, and Retracted withdraws a link
// recorded in error.
type IdentityLink struct {
	SubjectID    string     `avro:"subject_id"`
	Identifier   Identifier `avro:"identifier"`
	ValidFrom    time.Time  `avro:"valid_from"`
	ValidTo      *time.Time `avro:"valid_to"`
	RecordedAt   time.Time  `avro:"recorded_at"`
	SourceSystem string     `avro:"source_system"`
	Retracted    bool       `avro:"retracted"`
}

// Validate checks a link and returns a *ValidationError naming every broken
// rule, or nil. now bounds the times from above (clock skew allowed).
func (l *IdentityLink) Validate(now time.Time) error {
	var c checker
	if !ValidSubjectID(l.SubjectID) {
		c.fail("subject_id", "must be a customer id: C followed by 7 to 10 digits", "")
	}
	c.identifier("identifier", l.Identifier)
	switch {
	case l.ValidFrom.Before(Earliest):
		c.fail("valid_from", "must be after 2000-01-01 (microseconds since the epoch)", "")
	case l.ValidFrom.After(now.Add(MaxFutureSkew)):
		c.fail("valid_from", "must not be in the future", "")
	}
	if l.ValidTo != nil && !l.ValidTo.After(l.ValidFrom) {
		c.fail("valid_to", "must be later than valid_from, or null while the customer holds the identifier", "")
	}
	if l.RecordedAt.Before(Earliest) || l.RecordedAt.After(now.Add(MaxFutureSkew)) {
		c.fail("recorded_at", "must be after 2000-01-01 and not in the future", "")
	}
	if _, ok := taxonomy.LookupSourceSystem(l.SourceSystem); !ok {
		c.fail("source_system", "unknown source system code", l.SourceSystem)
	}
	return c.Err("identity link", ErrInvalid)
}
