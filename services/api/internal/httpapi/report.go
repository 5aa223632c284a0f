package httpapi

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/balticom/lineage/pkg/httpobserve"
	"github.com/balticom/lineage/services/api/internal/report"
	"github.com/balticom/lineage/services/chstore"
)

// Report defaults: the operator's customers read Latvian; JSON is what a
// responder's tools read.
const (
	defaultReportLang   = "lv"
	defaultReportFormat = report.FormatJSON
)

// handleReport answers the subject's Art. 15 access report, all three
// layers at once, in the language and format asked for. It is built from
// every event of the subject in the window: restricted disclosures are
// withheld by the report itself (and named as withheld), except in the
// DPO's view.
func (s *Server) handleReport(w http.ResponseWriter, r *http.Request, c caller) {
	l, ok := s.beginLookup(w, r, c, routeReport, reportParams)
	if !ok {
		return
	}
	lang, format := cmp.Or(l.Lang, defaultReportLang), cmp.Or(l.Format, defaultReportFormat)
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	page, err := s.store.AllEvents(ctx, chstore.EventsQuery{SubjectID: l.SubjectID, From: l.From, To: l.To})
	if err != nil {
		s.storeFailed(w, r, "report", err)
		return
	}
	opts := report.Options{
		SubjectID: l.SubjectID, Language: lang, Now: s.now().UTC(),
		IncludeRestricted: l.IncludeRestricted,
		Withheld:          make([]report.IdentityWindow, 0, len(page.Contested)),
	}
	if !l.From.IsZero() {
		opts.From = &l.From
	}
	if !l.To.IsZero() {
		opts.To = &l.To
	}
	for _, cw := range page.Contested {
		opts.Withheld = append(opts.Withheld, report.IdentityWindow{Kind: string(cw.Identifier.Kind), From: cw.From, To: cw.To})
	}
	rep, err := report.Build(reportEvents(page.Events), opts)
	if err != nil {
		s.reportFailed(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", report.ContentType(format))
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, report.Filename(rep, format)))
	h.Set("X-Report-Content-SHA256", rep.Hash)
	if format == report.FormatJSON {
		// Build encoded the JSON already: it is written as it is, and only
		// a connection that fails can cut it short.
		w.WriteHeader(http.StatusOK)
		_ = report.WriteJSON(w, rep)
		return
	}
	// The other formats are rendered into memory first, so that a failure
	// is an error answer and not a truncated document.
	var body bytes.Buffer
	if err := report.Render(&body, rep, format); err != nil {
		for _, k := range []string{"Content-Type", "Content-Disposition", "X-Report-Content-SHA256"} {
			h.Del(k)
		}
		s.reportFailed(w, r, err)
		return
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body.Bytes())
}

// reportFailed answers 500 for a report that could not be built or
// rendered, and logs why (the error names no subject).
func (s *Server) reportFailed(w http.ResponseWriter, r *http.Request, err error) {
	s.log.LogAttrs(r.Context(), slog.LevelError, "report failed",
		slog.String(httpobserve.KeyRoute, httpobserve.RouteLabel(routeReport)), slog.String(keyError, err.Error()))
	writeError(w, http.StatusInternalServerError, codeInternal, "the report could not be produced; try again later")
}

// reportEvents turns stored events into the report's input.
func reportEvents(stored []chstore.StoredEvent) []report.Event {
	out := make([]report.Event, len(stored))
	for i, se := range stored {
		e := report.Event{
			ID: se.ID, Kind: string(se.Kind), OccurredAt: se.OccurredAt, RecordedAt: se.RecordedAt,
			SourceSystem: se.SourceSystem, ActorType: string(se.Actor.Type), ActorID: se.Actor.ID,
			DataCategories: se.DataCategories, Purpose: se.Purpose, LegalBasis: se.LegalBasis,
			Attributes: se.Attributes, Partition: se.Partition, Offset: se.Offset,
		}
		if se.Actor.Employee != nil {
			e.Employee = *se.Actor.Employee
		}
		if se.LegitimateInterest != nil {
			e.LegitimateInterest = *se.LegitimateInterest
		}
		if rc := se.Recipient; rc != nil {
			e.RecipientID, e.RecipientName, e.RecipientCategory, e.RecipientCountry = rc.ID, rc.Name, rc.Category, rc.Country
			if rc.TransferMechanism != nil {
				e.TransferMechanism = *rc.TransferMechanism
			}
		}
		if se.SubjectIdentifier != nil {
			e.ResolvedVia = string(se.SubjectIdentifier.Kind)
		}
		if rs := se.Restriction; rs != nil {
			e.Restriction = &report.Restriction{Basis: rs.Basis, ReviewAt: rs.ReviewAt}
		}
		out[i] = e
	}
	return out
}
