package lineage

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/balticom/lineage/pkg/taxonomy"
)

// ErrInvalid is matched (errors.Is) by every validation failure.
var ErrInvalid = errors.New("invalid lineage event")

// Limits of an event. They bound what one event costs to store and answer.
const (
	MaxCategories     = 32
	MaxAttributes     = 32
	MaxAttrKeyLen     = 64
	MaxAttrValueLen   = 256
	MaxIDLen          = 128
	MaxNameLen        = 256
	MaxFutureSkew     = 5 * time.Minute
	traceParentLength = 55
)

// Earliest is the earliest occurred_at accepted: nothing in the operator's
// systems predates it, so an earlier time is a unit mistake (seconds or
// milliseconds sent as microseconds).
var Earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// FieldError is one broken rule. Field is the schema's field path
// ("recipient.country", "data_categories[2]"); Rule says what was expected.
// Value is the offending value only for codes: identifiers and attributes
// may be personal data and are never echoed.
type FieldError struct {
	Field string
	Rule  string
	Value string
}

func (e FieldError) Error() string {
	if e.Value != "" {
		return fmt.Sprintf("%s: %s (got %q)", e.Field, e.Rule, e.Value)
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Rule)
}

// ValidationError lists every broken rule of one record: the field as its
// schema names it, and the rule. Every record type of the project reports
// its rules this way (lineage events and identity links here, access
// request events, subject facts, incident events); errors.Is matches the
// record type's own ErrInvalid.
type ValidationError struct {
	// What names the record in the message: "lineage event".
	What string
	// Sentinel is what errors.Is matches.
	Sentinel error
	Fields   []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Error()
	}
	return "invalid " + e.What + ": " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, e.Sentinel) true.
func (e *ValidationError) Is(target error) bool { return target != nil && target == e.Sentinel }

// Rules collects the broken rules of one record while a validator checks
// it.
type Rules struct{ broken []FieldError }

// Fail records a broken rule. value is the offending value for codes only:
// anything that may be personal data is never echoed.
func (r *Rules) Fail(field, rule, value string) {
	r.broken = append(r.broken, FieldError{Field: field, Rule: rule, Value: value})
}

// Err returns nil when no rule was broken, else a *ValidationError naming
// every broken rule of what, matching sentinel.
func (r *Rules) Err(what string, sentinel error) error {
	if len(r.broken) == 0 {
		return nil
	}
	return &ValidationError{What: what, Sentinel: sentinel, Fields: r.broken}
}

type checker struct{ Rules }

func (c *checker) fail(field, rule, value string) { c.Fail(field, rule, value) }

// Validate checks the event against the schema's rules and the taxonomy and
// returns a *ValidationError naming every broken rule, or nil. now bounds
// occurred_at from above (clock skew allowed); replaying old events stays
// valid because time only moves forward.
func (e *Event) Validate(now time.Time) error {
	var c checker
	if !ValidUUID(e.ID) {
		c.fail("event_id", "must be a UUID in its text form (8-4-4-4-12 hex digits)", "")
	}
	switch e.Kind {
	case Access, Transfer, ProcessorHandoff:
	default:
		c.fail("kind", "must be access, transfer or processor_handoff", string(e.Kind))
	}
	c.times(e.OccurredAt, e.RecordedAt, now)
	if _, ok := taxonomy.LookupSourceSystem(e.SourceSystem); !ok {
		c.fail("source_system", "unknown source system code", e.SourceSystem)
	}
	switch e.Actor.Type {
	case ServiceAccount, EmployeeRole, System:
	default:
		c.fail("actor.type", "must be service_account, employee_role or system", string(e.Actor.Type))
	}
	if !validToken(e.Actor.ID, MaxIDLen) {
		c.fail("actor.id", "must be 1-128 characters of letters, digits and _ . : @ / - (a role or account, never a name)", "")
	}
	if e.Actor.Employee != nil {
		switch {
		case e.Actor.Type != EmployeeRole:
			c.fail("actor.employee", "only for an actor of type employee_role", "")
		case !validToken(*e.Actor.Employee, MaxIDLen):
			c.fail("actor.employee", "must be 1-128 characters of letters, digits and _ . : @ / - (a staff number, never a name)", "")
		}
	}
	c.subject(e.SubjectID, e.SubjectIdentifier)
	c.categories(e.DataCategories)
	if _, ok := taxonomy.LookupPurpose(e.Purpose); !ok {
		c.fail("purpose", "unknown purpose code (policy §5)", e.Purpose)
	}
	c.basis(e.LegalBasis, e.LegitimateInterest)
	if e.LegalBasis == "similar_offer" && e.Purpose != "commercial_communication" {
		c.fail("legal_basis", "similar_offer (policy §43) is only for purpose commercial_communication: offers of similar goods and services", e.LegalBasis)
	}
	c.recipient(e.Kind, e.Recipient)
	if e.Trace != nil && !validTraceParent(e.Trace.TraceParent) {
		c.fail("trace.traceparent", "must be a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)", "")
	}
	c.attributes(e.Attributes)
	c.contractAttributes(e.Attributes, e.OccurredAt)
	c.restriction(e.Restriction, e.OccurredAt)
	return c.Err("lineage event", ErrInvalid)
}

func (c *checker) times(occurred, recorded, now time.Time) {
	switch {
	case occurred.Before(Earliest):
		c.fail("occurred_at", "must be after 2000-01-01 (microseconds since the epoch)", "")
	case occurred.After(now.Add(MaxFutureSkew)):
		c.fail("occurred_at", "must not be in the future", "")
	}
	if recorded.Before(occurred) {
		c.fail("recorded_at", "must not be earlier than occurred_at", "")
	}
}

// restriction checks a restriction: a basis to name in the report, and a
// review date after the disclosure (a restriction that lapsed before the
// event happened restricts nothing and is a mistake).
func (c *checker) restriction(r *Restriction, occurred time.Time) {
	if r == nil {
		return
	}
	if b := strings.TrimSpace(r.Basis); b == "" || len(r.Basis) > MaxNameLen {
		c.fail("restriction.basis", "must be the legal basis of the restriction, 1-256 characters", "")
	}
	if !r.ReviewAt.After(occurred) {
		c.fail("restriction.review_at", "must be after occurred_at", "")
	}
}

func (c *checker) categories(cats []string) {
	if len(cats) == 0 {
		c.fail("data_categories", "must name at least one category (policy annex 1)", "")
		return
	}
	if len(cats) > MaxCategories {
		c.fail("data_categories", "must name at most 32 categories", "")
		return
	}
	// The field name is formatted only on failure: this loop runs for
	// every category of every event consumed.
	field := func(i int) string { return fmt.Sprintf("data_categories[%d]", i) }
	for i, code := range cats {
		if _, ok := taxonomy.LookupCategory(code); !ok {
			c.fail(field(i), "unknown data category code (policy annex 1)", code)
			continue
		}
		for _, prev := range cats[:i] {
			if prev == code {
				c.fail(field(i), "repeats a category", code)
				break
			}
		}
	}
}

func (c *checker) basis(basis string, interest *string) {
	if _, ok := taxonomy.LookupLegalBasis(basis); !ok {
		c.fail("legal_basis", "unknown legal basis code (policy §6)", basis)
		return
	}
	li := Deref(interest)
	switch {
	case basis == "legitimate_interest" && li == "":
		c.fail("legitimate_interest", "required when legal_basis is legitimate_interest (policy §7)", "")
	case basis == "legitimate_interest":
		if _, ok := taxonomy.LookupLegitimateInterest(li); !ok {
			c.fail("legitimate_interest", "unknown legitimate interest (policy §7.1-§7.29)", li)
		}
	case interest != nil:
		c.fail("legitimate_interest", "must be null unless legal_basis is legitimate_interest", li)
	}
}

func (c *checker) recipient(kind Kind, r *Recipient) {
	if !kind.HasRecipient() {
		if r != nil && kind == Access {
			c.fail("recipient", "must be null for an access", "")
		}
		return
	}
	if r == nil {
		c.fail("recipient", "required for a "+string(kind), "")
		return
	}
	if !ValidRecipientID(r.ID) {
		c.fail("recipient.id", "must be 1-128 characters of letters, digits and _ . : @ / -", "")
	}
	if r.Name == "" || len(r.Name) > MaxNameLen {
		c.fail("recipient.name", "must be 1-256 bytes", "")
	}
	if _, ok := taxonomy.LookupRecipientCategory(r.Category); !ok {
		c.fail("recipient.category", "unknown recipient category code", r.Category)
	}
	country, ok := taxonomy.LookupCountry(r.Country)
	if !ok {
		c.fail("recipient.country", "must be an ISO 3166-1 alpha-2 code", r.Country)
		return
	}
	mech := Deref(r.TransferMechanism)
	switch {
	case country.EEA && r.TransferMechanism != nil:
		c.fail("recipient.transfer_mechanism", "must be null for a country in the EU/EEA", mech)
	case country.EEA:
	case mech == "":
		c.fail("recipient.transfer_mechanism", "required for a country outside the EU/EEA (GDPR Chapter V)", "")
	default:
		if _, ok := taxonomy.LookupTransferMechanism(mech); !ok {
			c.fail("recipient.transfer_mechanism", "unknown transfer mechanism code", mech)
		} else if mech == "adequacy_decision" && !country.Adequacy {
			c.fail("recipient.transfer_mechanism", "no adequacy decision covers "+r.Country+" (GDPR Art. 45)", mech)
		}
	}
}

func (c *checker) attributes(attrs map[string]string) {
	if len(attrs) > MaxAttributes {
		c.fail("attributes", "must have at most 32 entries", "")
		return
	}
	for k, v := range attrs {
		if !validAttrKey(k) {
			c.fail("attributes", "keys must be 1-64 characters of a-z, 0-9, _ and ., starting with a letter", "")
		}
		if len(v) > MaxAttrValueLen {
			c.fail("attributes", "values must be at most 256 bytes", "")
		}
	}
}

// Attributes with a meaning of their own: free-form attributes are the
// source's business, these are read by the tracker (retention, the yearly
// statistics of retained data, where the data came from) and so are
// checked.
const (
	// AttrRetentionFrom is the UTC day (YYYY-MM-DD) from which the
	// policy's retention period of the data the event concerns is counted:
	// the recording or correspondence date (§22), the invoice or document
	// date (§20.3), the end of service use of a prepaid customer (§23), the
	// day an audit record was made (§21), or for a disclosure of retained
	// data the day of the oldest data given.
	AttrRetentionFrom = "retention_from"
	// AttrRetentionRule is a retention rule code (taxonomy.RetentionRules)
	// that governs the event's data instead of their categories' default
	// rules: prepaid_2y applies by subject, audit_high_security_18m by
	// system, and no category maps to either.
	AttrRetentionRule = "retention_rule"
	// AttrRequestRef names an authority's request that a disclosure
	// answers (the authority's own number); several events may answer one
	// request.
	AttrRequestRef = "request_ref"
	// MaxRequestRefLen bounds AttrRequestRef.
	MaxRequestRefLen = 64
	// AttrDataSource is where the personal data the event concerns came
	// from: a data source code (taxonomy.DataSources, policy §16) such as
	// customer, operator_systems or credit_history. It is not the source
	// system, which only reports the event. Optional: a system that does
	// not know leaves it out.
	AttrDataSource = "data_source"
)

// contractAttributes checks the attributes the tracker reads, when present.
// The values are dates and codes, not personal data, but only the codes (a
// rule, a data source) are echoed, as codes are.
func (c *checker) contractAttributes(attrs map[string]string, occurred time.Time) {
	if v, ok := attrs[AttrRetentionFrom]; ok {
		from, err := time.Parse(time.DateOnly, v)
		// A period counted from a day after the event cannot have run on
		// it; before 2000 is a unit or typing mistake, as for occurred_at.
		switch {
		case err != nil:
			c.fail("attributes."+AttrRetentionFrom, "must be a calendar date YYYY-MM-DD (UTC): the day the retention period is counted from (policy §20-§23)", "")
		case from.Before(Earliest):
			c.fail("attributes."+AttrRetentionFrom, "must not be before 2000-01-01", "")
		case from.After(occurred.UTC()):
			c.fail("attributes."+AttrRetentionFrom, "must not be after the day of occurred_at (UTC)", "")
		}
	}
	if v, ok := attrs[AttrRetentionRule]; ok {
		if _, known := taxonomy.LookupRetentionRule(v); !known {
			c.fail("attributes."+AttrRetentionRule, "unknown retention rule code (policy §20-§23)", v)
		}
	}
	if v, ok := attrs[AttrRequestRef]; ok && !validRequestRef(v) {
		c.fail("attributes."+AttrRequestRef, "must be 1-64 characters of letters, digits and - / . _ (the authority's request number)", "")
	}
	if v, ok := attrs[AttrDataSource]; ok {
		if _, known := taxonomy.LookupDataSource(v); !known {
			c.fail("attributes."+AttrDataSource, "unknown data source code (policy §16)", v)
		}
	}
}

// validRequestRef reports whether s is 1 to MaxRequestRefLen bytes of
// letters, digits and - / . _.
func validRequestRef(s string) bool {
	if s == "" || len(s) > MaxRequestRefLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		case b == '-', b == '/', b == '.', b == '_':
		default:
			return false
		}
	}
	return true
}

// ValidSubjectID reports whether s is a customer id: "C" and 7 to 10 digits.
// The shape keeps personal codes (DDMMYY-NNNNN) and phone numbers out.
func ValidSubjectID(s string) bool {
	if len(s) < 8 || len(s) > 11 || s[0] != 'C' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ValidUUID reports whether s is a UUID in its canonical text form.
func ValidUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !isHex(s[i]) {
				return false
			}
		}
	}
	return true
}

func validTraceParent(s string) bool {
	if len(s) != traceParentLength || s[2] != '-' || s[35] != '-' || s[52] != '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if i == 2 || i == 35 || i == 52 {
			continue
		}
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func isHex(b byte) bool {
	return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F')
}

// ValidRecipientID reports whether s is a well-formed recipient id: 1-128
// characters of letters, digits and _ . : @ / -.
func ValidRecipientID(s string) bool { return validToken(s, MaxIDLen) }

func validToken(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		case b == '_', b == '.', b == ':', b == '@', b == '/', b == '-':
		default:
			return false
		}
	}
	return true
}

func validAttrKey(k string) bool {
	if k == "" || len(k) > MaxAttrKeyLen || k[0] < 'a' || k[0] > 'z' {
		return false
	}
	for i := 1; i < len(k); i++ {
		b := k[i]
		if !(b >= 'a' && b <= 'z') && !(b >= '0' && b <= '9') && b != '_' && b != '.' {
			return false
		}
	}
	return true
}
