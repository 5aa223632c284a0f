package httpapi

import (
	"errors"
	"net/http"

	"github.com/balticom/lineage/pkg/httpjson"
)

// Error codes of the answers, documented in openapi.yaml.
const (
	codeUnauthorized     = "unauthorized"
	codeNotFound         = "not_found"
	codeAuditUnavailable = "audit_unavailable"
	codeTimeout          = "timeout"
	codeCancelled        = "cancelled"
	codeInternal         = "internal"
	codeTooManyWindows   = "too_many_identifier_windows"
	codeTooManyEvents    = "too_many_events"
	codeNotConfigured    = "not_configured"
	codeNotExposed       = "not_exposed"
	codeLetterWithheld   = "letter_withheld"
	codeNoErasure        = "no_erasure"
)

// writeJSON writes v with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) { httpjson.Write(w, status, v) }

// writeError answers the project's error shape, {"error": {...}}.
func writeError(w http.ResponseWriter, status int, code, message string) {
	httpjson.WriteError(w, status, httpjson.Error{Code: code, Message: message})
}

// writeParamError answers 400 for a *ParamError, naming the field and rule.
func writeParamError(w http.ResponseWriter, err error) {
	var pe *ParamError
	if !errors.As(err, &pe) {
		pe = invalid("query", err.Error())
	}
	httpjson.WriteError(w, http.StatusBadRequest, httpjson.Error{Code: pe.Code, Field: pe.Field, Message: pe.Rule})
}
