package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
)

// Error codes of the answers, documented in openapi.yaml.
const (
	codeUnauthorized     = "unauthorized"
	codeNotFound         = "not_found"
	codeAuditUnavailable = "audit_unavailable"
	codeTimeout          = "timeout"
	codeCancelled        = "cancelled"
	codeInternal         = "internal"
)

// errorBody is every error answer: {"error": {...}}.
type errorBody struct {
	Error errorView `json:"error"`
}

type errorView struct {
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// writeJSON writes v with the given status. An encoding error can only be a
// programming error or a gone client; the status is already out, so it is
// not reported.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, errorBody{Error: errorView{Code: code, Message: message}})
}

// writeParamError answers 400 for a *ParamError, naming the field and rule.
func writeParamError(w http.ResponseWriter, err error) {
	var pe *ParamError
	if !errors.As(err, &pe) {
		pe = invalid("query", err.Error())
	}
	writeJSON(w, http.StatusBadRequest, errorBody{Error: errorView{Code: pe.Code, Field: pe.Field, Message: pe.Rule}})
}
