package eventjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

// FuzzDecodeEvents feeds arbitrary bodies to the event, batch and link
// decoders: they must never panic, must fail only with an *Error of a known
// kind, and must return only events with an id and at most MaxBatch events
// or links. A body they accept must be valid JSON whose strings
// encoding/json reads the same; an identifier accepted must be the Keyer's
// HMAC of the value encoding/json reads. The seed corpus is in
// testdata/fuzz/FuzzDecodeEvents.
func FuzzDecodeEvents(f *testing.F) {
	d := decoder()
	kinds := []error{ErrMalformed, ErrUnreadable, ErrUnknownField, ErrInvalidField, ErrBatchSize, ErrNoIdentityKey}
	check := func(t *testing.T, err error) {
		t.Helper()
		var de *Error
		if !errors.As(err, &de) {
			t.Fatalf("error %v (%T) is not an *Error", err, err)
		}
		for _, k := range kinds {
			if de.Kind == k {
				return
			}
		}
		t.Fatalf("error %v has unknown kind %v", err, de.Kind)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := d.DecodeEvent(bytes.NewReader(body), received)
		switch {
		case err != nil:
			check(t, err)
		case e.RecordedAt.IsZero():
			t.Fatalf("decoded event without recorded_at: %+v", e)
		default:
			sameAsEncodingJSON(t, body, e)
		}
		events, err := d.DecodeBatch(bytes.NewReader(body), received)
		switch {
		case err != nil:
			check(t, err)
		case len(events) == 0 || len(events) > d.MaxBatch:
			t.Fatalf("decoded %d events, want 1 to %d", len(events), d.MaxBatch)
		case !json.Valid(body):
			t.Fatalf("accepted a batch that is not JSON: %q", body)
		}
		links, err := d.DecodeLinks(bytes.NewReader(body), received, "crm")
		switch {
		case err != nil:
			check(t, err)
		case len(links) == 0 || len(links) > d.MaxBatch:
			t.Fatalf("decoded %d links, want 1 to %d", len(links), d.MaxBatch)
		case !json.Valid(body):
			t.Fatalf("accepted links that are not JSON: %q", body)
		}
		for _, l := range links {
			if _, ok := lineage.ParseIdentifierKey(l.Identifier.Key()); !ok || l.RecordedAt.IsZero() {
				t.Fatalf("decoded link with identifier %+v, recorded_at %s", l.Identifier, l.RecordedAt)
			}
			if l.SourceSystem == "" && !bytes.Contains(body, []byte(`"source_system"`)) {
				t.Fatalf("link without source_system did not get the caller's: %q", body)
			}
		}
	})
}

// mirror is the event as encoding/json reads it.
type mirror struct {
	EventID *string `json:"event_id"`
	Kind    string  `json:"kind"`
	Source  string  `json:"source_system"`
	Actor   struct {
		Type     string  `json:"type"`
		ID       string  `json:"id"`
		Employee *string `json:"employee"`
	} `json:"actor"`
	SubjectID  string   `json:"subject_id"`
	Categories []string `json:"data_categories"`
	Purpose    string   `json:"purpose"`
	LegalBasis string   `json:"legal_basis"`
	Interest   *string  `json:"legitimate_interest"`
	Recipient  *struct {
		ID        string  `json:"id"`
		Name      string  `json:"name"`
		Category  string  `json:"category"`
		Country   string  `json:"country"`
		Mechanism *string `json:"transfer_mechanism"`
	} `json:"recipient"`
	Attributes        map[string]string `json:"attributes"`
	SubjectIdentifier *struct {
		Kind  string `json:"kind"`
		Value string `json:"value"`
	} `json:"subject_identifier"`
	Restriction *struct {
		Basis    string    `json:"basis"`
		ReviewAt time.Time `json:"review_at"`
	} `json:"restriction"`
}

func sameAsEncodingJSON(t *testing.T, body []byte, e lineage.Event) {
	t.Helper()
	if !json.Valid(body) {
		t.Fatalf("accepted a body that is not JSON: %q", body)
	}
	var m mirror
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("encoding/json refuses an accepted body %q: %v", body, err)
	}
	if len(m.Categories) == 0 {
		m.Categories = nil // [] and nil are alike to the schema
	}
	got := []any{string(e.Kind), e.SourceSystem, string(e.Actor.Type), e.Actor.ID, e.Actor.Employee, e.SubjectID, e.DataCategories,
		e.Purpose, e.LegalBasis, e.LegitimateInterest, len(e.Attributes)}
	want := []any{m.Kind, m.Source, m.Actor.Type, m.Actor.ID, m.Actor.Employee, m.SubjectID, m.Categories,
		m.Purpose, m.LegalBasis, m.Interest, len(m.Attributes)}
	// An event_id given is kept as given, even "" (validation refuses it:
	// a source that sends one must send a real one); one not given is made.
	switch {
	case m.EventID != nil && *m.EventID != e.ID:
		t.Fatalf("event_id %q, encoding/json reads %q", e.ID, *m.EventID)
	case m.EventID == nil && e.ID == "":
		t.Fatalf("no event_id given and none made: %q", body)
	}
	for k, v := range m.Attributes {
		if e.Attributes[k] != v {
			t.Fatalf("attribute %q = %q, encoding/json reads %q", k, e.Attributes[k], v)
		}
	}
	if r := m.Recipient; r != nil {
		if e.Recipient == nil {
			t.Fatal("recipient lost")
		}
		got = append(got, e.Recipient.ID, e.Recipient.Name, e.Recipient.Category, e.Recipient.Country, e.Recipient.TransferMechanism)
		want = append(want, r.ID, r.Name, r.Category, r.Country, r.Mechanism)
	}
	switch r := m.Restriction; {
	case r == nil && e.Restriction != nil:
		t.Fatalf("restriction %+v from a body without one: %q", e.Restriction, body)
	case r != nil && (e.Restriction == nil || e.Restriction.Basis != r.Basis || !e.Restriction.ReviewAt.Equal(r.ReviewAt)):
		t.Fatalf("restriction %+v, encoding/json reads %+v (body %q)", e.Restriction, r, body)
	}
	if si := m.SubjectIdentifier; si != nil {
		keyed, err := testKeyer.Identifier(lineage.IdentifierKind(si.Kind), si.Value)
		if err != nil {
			t.Fatalf("accepted an identifier the Keyer refuses: %v", err)
		}
		got = append(got, e.SubjectIdentifier)
		want = append(want, &keyed)
	} else if e.SubjectIdentifier != nil {
		t.Fatalf("identifier %+v from a body without one: %q", e.SubjectIdentifier, body)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded %q, encoding/json reads %q (body %q)", got, want, body)
	}
}
