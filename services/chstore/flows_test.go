package chstore

import (
	"reflect"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/register"
)

// TestFlows: one row per flow, each event once (a retried copy included),
// first and last times, accesses with empty recipient fields, restricted
// events counted.
func TestFlows(t *testing.T) {
	s := newMigratedStore(t)
	a, b := lineagetest.Subject(1), lineagetest.Subject(2)
	bank1 := lineagetest.Transfer(lineagetest.UUID(1), a, t0)
	bank2 := lineagetest.Transfer(lineagetest.UUID(2), b, t0.Add(time.Hour))
	vendor := lineagetest.Handoff(lineagetest.UUID(3), a, t0.Add(2*time.Hour))
	access := lineagetest.Access(lineagetest.UUID(4), b, t0.Add(3*time.Hour))
	insert(t, s, 0, bank1, bank2, vendor, access)
	insert(t, s, 10, bank2) // a retried copy

	got, err := s.Flows(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []register.Flow{
		{SourceSystem: "billing", Purpose: bank1.Purpose, LegalBasis: bank1.LegalBasis, RecipientID: bank1.Recipient.ID,
			RecipientCategory: "bank", Country: "LV", Events: 2, First: t0, Last: t0.Add(time.Hour)},
		{SourceSystem: "crm", Purpose: access.Purpose, LegalBasis: access.LegalBasis, Events: 1, First: t0.Add(3 * time.Hour), Last: t0.Add(3 * time.Hour)},
		{SourceSystem: vendor.SourceSystem, Purpose: vendor.Purpose, LegalBasis: vendor.LegalBasis, RecipientID: vendor.Recipient.ID,
			RecipientCategory: vendor.Recipient.Category, Country: vendor.Recipient.Country, TransferMechanism: *vendor.Recipient.TransferMechanism,
			Events: 1, First: t0.Add(2 * time.Hour), Last: t0.Add(2 * time.Hour)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("flows:\n got %+v\nwant %+v", got, want)
	}
}
