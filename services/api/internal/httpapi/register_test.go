package httpapi

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/services/chstore"
)

// TestRegisterEndpoints: the declared register in each format, and its
// differences from the stored events on the real store: a bank transfer
// the register declares, a hand-off to a vendor in India it does not.
func TestRegisterEndpoints(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	store := newClickhouseStore(t, []chstore.StoredEvent{
		{Event: lineagetest.Transfer(lineagetest.UUID(1), lineagetest.Subject(1), at)},
		{Event: lineagetest.Handoff(lineagetest.UUID(2), lineagetest.Subject(1), at), Offset: 1},
	})
	s := newTestServer(t, store, okAuditor{}, &bytes.Buffer{})

	rec := get(s, "/v1/register/differences", bearer(dpoToken, "d"))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var d differencesResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	undeclared := append(append(d.UndeclaredPurposes, d.UndeclaredRecipients...), d.UndeclaredTransfers...)
	if len(undeclared) != 1 || undeclared[0].RecipientID == nil || *undeclared[0].RecipientID != "rcp-vendor-acme-in" ||
		undeclared[0].Events != 1 || undeclared[0].Reason == "" {
		t.Fatalf("undeclared %+v: want the hand-off to the vendor in India alone", undeclared)
	}
	var unusedActivities, unusedSwedbank int
	for _, u := range d.Unused {
		if u.RecipientID == nil {
			unusedActivities++
		} else if *u.RecipientID == "rcp-bank-swedbank" {
			unusedSwedbank++
		}
	}
	if unusedActivities == 0 || unusedSwedbank != 0 {
		t.Errorf("unused: %d activities (want some: one flow cannot use them all), swedbank %d times (want 0: it was seen)", unusedActivities, unusedSwedbank)
	}

	rec = get(s, "/v1/register?format=csv&lang=lv", bearer(dpoToken, "c"))
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\ufeff"))).ReadAll()
	if err != nil || len(rows) < 2 || rows[0][1] != "Apstrādes darbība" {
		t.Fatalf("csv: %v, header %q", err, rows[0])
	}
	rec = get(s, "/v1/register?format=xlsx", bearer(dpoToken, "x"))
	if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") || !bytes.HasPrefix(rec.Body.Bytes(), []byte("PK")) {
		t.Fatalf("xlsx: %s, %d bytes", ct, rec.Body.Len())
	}
	rec = get(s, "/v1/register", bearer(dpoToken, "j"))
	if !strings.Contains(rec.Body.String(), `"dpo_contact":"klients@balticom.info"`) {
		t.Fatalf("json: %.200s", rec.Body)
	}
	for _, target := range []string{"/v1/register?format=pdf", "/v1/register?lang=de", "/v1/register/differences?x=1"} {
		if rec := get(s, target, bearer(dpoToken, "e")); rec.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", target, rec.Code)
		}
	}
	if rec := get(s, "/v1/register", bearer(deskToken, "r")); rec.Code != http.StatusForbidden {
		t.Errorf("a responder: status %d, want 403", rec.Code)
	}
}
