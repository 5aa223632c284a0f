package eventjson

import (
	"errors"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"time"

	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/pkg/lineage"
)

// DefaultMaxBatch is the most events (or links) a batch may hold when
// Decoder.MaxBatch is not set.
const DefaultMaxBatch = 500

// Decoder decodes request bodies. A Decoder is immutable and safe for
// concurrent use.
type Decoder struct {
	// MaxBatch is the most events, or links, a batch may hold
	// (DefaultMaxBatch if 0).
	MaxBatch int
	// NewID gives an event without event_id its id (lineage.NewID if nil).
	NewID func() string
	// Keyer hashes identifiers (an event's subject_identifier, a link's
	// identifier). Nil: bodies that carry one are refused with
	// ErrNoIdentityKey, since the value must not go on in clear.
	Keyer *identity.Keyer
}

// DecodeEvent decodes a body holding one event object. An event without
// event_id gets d.NewID(); one without recorded_at gets receivedAt, or its
// occurred_at if that is later (a source's clock ahead of ours). r is read
// to its end: bound it (http.MaxBytesReader).
func (d *Decoder) DecodeEvent(r io.Reader, receivedAt time.Time) (lineage.Event, error) {
	p, err := d.parser(r, receivedAt, docEvent)
	if err != nil {
		return lineage.Event{}, err
	}
	var e lineage.Event
	if err := p.event(&e); err != nil {
		return lineage.Event{}, err
	}
	if err := p.end(); err != nil {
		return lineage.Event{}, err
	}
	return e, nil
}

// DecodeBatch decodes a body holding {"events": [event, ...]} with 1 to
// MaxBatch events, each with the defaults of DecodeEvent. It stops at the
// first error, or at the event past the maximum.
func (d *Decoder) DecodeBatch(r io.Reader, receivedAt time.Time) ([]lineage.Event, error) {
	p, err := d.parser(r, receivedAt, docBatch)
	if err != nil {
		return nil, err
	}
	var events []lineage.Event
	err = p.members(batchMembers, 1, func(int) error {
		var err error
		events, err = batchOf(p, "event", p.event)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	return events, nil
}

func (d *Decoder) parser(r io.Reader, receivedAt time.Time, doc docKind) (*parser, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, &Error{Kind: ErrUnreadable, Rule: "the body could not be read", Err: err}
	}
	max := d.MaxBatch
	if max <= 0 {
		max = DefaultMaxBatch
	}
	newID := d.NewID
	if newID == nil {
		newID = lineage.NewID
	}
	p := &parser{b: body, maxBatch: max, newID: newID, keyer: d.Keyer, receivedAt: receivedAt, doc: doc}
	if p.peek() == kindEnd {
		return nil, &Error{Kind: ErrMalformed, Rule: "the body is empty: want a JSON object"}
	}
	return p, nil
}

// Members returns the member names the decoder accepts, by object:
// "batch", "event", "actor", "recipient", "restriction", "identifier",
// "link_batch" and "link". Attributes are free string keys. It is for
// documentation and its tests; the slices are copies.
func Members() map[string][]string {
	return map[string][]string{
		"batch":       slices.Clone(batchMembers),
		"event":       slices.Clone(eventMembers),
		"actor":       slices.Clone(actorMembers),
		"recipient":   slices.Clone(recipientMembers),
		"restriction": slices.Clone(restrictionMembers),
		"identifier":  slices.Clone(identifierMembers),
		"link_batch":  slices.Clone(linkBatchMembers),
		"link":        slices.Clone(linkMembers),
	}
}

// Members of each object, by position; bit i of a required mask is
// member i.
var (
	batchMembers = []string{"events"}

	eventMembers = []string{
		"event_id", "kind", "occurred_at", "recorded_at", "source_system", "actor", "subject_id",
		"data_categories", "purpose", "legal_basis", "legitimate_interest", "recipient", "attributes",
		"subject_identifier", "restriction",
	}
	// kind, occurred_at, source_system, actor, data_categories, purpose,
	// legal_basis; and subject_id or subject_identifier, which event checks.
	eventRequired uint32 = 1<<1 | 1<<2 | 1<<4 | 1<<5 | 1<<7 | 1<<8 | 1<<9

	actorMembers               = []string{"type", "id", "employee"}
	actorRequired       uint32 = 1<<0 | 1<<1
	recipientMembers           = []string{"id", "name", "category", "country", "transfer_mechanism"}
	recipientRequired          = uint32(1<<0 | 1<<1 | 1<<2 | 1<<3)
	restrictionMembers         = []string{"basis", "review_at"}
	restrictionRequired        = uint32(1<<0 | 1<<1)
)

// docKind is what a body should hold: it picks the hint of an unknown
// member's error.
type docKind int

const (
	docEvent docKind = iota
	docBatch
	docLinks
)

// parser decodes one body held in b, from the cursor i. It is used by one
// goroutine.
type parser struct {
	b          []byte
	i          int
	path       path
	maxBatch   int
	newID      func() string
	keyer      *identity.Keyer
	receivedAt time.Time
	doc        docKind
}

func (p *parser) push(name string) { p.path = append(p.path, step{name: name, index: -1}) }
func (p *parser) pushIndex(i int)  { p.path = append(p.path, step{index: i}) }
func (p *parser) pop()             { p.path = p.path[:len(p.path)-1] }

// fail returns an *Error at the current path.
func (p *parser) fail(kind error, rule string) error {
	return &Error{Kind: kind, Field: p.path.String(), Rule: rule}
}

// end checks that nothing but white space follows the value.
func (p *parser) end() error {
	if p.peek() != kindEnd {
		return &Error{Kind: ErrMalformed, Rule: fmt.Sprintf("data after the JSON value at byte %d: want exactly one value", p.i)}
	}
	return nil
}

// open reads the byte that starts an object or array.
func (p *parser) open(c byte, want string) error {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return nil
	}
	return p.typeErr(want)
}

// members reads an object whose member names are names, calling read with
// the index of each member's name while the path names it. Unknown names,
// names given twice and missing required members (bit i of required for
// names[i]) are errors.
func (p *parser) members(names []string, required uint32, read func(i int) error) error {
	if err := p.open('{', "an object"); err != nil {
		return err
	}
	return p.membersOpened(names, required, read)
}

// membersOpened is members after the object's opening brace was read.
func (p *parser) membersOpened(names []string, required uint32, read func(i int) error) error {
	var seen uint32
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
	} else {
		for {
			key, err := p.key()
			if err != nil {
				return err
			}
			i := -1
			for j, n := range names {
				if string(key) == n {
					i = j
					break
				}
			}
			p.push(string(key))
			switch {
			case i < 0:
				return p.fail(ErrUnknownField, p.unknownRule())
			case seen&(1<<i) != 0:
				return p.fail(ErrInvalidField, "given twice")
			}
			seen |= 1 << i
			if err := p.delim(':', "':'"); err != nil {
				return err
			}
			if err := read(i); err != nil {
				return err
			}
			p.pop()
			more, err := p.more('}')
			if err != nil {
				return err
			}
			if !more {
				break
			}
		}
	}
	if missing := required &^ seen; missing != 0 {
		p.push(names[bits.TrailingZeros32(missing)])
		return p.fail(ErrInvalidField, "required")
	}
	return nil
}

// key reads a member name.
func (p *parser) key() ([]byte, error) {
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return nil, p.syntax("a member name in double quotes")
	}
	return p.rawString()
}

func (p *parser) unknownRule() string {
	if len(p.path) == 1 {
		switch name := p.path[0].name; {
		case name == "events" && p.doc == docEvent:
			return "unknown field: a batch {\"events\": [...]} goes to POST /v1/events/batch"
		case name == "links" && p.doc != docLinks:
			return "unknown field: identity links {\"links\": [...]} go to POST /v1/identity-links"
		case name == "events" && p.doc == docLinks:
			return "unknown field: events go to POST /v1/events/batch"
		}
	}
	if p.doc == docLinks {
		return "unknown field: not in the identity link schema (identity link v1)"
	}
	return "unknown field: not in the event schema (lineage event v3)"
}

// str reads a string.
func (p *parser) str() (string, error) {
	if p.peek() != kindString {
		return "", p.typeErr("a string")
	}
	s, err := p.rawString()
	return string(s), err
}

// optStr reads a string or null (nil).
func (p *parser) optStr() (*string, error) {
	switch p.peek() {
	case kindNull:
		if p.literal(kindNull) {
			return nil, nil
		}
	case kindString:
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return &s, nil
	}
	return nil, p.typeErr("a string or null")
}

const timeRule = "must be an RFC 3339 date-time with at most 6 fractional digits and a zone, e.g. 2026-03-02T09:30:00.123456Z"

// timestamp reads an RFC 3339 time; null (only where optional) gives the
// zero time.
func (p *parser) timestamp(optional bool) (time.Time, error) {
	switch p.peek() {
	case kindString:
	case kindNull:
		if optional && p.literal(kindNull) {
			return time.Time{}, nil
		}
		fallthrough
	default:
		return time.Time{}, p.typeErr("a string (" + timeRule[8:] + ")")
	}
	s, err := p.rawString()
	if err != nil {
		return time.Time{}, err
	}
	t, ok := parseTime(s)
	if !ok {
		return time.Time{}, p.fail(ErrInvalidField, timeRule)
	}
	return t, nil
}

// parseTime parses RFC 3339 strictly: an upper-case T, a zone (Z or
// ±hh:mm), and 1 to 6 fractional digits after a dot, if any (the schema
// holds microseconds). time.Parse checks the ranges.
func parseTime(b []byte) (time.Time, bool) {
	if len(b) < len("2006-01-02T15:04:05Z") || b[10] != 'T' {
		return time.Time{}, false
	}
	if b[19] == '.' {
		n := 0
		for 20+n < len(b) && b[20+n] >= '0' && b[20+n] <= '9' {
			n++
		}
		if n == 0 || n > 6 {
			return time.Time{}, false
		}
	} else if b[19] != 'Z' && b[19] != '+' && b[19] != '-' {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// batchOf reads a batch's array of 1 to maxBatch objects, each with read;
// noun names them in errors ("event", "link").
func batchOf[T any](p *parser, noun string, read func(*T) error) ([]T, error) {
	if err := p.open('[', "an array of "+noun+" objects"); err != nil {
		return nil, err
	}
	var out []T
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return nil, p.fail(ErrBatchSize, "must hold at least one "+noun)
	}
	for {
		if len(out) == p.maxBatch {
			return nil, p.fail(ErrBatchSize, fmt.Sprintf("must hold at most %d %ss: split the batch", p.maxBatch, noun))
		}
		out = append(out, *new(T))
		p.pushIndex(len(out) - 1)
		if err := read(&out[len(out)-1]); err != nil {
			return nil, err
		}
		p.pop()
		more, err := p.more(']')
		if err != nil {
			return nil, err
		}
		if !more {
			return out, nil
		}
	}
}

// event reads one event object into e and applies the defaults.
func (p *parser) event(e *lineage.Event) error {
	var hasID, hasRecorded, hasSubjectID bool
	err := p.members(eventMembers, eventRequired, func(i int) error {
		var err error
		switch i {
		case 0:
			var id *string
			id, err = p.optStr()
			if id != nil {
				e.ID, hasID = *id, true
			}
		case 1:
			var kind string
			kind, err = p.str()
			e.Kind = lineage.Kind(kind)
		case 2:
			e.OccurredAt, err = p.timestamp(false)
		case 3:
			e.RecordedAt, err = p.timestamp(true)
			hasRecorded = !e.RecordedAt.IsZero()
		case 4:
			e.SourceSystem, err = p.str()
		case 5:
			err = p.actor(&e.Actor)
		case 6:
			e.SubjectID, err = p.str()
			hasSubjectID = true
		case 7:
			e.DataCategories, err = p.categories()
		case 8:
			e.Purpose, err = p.str()
		case 9:
			e.LegalBasis, err = p.str()
		case 10:
			e.LegitimateInterest, err = p.optStr()
		case 11:
			e.Recipient, err = p.recipient()
		case 12:
			e.Attributes, err = p.attributes()
		case 13:
			e.SubjectIdentifier, err = p.identifier(true)
		case 14:
			e.Restriction, err = p.restriction()
		}
		return err
	})
	if err != nil {
		return err
	}
	if !hasSubjectID && e.SubjectIdentifier == nil {
		// Both given is lineage.Validate's to refuse: the body is well-formed.
		p.push("subject_id")
		return p.fail(ErrInvalidField, "required, or subject_identifier instead when the source knows the subject "+
			"only by a phone number, IP address, contract or device")
	}
	if !hasID {
		e.ID = p.newID()
	}
	if !hasRecorded {
		e.RecordedAt = p.receivedAt
		if e.OccurredAt.After(e.RecordedAt) {
			e.RecordedAt = e.OccurredAt
		}
	}
	return nil
}

func (p *parser) actor(a *lineage.Actor) error {
	return p.members(actorMembers, actorRequired, func(i int) error {
		if i == 2 {
			var err error
			a.Employee, err = p.optStr()
			return err
		}
		s, err := p.str()
		if i == 0 {
			a.Type = lineage.ActorType(s)
		} else {
			a.ID = s
		}
		return err
	})
}

// restriction reads null or a restriction {basis, review_at}.
func (p *parser) restriction() (*lineage.Restriction, error) {
	if null, err := p.openOrNull(); null || err != nil {
		return nil, err
	}
	var r lineage.Restriction
	err := p.membersOpened(restrictionMembers, restrictionRequired, func(i int) error {
		var err error
		if i == 0 {
			r.Basis, err = p.str()
		} else {
			r.ReviewAt, err = p.timestamp(false)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// openOrNull reads null (true) or the opening brace of an object (false).
func (p *parser) openOrNull() (null bool, err error) {
	switch p.peek() {
	case kindNull:
		if p.literal(kindNull) {
			return true, nil
		}
	case kindObject:
		p.i++
		return false, nil
	}
	return false, p.typeErr("an object or null")
}

func (p *parser) recipient() (*lineage.Recipient, error) {
	if null, err := p.openOrNull(); null || err != nil {
		return nil, err
	}
	var r lineage.Recipient
	err := p.membersOpened(recipientMembers, recipientRequired, func(i int) error {
		var err error
		switch i {
		case 0:
			r.ID, err = p.str()
		case 1:
			r.Name, err = p.str()
		case 2:
			r.Category, err = p.str()
		case 3:
			r.Country, err = p.str()
		case 4:
			r.TransferMechanism, err = p.optStr()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// categories reads data_categories: an array of at most
// lineage.MaxCategories strings.
func (p *parser) categories() ([]string, error) {
	if err := p.open('[', "an array of strings"); err != nil {
		return nil, err
	}
	var cats []string
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return cats, nil
	}
	for {
		if len(cats) == lineage.MaxCategories {
			return nil, p.fail(ErrInvalidField, fmt.Sprintf("must name at most %d categories", lineage.MaxCategories))
		}
		p.pushIndex(len(cats))
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		p.pop()
		cats = append(cats, s)
		more, err := p.more(']')
		if err != nil {
			return nil, err
		}
		if !more {
			return cats, nil
		}
	}
}

// attributes reads an object of at most lineage.MaxAttributes string
// values, or null. Keys and values are not echoed in errors: they may be
// anything a source system sent.
func (p *parser) attributes() (map[string]string, error) {
	if null, err := p.openOrNull(); null || err != nil {
		return nil, err
	}
	attrs := map[string]string{}
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return attrs, nil
	}
	for {
		if len(attrs) == lineage.MaxAttributes {
			return nil, p.fail(ErrInvalidField, fmt.Sprintf("must have at most %d entries", lineage.MaxAttributes))
		}
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		if _, dup := attrs[string(key)]; dup {
			return nil, p.fail(ErrInvalidField, fmt.Sprintf("key number %d is given twice", len(attrs)+1))
		}
		if err := p.delim(':', "':'"); err != nil {
			return nil, err
		}
		if k := p.peek(); k != kindString {
			if err := p.typeErr("a string"); !errors.Is(err, ErrInvalidField) {
				return nil, err // not even JSON
			}
			return nil, p.fail(ErrInvalidField, fmt.Sprintf("values must be strings, the value of key number %d is %s", len(attrs)+1, k))
		}
		value, err := p.str()
		if err != nil {
			return nil, err
		}
		attrs[string(key)] = value
		more, err := p.more('}')
		if err != nil {
			return nil, err
		}
		if !more {
			return attrs, nil
		}
	}
}
