package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/topics"
)

// TestDPOFactsAndIncidentEndToEnd drives the DPO's records through the
// binaries and Kafka: CRM reports analytics on consent and commercial
// e-mails on the §43 basis, and a transfer to a bank; the DPO records a
// withdrawal, an opt-out and an erasure request through the API (to the
// facts topic, stored by the materializer), and the flags and the erasure
// come back with known answers; an incident opened on the bank is counted
// at once and then exactly, through the incidents topic.
func TestDPOFactsAndIncidentEndToEnd(t *testing.T) {
	broker := startBroker(t, 4)
	db := randomName("e2e_dpo_")
	t.Cleanup(func() { dropDatabase(t, db) })
	startMaterializer(t, "materializer", broker, db,
		"MATERIALIZER_FACTS_GROUP="+db+"_facts", "MATERIALIZER_INCIDENTS_GROUP="+db+"_incidents")
	api := freeAddr(t)
	start(t, "api", "api",
		"API_LISTEN_ADDR="+api, "API_KAFKA_BROKERS="+broker,
		"API_CLICKHOUSE_ADDRS="+clickhouseAddr(), "API_CLICKHOUSE_DATABASE="+db,
		"API_CLICKHOUSE_USER=default", "API_CLICKHOUSE_PASSWORD=",
		"API_TOKENS=dpo:"+dpoToken, "API_CALLER_ROLES=dpo:dpo", "API_LOG_LEVEL=warn")
	waitTCP(t, api)
	gateway := freeAddr(t)
	start(t, "gateway", "gateway", "GATEWAY_LISTEN_ADDR="+gateway, "GATEWAY_KAFKA_BROKERS="+broker,
		"GATEWAY_SOURCES=crm:"+crmToken, "GATEWAY_LOG_LEVEL=warn")
	waitTCP(t, gateway)

	const customer = "C07880002"
	event := func(n, occurred, purpose, basis string) string {
		return `{"event_id": "00000000-0000-4000-8000-0000008900` + n + `", "kind": "access", "occurred_at": "` + occurred + `",
		  "source_system": "crm", "actor": {"type": "service_account", "id": "svc-crm-campaigns"}, "subject_id": "` + customer + `",
		  "data_categories": ["contact"], "purpose": "` + purpose + `", "legal_basis": "` + basis + `"}`
	}
	post(t, gateway, "/v1/events/batch", crmToken, `{"events": [`+strings.Join([]string{
		event("01", "2026-02-01T10:00:00Z", "planning_analytics", "consent"),             // before the withdrawal
		event("02", "2026-02-10T10:00:00Z", "planning_analytics", "consent"),             // after it
		event("03", "2026-02-06T09:00:00Z", "commercial_communication", "similar_offer"), // 23 h after the opt-out
		event("04", "2026-02-09T10:00:00Z", "commercial_communication", "similar_offer"), // 4 days after
	}, ",")+`, {"event_id": "00000000-0000-4000-8000-000000890005", "kind": "transfer", "occurred_at": "2026-01-10T08:00:00Z",
	   "source_system": "crm", "actor": {"type": "service_account", "id": "svc-billing-payments"}, "subject_id": "`+customer+`",
	   "data_categories": ["billing", "identification"], "purpose": "service_provision", "legal_basis": "contract",
	   "recipient": {"id": "rcp-bank-swedbank", "name": "Swedbank AS", "category": "bank", "country": "LV"}}]}`)
	waitCaughtUp(t, broker, db, time.Minute)

	for _, fact := range []string{
		`{"type": "consent_withdrawn", "subject_id": "` + customer + `", "purpose": "planning_analytics", "channel": "self_service_portal", "at": "2026-02-05T10:00:00Z"}`,
		`{"type": "opted_out", "subject_id": "` + customer + `", "channel": "phone", "at": "2026-02-05T10:00:00Z"}`,
		`{"type": "erasure_requested", "subject_id": "` + customer + `", "reference": "ER-2026-9", "at": "2026-03-01T10:00:00Z"}`,
	} {
		if status, _, body := call(t, http.MethodPost, api, "/v1/facts", dpoToken, fact); status != http.StatusAccepted {
			t.Fatalf("record %s: %d %s", fact, status, body)
		}
	}
	waitTopicCaughtUp(t, broker, db+"_facts", topics.Facts, time.Minute)

	var flags struct {
		Flags []struct {
			Kind    string `json:"kind"`
			EventID string `json:"event_id"`
		} `json:"flags"`
	}
	status, _, body := call(t, http.MethodGet, api, "/v1/subjects/"+customer+"/flags", dpoToken, "")
	if status != http.StatusOK {
		t.Fatalf("flags: %d %s", status, body)
	}
	decode(t, body, &flags)
	var got []string
	for _, f := range flags.Flags {
		got = append(got, f.EventID[len(f.EventID)-2:]+" "+f.Kind)
	}
	if want := "03 opt_out_exception,04 opt_out_violation,02 consent_after_withdrawal"; strings.Join(got, ",") != want {
		t.Errorf("flags %q, want %q", got, want)
	}
	status, _, body = call(t, http.MethodGet, api, "/v1/subjects/"+customer+"/erasure", dpoToken, "")
	if status != http.StatusOK || !strings.Contains(string(body), `"recipient_id":"rcp-bank-swedbank"`) || !strings.Contains(string(body), `"state":"not_notified"`) {
		t.Errorf("erasure: %d %s", status, body)
	}

	status, _, body = call(t, http.MethodPost, api, "/v1/incidents", dpoToken, `{"party_kind": "recipient", "party": "rcp-bank-swedbank",
	  "from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z", "nature": "Statements sent to the wrong address."}`)
	if status != http.StatusCreated || !strings.Contains(string(body), `"approximate":{"subjects":1,"events":1`) {
		t.Fatalf("open incident: %d %s", status, body)
	}
	var opened struct {
		IncidentID string `json:"incident_id"`
	}
	decode(t, body, &opened)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		status, _, body = call(t, http.MethodGet, api, "/v1/incidents/"+opened.IncidentID, dpoToken, "")
		if status == http.StatusOK && strings.Contains(string(body), `"exact":{"subjects":1,"events":1`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the incident with its exact count: %d %s", status, body)
		}
	}
}
