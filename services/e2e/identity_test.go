package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/topics"
)

// The gateway's credentials and the operator's identity key of the test.
const (
	cdrToken = "e2e-cdr-mediation-token-0123456789"
	crmToken = "e2e-crm-token-0123456789abcdef"
)

var identityKey = strings.Repeat("5a", identity.MinKeyBytes)

// TestIdentityEndToEnd: CDR mediation posts CDRs that know only a phone
// number to the gateway; the number was held by one customer until January
// 2024 and by another from March 2024. The events are stored before CRM
// posts the links, and stay unresolved (counted, in nobody's answer) until
// then; afterwards each customer's answer from the API holds exactly the
// CDRs of its own time, resolved through the number's keyed hash, and the
// CDR of the gap stays unresolved. The number is in clear nowhere in Kafka
// or ClickHouse.
func TestIdentityEndToEnd(t *testing.T) {
	broker := startBroker(t, 4)
	db := randomName("e2e_identity_")
	t.Cleanup(func() { dropDatabase(t, db) })
	startMaterializer(t, "materializer", broker, db, "MATERIALIZER_LINKS_GROUP="+db+"_links")
	apiAddr := startAPI(t, broker, db, "API_UNRESOLVED_MAX_AGE=1ms")
	gateway := freeAddr(t)
	start(t, "gateway", "gateway", "GATEWAY_LISTEN_ADDR="+gateway, "GATEWAY_KAFKA_BROKERS="+broker,
		"GATEWAY_SOURCES=cdr_mediation:"+cdrToken+",crm:"+crmToken, "GATEWAY_IDENTITY_KEY="+identityKey,
		"GATEWAY_LOG_LEVEL=warn")
	waitTCP(t, gateway)

	const (
		old, current = "C07770001", "C07770002"
		number       = "+371 29 123 456"
	)
	cdr := func(n int, at string) string {
		return fmt.Sprintf(`{"event_id": "00000000-0000-4000-8000-00000077000%d", "kind": "transfer",
		  "occurred_at": %q, "source_system": "cdr_mediation",
		  "actor": {"type": "employee_role", "id": "lawful_request_officer"},
		  "subject_identifier": {"kind": "msisdn", "value": %q},
		  "data_categories": ["traffic_data", "location"], "purpose": "legal_obligation", "legal_basis": "legal_obligation",
		  "recipient": {"id": "rcp-state-police", "name": "Valsts policija", "category": "law_enforcement", "country": "LV"}}`, n, at, number)
	}
	post(t, gateway, "/v1/events/batch", cdrToken, `{"events": [`+
		cdr(1, "2023-05-01T12:00:00Z")+","+ // the old holder's
		cdr(2, "2024-02-10T12:00:00Z")+","+ // between holders: nobody's
		cdr(3, "2026-01-15T12:00:00Z")+`]}`) // the current holder's
	waitCaughtUp(t, broker, db, time.Minute)

	if got := unresolved(t, apiAddr); got != "3/0" {
		t.Fatalf("before the links: %s unresolved/contested, want 3/0", got)
	}
	if ids := timelineIDs(t, apiAddr, old); len(ids) != 0 {
		t.Fatalf("the old holder's answer before any link: %v", ids)
	}

	// CRM spells the number two other ways: the gateway normalises it.
	post(t, gateway, "/v1/identity-links", crmToken, fmt.Sprintf(`{"links": [
	  {"subject_id": %q, "identifier": {"kind": "msisdn", "value": "0037129123456"},
	   "valid_from": "2022-01-01T00:00:00Z", "valid_to": "2024-01-31T00:00:00Z"},
	  {"subject_id": %q, "identifier": {"kind": "msisdn", "value": "29123456"},
	   "valid_from": "2024-03-01T00:00:00Z"}]}`, old, current))
	waitTopicCaughtUp(t, broker, db+"_links", topics.IdentityLinks, time.Minute)

	keyer, err := identity.ParseKey(identityKey)
	if err != nil {
		t.Fatal(err)
	}
	want, err := keyer.Identifier(lineage.MSISDN, number)
	if err != nil {
		t.Fatal(err)
	}
	for subject, wantIDs := range map[string][]string{
		old:     {"00000000-0000-4000-8000-000000770001"},
		current: {"00000000-0000-4000-8000-000000770003"},
	} {
		var body struct {
			Events []struct {
				ID          string `json:"event_id"`
				ResolvedVia *struct {
					Kind string `json:"kind"`
					HMAC string `json:"hmac"`
				} `json:"resolved_via"`
			} `json:"events"`
		}
		decode(t, get(t, apiAddr, "/v1/subjects/"+subject+"/events", nil), &body)
		var ids []string
		for _, e := range body.Events {
			ids = append(ids, e.ID)
			if e.ResolvedVia == nil || e.ResolvedVia.Kind != "msisdn" || e.ResolvedVia.HMAC != want.HMAC {
				t.Errorf("%s: event %s resolved via %+v, want msisdn %s", subject, e.ID, e.ResolvedVia, want.HMAC)
			}
		}
		if strings.Join(ids, ",") != strings.Join(wantIDs, ",") {
			t.Errorf("%s: events %v, want %v", subject, ids, wantIDs)
		}
		var recipients struct {
			Recipients []struct {
				ID     string `json:"recipient_id"`
				Events int    `json:"events"`
			} `json:"recipients"`
		}
		decode(t, get(t, apiAddr, "/v1/subjects/"+subject+"/recipients", nil), &recipients)
		if len(recipients.Recipients) != 1 || recipients.Recipients[0].ID != "rcp-state-police" || recipients.Recipients[0].Events != 1 {
			t.Errorf("%s: recipients %+v, want the police once", subject, recipients.Recipients)
		}
	}
	if got := unresolved(t, apiAddr); got != "1/0" {
		t.Errorf("after the links: %s unresolved/contested, want 1/0 (the CDR between holders)", got)
	}

	// CRM links the number to a third customer from 2025-12 by mistake:
	// the CDR of 2026-01-15 could be the current holder's or the third
	// customer's, so neither answer shows it, both say what was withheld,
	// and it is counted as contested.
	post(t, gateway, "/v1/identity-links", crmToken, `{"links": [
	  {"subject_id": "C07770003", "identifier": {"kind": "msisdn", "value": "29123456"},
	   "valid_from": "2025-12-01T00:00:00Z"}]}`)
	waitTopicCaughtUp(t, broker, db+"_links", topics.IdentityLinks, time.Minute)
	for _, subject := range []string{current, "C07770003"} {
		if ids := timelineIDs(t, apiAddr, subject); len(ids) != 0 {
			t.Errorf("%s with the number contested: events %v, want none", subject, ids)
		}
		var body struct {
			Withheld []struct {
				Identifier struct {
					HMAC string `json:"hmac"`
				} `json:"identifier"`
				From string  `json:"from"`
				To   *string `json:"to"`
			} `json:"withheld"`
		}
		decode(t, get(t, apiAddr, "/v1/subjects/"+subject+"/recipients", nil), &body)
		if len(body.Withheld) != 1 || body.Withheld[0].Identifier.HMAC != want.HMAC ||
			body.Withheld[0].From != "2025-12-01T00:00:00.000000Z" || body.Withheld[0].To != nil {
			t.Errorf("%s: withheld %+v, want the number from 2025-12-01 on", subject, body.Withheld)
		}
	}
	if got := unresolved(t, apiAddr); got != "1/1" {
		t.Errorf("with the number contested: %s unresolved/contested, want 1/1", got)
	}

	// The number in clear, in any spelling, is nowhere.
	for _, topic := range []string{topics.Events, topics.IdentityLinks} {
		for _, r := range consume(t, broker, topic, int(topicRecords(t, broker, topic))) {
			raw := append(append(bytes.Clone(r.Key), r.Value...), headerBytes(r)...)
			if bytes.Contains(raw, []byte("29123456")) || bytes.Contains(raw, []byte("29 123 456")) {
				t.Errorf("%s holds the number in clear: %q", topic, raw)
			}
		}
	}
	var inClear uint64
	if err := clickhouseConn(t).QueryRow(context.Background(), "SELECT count() FROM "+db+".lineage_events WHERE position(subject_id, '29123456') > 0").Scan(&inClear); err != nil {
		t.Fatal(err)
	}
	if inClear != 0 {
		t.Errorf("%d rows of ClickHouse hold the number in clear", inClear)
	}
}

func headerBytes(r *kgo.Record) []byte {
	var b []byte
	for _, h := range r.Headers {
		b = append(append(b, h.Key...), h.Value...)
	}
	return b
}

// post sends a JSON body to the gateway as a source and fails the test
// unless the gateway answers 2xx (Kafka acknowledged).
func post(t *testing.T, addr, path, bearer, body string) {
	t.Helper()
	if status, _, answer := call(t, http.MethodPost, addr, path, bearer, body); status/100 != 2 {
		t.Fatalf("POST %s: %d %s", path, status, answer)
	}
}

// unresolved returns the API's count of events no link resolves, as
// "unresolved/contested".
func unresolved(t *testing.T, apiAddr string) string {
	t.Helper()
	var body struct {
		Total     int `json:"total"`
		Contested int `json:"contested"`
	}
	decode(t, get(t, apiAddr, "/v1/identity/unresolved", nil), &body)
	return fmt.Sprintf("%d/%d", body.Total, body.Contested)
}

func timelineIDs(t *testing.T, apiAddr, subject string) []string {
	t.Helper()
	var body struct {
		Events []struct {
			ID string `json:"event_id"`
		} `json:"events"`
	}
	decode(t, get(t, apiAddr, "/v1/subjects/"+subject+"/events", nil), &body)
	var ids []string
	for _, e := range body.Events {
		ids = append(ids, e.ID)
	}
	return ids
}
