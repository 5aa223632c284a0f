package httpapi

import (
	"context"
	"time"

	"github.com/balticom/lineage/pkg/accessrequest"
	"github.com/balticom/lineage/pkg/incident"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/register"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/services/api/internal/audit"
	"github.com/balticom/lineage/services/chstore"
)

// Store answers lookups of a data subject. *chstore.Store implements it.
//
// Implementations must be safe for concurrent use, honour ctx, and return
// errors matching chstore.ErrInvalidQuery when the query itself is wrong.
// The HTTP layer validates every parameter first, so that should not happen.
type Store interface {
	// Recipients returns who received the subject's data in [From, To).
	Recipients(ctx context.Context, q chstore.RecipientsQuery) (chstore.RecipientsAnswer, error)
	// Events returns one page of the subject's timeline, newest first.
	Events(ctx context.Context, q chstore.EventsQuery) (chstore.EventsPage, error)
	// AllEvents returns every event of the subject in the window, newest
	// first, restricted ones included: what an access report is built from.
	AllEvents(ctx context.Context, q chstore.EventsQuery) (chstore.EventsPage, error)
	// Holders returns who held an identifier and when, oldest first.
	Holders(ctx context.Context, id lineage.Identifier) ([]chstore.Holding, error)
	// RequestEvents returns the recorded facts of one access request, none
	// for an unknown id.
	RequestEvents(ctx context.Context, requestID string) ([]accessrequest.Event, error)
	// OpenRequestEvents returns the events of every access request neither
	// answered nor refused, one slice per request.
	OpenRequestEvents(ctx context.Context) ([][]accessrequest.Event, error)
	// Unresolved counts the events stored under an identifier that no
	// identity link covers yet, per identifier kind.
	Unresolved(ctx context.Context) ([]chstore.UnresolvedCount, error)
	// Exposure counts the subjects, events and categories of a party's
	// events in a window.
	Exposure(ctx context.Context, q chstore.ExposureQuery) (chstore.Exposure, error)
	// ExposedSubjects returns a page of the exposure's subjects by customer
	// id, after the id after; ExposedSubject one subject's line.
	ExposedSubjects(ctx context.Context, q chstore.ExposureQuery, after string, limit int) ([]chstore.ExposedSubject, error)
	ExposedSubject(ctx context.Context, q chstore.ExposureQuery, subject string) (chstore.ExposedSubject, bool, error)
	// Flows returns every flow the stored events show, for the comparison
	// with the declared record of processing.
	Flows(ctx context.Context) ([]register.Flow, error)
	// SubjectFacts returns a subject's facts (consent, opt-out, erasure).
	SubjectFacts(ctx context.Context, subject string) ([]subjectfact.Fact, error)
	// ConsentFlags returns every subject's events in [from, to) that came
	// after a withdrawal of their consent or after an opt-out.
	ConsentFlags(ctx context.Context, from, to time.Time) ([]subjectfact.Flag, error)
	// Erasures returns the subjects who asked for erasure, latest first.
	Erasures(ctx context.Context, limit int) ([]chstore.ErasureRequest, error)
	// EstimateExposure is a first, approximate count of a party's
	// subjects and events in a window.
	EstimateExposure(ctx context.Context, q chstore.ExposureQuery) (subjects, events uint64, err error)
	// IncidentEvents returns the recorded events of one incident, none for
	// an unknown id; OpenIncidentEvents those of every incident not closed.
	IncidentEvents(ctx context.Context, id string) ([]incident.Event, error)
	OpenIncidentEvents(ctx context.Context) ([][]incident.Event, error)
	// Retention judges a subject's events, or lists the data held past a
	// period across the store, against the retention rules.
	Retention(ctx context.Context, q chstore.RetentionQuery) (chstore.RetentionAnswer, error)
	// RetainedDataStatistics counts a year's requests for retained data.
	RetainedDataStatistics(ctx context.Context, year int) (chstore.RetainedDataStatistics, error)
	// Overview counts the stored events of a window from the daily
	// rollups; EventList pages the events behind its numbers, every
	// subject's; Lineage is a subject's events by data source, source
	// system and recipient.
	Overview(ctx context.Context, q chstore.OverviewQuery) (chstore.Overview, error)
	EventList(ctx context.Context, q chstore.EventListQuery) (chstore.EventsPage, error)
	Lineage(ctx context.Context, q chstore.LineageQuery) (chstore.LineageAnswer, error)
}

// Auditor records a lookup before it is answered. *kafkaaudit.Auditor
// implements it.
//
// Audit must return nil only once the record is durably stored (for Kafka:
// acknowledged by all in-sync replicas); any error makes the API refuse to
// answer. Implementations must be safe for concurrent use and honour ctx.
type Auditor interface {
	Audit(ctx context.Context, rec audit.Record) error
}

// RequestLog writes a fact of an access request to the request log, a
// subject fact to the facts topic, or an incident event to the breach
// record, and returns nil only once it is durably stored. *kafkaaudit.Auditor implements it.
type RequestLog interface {
	RecordRequest(ctx context.Context, e accessrequest.Event) error
	RecordFact(ctx context.Context, f subjectfact.Fact) error
	RecordIncident(ctx context.Context, e incident.Event) error
}
