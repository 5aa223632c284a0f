package wire

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hamba/avro/v2"

	"github.com/balticom/lineage/pkg/accessrequest"
	"github.com/balticom/lineage/pkg/accessrequest/accessrequesttest"
	"github.com/balticom/lineage/pkg/incident"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/schemas"
)

// canonicalVector is one line of testdata/canonical/vectors.jsonl: a
// schema and its Parsing Canonical Form and fingerprint as the Apache Avro
// repository's test data, Java and Python have them (see generate.py
// there). Empty strings are what a source does not say.
type canonicalVector struct {
	Name              string `json:"name"`
	Input             string `json:"input"`
	Published         bool   `json:"published"`
	AvroCanonical     string `json:"avro_canonical"`
	AvroFingerprint   string `json:"avro_fingerprint"`
	JavaCanonical     string `json:"java_canonical"`
	JavaFingerprint   string `json:"java_fingerprint"`
	PythonCanonical   string `json:"python_canonical"`
	PythonFingerprint string `json:"python_fingerprint"`
	PythonError       string `json:"python_error"`
}

func canonicalVectors(t testing.TB) []canonicalVector {
	t.Helper()
	f, err := os.Open("testdata/canonical/vectors.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []canonicalVector
	s := bufio.NewScanner(f)
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		if line := s.Bytes(); len(line) > 0 && line[0] != '#' {
			var v canonicalVector
			if err := json.Unmarshal(line, &v); err != nil {
				t.Fatalf("vectors.jsonl: %v", err)
			}
			out = append(out, v)
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 34 {
		t.Fatalf("vectors.jsonl has %d vectors, want the Avro repository's 34 and more", len(out))
	}
	return out
}

func hexFingerprint(t testing.TB, s string) uint64 {
	t.Helper()
	fp, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		t.Fatalf("fingerprint %q: %v", s, err)
	}
	return fp
}

// TestParsingCanonicalFormVectors holds parsingCanonicalForm and
// parsingFingerprint to the Avro repository's canonical-form test data, to
// Java's SchemaNormalization (what a Java producer writes) and to Python's
// canonical_form. Python 1.11.1 writes a primitive that has a logicalType
// as {"type":"long"} where the specification ([PRIMITIVES]) and Java write
// "long": everything else of its form must agree, so its form, itself made
// canonical, must be ours.
func TestParsingCanonicalFormVectors(t *testing.T) {
	for _, v := range canonicalVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			form, err := parsingCanonicalForm(v.Input)
			if err != nil {
				t.Fatal(err)
			}
			fp, err := parsingFingerprint(v.Input)
			if err != nil {
				t.Fatal(err)
			}
			if v.AvroCanonical != "" && form != v.AvroCanonical {
				t.Errorf("form %s\nAvro's   %s", form, v.AvroCanonical)
			}
			if v.AvroFingerprint != "" && fp != hexFingerprint(t, v.AvroFingerprint) {
				t.Errorf("fingerprint %016x, Avro's %s", fp, v.AvroFingerprint)
			}
			if form != v.JavaCanonical {
				t.Errorf("form %s\nJava's   %s", form, v.JavaCanonical)
			}
			if fp != hexFingerprint(t, v.JavaFingerprint) {
				t.Errorf("fingerprint %016x, Java's %s", fp, v.JavaFingerprint)
			}
			if v.PythonError != "" {
				return // Python cannot parse it; Java, which producers use, can
			}
			if got := crc64Avro([]byte(v.PythonCanonical)); got != hexFingerprint(t, v.PythonFingerprint) {
				t.Errorf("CRC-64-AVRO of Python's form %016x, Python's %s", got, v.PythonFingerprint)
			}
			if v.PythonCanonical == v.JavaCanonical && fp != hexFingerprint(t, v.PythonFingerprint) {
				t.Errorf("fingerprint %016x, Python's %s", fp, v.PythonFingerprint)
			}
			again, err := parsingCanonicalForm(v.PythonCanonical)
			if err != nil {
				t.Fatalf("Python's form %s: %v", v.PythonCanonical, err)
			}
			if again != form {
				t.Errorf("Python's form, made canonical: %s\nours: %s", again, form)
			}
		})
	}
}

// TestParsingFormIsStable: the form of a form is itself, except where a
// type of the null namespace is nested in a namespace: the form drops
// namespace, so that type's name then reads as one of the enclosing
// namespace (Java's form does the same).
func TestParsingFormIsStable(t *testing.T) {
	for _, v := range canonicalVectors(t) {
		if strings.Contains(v.Input, `"namespace":""`) {
			continue
		}
		form, err := parsingCanonicalForm(v.Input)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := parsingCanonicalForm(form); err != nil || again != form {
			t.Errorf("%s: form of the form %q, %v", v.Name, again, err)
		}
	}
}

func TestParsingCanonicalFormRefuses(t *testing.T) {
	for _, text := range []string{
		``,
		`"int" "long"`,
		`{"type":"record","name":"R","fields":[{"name":"x","type":"Missing"}]}`,
		`{"type":"record","name":"R","fields":[{"name":"x","type":{"type":"enum","name":"R","symbols":[]}}]}`,
		`{"type":"record","fields":[]}`,
		`{"type":"record","name":"R"}`,
		`{"type":"record","name":"R","fields":[{"type":"int"}]}`,
		`{"type":"enum","name":"E","symbols":[1]}`,
		`{"type":"fixed","name":"F","size":-1}`,
		`{"type":"fixed","name":"F","size":1.5}`,
		`{"type":"fixed","name":"F"}`,
		`{"name":"noType"}`,
		`{"type":"array"}`,
		`42`,
	} {
		if form, err := parsingCanonicalForm(text); err == nil {
			t.Errorf("%s: form %s, want an error", text, form)
		}
	}
}

// schemaFamilies are the record families the package decodes, with their
// published versions.
var schemaFamilies = []struct {
	name     string
	versions func() ([]string, error)
}{
	{"lineage event", schemas.LineageEventVersions},
	{"identity link", schemas.IdentityLinkVersions},
	{"access request", schemas.AccessRequestVersions},
	{"subject fact", schemas.SubjectFactVersions},
	{"incident", schemas.IncidentVersions},
}

// javaFingerprints are Java's parsing fingerprints of the published schema
// versions, by text: what a Java producer writes in single-object encoding.
func javaFingerprints(t testing.TB) map[string]canonicalVector {
	t.Helper()
	out := map[string]canonicalVector{}
	for _, v := range canonicalVectors(t) {
		if v.Published {
			out[v.Input] = v
		}
	}
	return out
}

func javaFingerprintOf(t testing.TB, byText map[string]canonicalVector, family string, i int, text string) uint64 {
	t.Helper()
	v, ok := byText[text]
	if !ok {
		t.Fatalf("%s version %d is not in testdata/canonical/vectors.jsonl: regenerate it (see generate.py there)", family, i+1)
	}
	return hexFingerprint(t, v.JavaFingerprint)
}

// TestPublishedSchemasParsingFingerprints: for every published version of
// every family, our parsing fingerprint is Java's and our form is
// Python's (made canonical; see TestParsingCanonicalFormVectors).
func TestPublishedSchemasParsingFingerprints(t *testing.T) {
	byText := javaFingerprints(t)
	for _, f := range schemaFamilies {
		versions, err := f.versions()
		if err != nil {
			t.Fatal(err)
		}
		for i, text := range versions {
			want := javaFingerprintOf(t, byText, f.name, i, text)
			fp, err := parsingFingerprint(text)
			if err != nil {
				t.Fatal(err)
			}
			form, _ := parsingCanonicalForm(text)
			py, err := parsingCanonicalForm(byText[text].PythonCanonical)
			if err != nil || py != form {
				t.Errorf("%s v%d: Python's form, made canonical, %q (%v), ours %q", f.name, i+1, py, err, form)
			}
			if fp != want {
				t.Errorf("%s v%d: parsing fingerprint %016x, Java's %016x", f.name, i+1, fp, want)
			}
			t.Logf("%s v%d: specification (Java) %016x, Python 1.11.1 %s", f.name, i+1, fp, byText[text].PythonFingerprint)
		}
	}
}

// familyCodecs are the fingerprint tables of the codecs of each family.
func familyCodecs(t *testing.T) map[string]map[uint64]writerSchema {
	t.Helper()
	events := newTestCodec(t)
	links, err := NewLinkCodec()
	if err != nil {
		t.Fatal(err)
	}
	requests, err := NewRequestCodec()
	if err != nil {
		t.Fatal(err)
	}
	facts, err := NewFactCodec()
	if err != nil {
		t.Fatal(err)
	}
	incidents, err := NewIncidentCodec()
	if err != nil {
		t.Fatal(err)
	}
	return map[string]map[uint64]writerSchema{
		"lineage event": events.byFP, "identity link": links.soe.byFP, "access request": requests.soe.byFP,
		"subject fact": facts.soe.byFP, "incident": incidents.soe.byFP,
	}
}

// TestEveryVersionReadByBothFingerprints: every codec finds every
// published version of its family by the fingerprint the SDK writes and by
// the one Java writes, and both name the same writer schema.
func TestEveryVersionReadByBothFingerprints(t *testing.T) {
	byText := javaFingerprints(t)
	codecs := familyCodecs(t)
	for _, f := range schemaFamilies {
		versions, err := f.versions()
		if err != nil {
			t.Fatal(err)
		}
		byFP := codecs[f.name]
		known := map[uint64]bool{}
		for i, text := range versions {
			s, err := avro.ParseWithCache(text, "", &avro.SchemaCache{})
			if err != nil {
				t.Fatal(err)
			}
			sdk, err := fingerprint(s)
			if err != nil {
				t.Fatal(err)
			}
			java := javaFingerprintOf(t, byText, f.name, i, text)
			known[sdk], known[java] = true, true
			bySDK, ok1 := byFP[sdk]
			byJava, ok2 := byFP[java]
			switch {
			case !ok1 || !ok2:
				t.Errorf("%s v%d: known by the SDK's %016x: %v, by Java's %016x: %v", f.name, i+1, sdk, ok1, java, ok2)
			case bySDK != byJava:
				t.Errorf("%s v%d: the two fingerprints name different writer schemas", f.name, i+1)
			case bySDK.schema.String() != s.String():
				t.Errorf("%s v%d: fingerprints name another version", f.name, i+1)
			}
		}
		if len(byFP) != len(known) {
			t.Errorf("%s: %d fingerprints known, want the %d of the published versions", f.name, len(byFP), len(known))
		}
	}
}

// withFingerprint is a copy of a single-object encoded value with another
// fingerprint in its header.
func withFingerprint(value []byte, fp uint64) []byte {
	b := bytes.Clone(value)
	binary.LittleEndian.PutUint64(b[2:soeHeaderLen], fp)
	return b
}

// TestJavaFramedRecordsDecode: a record framed with the specification's
// fingerprint, as Java's BinaryMessageEncoder frames it, decodes in every
// codec (the event codec and the Decoder, for every published version) to
// what the SDK's framing decodes to; a fingerprint that is neither is
// still unknown_schema.
func TestJavaFramedRecordsDecode(t *testing.T) {
	byText := javaFingerprints(t)
	newest := func(family string, versions func() ([]string, error)) uint64 {
		t.Helper()
		v, err := versions()
		if err != nil {
			t.Fatal(err)
		}
		return javaFingerprintOf(t, byText, family, len(v)-1, v[len(v)-1])
	}
	at := time.Date(2026, 3, 2, 9, 30, 0, 123456000, time.UTC)
	// Each case is a record as the SDK writes it, the fingerprint Java
	// writes for its schema, and a codec's decoding.
	type framed struct {
		value  []byte
		java   uint64
		decode func([]byte) (any, error)
	}
	cases := map[string]framed{}

	// Lineage events: a record of every published version, in the codec
	// and in the Decoder.
	versions, err := schemas.LineageEventVersions()
	if err != nil {
		t.Fatal(err)
	}
	current := newTestCodec(t)
	for name, d := range decoders(current) {
		dec := func(b []byte) (any, error) {
			var e lineage.Event
			err := d.Decode(context.Background(), b, &e)
			return e, err
		}
		for i, text := range versions {
			writer, err := newCodec(text, versions)
			if err != nil {
				t.Fatal(err)
			}
			e := lineagetest.Transfer(lineagetest.UUID(uint64(i+1)), "C00000042", at)
			cases["lineage event v"+strconv.Itoa(i+1)+"/"+name] = framed{encode(t, writer, e), javaFingerprintOf(t, byText, "lineage event", i, text), dec}
		}
	}

	links, err := NewLinkCodec()
	if err != nil {
		t.Fatal(err)
	}
	l := lineagetest.Link("C00000042", lineagetest.Identifier(lineage.MSISDN, 1), at, at.Add(time.Hour))
	lv, err := links.Append(nil, &l)
	if err != nil {
		t.Fatal(err)
	}
	lfp := newest("identity link", schemas.IdentityLinkVersions)
	cases["identity link"] = framed{lv, lfp, func(b []byte) (any, error) {
		var got lineage.IdentityLink
		err := links.Decode(b, &got)
		return got, err
	}}

	requests, err := NewRequestCodec()
	if err != nil {
		t.Fatal(err)
	}
	r := accessrequesttest.IdentityChecked(accessrequesttest.RequestID(1), 2, at, "C00000042")
	rv, err := requests.Append(nil, &r)
	if err != nil {
		t.Fatal(err)
	}
	rfp := newest("access request", schemas.AccessRequestVersions)
	cases["access request"] = framed{rv, rfp, func(b []byte) (any, error) {
		var got accessrequest.Event
		err := requests.Decode(b, &got)
		return got, err
	}}

	facts, err := NewFactCodec()
	if err != nil {
		t.Fatal(err)
	}
	fact := subjectfact.Fact{ID: "6f1c3a52-8d0e-4b7a-9c21-3e5f7a9b1c2d", Type: subjectfact.ConsentGiven, At: at,
		RecordedAt: at.Add(time.Second), SourceSystem: "crm", Actor: "crm-consents", SubjectID: "C00000042",
		Purpose: "commercial_communication", Channel: "shop"}
	fv, err := facts.Append(nil, &fact)
	if err != nil {
		t.Fatal(err)
	}
	ffp := newest("subject fact", schemas.SubjectFactVersions)
	cases["subject fact"] = framed{fv, ffp, func(b []byte) (any, error) {
		var got subjectfact.Fact
		err := facts.Decode(b, &got)
		return got, err
	}}

	incidents, err := NewIncidentCodec()
	if err != nil {
		t.Fatal(err)
	}
	inc := incidentFixtures()[1] // counted: every optional field set
	iv, err := incidents.Append(nil, &inc)
	if err != nil {
		t.Fatal(err)
	}
	ifp := newest("incident", schemas.IncidentVersions)
	cases["incident"] = framed{iv, ifp, func(b []byte) (any, error) {
		var got incident.Event
		err := incidents.Decode(b, &got)
		return got, err
	}}

	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if sdk := binary.LittleEndian.Uint64(tc.value[2:soeHeaderLen]); sdk == tc.java {
				t.Fatalf("the SDK writes Java's fingerprint %016x: nothing to test", sdk)
			}
			want, err := tc.decode(tc.value)
			if err != nil {
				t.Fatalf("SDK framing: %v", err)
			}
			got, err := tc.decode(withFingerprint(tc.value, tc.java))
			if err != nil {
				t.Fatalf("Java framing (fingerprint %016x): %v", tc.java, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Java framing decodes to\n%+v\nSDK framing to\n%+v", got, want)
			}
			_, err = tc.decode(withFingerprint(tc.value, tc.java^1))
			var pe *PoisonError
			if !errors.As(err, &pe) || pe.Reason != ReasonUnknownSchema {
				t.Errorf("unknown fingerprint: %v, want poison %s", err, ReasonUnknownSchema)
			}
		})
	}
}

// TestSharedParsingFingerprint: versions that differ only in what the
// specification's form strips share its fingerprint and write the same
// bytes; the newest takes it, and the SDK's fingerprints keep their own.
func TestSharedParsingFingerprint(t *testing.T) {
	versions, err := schemas.LineageEventVersions()
	if err != nil {
		t.Fatal(err)
	}
	newest := versions[len(versions)-1]
	// hamba's form keeps logicalType, the specification's strips it.
	plain := strings.Replace(newest, `, "logicalType": "uuid"`, "", 1)
	if plain == newest {
		t.Fatal("the newest lineage schema has no uuid to drop")
	}
	c, err := newCodec(plain, []string{newest, plain})
	if err != nil {
		t.Fatal(err)
	}
	spec, err := parsingFingerprint(newest)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := parsingFingerprint(plain); again != spec {
		t.Fatalf("dropping a logicalType changed the parsing fingerprint: %016x, %016x", spec, again)
	}
	old, err := newCodec(newest, versions)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.byFP) != 3 || c.byFP[spec] != c.byFP[c.Fingerprint()] || c.byFP[old.Fingerprint()] == c.byFP[spec] {
		t.Fatalf("want the old version by its SDK fingerprint, the new one by its own and the shared one: %v", c.byFP)
	}
	e := lineagetest.Access(lineagetest.UUID(1), "C00000001", lineagetest.Base)
	for _, fp := range []uint64{spec, c.Fingerprint(), old.Fingerprint()} {
		var got lineage.Event
		if err := c.Decode(context.Background(), withFingerprint(encode(t, old, e), fp), &got); err != nil {
			t.Fatalf("fingerprint %016x: %v", fp, err)
		}
		sameEvent(t, e, got)
	}
}
