package httpapi

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/balticom/lineage/pkg/httphealth"
	"github.com/balticom/lineage/pkg/httpjson"
	"github.com/balticom/lineage/services/api/internal/audit"
)

// TestOpenAPIDocumentsEveryField keeps openapi.yaml in step with the JSON
// shapes: every field the API writes must be named there.
func TestOpenAPIDocumentsEveryField(t *testing.T) {
	doc, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		t.Fatalf("read openapi.yaml: %v", err)
	}
	text := string(doc)
	for _, v := range []any{
		recipientsResponse{}, recipientView{}, eventsResponse{}, eventView{}, actorView{}, identifierView{},
		unresolvedResponse{}, unresolvedKindView{},
		eventRecipientView{}, httpjson.Error{}, httphealth.Response{},
	} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if !regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(name) + `:`).MatchString(text) {
				t.Errorf("openapi.yaml does not document %s.%s (%q)", typ.Name(), typ.Field(i).Name, name)
			}
		}
	}
	typ := reflect.TypeOf(audit.Record{})
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if !strings.Contains(text, `"`+name+`"`) {
			t.Errorf("openapi.yaml does not describe audit record field %q", name)
		}
	}
	for _, code := range []string{codeInvalidParameter, codeUnknownParameter, codeUnauthorized, codeNotFound,
		codeAuditUnavailable, codeTimeout, codeCancelled, codeInternal, codeTooManyWindows} {
		if !strings.Contains(text, code) {
			t.Errorf("openapi.yaml does not list error code %q", code)
		}
	}
}
