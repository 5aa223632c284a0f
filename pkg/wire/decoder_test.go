package wire

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"unsafe"

	"github.com/hamba/avro/v2"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/schemas"
)

// TestFastDecoderKnowsCurrentSchema fails when the published schema is no
// longer the one decodeCurrent was written for. Production stays correct
// (the Decoder then sends every record through hamba) but loses the fast
// path, so the decoder must be updated with the schema.
func TestFastDecoderKnowsCurrentSchema(t *testing.T) {
	c := newTestCodec(t)
	if fp := c.Fingerprint(); fp != fastFingerprint {
		t.Fatalf("the published lineage schema changed: its fingerprint is %016x, decodeCurrent reads %016x, "+
			"so every record now takes the slow hamba path. Update decodeCurrent (decoder.go) and the enum "+
			"symbol tables to the new schema, add records with the new fields to FuzzFastDecode's seeds, run "+
			"go test -fuzz FuzzFastDecode for a while, then set fastFingerprint to %016x.", fp, uint64(fastFingerprint), fp)
	}
	versions, err := schemas.LineageEventVersions()
	if err != nil {
		t.Fatal(err)
	}
	if fp, err := parsingFingerprint(versions[len(versions)-1]); err != nil || fp != fastSpecFingerprint {
		t.Fatalf("the published schema's spec fingerprint is %016x (%v); fastSpecFingerprint is %016x", fp, err, uint64(fastSpecFingerprint))
	}
	fields := c.reader.(*avro.RecordSchema).Fields()
	field := func(fields []*avro.Field, name string) avro.Schema {
		for _, f := range fields {
			if f.Name() == name {
				return f.Type()
			}
		}
		t.Fatalf("the schema has no field %s", name)
		return nil
	}
	actor := field(fields, "actor").(*avro.RecordSchema)
	for _, tc := range []struct {
		name    string
		decoder []string
		schema  avro.Schema
	}{
		{"kind", stringsOf(kindSymbols[:]), field(fields, "kind")},
		{"actor.type", stringsOf(actorTypeSymbols[:]), field(actor.Fields(), "type")},
	} {
		if want := tc.schema.(*avro.EnumSchema).Symbols(); !slices.Equal(tc.decoder, want) {
			t.Errorf("%s symbols: decoder has %v, schema %v", tc.name, tc.decoder, want)
		}
	}
}

func stringsOf[S ~string](s []S) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return out
}

// sameDecoding fails unless the two decoders' results agree: both errors
// with one reason, or both events equal. Nil and empty categories or
// attributes are equal: nothing downstream tells them apart.
func sameDecoding(t *testing.T, value []byte, wantErr, gotErr error, want, got lineage.Event) {
	t.Helper()
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("codec error %v, decoder error %v, value % x", wantErr, gotErr, value)
	}
	if wantErr != nil {
		var wp, gp *PoisonError
		if !errors.As(wantErr, &wp) || !errors.As(gotErr, &gp) || wp.Reason != gp.Reason {
			t.Fatalf("codec error %v, decoder error %v: want the same poison reason", wantErr, gotErr)
		}
		return
	}
	for _, e := range []*lineage.Event{&want, &got} {
		if len(e.DataCategories) == 0 {
			e.DataCategories = nil
		}
		if len(e.Attributes) == 0 {
			e.Attributes = nil
		}
	}
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("decoded events differ for % x\ncodec   %+v\ndecoder %+v", value, want, got)
	}
}

// fastSeeds are record values in the codec's own schema: every shape of
// event, with the optional parts both set and empty.
func fastSeeds(t testing.TB, c *Codec) [][]byte {
	var out [][]byte
	for _, e := range lineagetest.Events(7, 6, 3) {
		out = append(out, encode(t, c, e))
	}
	full := lineagetest.Handoff(lineagetest.UUID(8), "C00000008", lineagetest.Base)
	full.Trace = &lineage.TraceContext{
		TraceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", TraceState: lineage.Ptr("congo=t61rcWkgMzE"),
	}
	full.Attributes = map[string]string{"ticket": "CC-1", "channel": "web", "": "", "z": "a longer value ¡ü!"}
	out = append(out, encode(t, c, full))
	full.Trace.TraceState = nil
	full.Recipient.TransferMechanism = nil
	full.DataCategories = nil
	out = append(out, encode(t, c, full))
	out = append(out, encode(t, c, lineage.Event{Kind: lineage.KindUnknown, Actor: lineage.Actor{Type: lineage.ActorUnknown}}))
	out = append(out, encode(t, c, lineagetest.CDR(lineagetest.UUID(10), lineagetest.Identifier(lineage.MSISDN, 1), lineagetest.Base)))
	// Version 3: a person's staff number, and a restricted disclosure.
	consulted := lineagetest.Access(lineagetest.UUID(11), "C00000011", lineagetest.Base)
	consulted.Actor.Employee = lineage.Ptr("E1042")
	out = append(out, encode(t, c, consulted))
	restricted := lineagetest.Transfer(lineagetest.UUID(12), "C00000012", lineagetest.Base)
	restricted.Restriction = &lineage.Restriction{Basis: "Kriminālprocesa likums, 192. pants", ReviewAt: lineagetest.Base.AddDate(1, 0, 0)}
	out = append(out, encode(t, c, restricted))
	return out
}

// body returns the Avro body after a value's single-object header.
func body(value []byte) []byte { return value[soeHeaderLen:] }

// craftedBodies are bodies that exercise what encoders rarely write:
// blocks with negative counts, bad counts, over-long varints.
func craftedBodies(t testing.TB, c *Codec) [][]byte {
	access := body(encode(t, c, lineagetest.Access(lineagetest.UUID(9), "C00000009", lineagetest.Base)))
	// The fields before data_categories of an all-zero event: id, kind,
	// two times, source, actor type, id and employee, subject.
	prefix := make([]byte, 9)
	minInt64 := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}
	tail := []byte{0, 0, 0, 0, 0, 0, 0, 0} // purpose, basis, interest, recipient, trace, attributes end, identifier, restriction
	str := func(s string) []byte { return append([]byte{byte(2 * len(s))}, s...) }
	cat := func(blocks ...[]byte) []byte {
		b := bytes.Clone(prefix)
		for _, x := range blocks {
			b = append(b, x...)
		}
		return append(b, tail...)
	}
	return [][]byte{
		access,
		access[:len(access)-1],
		cat([]byte{0x03, 0x0e}, str("billing"), str("x"), []byte{0}),                       // count -2 with a byte size
		cat([]byte{0x01, 0x00}, str("billing"), []byte{0}),                                 // count -1 with a wrong byte size
		cat(minInt64, []byte{0x00, 0x00}),                                                  // count -2^63
		cat(minInt64, []byte{0x00, 0x02}, str("x"), []byte{0}),                             // count -2^63, then an item
		cat([]byte{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, []byte{0}), // count 2^63-1
		cat([]byte{0x80, 0x10}, []byte{0}),                                                 // 1024 items claimed
		cat([]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}),      // 11-byte varint
		append(bytes.Clone(prefix), 0x02, 0xfe, 0xff, 0xff, 0xff, 0x0f),                    // string of 2^31-1 bytes
		// kind 1 with bits beyond 32 that hamba drops (the id takes 37 bytes)
		slices.Concat(access[:37], []byte{0x82, 0x80, 0x80, 0x80, 0x10}, access[38:]),
		nil,
	}
}

// FuzzFastDecode is the differential test of the hand-written decoder: on
// any body after the current schema's header, it and the codec (hamba) agree
// on success, on the poison reason, and on the event.
func FuzzFastDecode(f *testing.F) {
	c := newTestCodec(f)
	for _, v := range fastSeeds(f, c) {
		f.Add(body(v))
		f.Add(body(v)[:len(body(v))*2/3])
	}
	for _, b := range craftedBodies(f, c) {
		f.Add(b)
	}
	d := c.NewDecoder() // one for the whole run: its reused storage is under test too
	header := c.header[:]
	f.Fuzz(func(t *testing.T, b []byte) {
		value := append(bytes.Clone(header), b...)
		var want, got lineage.Event
		wantErr := c.Decode(context.Background(), value, &want)
		gotErr := d.Decode(context.Background(), value, &got)
		sameDecoding(t, value, wantErr, gotErr, want, got)
	})
}

// TestDecoderFallsBack: what the fast path does not read goes through the
// codec, with its results.
func TestDecoderFallsBack(t *testing.T) {
	ctx := context.Background()
	versions, err := schemas.LineageEventVersions()
	if err != nil {
		t.Fatal(err)
	}
	v1 := versions[len(versions)-1]
	v2 := evolve(t, v1)
	v2Reader, err := newCodec(v2, []string{v1, v2})
	if err != nil {
		t.Fatal(err)
	}
	if v2Reader.NewDecoder().fast {
		t.Fatal("a codec of another schema must not use the fast path")
	}
	v1Reader, err := newCodec(v1, []string{v1, v2})
	if err != nil {
		t.Fatal(err)
	}
	e := lineagetest.Transfer(lineagetest.UUID(9), "C00000009", lineagetest.Base)
	v2Schema, err := avro.ParseWithCache(v2, "", &avro.SchemaCache{})
	if err != nil {
		t.Fatal(err)
	}
	v2Body, err := avro.Marshal(v2Schema, v2Record(e, "web"))
	if err != nil {
		t.Fatal(err)
	}
	reg := registryFunc(func(context.Context, int) (string, error) { return v1, nil })
	withRegistry := newTestCodec(t, WithRegistry(reg))
	for name, tc := range map[string]struct {
		c     *Codec
		value []byte
	}{
		"older writer":       {v2Reader, encode(t, v1Reader, e)},
		"newer writer":       {v1Reader, append(bytes.Clone(v2Reader.header[:]), v2Body...)},
		"confluent framing":  {withRegistry, append([]byte{0, 0, 0, 0, 7}, body(encode(t, withRegistry, e))...)},
		"unknown format":     {v1Reader, []byte("{}")},
		"oversized, current": {v1Reader, append(encode(t, v1Reader, e), make([]byte, MaxRecordBytes)...)},
	} {
		t.Run(name, func(t *testing.T) {
			var want, got lineage.Event
			wantErr := tc.c.Decode(ctx, tc.value, &want)
			gotErr := tc.c.NewDecoder().Decode(ctx, tc.value, &got)
			sameDecoding(t, tc.value, wantErr, gotErr, want, got)
		})
	}
}

// TestDecoderReusesStorage: the second event decoded into the same place
// does not carry anything over from the first.
func TestDecoderReusesStorage(t *testing.T) {
	c := newTestCodec(t)
	d := c.NewDecoder()
	ctx := context.Background()
	var e lineage.Event
	for _, v := range slices.Concat(fastSeeds(t, c), fastSeeds(t, c)) {
		var want lineage.Event
		if err := c.Decode(ctx, v, &want); err != nil {
			t.Fatal(err)
		}
		err := d.Decode(ctx, v, &e)
		sameDecoding(t, v, nil, err, want, e)
	}
}

func TestInternerIsBounded(t *testing.T) {
	var in interner
	a := in.get([]byte("billing"))
	if b := in.get([]byte("billing")); unsafe.StringData(a) != unsafe.StringData(b) {
		t.Fatal("a value seen before must come back as the same string")
	}
	for i := range 3 * maxInterned {
		in.get(fmt.Appendf(nil, "code-%d", i))
		if len(in.m) > maxInterned {
			t.Fatalf("%d strings interned, bound %d", len(in.m), maxInterned)
		}
	}
	long := bytes.Repeat([]byte("x"), maxInternedLen+1)
	if in.get(long); in.m[string(long)] != "" {
		t.Fatal("a string longer than maxInternedLen must not be kept")
	}
}

func TestDecoderAllocations(t *testing.T) {
	c := newTestCodec(t)
	d := c.NewDecoder()
	values := fastSeeds(t, c)
	var e lineage.Event
	ctx := context.Background()
	for _, v := range values { // fill the interner
		if err := d.Decode(ctx, v, &e); err != nil {
			t.Fatal(err)
		}
	}
	// An access: the id, the subject and one attribute value.
	access := encode(t, c, lineagetest.Access(lineagetest.UUID(1), "C00000001", lineagetest.Base))
	if n := testing.AllocsPerRun(100, func() {
		if err := d.Decode(ctx, access, &e); err != nil {
			t.Fatal(err)
		}
	}); n > 3 {
		t.Fatalf("%v allocations per access event, want at most 3", n)
	}
}

func BenchmarkDecoder(b *testing.B) {
	ctx := context.Background()
	c := newTestCodec(b)
	d := c.NewDecoder()
	events := lineagetest.Events(1, 1024, 100)
	values := make([][]byte, len(events))
	for i := range events {
		values[i] = encode(b, c, events[i])
	}
	var e lineage.Event
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := d.Decode(ctx, values[i%len(values)], &e); err != nil {
			b.Fatal(err)
		}
	}
}
