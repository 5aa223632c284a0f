package eventjson

import (
	"io"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

// Members of identifiers and links, by position, as in decode.go.
var (
	identifierMembers         = []string{"kind", "value"}
	identifierRequired uint32 = 1<<0 | 1<<1

	linkBatchMembers = []string{"links"}
	linkMembers      = []string{
		"subject_id", "identifier", "valid_from", "valid_to", "recorded_at", "source_system", "retracted",
	}
	// subject_id, identifier, valid_from.
	linkRequired uint32 = 1<<0 | 1<<1 | 1<<2
)

// identifierKindRule is the rule of an identifier's kind.
const identifierKindRule = "must be msisdn, ip_address, contract or device"

// DecodeLinks decodes a body holding {"links": [link, ...]} with 1 to
// MaxBatch identity links. A link's identifier is {"kind", "value"}, the
// value in clear; it is hashed with d.Keyer here, so the links returned
// hold only its HMAC. A link without recorded_at gets receivedAt, one
// without source_system gets source (the caller's), one without retracted
// is not retracted. It stops at the first error, or at the link past the
// maximum. r is read to its end: bound it.
func (d *Decoder) DecodeLinks(r io.Reader, receivedAt time.Time, source string) ([]lineage.IdentityLink, error) {
	p, err := d.parser(r, receivedAt, docLinks)
	if err != nil {
		return nil, err
	}
	var links []lineage.IdentityLink
	err = p.members(linkBatchMembers, 1, func(int) error {
		var err error
		links, err = batchOf(p, "link", func(l *lineage.IdentityLink) error { return p.link(l, source) })
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	return links, nil
}

// link reads one link object into l and applies the defaults.
func (p *parser) link(l *lineage.IdentityLink, source string) error {
	var hasSource bool
	err := p.members(linkMembers, linkRequired, func(i int) error {
		var err error
		switch i {
		case 0:
			l.SubjectID, err = p.str()
		case 1:
			var id *lineage.Identifier
			if id, err = p.identifier(false); id != nil {
				l.Identifier = *id
			}
		case 2:
			l.ValidFrom, err = p.timestamp(false)
		case 3:
			var to time.Time
			if to, err = p.timestamp(true); !to.IsZero() {
				l.ValidTo = &to
			}
		case 4:
			l.RecordedAt, err = p.timestamp(true)
		case 5:
			var s *string
			if s, err = p.optStr(); s != nil {
				l.SourceSystem, hasSource = *s, true
			}
		case 6:
			l.Retracted, err = p.optBool()
		}
		return err
	})
	if err != nil {
		return err
	}
	if l.RecordedAt.IsZero() {
		l.RecordedAt = p.receivedAt
	}
	if !hasSource {
		// Given, even "", it is kept: the caller refuses one not its own.
		l.SourceSystem = source
	}
	return nil
}

// identifier reads {"kind": ..., "value": ...} (or null, where nullable:
// nil) and returns it keyed. The clear value goes no further than this
// function: errors name the rule it breaks, never the value.
func (p *parser) identifier(nullable bool) (*lineage.Identifier, error) {
	if nullable {
		if null, err := p.openOrNull(); null || err != nil {
			return nil, err
		}
	} else if err := p.open('{', "an object"); err != nil {
		return nil, err
	}
	if p.keyer == nil {
		return nil, p.fail(ErrNoIdentityKey,
			"identifiers are not accepted: no identity key is configured to hash them with, and they must not go on in clear")
	}
	var kind lineage.IdentifierKind
	var value string
	err := p.membersOpened(identifierMembers, identifierRequired, func(i int) error {
		s, err := p.str()
		if err != nil {
			return err
		}
		if i == 1 {
			value = s
			return nil
		}
		if kind = lineage.IdentifierKind(s); !kind.Valid() {
			return p.fail(ErrInvalidField, identifierKindRule)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	id, err := p.keyer.Identifier(kind, value)
	if err != nil {
		// identity's errors name the kind and the rule, never the value.
		p.push("value")
		return nil, p.fail(ErrInvalidField, err.Error())
	}
	return &id, nil
}

// optBool reads true, false or null (false).
func (p *parser) optBool() (bool, error) {
	switch k := p.peek(); k {
	case kindBool:
		t := p.b[p.i] == 't'
		if p.literal(k) {
			return t, nil
		}
	case kindNull:
		if p.literal(k) {
			return false, nil
		}
	}
	return false, p.typeErr("a boolean or null")
}
