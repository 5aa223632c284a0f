package httpapi

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/register"
	"github.com/balticom/lineage/services/api/internal/registerexport"
)

// The declared record of processing activities (GDPR Art. 30) and how the
// events differ from it. Neither names a subject, so neither is audited;
// both are the DPO's.
const (
	routeRegister    = "GET /v1/register"
	routeDifferences = "GET /v1/register/differences"
)

var registerParams = []string{"format", "lang", "purpose", "legal_basis", "data_category", "recipient_category", "source_system"}

// handleRegister answers the declared register as JSON (as kept in the
// repository), or as a CSV or XLSX table in English or Latvian, narrowed
// by the filters given (register.Filter): the same activities and
// recipients in every format, so that an export holds what is on screen.
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request, c caller) {
	if !allowed(w, c, RoleDPO) {
		return
	}
	values, err := queryValues(r.URL.RawQuery, registerParams)
	if err != nil {
		writeParamError(w, err)
		return
	}
	format, lang := values.Get("format"), values.Get("lang")
	if lang == "" {
		lang = "en"
	} else if lang != "en" && lang != "lv" {
		writeParamError(w, invalid("lang", "must be lv or en"))
		return
	}
	filter := register.Filter{
		Purpose: values.Get("purpose"), LegalBasis: values.Get("legal_basis"), DataCategory: values.Get("data_category"),
		RecipientCategory: values.Get("recipient_category"), SourceSystem: values.Get("source_system"),
	}
	var fe *register.FilterError
	if err := filter.Validate(); errors.As(err, &fe) {
		writeParamError(w, invalid(fe.Field, fe.Rule))
		return
	}
	reg, err := register.Declared()
	if err != nil {
		s.storeFailed(w, r, "register", err)
		return
	}
	reg = filter.Apply(reg)
	var (
		body bytes.Buffer
		ct   string
	)
	switch format {
	case "", "json":
		writeJSON(w, http.StatusOK, reg)
		return
	case "csv":
		ct, err = "text/csv; charset=utf-8", registerexport.WriteCSV(&body, reg, lang)
	case "xlsx":
		ct, err = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", registerexport.WriteXLSX(&body, reg, lang)
	default:
		writeParamError(w, invalid("format", "must be json, csv or xlsx"))
		return
	}
	if err != nil {
		s.storeFailed(w, r, "register export", err)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="record-of-processing-`+lang+`.`+format+`"`)
	_, _ = w.Write(body.Bytes())
}

// handleDifferences compares the flows the stored events show with the
// declared register. The flows read every event, so they are kept for
// FlowsMaxAge.
func (s *Server) handleDifferences(w http.ResponseWriter, r *http.Request, c caller) {
	if !allowed(w, c, RoleDPO) {
		return
	}
	if r.URL.RawQuery != "" {
		writeError(w, http.StatusBadRequest, codeUnknownParameter, "this endpoint takes no parameters")
		return
	}
	reg, err := register.Declared()
	if err != nil {
		s.storeFailed(w, r, "register", err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	flows, at, err := s.flows.get(ctx, s.now, s.store.Flows)
	if err != nil {
		s.storeFailed(w, r, "flows", err)
		return
	}
	writeJSON(w, http.StatusOK, newDifferencesResponse(reg, reg.Compare(flows), at))
}

type differencesResponse struct {
	RegisterVersion      string           `json:"register_version"`
	AsOf                 string           `json:"as_of"`
	UndeclaredPurposes   []undeclaredView `json:"undeclared_purposes"`
	UndeclaredRecipients []undeclaredView `json:"undeclared_recipients"`
	UndeclaredTransfers  []undeclaredView `json:"undeclared_transfers"`
	Unused               []unusedView     `json:"unused"`
}

type undeclaredView struct {
	SourceSystem      string   `json:"source_system"`
	Purpose           string   `json:"purpose"`
	LegalBasis        string   `json:"legal_basis"`
	RecipientID       *string  `json:"recipient_id"`
	RecipientCategory *string  `json:"recipient_category"`
	Country           *string  `json:"country"`
	TransferMechanism *string  `json:"transfer_mechanism"`
	Events            uint64   `json:"events"`
	First             string   `json:"first"`
	Last              string   `json:"last"`
	Activities        []string `json:"activities"`
	Reason            string   `json:"reason"`
}

type unusedView struct {
	ActivityID  string  `json:"activity_id"`
	RecipientID *string `json:"recipient_id"`
	Reason      string  `json:"reason"`
}

func newDifferencesResponse(reg *register.Register, d register.Differences, at time.Time) differencesResponse {
	undeclared := func(us []register.Undeclared) []undeclaredView {
		out := make([]undeclaredView, len(us))
		for i, u := range us {
			f := u.Flow
			out[i] = undeclaredView{
				SourceSystem: f.SourceSystem, Purpose: f.Purpose, LegalBasis: f.LegalBasis,
				RecipientID: lineage.Ptr(f.RecipientID), RecipientCategory: lineage.Ptr(f.RecipientCategory),
				Country: lineage.Ptr(f.Country), TransferMechanism: lineage.Ptr(f.TransferMechanism),
				Events: f.Events, First: formatTime(f.First), Last: formatTime(f.Last),
				Activities: nonNil(u.Activities), Reason: u.Reason,
			}
		}
		return out
	}
	resp := differencesResponse{
		RegisterVersion: reg.Version, AsOf: formatTime(at),
		UndeclaredPurposes:   undeclared(d.UndeclaredPurposes),
		UndeclaredRecipients: undeclared(d.UndeclaredRecipients),
		UndeclaredTransfers:  undeclared(d.UndeclaredTransfers),
		Unused:               make([]unusedView, len(d.Unused)),
	}
	for i, u := range d.Unused {
		resp.Unused[i] = unusedView{ActivityID: u.ActivityID, RecipientID: lineage.Ptr(u.RecipientID), Reason: u.Reason}
	}
	return resp
}
