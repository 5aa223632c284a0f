// Package accessrequesttest builds valid access request events for tests
// of every layer, so that each test states only what it changes.
package accessrequesttest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/balticom/lineage/pkg/accessrequest"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
)

// Actor is the caller name every built event is recorded by.
const Actor = "dpo-desk.anna"

// RequestID returns the id of test request n.
func RequestID(n int) string { return fmt.Sprintf("AR-2026-%06d", n) }

// ReportHash is the SHA-256 of a report whose text is s.
func ReportHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// event is the part every type shares: event id n (lineagetest.UUID),
// recorded a minute after it happened.
func event(request string, n uint64, typ accessrequest.Type, at time.Time) accessrequest.Event {
	return accessrequest.Event{
		EventID: lineagetest.UUID(n), RequestID: request, Type: typ,
		At: at, RecordedAt: at.Add(time.Minute), Actor: Actor,
	}
}

// Received: the request arrived through Mans Balticom (§28.3).
func Received(request string, n uint64, at time.Time) accessrequest.Event {
	e := event(request, n, accessrequest.Received, at)
	e.Channel = accessrequest.ChannelMansBalticom
	return e
}

// IdentityChecked: the requester is customer subject, as the portal's
// login showed (§28.3, §29).
func IdentityChecked(request string, n uint64, at time.Time, subject string) accessrequest.Event {
	e := event(request, n, accessrequest.IdentityChecked, at)
	e.SubjectID, e.Method = subject, accessrequest.MethodMansBalticomLogin
	return e
}

// Extended: the period extended by months, the subject told at told.
func Extended(request string, n uint64, at time.Time, months int, told time.Time) accessrequest.Event {
	e := event(request, n, accessrequest.Extended, at)
	e.ExtensionMonths, e.SubjectToldAt = months, told
	e.Reason = "the request covers ten years of call detail records held by three systems"
	return e
}

// Answered: a PDF report in Latvian, delivered in Mans Balticom (§30).
func Answered(request string, n uint64, at time.Time) accessrequest.Event {
	e := event(request, n, accessrequest.Answered, at)
	e.ReportHash = ReportHash(request)
	e.Format, e.Language, e.DeliveryChannel = accessrequest.FormatPDF, accessrequest.LanguageLV, accessrequest.DeliverMansBalticom
	return e
}

// Refused: the request is manifestly excessive (Art. 12(5)).
func Refused(request string, n uint64, at time.Time) accessrequest.Event {
	e := event(request, n, accessrequest.Refused, at)
	e.Reason = "manifestly excessive: the fourth identical request this month (GDPR Art. 12(5))"
	return e
}
