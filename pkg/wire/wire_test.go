package wire

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/schemas"
)

func newTestCodec(t testing.TB, opts ...Option) *Codec {
	t.Helper()
	c, err := New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func encode(t testing.TB, c *Codec, e lineage.Event) []byte {
	t.Helper()
	b, err := c.Append(nil, &e)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sameEvent(t *testing.T, want, got lineage.Event) {
	t.Helper()
	if !want.OccurredAt.Equal(got.OccurredAt) || !want.RecordedAt.Equal(got.RecordedAt) {
		t.Fatalf("times: want %v/%v, got %v/%v", want.OccurredAt, want.RecordedAt, got.OccurredAt, got.RecordedAt)
	}
	want.OccurredAt, want.RecordedAt = got.OccurredAt, got.RecordedAt
	if len(want.Attributes) == 0 && len(got.Attributes) == 0 {
		want.Attributes, got.Attributes = nil, nil
	}
	wj, _ := json.Marshal(want)
	gj, _ := json.Marshal(got)
	if !bytes.Equal(wj, gj) {
		t.Fatalf("decoded event differs:\nwant %s\ngot  %s", wj, gj)
	}
}

func TestRoundTrip(t *testing.T) {
	c := newTestCodec(t)
	at := lineagetest.Base
	for _, e := range []lineage.Event{
		lineagetest.Access(lineagetest.UUID(1), "C00000001", at),
		lineagetest.Transfer(lineagetest.UUID(2), "C00000002", at),
		lineagetest.Handoff(lineagetest.UUID(3), "C00000003", at),
	} {
		t.Run(string(e.Kind), func(t *testing.T) {
			b := encode(t, c, e)
			if b[0] != 0xC3 || b[1] != 0x01 {
				t.Fatalf("marker: got % x, want c3 01", b[:2])
			}
			if fp := binary.LittleEndian.Uint64(b[2:10]); fp != c.Fingerprint() {
				t.Fatalf("fingerprint in header %016x, codec's %016x", fp, c.Fingerprint())
			}
			for name, d := range decoders(c) {
				var got lineage.Event
				if err := d.Decode(context.Background(), b, &got); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				sameEvent(t, e, got)
			}
		})
	}
}

// TestFingerprintIsSpecCRC64 checks the header against the Avro spec's own
// definition of the 64-bit Rabin fingerprint over hamba's canonical form
// (the codec's Schema; the specification's form is canonical.go's), written
// here independently of the library.
func TestFingerprintIsSpecCRC64(t *testing.T) {
	c := newTestCodec(t)
	const empty = 0xc15d213aa4d7a795
	var table [256]uint64
	for i := range table {
		fp := uint64(i)
		for range 8 {
			fp = (fp >> 1) ^ (empty & -(fp & 1))
		}
		table[i] = fp
	}
	fp := uint64(empty)
	for _, b := range []byte(c.Schema()) {
		fp = (fp >> 8) ^ table[(byte(fp)^b)&0xff]
	}
	if fp != c.Fingerprint() {
		t.Fatalf("spec fingerprint %016x, codec %016x", fp, c.Fingerprint())
	}
}

// decoders are the two implementations of decoding that every behaviour
// test runs on.
func decoders(c *Codec) map[string]interface {
	Decode(context.Context, []byte, *lineage.Event) error
} {
	return map[string]interface {
		Decode(context.Context, []byte, *lineage.Event) error
	}{"codec": c, "decoder": c.NewDecoder()}
}

type registryFunc func(ctx context.Context, id int) (string, error)

func (f registryFunc) SchemaByID(ctx context.Context, id int) (string, error) { return f(ctx, id) }

func TestPoison(t *testing.T) {
	ctx := context.Background()
	c := newTestCodec(t)
	good := encode(t, c, lineagetest.Access(lineagetest.UUID(1), "C00000001", lineagetest.Base))
	unknownFP := bytes.Clone(good)
	unknownFP[5] ^= 0xff
	random := make([]byte, 300)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	random[0] = 0x7f
	// A body whose string length claims 1 GiB: the decoder must refuse
	// before allocating it.
	huge := append(bytes.Clone(good[:10]), 0xfe, 0xff, 0xff, 0xff, 0x0f)
	// The access ends with its attributes (02 0c "ticket" 08 "CC-1" 00):
	// without them it is a valid event, if the cut goes unnoticed.
	atBoundary := good[:len(good)-15]
	// An all-empty event whose categories claim -2^63 items, then one.
	minBlock := slices.Concat(good[:10], make([]byte, 8),
		[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x02, 0x02, 'x', 0x00},
		make([]byte, 6))
	for _, tc := range []struct {
		name   string
		value  []byte
		reason string
	}{
		{"empty", nil, ReasonUnknownFormat},
		{"random bytes", random, ReasonUnknownFormat},
		{"marker only", good[:2], ReasonUnknownFormat},
		{"truncated body", good[:len(good)/2], ReasonMalformed},
		{"truncated at a field boundary", atBoundary, ReasonMalformed},
		{"block count -2^63", minBlock, ReasonMalformed},
		{"unknown fingerprint", unknownFP, ReasonUnknownSchema},
		{"huge length claim", huge, ReasonMalformed},
		{"oversized", make([]byte, MaxRecordBytes+1), ReasonOversized},
		{"confluent without registry", append([]byte{0, 0, 0, 0, 7}, good[10:]...), ReasonRegistryNotConfig},
	} {
		for name, d := range decoders(c) {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				var e lineage.Event
				err := d.Decode(ctx, tc.value, &e)
				var pe *PoisonError
				if !errors.As(err, &pe) {
					t.Fatalf("want a poison error, got %v", err)
				}
				if pe.Reason != tc.reason {
					t.Fatalf("reason %q, want %q (%v)", pe.Reason, tc.reason, err)
				}
			})
		}
	}
}

func TestConfluentFraming(t *testing.T) {
	ctx := context.Background()
	transient := errors.New("registry unreachable")
	calls := 0
	reg := registryFunc(func(_ context.Context, id int) (string, error) {
		calls++
		switch id {
		case 7:
			return newTestCodec(t).Schema(), nil
		case 8:
			return "", fmt.Errorf("id 8: %w", ErrSchemaNotFound)
		case 9:
			return `{"type":"record","name":"Other","fields":[{"name":"x","type":"int"}]}`, nil
		default:
			return "", transient
		}
	})
	c := newTestCodec(t, WithRegistry(reg))
	want := lineagetest.Transfer(lineagetest.UUID(5), "C00000005", lineagetest.Base)
	body := encode(t, c, want)[10:]
	frame := func(id uint32) []byte {
		return append(binary.BigEndian.AppendUint32([]byte{0}, id), body...)
	}
	for range 2 {
		var got lineage.Event
		if err := c.Decode(ctx, frame(7), &got); err != nil {
			t.Fatal(err)
		}
		sameEvent(t, want, got)
	}
	if calls != 1 {
		t.Fatalf("registry asked %d times for one id, want 1 (cached)", calls)
	}
	var e lineage.Event
	var pe *PoisonError
	if err := c.Decode(ctx, frame(8), &e); !errors.As(err, &pe) || pe.Reason != ReasonUnknownSchema {
		t.Fatalf("unknown id: want poison %s, got %v", ReasonUnknownSchema, err)
	}
	if err := c.Decode(ctx, frame(9), &e); !errors.As(err, &pe) || pe.Reason != ReasonIncompatible {
		t.Fatalf("foreign schema: want poison %s, got %v", ReasonIncompatible, err)
	}
	err := c.Decode(ctx, frame(10), &e)
	if !errors.Is(err, transient) || errors.As(err, &pe) {
		t.Fatalf("registry outage must be transient, not poison: %v", err)
	}
}

// withSkippedFields returns the published schema with fields added that
// the reader lacks, so that hamba skips them: an array of arrays of empty
// records, an array of strings and a map of strings, in this order. A
// registry may hold such a writer schema.
func withSkippedFields(t testing.TB) string {
	t.Helper()
	versions, err := schemas.LineageEventVersions()
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(versions[len(versions)-1]), &s); err != nil {
		t.Fatal(err)
	}
	empty := map[string]any{"type": "record", "name": "Nothing", "fields": []any{}}
	s["fields"] = append(s["fields"].([]any),
		map[string]any{"name": "x_nested", "type": map[string]any{"type": "array", "items": map[string]any{"type": "array", "items": empty}}},
		map[string]any{"name": "x_list", "type": map[string]any{"type": "array", "items": "string"}},
		map[string]any{"name": "x_dict", "type": map[string]any{"type": "map", "values": "string"}},
	)
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// skippingRegistry answers schema id 1 with withSkippedFields and knows no
// other id.
func skippingRegistry(t testing.TB) Registry {
	text := withSkippedFields(t)
	return registryFunc(func(_ context.Context, id int) (string, error) {
		if id != 1 {
			return "", fmt.Errorf("id %d: %w", id, ErrSchemaNotFound)
		}
		return text, nil
	})
}

// skippedBlocks are bodies of the fields of withSkippedFields, after an
// event's: conformant ones, and ones that made hamba loop for seconds, or
// for ever.
var skippedBlocks = struct {
	conformant, nested, listJump, dictJump []byte
}{
	// No nested arrays; two strings in a block of -2 items and 4 bytes;
	// one entry in a block of -1 item and 4 bytes.
	conformant: []byte{0x00, 0x03, 0x08, 0x02, 'a', 0x02, 'b', 0x00, 0x01, 0x08, 0x02, 'k', 0x02, 'v', 0x00},
	// Two arrays of 1024 empty records, in 8 bytes.
	nested: []byte{0x04, 0x80, 0x10, 0x00, 0x80, 0x10, 0x00, 0x00, 0x00, 0x00},
	// A block of -1 string that claims 1 byte: hamba jumps over the
	// string's length only and reads its bytes as a block of 2^62 strings,
	// which it skips one by one past the end of the bytes.
	listJump: slices.Concat([]byte{0x00, 0x01, 0x02, 0x14}, binary.AppendVarint(nil, 1<<62), []byte{0x00, 0x00}),
	// The same in a map block, through an entry's key.
	dictJump: slices.Concat([]byte{0x00, 0x00, 0x01, 0x02, 0x14}, binary.AppendVarint(nil, 1<<62), []byte{0x00, 0x00}),
}

// TestSkippedFields: in fields that the reader lacks, which hamba skips
// without its limits and by block byte sizes, data that would keep it busy
// are poison, refused at once; conformant data decode.
func TestSkippedFields(t *testing.T) {
	c := newTestCodec(t, WithRegistry(skippingRegistry(t)))
	want := lineagetest.Access(lineagetest.UUID(1), "C00000001", lineagetest.Base)
	event := encode(t, c, want)[soeHeaderLen:]
	frame := func(extra []byte) []byte { return slices.Concat([]byte{0, 0, 0, 0, 1}, event, extra) }
	for _, tc := range []struct {
		name  string
		extra []byte
	}{
		{"arrays of empty records past the datum's items", skippedBlocks.nested},
		{"array block size jumping into a string", skippedBlocks.listJump},
		{"map block size jumping into a key", skippedBlocks.dictJump},
	} {
		for name, d := range decoders(c) {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				var e lineage.Event
				err := decodeWithin(t, d, frame(tc.extra), &e)
				var pe *PoisonError
				if !errors.As(err, &pe) || pe.Reason != ReasonMalformed {
					t.Fatalf("want poison %s, got %v", ReasonMalformed, err)
				}
			})
		}
	}
	t.Run("conformant blocks", func(t *testing.T) {
		var got lineage.Event
		if err := decodeWithin(t, c, frame(skippedBlocks.conformant), &got); err != nil {
			t.Fatal(err)
		}
		sameEvent(t, want, got)
	})
}

// decodeWithin decodes value with d, failing the test if that does not
// return within a bound that a refusal, a few microseconds, never nears:
// without it, a decode that never returns would fail only with the
// test's timeout.
func decodeWithin(t *testing.T, d interface {
	Decode(context.Context, []byte, *lineage.Event) error
}, value []byte, e *lineage.Event) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- d.Decode(context.Background(), value, e) }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("decode did not return within 10s")
		return nil
	}
}

// evolve returns the published schema with one optional field and one enum
// symbol added, the two changes the evolution rules allow.
func evolve(t *testing.T, text string) string {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		t.Fatal(err)
	}
	fields := s["fields"].([]any)
	for _, f := range fields {
		f := f.(map[string]any)
		if f["name"] == "kind" {
			enum := f["type"].(map[string]any)
			enum["symbols"] = append(enum["symbols"].([]any), "erasure_notice")
		}
	}
	s["fields"] = append(fields, map[string]any{
		"name": "channel", "type": []any{"null", "string"}, "default": nil,
		"doc": "added in the evolution test",
	})
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEvolution(t *testing.T) {
	ctx := context.Background()
	versions, err := schemas.LineageEventVersions()
	if err != nil {
		t.Fatal(err)
	}
	v1 := versions[len(versions)-1]
	v2 := evolve(t, v1)
	oldReader, err := newCodec(v1, []string{v1, v2})
	if err != nil {
		t.Fatal(err)
	}
	newReader, err := newCodec(v2, []string{v1, v2})
	if err != nil {
		t.Fatal(err)
	}
	e := lineagetest.Transfer(lineagetest.UUID(9), "C00000009", lineagetest.Base)

	t.Run("new reader reads old data", func(t *testing.T) {
		var got lineage.Event
		if err := newReader.Decode(ctx, encode(t, oldReader, e), &got); err != nil {
			t.Fatal(err)
		}
		sameEvent(t, e, got)
	})

	v2Schema, err := avro.ParseWithCache(v2, "", &avro.SchemaCache{})
	if err != nil {
		t.Fatal(err)
	}
	writeV2 := func(t *testing.T, e lineage.Event, channel string) []byte {
		body, err := avro.Marshal(v2Schema, v2Record(e, channel))
		if err != nil {
			t.Fatal(err)
		}
		return append(bytes.Clone(newReader.header[:]), body...)
	}

	t.Run("old reader reads new data with the new field", func(t *testing.T) {
		var got lineage.Event
		if err := oldReader.Decode(ctx, writeV2(t, e, "mans_balticom"), &got); err != nil {
			t.Fatal(err)
		}
		sameEvent(t, e, got)
	})
	t.Run("old reader maps a new enum symbol to its default", func(t *testing.T) {
		n := e
		n.Kind = "erasure_notice"
		var got lineage.Event
		if err := oldReader.Decode(ctx, writeV2(t, n, ""), &got); err != nil {
			t.Fatal(err)
		}
		if got.Kind != lineage.KindUnknown {
			t.Fatalf("kind %q, want %q", got.Kind, lineage.KindUnknown)
		}
		if err := got.Validate(time.Now()); !errors.Is(err, lineage.ErrInvalid) || !strings.Contains(err.Error(), "kind") {
			t.Fatalf("an unknown kind must fail validation naming the field, got %v", err)
		}
	})
}

// v2Record is e in the shape of the evolved schema, as a generic record.
func v2Record(e lineage.Event, channel string) map[string]any {
	rec := map[string]any{
		"event_id":            e.ID,
		"kind":                string(e.Kind),
		"occurred_at":         e.OccurredAt,
		"recorded_at":         e.RecordedAt,
		"source_system":       e.SourceSystem,
		"actor":               map[string]any{"type": string(e.Actor.Type), "id": e.Actor.ID},
		"subject_id":          e.SubjectID,
		"data_categories":     e.DataCategories,
		"purpose":             e.Purpose,
		"legal_basis":         e.LegalBasis,
		"legitimate_interest": nil,
		"recipient":           nil,
		"trace":               nil,
		"attributes":          map[string]any{},
		"channel":             nil,
	}
	if r := e.Recipient; r != nil {
		rec["recipient"] = map[string]any{"lv.balticom.lineage.v1.Recipient": map[string]any{
			"id": r.ID, "name": r.Name, "category": r.Category, "country": r.Country,
			"transfer_mechanism": nil,
		}}
	}
	if channel != "" {
		rec["channel"] = map[string]any{"string": channel}
	}
	return rec
}

// FuzzDecode decodes values in both framings: single-object encoding of
// the published schemas, and Confluent framing of schema id 1, a writer
// schema with fields that hamba skips (testdata holds values that made it
// loop there).
func FuzzDecode(f *testing.F) {
	c := newTestCodec(f, WithRegistry(skippingRegistry(f)))
	for i, e := range lineagetest.Events(1, 3, 3) {
		b := encode(f, c, e)
		f.Add(b)
		f.Add(b[:len(b)/(i+2)])
		f.Add(slices.Concat([]byte{0, 0, 0, 0, 1}, b[soeHeaderLen:], skippedBlocks.conformant))
	}
	f.Add([]byte{0, 0, 0, 0, 1, 2})
	f.Add([]byte{0xC3, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		var e lineage.Event
		if err := c.Decode(context.Background(), b, &e); err != nil {
			var pe *PoisonError
			if !errors.As(err, &pe) {
				t.Fatalf("with a registry that always answers, every decode error is poison, got %v", err)
			}
		}
	})
}

func BenchmarkEncode(b *testing.B) {
	c := newTestCodec(b)
	events := lineagetest.Events(1, 1024, 100)
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		var err error
		buf, err = c.Append(buf[:0], &events[i%len(events)])
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	ctx := context.Background()
	c := newTestCodec(b)
	events := lineagetest.Events(1, 1024, 100)
	values := make([][]byte, len(events))
	for i := range events {
		values[i] = encode(b, c, events[i])
	}
	var e lineage.Event
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := c.Decode(ctx, values[i%len(values)], &e); err != nil {
			b.Fatal(err)
		}
	}
}
