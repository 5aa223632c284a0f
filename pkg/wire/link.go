package wire

import (
	"encoding/binary"
	"fmt"

	"github.com/hamba/avro/v2"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/schemas"
)

// LinkCodec encodes and decodes identity links (schemas/identity) in Avro
// single-object encoding. Links are few (one per number, address or device
// assigned), so it decodes with hamba alone. Safe for concurrent use.
type LinkCodec struct{ soe soeCodec }

// NewLinkCodec builds a codec that writes the newest published link schema
// and reads every published version.
func NewLinkCodec() (*LinkCodec, error) {
	soe, err := newSOECodec("identity link", schemas.IdentityLinkVersions)
	if err != nil {
		return nil, err
	}
	return &LinkCodec{soe: soe}, nil
}

// Append encodes l in single-object encoding, appended to dst. It does not
// validate l: the SDK does that first.
func (c *LinkCodec) Append(dst []byte, l *lineage.IdentityLink) ([]byte, error) {
	return c.soe.append(dst, l)
}

// Decode fills l from a record value; l is overwritten. Every error is a
// *PoisonError.
func (c *LinkCodec) Decode(b []byte, l *lineage.IdentityLink) error {
	*l = lineage.IdentityLink{}
	return c.soe.decode(b, l)
}

// soeCodec is the machinery of the codecs of small topics (identity links,
// access requests): Avro single-object encoding only, decoded with hamba
// alone, through the event codec's parsing, resolving and checks; only the
// Go type differs. Safe for concurrent use.
type soeCodec struct {
	what   string // the record's name in errors: "identity link"
	api    avro.API
	reader avro.Schema
	header [soeHeaderLen]byte
	byFP   map[uint64]writerSchema
}

// newSOECodec builds a codec that writes the newest of the versions
// published and reads every one of them.
func newSOECodec(what string, published func() ([]string, error)) (soeCodec, error) {
	versions, err := published()
	if err != nil {
		return soeCodec{}, err
	}
	if len(versions) == 0 {
		return soeCodec{}, fmt.Errorf("no %s schema published", what)
	}
	c, err := newCodec(versions[len(versions)-1], versions)
	if err != nil {
		return soeCodec{}, fmt.Errorf("%s schema: %w", what, err)
	}
	return soeCodec{what: what, api: c.api, reader: c.reader, header: c.header, byFP: c.byFP}, nil
}

// append encodes v, a pointer to the Go shape of the schema, appended to dst.
func (c *soeCodec) append(dst []byte, v any) ([]byte, error) {
	body, err := c.api.Marshal(c.reader, v)
	if err != nil {
		return dst, fmt.Errorf("encode %s: %w", c.what, err)
	}
	dst = append(dst, c.header[:]...)
	return append(dst, body...), nil
}

// decode fills v, a pointer to the zero value of the schema's Go shape,
// from a record value. Every error is a *PoisonError.
func (c *soeCodec) decode(b []byte, v any) error {
	if len(b) > MaxRecordBytes {
		return poison(ReasonOversized, "record of %d bytes exceeds %d", len(b), MaxRecordBytes)
	}
	if len(b) < soeHeaderLen || [2]byte(b) != soeMarker {
		return poison(ReasonUnknownFormat, "%s is not Avro single-object encoding", c.what)
	}
	fp := binary.LittleEndian.Uint64(b[2:soeHeaderLen])
	ws, ok := c.byFP[fp]
	if !ok {
		return poison(ReasonUnknownSchema, "no published %s schema has fingerprint %016x", c.what, fp)
	}
	body := b[soeHeaderLen:]
	if err := ws.check(body); err != nil {
		return poison(ReasonMalformed, "decode avro body: %w", err)
	}
	if err := c.api.Unmarshal(ws.resolved, body, v); err != nil {
		return poison(ReasonMalformed, "decode avro body: %w", err)
	}
	return nil
}
