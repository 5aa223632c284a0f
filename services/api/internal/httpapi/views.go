package httpapi

import (
	"slices"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/services/chstore"
)

// The JSON shapes of the answers, documented in openapi.yaml. Field names
// are a contract: add fields, never rename or remove them. Lists are never
// null; optional values are null, not absent.

// timeLayout is RFC 3339 in UTC with exactly six fractional digits.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// optionalTime is null for the zero time (an open side of a window).
func optionalTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := formatTime(t)
	return &s
}

type recipientsResponse struct {
	SubjectID  string          `json:"subject_id"`
	From       *string         `json:"from"`
	To         *string         `json:"to"`
	Recipients []recipientView `json:"recipients"`
	Withheld   []withheldView  `json:"withheld"`
}

// withheldView is a window of one of the subject's identifiers that
// another customer's identity link also covers: the identifier's events of
// that time are left out of the answer until CRM corrects a link.
type withheldView struct {
	Identifier identifierView `json:"identifier"`
	From       string         `json:"from"`
	To         *string        `json:"to"`
}

func newWithheld(contested []chstore.ContestedWindow) []withheldView {
	out := make([]withheldView, 0, len(contested))
	for _, c := range contested {
		out = append(out, withheldView{
			Identifier: identifierView{Kind: string(c.Identifier.Kind), HMAC: c.Identifier.HMAC},
			From:       formatTime(c.From),
			To:         optionalTime(c.To),
		})
	}
	return out
}

type recipientView struct {
	RecipientID       string   `json:"recipient_id"`
	Name              string   `json:"name"`
	Category          string   `json:"category"`
	Country           string   `json:"country"`
	TransferMechanism *string  `json:"transfer_mechanism"`
	Kinds             []string `json:"kinds"`
	DataCategories    []string `json:"data_categories"`
	Purposes          []string `json:"purposes"`
	LegalBases        []string `json:"legal_bases"`
	FirstAt           string   `json:"first_at"`
	LastAt            string   `json:"last_at"`
	Events            uint64   `json:"events"`
}

func newRecipientsResponse(l lookup, answer chstore.RecipientsAnswer) recipientsResponse {
	resp := recipientsResponse{
		SubjectID:  l.SubjectID,
		From:       optionalTime(l.From),
		To:         optionalTime(l.To),
		Recipients: make([]recipientView, 0, len(answer.Recipients)),
		Withheld:   newWithheld(answer.Contested),
	}
	for _, s := range answer.Recipients {
		resp.Recipients = append(resp.Recipients, recipientView{
			RecipientID:       s.ID,
			Name:              s.Name,
			Category:          s.Category,
			Country:           s.Country,
			TransferMechanism: lineage.Ptr(s.TransferMechanism),
			Kinds:             sortedSet(s.Kinds),
			DataCategories:    sortedSet(s.DataCategories),
			Purposes:          sortedSet(s.Purposes),
			LegalBases:        sortedSet(s.LegalBases),
			FirstAt:           formatTime(s.First),
			LastAt:            formatTime(s.Last),
			Events:            s.Events,
		})
	}
	return resp
}

type eventsResponse struct {
	SubjectID  string         `json:"subject_id"`
	Events     []eventView    `json:"events"`
	NextCursor *string        `json:"next_cursor"`
	Withheld   []withheldView `json:"withheld"`
}

type eventView struct {
	EventID            string              `json:"event_id"`
	Kind               string              `json:"kind"`
	OccurredAt         string              `json:"occurred_at"`
	RecordedAt         string              `json:"recorded_at"`
	SourceSystem       string              `json:"source_system"`
	Actor              actorView           `json:"actor"`
	DataCategories     []string            `json:"data_categories"`
	Purpose            string              `json:"purpose"`
	LegalBasis         string              `json:"legal_basis"`
	LegitimateInterest *string             `json:"legitimate_interest"`
	Recipient          *eventRecipientView `json:"recipient"`
	TraceParent        *string             `json:"trace_parent"`
	Attributes         map[string]string   `json:"attributes"`
	ResolvedVia        *identifierView     `json:"resolved_via"`
}

// identifierView is the identifier an event was attributed to the subject
// through: its source knew only that, and the subject held it at the time.
type identifierView struct {
	Kind string `json:"kind"`
	HMAC string `json:"hmac"`
}

type actorView struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type eventRecipientView struct {
	ID                string  `json:"id"`
	Name              string  `json:"name"`
	Category          string  `json:"category"`
	Country           string  `json:"country"`
	TransferMechanism *string `json:"transfer_mechanism"`
}

func newEventsResponse(l lookup, page chstore.EventsPage) eventsResponse {
	resp := eventsResponse{
		SubjectID: l.SubjectID,
		Events:    make([]eventView, 0, len(page.Events)),
		Withheld:  newWithheld(page.Contested),
	}
	for _, e := range page.Events {
		resp.Events = append(resp.Events, newEventView(&e.Event))
	}
	if page.Next != nil {
		c := encodeCursor(*page.Next)
		resp.NextCursor = &c
	}
	return resp
}

func newEventView(e *lineage.Event) eventView {
	v := eventView{
		EventID:            e.ID,
		Kind:               string(e.Kind),
		OccurredAt:         formatTime(e.OccurredAt),
		RecordedAt:         formatTime(e.RecordedAt),
		SourceSystem:       e.SourceSystem,
		Actor:              actorView{Type: string(e.Actor.Type), ID: e.Actor.ID},
		DataCategories:     nonNil(e.DataCategories),
		Purpose:            e.Purpose,
		LegalBasis:         e.LegalBasis,
		LegitimateInterest: e.LegitimateInterest,
		Attributes:         e.Attributes,
	}
	if v.Attributes == nil {
		v.Attributes = map[string]string{}
	}
	if r := e.Recipient; r != nil {
		v.Recipient = &eventRecipientView{
			ID: r.ID, Name: r.Name, Category: r.Category, Country: r.Country,
			TransferMechanism: r.TransferMechanism,
		}
	}
	if e.Trace != nil {
		v.TraceParent = lineage.Ptr(e.Trace.TraceParent)
	}
	if id := e.SubjectIdentifier; id != nil {
		v.ResolvedVia = &identifierView{Kind: string(id.Kind), HMAC: id.HMAC}
	}
	return v
}

// sortedSet returns a sorted copy of s without repeats, never nil.
func sortedSet(s []string) []string {
	out := slices.Clone(nonNil(s))
	slices.Sort(out)
	return slices.Compact(out)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type unresolvedResponse struct {
	Total     uint64               `json:"total"`
	Contested uint64               `json:"contested"`
	Kinds     []unresolvedKindView `json:"kinds"`
	AsOf      string               `json:"as_of"`
}

type unresolvedKindView struct {
	Kind      string `json:"kind"`
	Events    uint64 `json:"events"`
	Contested uint64 `json:"contested"`
	OldestAt  string `json:"oldest_at"`
}

func newUnresolvedResponse(counts []chstore.UnresolvedCount, asOf time.Time) unresolvedResponse {
	resp := unresolvedResponse{Kinds: make([]unresolvedKindView, 0, len(counts)), AsOf: formatTime(asOf)}
	for _, c := range counts {
		resp.Total += c.Events
		resp.Contested += c.Contested
		resp.Kinds = append(resp.Kinds, unresolvedKindView{
			Kind: string(c.Kind), Events: c.Events, Contested: c.Contested, OldestAt: formatTime(c.Oldest),
		})
	}
	return resp
}
