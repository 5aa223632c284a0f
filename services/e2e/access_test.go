package e2e

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/topics"
)

// Callers of the API in the access-request test: a responder's desk and
// the DPO, each with its role.
const (
	deskToken = "e2e-desk-token-0123456789abcdef"
	dpoToken  = "e2e-dpo-token-0123456789abcdef0"
)

// TestAccessRequestEndToEnd answers one access request the way a responder
// does, through the binaries: CRM links a customer to a personal code and
// a phone number, the billing system discloses to a bank, a processor in
// India gets data under standard contractual clauses, and CDR mediation
// gives the police traffic data under a restriction. The responder records
// the request, finds the customer by the personal code the person shows,
// records the identity check, and downloads the report: the recipients by
// legal name, the police line withheld and named as withheld, the PDF
// readable. The answer closes the request; every lookup shows in the DPO's
// view as a consultation with the responder's role and the request's id.
func TestAccessRequestEndToEnd(t *testing.T) {
	broker := startBroker(t, 4)
	db := randomName("e2e_access_")
	t.Cleanup(func() { dropDatabase(t, db) })
	startMaterializer(t, "materializer", broker, db,
		"MATERIALIZER_LINKS_GROUP="+db+"_links", "MATERIALIZER_REQUESTS_GROUP="+db+"_requests")
	api := freeAddr(t)
	start(t, "api", "api",
		"API_LISTEN_ADDR="+api, "API_KAFKA_BROKERS="+broker,
		"API_CLICKHOUSE_ADDRS="+clickhouseAddr(), "API_CLICKHOUSE_DATABASE="+db,
		"API_CLICKHOUSE_USER=default", "API_CLICKHOUSE_PASSWORD=",
		"API_TOKENS=desk-1:"+deskToken+",dpo:"+dpoToken, "API_CALLER_ROLES=desk-1:access_responder,dpo:dpo",
		"API_IDENTITY_KEY="+identityKey, "API_LOG_LEVEL=warn")
	waitTCP(t, api)
	gateway := freeAddr(t)
	start(t, "gateway", "gateway", "GATEWAY_LISTEN_ADDR="+gateway, "GATEWAY_KAFKA_BROKERS="+broker,
		"GATEWAY_SOURCES=cdr_mediation:"+cdrToken+",crm:"+crmToken, "GATEWAY_IDENTITY_KEY="+identityKey,
		"GATEWAY_LOG_LEVEL=warn")
	waitTCP(t, gateway)

	const customer = "C07880001"
	post(t, gateway, "/v1/identity-links", crmToken, `{"links": [
	  {"subject_id": "`+customer+`", "identifier": {"kind": "personal_code", "value": "010190-12345"}, "valid_from": "2020-01-01T00:00:00Z"},
	  {"subject_id": "`+customer+`", "identifier": {"kind": "msisdn", "value": "+371 29 888 777"}, "valid_from": "2020-01-01T00:00:00Z"}]}`)
	review := time.Now().Add(365 * 24 * time.Hour).UTC().Format(time.RFC3339)
	post(t, gateway, "/v1/events/batch", cdrToken, `{"events": [
	  {"event_id": "00000000-0000-4000-8000-000000880001", "kind": "transfer", "occurred_at": "2026-02-03T10:00:00Z",
	   "source_system": "cdr_mediation", "actor": {"type": "employee_role", "id": "lawful_request_officer"},
	   "subject_identifier": {"kind": "msisdn", "value": "29888777"},
	   "data_categories": ["traffic_data", "location"], "purpose": "legal_obligation", "legal_basis": "legal_obligation",
	   "recipient": {"id": "rcp-state-police", "name": "Valsts policija", "category": "law_enforcement", "country": "LV"},
	   "restriction": {"basis": "Kriminālprocesa likums, 192. pants", "review_at": "`+review+`"}}]}`)
	post(t, gateway, "/v1/events/batch", crmToken, `{"events": [
	  {"event_id": "00000000-0000-4000-8000-000000880002", "kind": "transfer", "occurred_at": "2026-01-10T08:00:00Z",
	   "source_system": "crm", "actor": {"type": "service_account", "id": "svc-billing-payments"}, "subject_id": "`+customer+`",
	   "data_categories": ["billing", "identification"], "purpose": "service_provision", "legal_basis": "contract",
	   "recipient": {"id": "rcp-bank-swedbank", "name": "Swedbank AS", "category": "bank", "country": "LV"}},
	  {"event_id": "00000000-0000-4000-8000-000000880003", "kind": "processor_handoff", "occurred_at": "2026-01-12T08:00:00Z",
	   "source_system": "crm", "actor": {"type": "service_account", "id": "svc-crm-sync"}, "subject_id": "`+customer+`",
	   "data_categories": ["crm_activity"], "purpose": "service_provision", "legal_basis": "legitimate_interest",
	   "legitimate_interest": "7.25",
	   "recipient": {"id": "rcp-vendor-acme-in", "name": "Acme Software Pvt Ltd", "category": "processor", "country": "IN",
	                 "transfer_mechanism": "standard_contractual_clauses"}}]}`)
	waitCaughtUp(t, broker, db, time.Minute)
	waitTopicCaughtUp(t, broker, db+"_links", topics.IdentityLinks, time.Minute)

	// The request arrives; the responder records it.
	status, _, body := call(t, http.MethodPost, api, "/v1/requests", deskToken, `{"channel": "e_signed_email"}`)
	if status != http.StatusCreated {
		t.Fatalf("open request: %d %s", status, body)
	}
	var opened struct {
		RequestID string `json:"request_id"`
	}
	decode(t, body, &opened)
	req := opened.RequestID
	waitTopicCaughtUp(t, broker, db+"_requests", topics.Requests, time.Minute)

	// The person shows a personal code: it finds the customer.
	status, _, body = call(t, http.MethodPost, api, "/v1/subjects/search", deskToken,
		`{"access_request": "`+req+`", "kind": "personal_code", "value": "010190-12345"}`)
	if status != http.StatusOK || !strings.Contains(string(body), `"subject_id":"`+customer+`"`) {
		t.Fatalf("search by personal code: %d %s", status, body)
	}
	// Before the identity check the customer's data are not the request's.
	if status, _, body := call(t, http.MethodGet, api, "/v1/subjects/"+customer+"/report?access_request="+req, deskToken, ""); status != http.StatusForbidden {
		t.Fatalf("report before the identity check: %d %s, want 403", status, body)
	}
	if status, _, body := call(t, http.MethodPost, api, "/v1/requests/"+req+"/events", deskToken,
		`{"type": "identity_checked", "subject_id": "`+customer+`", "method": "secure_e_signature"}`); status != http.StatusAccepted {
		t.Fatalf("identity check: %d %s", status, body)
	}
	waitTopicCaughtUp(t, broker, db+"_requests", topics.Requests, time.Minute)

	status, header, body := call(t, http.MethodGet, api, "/v1/subjects/"+customer+"/report?lang=en&access_request="+req, deskToken, "")
	if status != http.StatusOK {
		t.Fatalf("report: %d %s", status, body)
	}
	var rep struct {
		Recipients []struct {
			Name string `json:"legal_name"`
		} `json:"recipients"`
		Withheld struct {
			Bases []string `json:"restriction_bases"`
		} `json:"withheld"`
		Hash string `json:"content_sha256"`
	}
	decode(t, body, &rep)
	var names []string
	for _, r := range rep.Recipients {
		names = append(names, r.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"Acme Software Pvt Ltd", "Swedbank AS"}) || rep.Hash != header.Get("X-Report-Content-SHA256") {
		t.Errorf("report recipients %v (hash %s, header %s), want the bank and the processor only", names, rep.Hash, header.Get("X-Report-Content-SHA256"))
	}
	if strings.Contains(string(body), "Valsts policija") || !slices.Equal(rep.Withheld.Bases, []string{"Kriminālprocesa likums, 192. pants"}) {
		t.Errorf("report shows the restricted line, or does not say it withheld lines under its basis: %v", rep.Withheld.Bases)
	}
	status, _, pdf := call(t, http.MethodGet, api, "/v1/subjects/"+customer+"/report?format=pdf&access_request="+req, deskToken, "")
	if status != http.StatusOK || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("pdf report: %d", status)
	}
	pdfText(t, pdf, "Swedbank AS", "Acme Software Pvt Ltd")

	// The answer closes the request: no more lookups for it, and it leaves
	// the list of open requests.
	if status, _, body := call(t, http.MethodPost, api, "/v1/requests/"+req+"/events", deskToken,
		`{"type": "answered", "report_hash": "`+rep.Hash+`", "format": "pdf", "language": "en", "delivery_channel": "mans_balticom"}`); status != http.StatusAccepted {
		t.Fatalf("answer: %d %s", status, body)
	}
	waitTopicCaughtUp(t, broker, db+"_requests", topics.Requests, time.Minute)
	if _, _, body := call(t, http.MethodGet, api, "/v1/requests", deskToken, ""); strings.Contains(string(body), req) {
		t.Errorf("answered request still listed as open: %s", body)
	}
	if status, _, _ := call(t, http.MethodGet, api, "/v1/subjects/"+customer+"/recipients?access_request="+req, deskToken, ""); status != http.StatusForbidden {
		t.Errorf("lookup for an answered request: %d, want 403", status)
	}

	// The DPO sees the restricted line, and the responder's lookups as
	// consultations of the customer: the search (resolved through the
	// personal code's link) and the two reports answered.
	waitCaughtUp(t, broker, db, time.Minute)
	status, _, body = call(t, http.MethodGet, api, "/v1/subjects/"+customer+"/report?lang=en&include_restricted=true", dpoToken, "")
	if status != http.StatusOK || !strings.Contains(string(body), "Valsts policija") {
		t.Fatalf("DPO's report: %d, restricted line shown: %v", status, strings.Contains(string(body), "Valsts policija"))
	}
	var dpo struct {
		Consultations []struct {
			AccessRequest string `json:"access_request_id"`
			Role          string `json:"role"`
		} `json:"consultations"`
	}
	decode(t, body, &dpo)
	forRequest := 0
	for _, c := range dpo.Consultations {
		if c.AccessRequest == req {
			forRequest++
			if c.Role != "access_responder" {
				t.Errorf("consultation for %s in role %q, want access_responder", req, c.Role)
			}
		}
	}
	// The report refused before the identity check was not audited; the
	// lookup refused after the answer neither.
	if forRequest != 3 {
		t.Errorf("%d consultations for %s in the DPO's report, want 3 (search, report, pdf): %+v", forRequest, req, dpo.Consultations)
	}
}

// call sends one request with a bearer token and returns the answer.
func call(t *testing.T, method, addr, path, token, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, answer
}

// pdfText checks that pdftotext (poppler-utils, installed by scripts/test)
// finds each of want in pdf.
func pdfText(t *testing.T, pdf []byte, want ...string) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("LINEAGE_BROWSER_TESTS") == "1" {
			t.Fatal("pdftotext is not installed (scripts/test installs poppler-utils)")
		}
		t.Skip("pdftotext is not installed")
	}
	file := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the PDF's text lacks %q", w)
		}
	}
}
