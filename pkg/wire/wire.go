// Package wire turns lineage events into Kafka record values and back.
//
// Producers write Avro single-object encoding (Avro 1.8+ spec: the marker
// C3 01, the schema's 8-byte little-endian CRC-64-AVRO fingerprint, then the
// Avro body), so no schema registry is needed: the fingerprint names one of
// the schema versions published in schemas/lineage. The codecs write the
// fingerprint of hamba/avro's canonical form, which keeps logicalType, as
// they always have (the topics hold records with it); they read by that
// one and by the fingerprint of the specification's Parsing Canonical
// Form, which Java's BinaryMessageEncoder and other libraries write (see
// canonical.go). The decoder also accepts
// Confluent Schema Registry framing (magic byte 0, 4-byte big-endian schema
// id) when it is given a registry.
//
// Codec decodes with hamba/avro and is safe for concurrent use. A consumer
// decodes with a Decoder per goroutine instead: the same results, about
// three times faster, from a decoder written for the current schema.
//
// Every decode error that no retry can cure is a *PoisonError: the caller
// dead-letters the record and moves on. Any other error (a registry that
// does not answer) is transient.
package wire

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/hamba/avro/v2"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/schemas"
)

// Limits of the decoder: a record larger than MaxRecordBytes is poison, and
// no string, array or map in a record may make the decoder allocate more
// than these, whatever lengths the bytes claim.
const (
	MaxRecordBytes = 256 << 10
	maxStringBytes = 64 << 10
	maxSliceItems  = 1024
)

// Reasons name why a record is poison. They are stable: they travel in the
// dead-letter topic's headers and in metrics.
const (
	ReasonOversized         = "oversized"
	ReasonUnknownFormat     = "unknown_format"
	ReasonUnknownSchema     = "unknown_schema"
	ReasonIncompatible      = "incompatible_schema"
	ReasonMalformed         = "malformed_avro"
	ReasonRegistryNotConfig = "registry_not_configured"
)

// PoisonError says a record can never be decoded as it is.
type PoisonError struct {
	Reason string
	Err    error
}

func (e *PoisonError) Error() string { return e.Reason + ": " + e.Err.Error() }
func (e *PoisonError) Unwrap() error { return e.Err }

func poison(reason string, format string, args ...any) error {
	return &PoisonError{Reason: reason, Err: fmt.Errorf(format, args...)}
}

// Registry looks up a writer schema by its Confluent Schema Registry id.
// Implementations must be safe for concurrent use; an error is treated as
// transient unless it wraps ErrSchemaNotFound.
type Registry interface {
	SchemaByID(ctx context.Context, id int) (string, error)
}

// ErrSchemaNotFound is wrapped by a Registry that positively knows no schema
// with the id: the record is poison.
var ErrSchemaNotFound = errors.New("schema not found")

var soeMarker = [2]byte{0xC3, 0x01}

const soeHeaderLen = 10

// Codec encodes and decodes lineage events. It is safe for concurrent use.
type Codec struct {
	api      avro.API
	reader   avro.Schema
	header   [soeHeaderLen]byte
	byFP     map[uint64]writerSchema // every published version, by both its fingerprints
	registry Registry
	byID     sync.Map // int → writerSchema
}

// writerSchema is a schema that records are written with, and how to read
// them.
type writerSchema struct {
	schema   avro.Schema // describes the bytes
	resolved avro.Schema // schema resolved to the reader's shape: what hamba decodes with
	skips    bool        // resolved differs from schema: hamba may skip parts of the bytes
}

// check refuses a body that hamba would decode wrongly or slowly (see
// checkDatum and checkResolvedDatum).
func (ws writerSchema) check(body []byte) error {
	if ws.skips {
		return checkResolvedDatum(ws.schema, body)
	}
	return checkDatum(ws.schema, body)
}

// Option configures a Codec.
type Option func(*Codec)

// WithRegistry makes the decoder accept Confluent framing, looking schema ids
// up in r.
func WithRegistry(r Registry) Option { return func(c *Codec) { c.registry = r } }

// New builds a codec over the published schema versions: it writes the
// newest and reads every one of them.
func New(opts ...Option) (*Codec, error) {
	versions, err := schemas.LineageEventVersions()
	if err != nil {
		return nil, err
	}
	if len(versions) == 0 {
		return nil, errors.New("no lineage schema published")
	}
	return newCodec(versions[len(versions)-1], versions, opts...)
}

// newCodec reads data written with any of the writer schemas into the shape
// of the reader schema, and writes with the reader schema. A reader learns
// the writer schemas it can read only from this list: a new schema version
// reaches the materializer before any producer writes it.
func newCodec(readerText string, writers []string, opts ...Option) (*Codec, error) {
	c := &Codec{
		api: avro.Config{
			MaxByteSliceSize:  maxStringBytes,
			MaxSliceAllocSize: maxSliceItems,
		}.Freeze(),
		byFP: make(map[uint64]writerSchema, 2*len(writers)),
	}
	for _, o := range opts {
		o(c)
	}
	// Parse into a private cache: schemas of different versions share names.
	reader, err := avro.ParseWithCache(readerText, "", &avro.SchemaCache{})
	if err != nil {
		return nil, fmt.Errorf("parse reader schema: %w", err)
	}
	c.reader = reader
	fp, err := fingerprint(reader)
	if err != nil {
		return nil, err
	}
	copy(c.header[:2], soeMarker[:])
	binary.LittleEndian.PutUint64(c.header[2:], fp)
	// Every version is known by two fingerprints (see parsingFingerprint):
	// hamba's, which the SDK writes, and the specification's, which
	// Java's BinaryMessageEncoder writes. Both name the same writer
	// schema. Versions that differ only in what the specification's form
	// strips (docs, defaults, logical types) share its fingerprint and
	// write the same bytes: the newest takes it. hamba's fingerprints go
	// in last, so that none of them is ever taken by another version.
	resolved := make([]writerSchema, len(writers))
	hambaFPs := make([]uint64, len(writers))
	for i, text := range writers {
		ws, fp, err := c.resolve(text)
		if err != nil {
			return nil, fmt.Errorf("schema version %d: %w", i+1, err)
		}
		specFP, err := parsingFingerprint(text)
		if err != nil {
			return nil, fmt.Errorf("schema version %d: %w", i+1, err)
		}
		resolved[i], hambaFPs[i] = ws, fp
		c.byFP[specFP] = ws
	}
	for i, fp := range hambaFPs {
		c.byFP[fp] = resolved[i]
	}
	return c, nil
}

// resolve parses a writer schema and returns it with the schema that decodes
// its data into the reader's shape, and the writer's fingerprint.
func (c *Codec) resolve(text string) (writerSchema, uint64, error) {
	writer, err := avro.ParseWithCache(text, "", &avro.SchemaCache{})
	if err != nil {
		return writerSchema{}, 0, fmt.Errorf("parse writer schema: %w", err)
	}
	fp, err := fingerprint(writer)
	if err != nil {
		return writerSchema{}, 0, err
	}
	if writer.String() == c.reader.String() {
		return writerSchema{schema: writer, resolved: c.reader}, fp, nil
	}
	resolved, err := avro.NewSchemaCompatibility().Resolve(c.reader, writer)
	if err != nil {
		return writerSchema{}, fp, fmt.Errorf("writer schema not readable as the current one: %w", err)
	}
	return writerSchema{schema: writer, resolved: resolved, skips: true}, fp, nil
}

func fingerprint(s avro.Schema) (uint64, error) {
	b, err := s.FingerprintUsing(avro.CRC64Avro)
	if err != nil {
		return 0, fmt.Errorf("fingerprint schema: %w", err)
	}
	return binary.BigEndian.Uint64(b), nil
}

// Fingerprint is the CRC-64-AVRO fingerprint of the schema the codec
// writes, over hamba's canonical form: the one in the records it writes.
// It reads records that carry the specification's fingerprint of a
// published version too.
func (c *Codec) Fingerprint() uint64 { return binary.LittleEndian.Uint64(c.header[2:]) }

// Schema is the text (canonical form) of the schema the codec writes.
func (c *Codec) Schema() string { return c.reader.String() }

// Append encodes e in single-object encoding, appended to dst. It does not
// validate e: the SDK does that first.
func (c *Codec) Append(dst []byte, e *lineage.Event) ([]byte, error) {
	body, err := c.api.Marshal(c.reader, e)
	if err != nil {
		return dst, fmt.Errorf("encode lineage event: %w", err)
	}
	dst = append(dst, c.header[:]...)
	return append(dst, body...), nil
}

// Decode fills e from a record value in either framing. e is overwritten.
// A Decoder does the same, faster, on one goroutine.
func (c *Codec) Decode(ctx context.Context, b []byte, e *lineage.Event) error {
	if len(b) > MaxRecordBytes {
		return poison(ReasonOversized, "record of %d bytes exceeds %d", len(b), MaxRecordBytes)
	}
	ws, body, err := c.writerOf(ctx, b)
	if err != nil {
		return err
	}
	if err := ws.check(body); err != nil {
		return poison(ReasonMalformed, "decode avro body: %w", err)
	}
	*e = lineage.Event{}
	if err := c.api.Unmarshal(ws.resolved, body, e); err != nil {
		return poison(ReasonMalformed, "decode avro body: %w", err)
	}
	return nil
}

// writerOf reads the framing and returns the writer schema of the body.
func (c *Codec) writerOf(ctx context.Context, b []byte) (writerSchema, []byte, error) {
	switch {
	case len(b) >= soeHeaderLen && b[0] == soeMarker[0] && b[1] == soeMarker[1]:
		fp := binary.LittleEndian.Uint64(b[2:soeHeaderLen])
		ws, ok := c.byFP[fp]
		if !ok {
			return writerSchema{}, nil, poison(ReasonUnknownSchema, "no published schema has fingerprint %016x", fp)
		}
		return ws, b[soeHeaderLen:], nil
	case len(b) >= 5 && b[0] == 0:
		id := int(binary.BigEndian.Uint32(b[1:5]))
		ws, err := c.schemaByID(ctx, id)
		return ws, b[5:], err
	default:
		return writerSchema{}, nil, poison(ReasonUnknownFormat, "value is neither Avro single-object encoding nor Confluent framing")
	}
}

func (c *Codec) schemaByID(ctx context.Context, id int) (writerSchema, error) {
	if c.registry == nil {
		return writerSchema{}, poison(ReasonRegistryNotConfig, "confluent framing with schema id %d but no registry is configured", id)
	}
	if ws, ok := c.byID.Load(id); ok {
		return ws.(writerSchema), nil
	}
	text, err := c.registry.SchemaByID(ctx, id)
	if errors.Is(err, ErrSchemaNotFound) {
		return writerSchema{}, poison(ReasonUnknownSchema, "registry has no schema id %d: %w", id, err)
	}
	if err != nil {
		return writerSchema{}, fmt.Errorf("look up schema id %d: %w", id, err)
	}
	ws, _, err := c.resolve(text)
	if err != nil {
		return writerSchema{}, poison(ReasonIncompatible, "schema id %d: %w", id, err)
	}
	c.byID.Store(id, ws)
	return ws, nil
}
