package wire

import (
	"context"
	"encoding/binary"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

// fastFingerprint is the fingerprint of the schema decodeCurrent is written
// for: schemas/lineage/event.v3.avsc. A Decoder of a codec that writes any
// other schema uses the codec for everything, so a new schema version is
// read correctly, only slower, until decodeCurrent is brought up to date
// (TestFastDecoderKnowsCurrentSchema fails meanwhile).
const fastFingerprint = 0xa97efb0c4501d324

// fastSpecFingerprint is the same schema's fingerprint in the Avro
// specification's Parsing Canonical Form, which outside producers (Apache
// Avro Java) write: the same bytes, read the same fast way.
// TestFastDecoderKnowsCurrentSchema checks the pair.
const fastSpecFingerprint = 0xc0aef49070b2b8e9

// The symbols of the schema's enums, in schema order.
var (
	kindSymbols      = [...]lineage.Kind{lineage.KindUnknown, lineage.Access, lineage.Transfer, lineage.ProcessorHandoff}
	actorTypeSymbols = [...]lineage.ActorType{lineage.ActorUnknown, lineage.ServiceAccount, lineage.EmployeeRole, lineage.System}
)

// Decoder decodes record values with the same results and errors as
// Codec.Decode, but reads records written with the codec's own schema (all
// of them, until a new version is published) with a decoder written by
// hand for that schema instead of hamba's reflection: about three times
// faster, and allocating only the strings that identify the event (id,
// subject, trace, attribute values). Codes, actors and recipients come
// from a bounded interner. Other framings and schema versions go through
// the codec.
//
// A Decoder is not safe for concurrent use: each decoding goroutine makes
// its own with Codec.NewDecoder. An event it fills refers to storage the
// Decoder owns (the categories slice, the attributes map, the recipient and
// trace, the optional strings), which its next Decode overwrites: copy what
// must outlive that, as chstore.Batch.Add does. Strings may be kept.
type Decoder struct {
	codec *Codec
	fast  bool // the codec writes the schema decodeCurrent reads
	strs  interner

	// The storage of the event last decoded on the fast path.
	categories                                        []string
	attributes                                        map[string]string
	recipient                                         lineage.Recipient
	trace                                             lineage.TraceContext
	identifier                                        lineage.Identifier
	restriction                                       lineage.Restriction
	legitimateInterest, transferMechanism, traceState string
	employee                                          string
}

// NewDecoder returns a decoder for one goroutine.
func (c *Codec) NewDecoder() *Decoder {
	return &Decoder{codec: c, fast: c.Fingerprint() == fastFingerprint}
}

// Decode fills e from a record value in either framing; see Decoder for who
// owns what e then refers to.
func (d *Decoder) Decode(ctx context.Context, b []byte, e *lineage.Event) error {
	if !d.fast || len(b) > MaxRecordBytes || len(b) < soeHeaderLen || [2]byte(b) != soeMarker {
		return d.codec.Decode(ctx, b, e)
	}
	if fp := binary.LittleEndian.Uint64(b[2:]); fp != fastFingerprint && fp != fastSpecFingerprint {
		return d.codec.Decode(ctx, b, e)
	}
	if err := d.decodeCurrent(b[soeHeaderLen:], e); err != nil {
		return poison(ReasonMalformed, "decode avro body: %w", err)
	}
	return nil
}

// decodeCurrent decodes a body written with the schema of fastFingerprint
// into e, field by field in the schema's order.
func (d *Decoder) decodeCurrent(body []byte, e *lineage.Event) error {
	r := reader{b: body}
	e.ID = string(r.bytes())
	e.Kind = kindSymbols[r.index(len(kindSymbols))]
	// As hamba does: microseconds since the epoch, in UTC.
	e.OccurredAt = time.UnixMicro(r.long()).UTC()
	e.RecordedAt = time.UnixMicro(r.long()).UTC()
	e.SourceSystem = d.strs.get(r.bytes())
	e.Actor.Type = actorTypeSymbols[r.index(len(actorTypeSymbols))]
	e.Actor.ID = d.strs.get(r.bytes())
	e.Actor.Employee = d.optional(&r, &d.employee, false)
	e.SubjectID = string(r.bytes())
	e.DataCategories = d.readCategories(&r)
	e.Purpose = d.strs.get(r.bytes())
	e.LegalBasis = d.strs.get(r.bytes())
	e.LegitimateInterest = d.optional(&r, &d.legitimateInterest, true)
	e.Recipient = nil
	if r.index(2) == 1 {
		rc := &d.recipient
		rc.ID = d.strs.get(r.bytes())
		rc.Name = d.strs.get(r.bytes())
		rc.Category = d.strs.get(r.bytes())
		rc.Country = d.strs.get(r.bytes())
		rc.TransferMechanism = d.optional(&r, &d.transferMechanism, true)
		e.Recipient = rc
	}
	e.Trace = nil
	if r.index(2) == 1 {
		d.trace.TraceParent = string(r.bytes())
		d.trace.TraceState = d.optional(&r, &d.traceState, false)
		e.Trace = &d.trace
	}
	e.Attributes = d.readAttributes(&r)
	e.SubjectIdentifier = nil
	if r.index(2) == 1 {
		d.identifier.Kind = lineage.IdentifierKind(d.strs.get(r.bytes()))
		d.identifier.HMAC = string(r.bytes())
		e.SubjectIdentifier = &d.identifier
	}
	e.Restriction = nil
	if r.index(2) == 1 {
		d.restriction.Basis = d.strs.get(r.bytes())
		d.restriction.ReviewAt = time.UnixMicro(r.long()).UTC()
		e.Restriction = &d.restriction
	}
	return r.err
}

// optional reads a ["null", "string"] union into *dst and returns dst, or
// nil for null.
func (d *Decoder) optional(r *reader, dst *string, intern bool) *string {
	if r.index(2) == 0 {
		return nil
	}
	if b := r.bytes(); intern {
		*dst = d.strs.get(b)
	} else {
		*dst = string(b)
	}
	return dst
}

func (d *Decoder) readCategories(r *reader) []string {
	cats := d.categories[:0]
	for n := r.blockCount(1); n > 0; n = r.blockCount(1) {
		if n > maxSliceItems-len(cats) {
			r.fail(errTooManyItems)
			break
		}
		for range n {
			cats = append(cats, d.strs.get(r.bytes()))
		}
	}
	d.categories = cats
	return cats
}

// readAttributes reads the attributes map. Its byte count, not a limit of
// items, bounds it, as in hamba; validation then allows MaxAttributes.
func (d *Decoder) readAttributes(r *reader) map[string]string {
	if len(d.attributes) > lineage.MaxAttributes {
		// clear would keep the buckets of an oversized record's map.
		d.attributes = nil
	}
	if d.attributes == nil {
		d.attributes = make(map[string]string, 4)
	}
	clear(d.attributes)
	for n := r.blockCount(2); n > 0; n = r.blockCount(2) {
		for range n {
			k := d.strs.get(r.bytes())
			d.attributes[k] = string(r.bytes())
		}
	}
	return d.attributes
}
