package httpingest

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/balticom/lineage/pkg/httpjson"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/services/gateway/internal/eventjson"
)

// Error codes of the answers, documented in openapi.yaml.
const (
	codeMalformedJSON        = "malformed_json"
	codeUnknownField         = "unknown_field"
	codeInvalidField         = "invalid_field"
	codeBatchSize            = "batch_size"
	codeUnreadableBody       = "unreadable_body"
	codeBodyTooLarge         = "body_too_large"
	codeUnsupportedMediaType = "unsupported_media_type"
	codeInvalidEvent         = "invalid_event"
	codeInvalidLink          = "invalid_link"
	codeUnauthorized         = "unauthorized"
	codeForbiddenSource      = "forbidden_source"
	codeOverloaded           = "overloaded"
	codeKafkaUnavailable     = "kafka_unavailable"
	codeNotFound             = "not_found"
	codeMethodNotAllowed     = "method_not_allowed"

	// codeIdentifiersNotAccepted: an identifier sent to a gateway without
	// an identity key. 422, not 400: the body may be right; and not 5xx:
	// sending it again does not help until the operator sets a key.
	codeIdentifiersNotAccepted = "identifiers_not_accepted"
)

// Retry-After (seconds) of a refusal for load and of a Kafka failure.
const (
	retryAfterOverloaded  = "1"
	retryAfterUnavailable = "5"
)

// eventResponse answers a single event (201).
type eventResponse struct {
	EventID string `json:"event_id"`
}

// batchResponse answers a batch (200): the ids in the order posted.
type batchResponse struct {
	EventIDs []string `json:"event_ids"`
}

// linksResponse answers identity links (200): how many Kafka acknowledged,
// all of them. It does not give back the identifiers' HMACs: a gateway
// answering them would hash any number for anyone with a token.
type linksResponse struct {
	Published int `json:"published"`
}

// errorView is the project's error object plus, when the error is about
// events or links, one entry per offending event or link.
type errorView struct {
	httpjson.Error
	Events []eventProblem `json:"events,omitempty"`
	Links  []eventProblem `json:"links,omitempty"`
}

// eventProblem is one offending event or link: its index in the request (0
// for a single event), and either the field and rule it breaks (400, 403)
// or, for an event, its id (503: send it again). Value is the offending
// code, for codes only: identifiers and attributes are never echoed.
type eventProblem struct {
	Index   int    `json:"index"`
	EventID string `json:"event_id,omitempty"`
	Field   string `json:"field,omitempty"`
	Rule    string `json:"rule,omitempty"`
	Value   string `json:"value,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) { httpjson.Write(w, status, v) }

func writeError(w http.ResponseWriter, status int, code, field, message string) {
	httpjson.WriteError(w, status, errorView{Error: httpjson.Error{Code: code, Field: field, Message: message}})
}

func writeEventsError(w http.ResponseWriter, status int, code, field, message string, events []eventProblem) {
	httpjson.WriteError(w, status, errorView{Error: httpjson.Error{Code: code, Field: field, Message: message}, Events: events})
}

func writeLinksError(w http.ResponseWriter, status int, code, field, message string, links []eventProblem) {
	httpjson.WriteError(w, status, errorView{Error: httpjson.Error{Code: code, Field: field, Message: message}, Links: links})
}

// writeDecodeError answers an error of eventjson or of the body limit.
func writeDecodeError(w http.ResponseWriter, err error, maxBody int64) {
	var (
		tooLarge *http.MaxBytesError
		de       *eventjson.Error
	)
	if errors.As(err, &tooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, codeBodyTooLarge, "",
			fmt.Sprintf("the body is larger than %d bytes: send fewer events per request", maxBody))
		return
	}
	if !errors.As(err, &de) {
		de = &eventjson.Error{Kind: eventjson.ErrMalformed, Rule: err.Error()}
	}
	code, status := codeMalformedJSON, http.StatusBadRequest
	switch {
	case errors.Is(de.Kind, eventjson.ErrNoIdentityKey):
		code, status = codeIdentifiersNotAccepted, http.StatusUnprocessableEntity
	case errors.Is(de.Kind, eventjson.ErrUnknownField):
		code = codeUnknownField
	case errors.Is(de.Kind, eventjson.ErrInvalidField):
		code = codeInvalidField
	case errors.Is(de.Kind, eventjson.ErrBatchSize):
		code = codeBatchSize
	case errors.Is(de.Kind, eventjson.ErrUnreadable):
		code = codeUnreadableBody
	}
	writeError(w, status, code, de.Field, de.Error())
}

// fieldPath is the path of an event's field in the request body.
func fieldPath(batch bool, index int, field string) string {
	if !batch {
		return field
	}
	if field == "" {
		return fmt.Sprintf("events[%d]", index)
	}
	return fmt.Sprintf("events[%d].%s", index, field)
}

// validationProblems lists every broken rule of err (a
// *lineage.ValidationError) as problems of the event at index.
func validationProblems(index int, err error) []eventProblem {
	var ve *lineage.ValidationError
	if !errors.As(err, &ve) {
		return []eventProblem{{Index: index, Rule: err.Error()}}
	}
	out := make([]eventProblem, len(ve.Fields))
	for i, f := range ve.Fields {
		out[i] = eventProblem{Index: index, Field: f.Field, Rule: f.Rule, Value: f.Value}
	}
	return out
}

func handleNotFound(w http.ResponseWriter, _ *http.Request) {
	writeError(w, http.StatusNotFound, codeNotFound, "",
		"no such endpoint: events go to POST /v1/events or POST /v1/events/batch, identity links to POST /v1/identity-links")
}

func handleMethodNotAllowed(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Allow", http.MethodPost)
	writeError(w, http.StatusMethodNotAllowed, codeMethodNotAllowed, "", "use POST")
}
