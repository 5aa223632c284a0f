package httpingest

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
)

// recordHoldsNumber reports whether a record's key, value or headers hold
// clearMSISDN in any spelling.
func recordHoldsNumber(r *kgo.Record) bool {
	b := append(append([]byte(nil), r.Key...), r.Value...)
	for _, h := range r.Headers {
		b = append(append(b, h.Key...), h.Value...)
	}
	return holdsNumber(b)
}

// independentKeyer parses the test key on its own: the HMAC in Kafka must
// be what any holder of the key computes, not only the gateway's Keyer.
func independentKeyer(t *testing.T) *identity.Keyer {
	t.Helper()
	k, err := identity.ParseKey(identityKeyHex)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestKafkaIdentified: events known by a phone number, posted in clear in
// three spellings, land keyed by its HMAC, and the number is nowhere in
// the records.
func TestKafkaIdentified(t *testing.T) {
	g := startGateway(t, nil)
	at := time.Now().Add(-time.Hour).Truncate(time.Microsecond).UTC()
	want, err := independentKeyer(t).Identifier(lineage.MSISDN, "29123456")
	if err != nil {
		t.Fatal(err)
	}
	posted := make([]lineage.Event, 3)
	for i := range posted {
		posted[i] = lineagetest.CDR(lineagetest.UUID(uint64(300+i)), want, at.Add(time.Duration(i)*time.Millisecond))
	}
	code, _, body := g.post(t, "/v1/events", cdrToken, mustJSON(t, identifiedJSON(posted[0], lineage.MSISDN, clearMSISDN)))
	if code != http.StatusCreated {
		t.Fatalf("single: %d %s", code, body)
	}
	code, _, body = g.post(t, "/v1/events/batch", cdrToken, mustJSON(t, map[string]any{"events": []any{
		identifiedJSON(posted[1], lineage.MSISDN, "0037129123456"), identifiedJSON(posted[2], lineage.MSISDN, "29 123 456"),
	}}))
	if code != http.StatusOK {
		t.Fatalf("batch: %d %s", code, body)
	}

	codec, err := wire.New()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]lineage.Event{}
	for _, r := range g.rawRecords(t, topics.Events, len(posted), 300*time.Millisecond) {
		if recordHoldsNumber(r) {
			t.Errorf("record at %d/%d holds the number in clear", r.Partition, r.Offset)
		}
		if string(r.Key) != want.Key() {
			t.Errorf("record keyed %q, want the identifier key %q", r.Key, want.Key())
		}
		var e lineage.Event
		if err := codec.Decode(context.Background(), r.Value, &e); err != nil {
			t.Fatalf("decode record at %d/%d: %v", r.Partition, r.Offset, err)
		}
		byID[e.ID] = e
	}
	for _, p := range posted {
		got, ok := byID[p.ID]
		switch {
		case !ok:
			t.Errorf("event %s not in Kafka", p.ID)
		case got.SubjectIdentifier == nil || *got.SubjectIdentifier != want || got.SubjectID != "":
			t.Errorf("event %s: subject %q identifier %+v, want %+v", p.ID, got.SubjectID, got.SubjectIdentifier, want)
		}
	}
}

// TestKafkaLinks: links posted with identifiers in clear land in the links
// topic, keyed by the identifier and decodable by the SDK's link codec.
func TestKafkaLinks(t *testing.T) {
	g := startGateway(t, nil)
	keyer := independentKeyer(t)
	from := time.Now().Add(-48 * time.Hour).Truncate(time.Microsecond).UTC()
	to := from.Add(24 * time.Hour)
	msisdn, _ := keyer.Identifier(lineage.MSISDN, clearMSISDN)
	stb, _ := keyer.Identifier(lineage.Device, "STB-4K-0001")
	closed := lineagetest.Link(lineagetest.Subject(1), msisdn, from, to)
	open := lineagetest.Link(lineagetest.Subject(2), msisdn, to, time.Time{})
	device := lineagetest.Link(lineagetest.Subject(2), stb, from, time.Time{})
	device.RecordedAt = time.Time{} // the gateway's time of receipt
	sent := time.Now()
	code, _, body := g.post(t, "/v1/identity-links", crmToken, linksJSON(t,
		linkJSON(closed, clearMSISDN), linkJSON(open, "0037129123456"), linkJSON(device, "stb-4k-0001")))
	if code != http.StatusOK {
		t.Fatalf("links: %d %s", code, body)
	}
	if a := decodeAnswer(t, body); a.Published != 3 {
		t.Errorf("answer %s", body)
	}

	codec, err := wire.NewLinkCodec()
	if err != nil {
		t.Fatal(err)
	}
	var got []lineage.IdentityLink
	for _, r := range g.rawRecords(t, topics.IdentityLinks, 3, 300*time.Millisecond) {
		if recordHoldsNumber(r) {
			t.Errorf("record at %d/%d holds the number in clear", r.Partition, r.Offset)
		}
		var l lineage.IdentityLink
		if err := codec.Decode(r.Value, &l); err != nil {
			t.Fatalf("decode link at %d/%d: %v", r.Partition, r.Offset, err)
		}
		if string(r.Key) != l.Identifier.Key() {
			t.Errorf("link keyed %q, want its identifier key %q", r.Key, l.Identifier.Key())
		}
		got = append(got, l)
	}
	bySubjectKind := map[string]lineage.IdentityLink{}
	for _, l := range got {
		l.ValidFrom, l.RecordedAt = l.ValidFrom.UTC(), l.RecordedAt.UTC()
		if l.ValidTo != nil {
			to := l.ValidTo.UTC()
			l.ValidTo = &to
		}
		bySubjectKind[l.SubjectID+" "+string(l.Identifier.Kind)+" "+l.ValidFrom.String()] = l
	}
	for _, w := range []lineage.IdentityLink{closed, open, device} {
		k := w.SubjectID + " " + string(w.Identifier.Kind) + " " + w.ValidFrom.String()
		l, ok := bySubjectKind[k]
		if !ok {
			t.Errorf("link %s not in Kafka", k)
			continue
		}
		if w.RecordedAt.IsZero() {
			if r := l.RecordedAt; r.Before(sent.Add(-time.Second)) || r.After(time.Now()) {
				t.Errorf("defaulted recorded_at %s is not the time of receipt", r)
			}
			w.RecordedAt = l.RecordedAt
		}
		if !reflect.DeepEqual(l, w) {
			t.Errorf("link %s\n got %+v\nwant %+v", k, l, w)
		}
	}
}

// TestKafkaIdentifierRefusals runs the refusals of identity_test.go over
// TCP against a real publisher, and checks that nothing reached Kafka.
func TestKafkaIdentifierRefusals(t *testing.T) {
	gateways := map[string]*gateway{}
	for _, tt := range identifierCases(t) {
		cfg := fmt.Sprintf("key=%v max_body=%d", !tt.noKey, tt.maxBody)
		g := gateways[cfg]
		if g == nil {
			g = startGateway(t, func(d *Deps) {
				d.MaxBatch = 3
				d.MaxBodyBytes = tt.maxBody
				if tt.noKey {
					d.Keyer = nil
				}
			})
			gateways[cfg] = g
		}
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := g.post(t, tt.path, tt.token, tt.body)
			tt.check(t, code, body)
		})
	}
	for cfg, g := range gateways {
		t.Run("nothing published "+cfg, func(t *testing.T) {
			g.rawRecords(t, topics.Events, 0, 300*time.Millisecond)
			g.rawRecords(t, topics.IdentityLinks, 0, 300*time.Millisecond)
		})
	}
}
