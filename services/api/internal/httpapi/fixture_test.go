package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/otel/propagation"

	"github.com/balticom/lineage/pkg/httpauth"
	"github.com/balticom/lineage/pkg/httphealth"
	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/services/chstore"
)

// Test callers and subjects.
const (
	subject      = "C1234567"
	otherSubject = "C7654321"
	deskToken    = "desk-token-0123456789"
	dpoToken     = "dpo-token-0123456789ab"
	traceParent  = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	traceID      = "4bf92f3577b34da6a3ce929d0e0e4736"
)

// testNow is when every test request arrives.
func testNow() time.Time { return time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC) }

// fixtureStore holds two recipients and three events of subject, a window
// of its phone number another customer's link also covers, and one event
// of otherSubject.
func fixtureStore() *memStore {
	base := lineagetest.Base // 2026-03-02T09:30:00.123456Z
	access := lineagetest.Access(lineagetest.UUID(1), subject, base)
	access.Trace = &lineage.TraceContext{TraceParent: traceParent}
	transfer := lineagetest.Transfer(lineagetest.UUID(2), subject, base.Add(time.Hour))
	handoff := lineagetest.Handoff(lineagetest.UUID(3), subject, base.Add(2*time.Hour))
	other := lineagetest.Access(lineagetest.UUID(4), otherSubject, base.Add(3*time.Hour))
	return &memStore{
		recipients: map[string][]chstore.RecipientSummary{subject: {
			{
				ID: "rcp-vendor-acme-in", Name: "Acme Software Pvt Ltd", Category: "processor", Country: "IN",
				TransferMechanism: "standard_contractual_clauses",
				Kinds:             []string{"processor_handoff"},
				DataCategories:    []string{"customer", "crm_activity"},
				Purposes:          []string{"service_provision"},
				LegalBases:        []string{"legitimate_interest"},
				First:             base.Add(2 * time.Hour), Last: base.Add(49 * time.Hour), Events: 3,
			},
			{
				ID: "rcp-bank-swedbank", Name: "Swedbank AS", Category: "bank", Country: "LV",
				Kinds:          []string{"transfer"},
				DataCategories: []string{"identification", "billing"},
				Purposes:       []string{"service_provision"},
				LegalBases:     []string{"contract"},
				First:          base.Add(time.Hour), Last: base.Add(time.Hour), Events: 1,
			},
		}},
		contested: map[string][]chstore.ContestedWindow{subject: {
			{Identifier: lineagetest.Identifier(lineage.MSISDN, 29123456), From: base.Add(-24 * time.Hour)},
		}},
		events: []chstore.StoredEvent{
			{Event: access, Partition: 0, Offset: 10},
			{Event: transfer, Partition: 0, Offset: 11},
			{Event: handoff, Partition: 0, Offset: 12},
			{Event: other, Partition: 1, Offset: 3},
		},
	}
}

// newTestServer builds a Server over store and auditor, logging to logs.
func newTestServer(t *testing.T, store Store, auditor Auditor, logs io.Writer, checks ...httphealth.Check) *Server {
	t.Helper()
	tokens, err := httpauth.ParseTokens("dsar-desk:" + deskToken + ",dpo:" + dpoToken)
	if err != nil {
		t.Fatalf("ParseTokens: %v", err)
	}
	log, _ := store.(RequestLog)
	if log == nil {
		log = &memStore{}
	}
	keyer, err := identity.NewKeyer(bytes.Repeat([]byte{7}, identity.MinKeyBytes))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Deps{
		Store:        store,
		Auditor:      auditor,
		RequestLog:   log,
		Tokens:       tokens,
		Roles:        map[string]Role{"dsar-desk": RoleResponder, "dpo": RoleDPO},
		Keyer:        keyer,
		Log:          slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Checks:       checks,
		Propagator:   propagation.TraceContext{},
		Now:          testNow,
		NewRequestID: func() string { return "generated-request-id" },
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// get serves one GET of target with the given headers.
func get(s http.Handler, target string, headers map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

// bearer returns the headers of an authenticated request.
func bearer(token, requestID string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token, "X-Request-Id": requestID}
}

// assertGolden compares body, indented, to testdata/name byte for byte;
// LINEAGE_UPDATE_GOLDEN=1 rewrites the file first.
func assertGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	var got bytes.Buffer
	if err := json.Indent(&got, bytes.TrimSpace(body), "", "  "); err != nil {
		t.Fatalf("indent body: %v\n%s", err, body)
	}
	file := filepath.Join("testdata", name)
	if os.Getenv("LINEAGE_UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(file, append(got.Bytes(), '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read golden: %v", err)
	}
	if got.String() != string(bytes.TrimSpace(want)) {
		t.Errorf("body differs from testdata/%s\ngot:\n%s\nwant:\n%s", name, got.String(), want)
	}
}
