// Package httpjson writes the project's JSON answers and its one error
// shape, {"error": {"code", "field", "message"}}, shared by every HTTP
// service so that a client handles the errors of all of them alike.
//
// A service that needs more in an error (a list of offending items, say)
// embeds Error in its own struct: the embedded fields stay at the same
// level in the JSON.
package httpjson

import (
	"encoding/json"
	"net/http"
)

// Error is the object under "error". Code is a stable, documented word
// (clients switch on it); Field names the offending parameter or body
// member when there is one; Message is for people.
type Error struct {
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Body is an error answer: {"error": E}. E is Error or a struct embedding
// it.
type Body[E any] struct {
	Error E `json:"error"`
}

// Write writes v as JSON with the given status. An encoding error can only
// be a programming error or a gone client; the status is already out, so it
// is not reported.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError writes {"error": e} with the given status.
func WriteError[E any](w http.ResponseWriter, status int, e E) {
	Write(w, status, Body[E]{Error: e})
}
