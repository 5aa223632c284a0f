package wire

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/hamba/avro/v2"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/schemas"
)

// LinkCodec encodes and decodes identity links (schemas/identity) in Avro
// single-object encoding. Links are few (one per number, address or device
// assigned), so it decodes with hamba alone. Safe for concurrent use.
type LinkCodec struct {
	api    avro.API
	reader avro.Schema
	header [soeHeaderLen]byte
	byFP   map[uint64]writerSchema
}

// NewLinkCodec builds a codec that writes the newest published link schema
// and reads every published version.
func NewLinkCodec() (*LinkCodec, error) {
	versions, err := schemas.IdentityLinkVersions()
	if err != nil {
		return nil, err
	}
	if len(versions) == 0 {
		return nil, errors.New("no identity link schema published")
	}
	// The event codec's machinery does the parsing and resolving; only the
	// Go type differs.
	c, err := newCodec(versions[len(versions)-1], versions)
	if err != nil {
		return nil, fmt.Errorf("identity link schema: %w", err)
	}
	return &LinkCodec{api: c.api, reader: c.reader, header: c.header, byFP: c.byFP}, nil
}

// Append encodes l in single-object encoding, appended to dst. It does not
// validate l: the SDK does that first.
func (c *LinkCodec) Append(dst []byte, l *lineage.IdentityLink) ([]byte, error) {
	body, err := c.api.Marshal(c.reader, l)
	if err != nil {
		return dst, fmt.Errorf("encode identity link: %w", err)
	}
	dst = append(dst, c.header[:]...)
	return append(dst, body...), nil
}

// Decode fills l from a record value; l is overwritten. Every error is a
// *PoisonError.
func (c *LinkCodec) Decode(b []byte, l *lineage.IdentityLink) error {
	if len(b) > MaxRecordBytes {
		return poison(ReasonOversized, "record of %d bytes exceeds %d", len(b), MaxRecordBytes)
	}
	if len(b) < soeHeaderLen || [2]byte(b) != soeMarker {
		return poison(ReasonUnknownFormat, "identity link is not Avro single-object encoding")
	}
	fp := binary.LittleEndian.Uint64(b[2:soeHeaderLen])
	ws, ok := c.byFP[fp]
	if !ok {
		return poison(ReasonUnknownSchema, "no published identity link schema has fingerprint %016x", fp)
	}
	body := b[soeHeaderLen:]
	if err := ws.check(body); err != nil {
		return poison(ReasonMalformed, "decode avro body: %w", err)
	}
	*l = lineage.IdentityLink{}
	if err := c.api.Unmarshal(ws.resolved, body, l); err != nil {
		return poison(ReasonMalformed, "decode avro body: %w", err)
	}
	return nil
}
