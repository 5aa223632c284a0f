package httpingest

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/balticom/lineage/pkg/httphealth"
	"github.com/balticom/lineage/services/gateway/internal/eventjson"
)

// openAPI is openapi.yaml as generic YAML.
func openAPI(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("../../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("parse openapi.yaml: %v", err)
	}
	return doc
}

// at walks doc along keys; a missing key fails the test.
func at(t *testing.T, doc any, keys ...string) any {
	t.Helper()
	for i, k := range keys {
		m, ok := doc.(map[string]any)
		if !ok || m[k] == nil {
			t.Fatalf("openapi.yaml has no %s", strings.Join(keys[:i+1], "."))
		}
		doc = m[k]
	}
	return doc
}

func keys(m any) []string {
	var out []string
	for k := range m.(map[string]any) {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// jsonNames returns the JSON names of a struct's fields, embedded structs
// flattened as encoding/json does.
func jsonNames(typ reflect.Type) []string {
	var out []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Anonymous {
			out = append(out, jsonNames(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// TestOpenAPIDocumentsEveryField keeps openapi.yaml in step with the code:
// each schema names exactly the members the decoder accepts or the answer
// types write, and the error codes are exactly the ones answered.
func TestOpenAPIDocumentsEveryField(t *testing.T) {
	doc := openAPI(t)
	schemas := at(t, doc, "components", "schemas")
	members := eventjson.Members()
	want := map[string][]string{
		"Batch": members["batch"], "Event": members["event"], "Actor": members["actor"], "Recipient": members["recipient"],
		"Identifier": members["identifier"], "LinkBatch": members["link_batch"], "Link": members["link"],
		"EventAccepted": jsonNames(reflect.TypeFor[eventResponse]()),
		"BatchAccepted": jsonNames(reflect.TypeFor[batchResponse]()),
		"LinksAccepted": jsonNames(reflect.TypeFor[linksResponse]()),
		"ErrorObject":   jsonNames(reflect.TypeFor[errorView]()),
		"EventProblem":  jsonNames(reflect.TypeFor[eventProblem]()),
		"Health":        jsonNames(reflect.TypeFor[httphealth.Response]()),
	}
	for schema, fields := range want {
		fields = slices.Sorted(slices.Values(fields))
		if got := keys(at(t, schemas, schema, "properties")); !slices.Equal(got, fields) {
			t.Errorf("schema %s documents %v, the code has %v", schema, got, fields)
		}
	}
	if got := jsonNames(reflect.TypeFor[errorBodyForDoc]()); !slices.Equal(got, keys(at(t, schemas, "Error", "properties"))) {
		t.Errorf("schema Error documents %v, the code has %v", keys(at(t, schemas, "Error", "properties")), got)
	}

	codes := []string{codeMalformedJSON, codeUnknownField, codeInvalidField, codeBatchSize, codeUnreadableBody,
		codeBodyTooLarge, codeUnsupportedMediaType, codeInvalidEvent, codeInvalidLink, codeIdentifiersNotAccepted,
		codeUnauthorized, codeForbiddenSource, codeOverloaded, codeKafkaUnavailable, codeNotFound, codeMethodNotAllowed}
	var enum []string
	for _, c := range at(t, schemas, "ErrorObject", "properties", "code", "enum").([]any) {
		enum = append(enum, c.(string))
	}
	if !slices.Equal(slices.Sorted(slices.Values(enum)), slices.Sorted(slices.Values(codes))) {
		t.Errorf("documented error codes %v, the code answers %v", enum, codes)
	}
	for name, resp := range at(t, doc, "components", "responses").(map[string]any) {
		for _, ex := range examples(t, at(t, resp, "content", "application/json")) {
			code := at(t, ex, "error", "code").(string)
			if !slices.Contains(codes, code) {
				t.Errorf("response %s: example with unknown code %q", name, code)
			}
		}
	}
}

// errorBodyForDoc is the shape of every error answer.
type errorBodyForDoc struct {
	Error errorView `json:"error"`
}

// examples returns the example values of a media type object.
func examples(t *testing.T, media any) []any {
	t.Helper()
	m := media.(map[string]any)
	if ex, ok := m["example"]; ok {
		return []any{ex}
	}
	var out []any
	for _, ex := range at(t, m, "examples").(map[string]any) {
		out = append(out, at(t, ex, "value"))
	}
	return out
}

// TestOpenAPIExamplesAreValid decodes every request example with the
// strict decoder and validates it against the taxonomy.
func TestOpenAPIExamplesAreValid(t *testing.T) {
	doc := openAPI(t)
	d := &eventjson.Decoder{NewID: func() string { return "00000000-0000-4000-8000-000000000001" }, Keyer: testKeyer}
	received := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	checked, identified, restricted := 0, 0, 0
	for _, path := range []string{"/v1/events", "/v1/events/batch", "/v1/identity-links"} {
		media := at(t, doc, "paths", path, "post", "requestBody", "content", "application/json")
		for i, ex := range examples(t, media) {
			checked++
			body, err := json.Marshal(ex)
			if err != nil {
				t.Fatal(err)
			}
			if path == "/v1/identity-links" {
				links, err := d.DecodeLinks(bytes.NewReader(body), received, "crm")
				if err != nil {
					t.Errorf("%s example %d: %v", path, i, err)
					continue
				}
				for j := range links {
					if err := links[j].Validate(received); err != nil {
						t.Errorf("%s example %d link %d: %v", path, i, j, err)
					}
				}
				continue
			}
			if path == "/v1/events" {
				e, err := d.DecodeEvent(bytes.NewReader(body), received)
				if err != nil {
					t.Errorf("%s example %d: %v", path, i, err)
					continue
				}
				if err := e.Validate(received); err != nil {
					t.Errorf("%s example %d: %v", path, i, err)
				}
				if e.SubjectIdentifier != nil {
					identified++
				}
				if e.Restriction != nil && e.Actor.Employee != nil {
					restricted++
				}
				continue
			}
			batch, err := d.DecodeBatch(bytes.NewReader(body), received)
			if err != nil {
				t.Errorf("%s example %d: %v", path, i, err)
				continue
			}
			for j := range batch {
				if err := batch[j].Validate(received); err != nil {
					t.Errorf("%s example %d event %d: %v", path, i, j, err)
				}
			}
		}
	}
	if checked < 8 || identified < 1 || restricted < 1 {
		t.Errorf("checked %d request examples (%d with subject_identifier, %d restricted with a staff number), want the 8 of openapi.yaml, one identified, one restricted",
			checked, identified, restricted)
	}
}
