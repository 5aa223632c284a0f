package httpapi

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/balticom/lineage/pkg/accessrequest"
	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/pkg/lineage"
)

// maxSearchBody bounds a search request's body.
const maxSearchBody = 4 << 10

// Kinds of what a person presents, besides the identifier kinds of
// lineage: the customer id itself.
const kindCustomerID = "customer_id"

// searchKinds are what a responder may search by (policy §28-§29): the
// customer id, or a personal code, phone number or contract number, which
// are matched through their keyed hashes, never in clear.
var searchKinds = []string{kindCustomerID, string(lineage.PersonalCode), string(lineage.MSISDN), string(lineage.ContractNumber)}

// searchRequest is the body of a search. The value travels in the body,
// not the URL, so that no access log, proxy or browser history keeps it.
type searchRequest struct {
	AccessRequest string `json:"access_request"`
	Kind          string `json:"kind"`
	Value         string `json:"value"`
}

// holderView is one customer who held what was presented, and when.
type holderView struct {
	SubjectID string     `json:"subject_id"`
	From      *time.Time `json:"from"`
	To        *time.Time `json:"to"`
}

// handleSearch finds the customers behind what a person presents. A phone
// number or contract may have had several holders over time: each comes
// with its period, and the responder chooses. The search is audited and
// recorded as a consultation of the identifier, so it shows in the access
// report of whoever held it.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request, c caller) {
	if !allowed(w, c, RoleResponder, RoleDPO) {
		return
	}
	var req searchRequest
	if !decodeBody(w, r, maxSearchBody, &req, "the body must be one JSON object {access_request, kind, value} of at most 4 KiB: ") {
		return
	}
	if req.AccessRequest != "" || c.Role == RoleResponder {
		if !accessrequest.ValidRequestID(req.AccessRequest) {
			writeParamError(w, invalid("access_request", ruleRequest))
			return
		}
	}
	if req.Kind == kindCustomerID {
		if !lineage.ValidSubjectID(req.Value) {
			writeParamError(w, invalid("value", ruleSubjectID))
			return
		}
	} else if !slices.Contains(searchKinds, req.Kind) {
		writeParamError(w, invalid("kind", "must be one of customer_id, personal_code, msisdn, contract"))
		return
	}
	if !s.forRequest(w, r, c, req.AccessRequest, "") {
		return
	}
	rec := s.auditRecord(r, c, routeSearch, req.AccessRequest)
	if req.Kind == kindCustomerID {
		rec.SubjectID = req.Value
		if s.writeAudit(w, r, rec) {
			writeJSON(w, http.StatusOK, map[string]any{"holders": []holderView{{SubjectID: req.Value}}})
		}
		return
	}
	if s.keyer == nil {
		writeError(w, http.StatusServiceUnavailable, codeNotConfigured,
			"the API has no identity key (API_IDENTITY_KEY), so it cannot match identifiers")
		return
	}
	id, err := s.keyer.Identifier(lineage.IdentifierKind(req.Kind), req.Value)
	if err != nil {
		// The error names the rule, never the value.
		field := "value"
		if !errors.Is(err, identity.ErrInvalid) {
			field = "kind"
		}
		writeParamError(w, invalid(field, err.Error()))
		return
	}
	rec.Identifier = &id
	if !s.writeAudit(w, r, rec) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.queryTimeout)
	defer cancel()
	holdings, err := s.store.Holders(ctx, id)
	if err != nil {
		s.storeFailed(w, r, "holders", err)
		return
	}
	out := make([]holderView, len(holdings))
	for i, h := range holdings {
		from := h.From
		out[i] = holderView{SubjectID: h.SubjectID, From: &from}
		if !h.To.IsZero() {
			to := h.To
			out[i].To = &to
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"holders": out})
}
