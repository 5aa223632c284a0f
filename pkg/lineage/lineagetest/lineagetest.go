// Package lineagetest builds valid lineage events for tests of every layer,
// so that each test states only what it changes.
package lineagetest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

// Base is the occurred_at of the first event Events builds.
var Base = time.Date(2026, 3, 2, 9, 30, 0, 123456000, time.UTC)

// Access returns a valid access: a call-centre agent opens a customer card
// (policy §5.1, contract §6.1).
func Access(id, subject string, at time.Time) lineage.Event {
	return lineage.Event{
		ID:             id,
		Kind:           lineage.Access,
		OccurredAt:     at,
		RecordedAt:     at.Add(150 * time.Millisecond),
		SourceSystem:   "crm",
		Actor:          lineage.Actor{Type: lineage.EmployeeRole, ID: "call_centre_agent"},
		SubjectID:      subject,
		DataCategories: []string{"identification", "contact", "service_contract"},
		Purpose:        "service_provision",
		LegalBasis:     "contract",
		Attributes:     map[string]string{"ticket": "CC-1"},
	}
}

// Transfer returns a valid transfer: billing data sent to the operator's bank
// for settlement (policy §17.1).
func Transfer(id, subject string, at time.Time) lineage.Event {
	e := Access(id, subject, at)
	e.Kind = lineage.Transfer
	e.SourceSystem = "billing"
	e.Actor = lineage.Actor{Type: lineage.ServiceAccount, ID: "svc-billing-payments"}
	e.DataCategories = []string{"billing", "identification"}
	e.Recipient = &lineage.Recipient{ID: "rcp-bank-swedbank", Name: "Swedbank AS", Category: "bank", Country: "LV"}
	e.Attributes = nil
	return e
}

// Handoff returns a valid processor hand-off to a vendor outside the EU/EEA
// under standard contractual clauses (policy §18-§19), on a legitimate
// interest (§7.15).
func Handoff(id, subject string, at time.Time) lineage.Event {
	e := Access(id, subject, at)
	e.Kind = lineage.ProcessorHandoff
	e.SourceSystem = "third_country_processor"
	e.Actor = lineage.Actor{Type: lineage.System, ID: "crm-support-export"}
	e.DataCategories = []string{"customer", "crm_activity"}
	e.LegalBasis = "legitimate_interest"
	e.LegitimateInterest = lineage.Ptr("7.15")
	e.Recipient = &lineage.Recipient{
		ID: "rcp-vendor-acme-in", Name: "Acme Software Pvt Ltd", Category: "processor",
		Country: "IN", TransferMechanism: lineage.Ptr("standard_contractual_clauses"),
	}
	e.Attributes = nil
	return e
}

// Identifier returns a well-formed keyed identifier for test value n of a
// kind. The hash is SHA-256 of the kind and n, not an HMAC: tests of the
// store need its shape, not the key.
func Identifier(kind lineage.IdentifierKind, n int) lineage.Identifier {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s:%d", kind, n))
	return lineage.Identifier{Kind: kind, HMAC: hex.EncodeToString(sum[:])}
}

// CDR returns a valid transfer known only by a phone number: CDR
// mediation hands retained traffic data to the police on a lawful request
// (policy §17.3, legal obligation §6.2).
func CDR(id string, msisdn lineage.Identifier, at time.Time) lineage.Event {
	e := Transfer(id, "", at)
	e.SourceSystem = "cdr_mediation"
	e.Actor = lineage.Actor{Type: lineage.EmployeeRole, ID: "lawful_request_officer"}
	e.DataCategories = []string{"traffic_data", "location"}
	e.Purpose = "legal_obligation"
	e.LegalBasis = "legal_obligation"
	e.Recipient = &lineage.Recipient{ID: "rcp-state-police", Name: "Valsts policija", Category: "law_enforcement", Country: "LV"}
	e.SubjectIdentifier = &msisdn
	return e
}

// Link returns a valid identity link: subject held ident from from until
// to (zero: still holds it), recorded by CRM at from.
func Link(subject string, ident lineage.Identifier, from, to time.Time) lineage.IdentityLink {
	l := lineage.IdentityLink{
		SubjectID: subject, Identifier: ident, ValidFrom: from, RecordedAt: from, SourceSystem: "crm",
	}
	if !to.IsZero() {
		l.ValidTo, l.RecordedAt = &to, to
	}
	return l
}

// UUID returns a deterministic UUID-shaped id for test event n.
func UUID(n uint64) string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012x", n)
}

// Subject returns the customer id of test subject n.
func Subject(n int) string { return fmt.Sprintf("C%08d", n) }

// Events returns n valid events of mixed kinds over subjects subjects,
// deterministic for a seed, one second apart.
func Events(seed uint64, n, subjects int) []lineage.Event {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]lineage.Event, n)
	for i := range out {
		id := UUID(seed<<32 | uint64(i))
		subject := Subject(r.IntN(subjects) + 1)
		at := Base.Add(time.Duration(i) * time.Second)
		switch r.IntN(3) {
		case 0:
			out[i] = Access(id, subject, at)
		case 1:
			out[i] = Transfer(id, subject, at)
		default:
			out[i] = Handoff(id, subject, at)
		}
	}
	return out
}
