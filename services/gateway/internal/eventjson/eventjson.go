// Package eventjson decodes the gateway's JSON: lineage events (one event
// object, or a batch {"events": [...]}) and identity links (a batch
// {"links": [...]}). Member names are those of the Avro schemas
// (schemas/lineage/event.v3.avsc, schemas/identity/link.v1.avsc), except
// that an identifier is sent as {"kind", "value"}, its value in clear.
//
// Identifiers are keyed-hashed while decoding (package identity): the
// decoded event or link holds only the HMAC, so the clear phone number,
// address, contract or device goes no further than the request body, and
// no error quotes it. A Decoder without a Keyer refuses identifiers
// (ErrNoIdentityKey).
//
// Decoding is strict, so that a mistake in a source system is refused and
// named instead of silently changing a fact: unknown members, members given
// twice, wrong JSON types, times that are not RFC 3339 with at most
// microseconds and a zone, and anything after the JSON value are errors.
// Every error is an *Error naming the member's path ("events[2].actor.type")
// and the rule broken. Whether the codes are right is lineage.Validate's
// (and IdentityLink.Validate's) business, not this package's; whether an
// identifier's value is one is this package's, since only the clear value
// can tell.
//
// The decoder reads the whole body (the caller bounds it with
// http.MaxBytesReader), lexes it in place and stops at the first error; it
// bounds what one event may hold (categories, attributes) while decoding,
// so memory stays within a small multiple of the body's size.
package eventjson

import (
	"errors"
	"fmt"
	"strings"
)

// The kinds of *Error, matched with errors.Is.
var (
	// ErrMalformed: the body is not one JSON value (syntax error, truncated,
	// empty, or data after the value).
	ErrMalformed = errors.New("malformed JSON")
	// ErrUnreadable: the body could not be read (too large, timed out, or
	// the client went away); Err says which.
	ErrUnreadable = errors.New("body not readable")
	// ErrUnknownField: a member the schema does not have.
	ErrUnknownField = errors.New("unknown field")
	// ErrInvalidField: a member of the wrong type, given twice, missing
	// though required, a bad time, or beyond a size limit.
	ErrInvalidField = errors.New("invalid field")
	// ErrBatchSize: a batch with no events or more than the maximum.
	ErrBatchSize = errors.New("batch size")
	// ErrNoIdentityKey: an identifier (subject_identifier, a link) was
	// sent to a Decoder that has no Keyer to hash it with. The body may be
	// well-formed; the gateway is not set up to accept it.
	ErrNoIdentityKey = errors.New("no identity key")
)

// Error is a body that is not a well-formed event or batch.
type Error struct {
	// Kind is one of the Err* sentinels of this package.
	Kind error
	// Field is the path of the offending member ("events[2].actor.type"),
	// empty for the body as a whole.
	Field string
	// Rule says what was expected.
	Rule string
	// Err is the underlying read error, if any (*http.MaxBytesError for
	// a body over the limit).
	Err error
}

func (e *Error) Error() string {
	msg := e.Rule
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap makes errors.Is(err, Kind) and errors.As on Err work.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// maxKeyInPath bounds an unknown member's name as echoed in a path.
const maxKeyInPath = 64

// path is the position of the decoder in the body: member names and array
// indexes. It is turned into text only for an error.
type path []step

type step struct {
	name  string
	index int // -1 for a member
}

func (p path) String() string {
	var b strings.Builder
	for _, s := range p {
		name := s.name
		if len(name) > maxKeyInPath {
			name = name[:maxKeyInPath] + "..."
		}
		switch {
		case s.index >= 0:
			fmt.Fprintf(&b, "[%d]", s.index)
		case !plainName(name):
			fmt.Fprintf(&b, "[%q]", name)
		case b.Len() > 0:
			b.WriteByte('.')
			fallthrough
		default:
			b.WriteString(name)
		}
	}
	return b.String()
}

// plainName reports whether a member name can stand in a dotted path as it
// is; any other is quoted.
func plainName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= 'a' && b <= 'z') && !(b >= 'A' && b <= 'Z') && !(b >= '0' && b <= '9') && b != '_' {
			return false
		}
	}
	return true
}
