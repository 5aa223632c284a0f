package eventjson

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/pkg/lineage"
)

var received = time.Date(2026, 3, 2, 9, 31, 0, 0, time.UTC)

const fixedID = "00000000-0000-4000-8000-0000000000ff"

// testKeyer hashes identifiers in tests: a fixed key of 32 sevens.
var testKeyer = func() *identity.Keyer {
	k, err := identity.NewKeyer(bytes.Repeat([]byte{7}, identity.MinKeyBytes))
	if err != nil {
		panic(err)
	}
	return k
}()

func decoder() *Decoder {
	return &Decoder{MaxBatch: 3, NewID: func() string { return fixedID }, Keyer: testKeyer}
}

// transferJSON is a valid transfer with every member set.
const transferJSON = `{
  "event_id": "00000000-0000-4000-8000-000000000001",
  "kind": "transfer",
  "occurred_at": "2026-03-02T09:30:00.123456Z",
  "recorded_at": "2026-03-02T11:30:00.5+02:00",
  "source_system": "billing",
  "actor": {"type": "service_account", "id": "svc-billing-payments"},
  "subject_id": "C00012345",
  "data_categories": ["billing", "identification"],
  "purpose": "service_provision",
  "legal_basis": "contract",
  "legitimate_interest": null,
  "recipient": {"id": "rcp-bank-swedbank", "name": "Swedbank AS", "category": "bank", "country": "LV", "transfer_mechanism": null},
  "attributes": {"ticket": "CC-1"}
}`

// accessJSON is a valid access with only the required members.
const accessJSON = `{"kind":"access","occurred_at":"2026-03-02T09:30:00Z","source_system":"crm",
"actor":{"type":"employee_role","id":"call_centre_agent"},"subject_id":"C00012345",
"data_categories":["contact"],"purpose":"service_provision","legal_basis":"contract"}`

func TestDecodeEvent(t *testing.T) {
	got, err := decoder().DecodeEvent(strings.NewReader(transferJSON), received)
	if err != nil {
		t.Fatal(err)
	}
	want := lineage.Event{
		ID: "00000000-0000-4000-8000-000000000001", Kind: lineage.Transfer,
		OccurredAt:   time.Date(2026, 3, 2, 9, 30, 0, 123456000, time.UTC),
		RecordedAt:   time.Date(2026, 3, 2, 9, 30, 0, 500000000, time.UTC),
		SourceSystem: "billing",
		Actor:        lineage.Actor{Type: lineage.ServiceAccount, ID: "svc-billing-payments"},
		SubjectID:    "C00012345", DataCategories: []string{"billing", "identification"},
		Purpose: "service_provision", LegalBasis: "contract",
		Recipient:  &lineage.Recipient{ID: "rcp-bank-swedbank", Name: "Swedbank AS", Category: "bank", Country: "LV"},
		Attributes: map[string]string{"ticket": "CC-1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if err := got.Validate(received); err != nil {
		t.Errorf("decoded event invalid: %v", err)
	}
}

// TestDecodeVersion3Members: the staff number of a person who acted, and a
// restriction, as schema version 3 has them: given, null or absent.
func TestDecodeVersion3Members(t *testing.T) {
	const basis = "Kriminālprocesa likums, 375. pants"
	police := strings.Replace(transferJSON,
		`{"type": "service_account", "id": "svc-billing-payments"}`, `{"type": "employee_role", "id": "retained_data_officer"}`, 1)
	police = strings.Replace(police,
		`{"id": "rcp-bank-swedbank", "name": "Swedbank AS", "category": "bank", "country": "LV", "transfer_mechanism": null}`,
		`{"id": "rcp-le-valsts-policija", "name": "Valsts policija", "category": "law_enforcement", "country": "LV"}`, 1)
	with := func(employee, restriction string) string {
		body := police
		if employee != "" {
			body = strings.Replace(body, `"id": "retained_data_officer"`, `"id": "retained_data_officer", "employee": `+employee, 1)
		}
		if restriction != "" {
			body = strings.Replace(body, `"attributes"`, `"restriction": `+restriction+`, "attributes"`, 1)
		}
		return body
	}
	review := time.Date(2027, 9, 1, 22, 0, 0, 0, time.UTC)
	tests := []struct {
		name            string
		body            string
		wantEmployee    *string
		wantRestriction *lineage.Restriction
	}{
		{name: "both given", wantEmployee: lineage.Ptr("E3001"), wantRestriction: &lineage.Restriction{Basis: basis, ReviewAt: review},
			body: with(`"E3001"`, `{"basis": "`+basis+`", "review_at": "2027-09-02T00:00:00+02:00"}`)},
		{name: "members in any order, review in microseconds", wantRestriction: &lineage.Restriction{Basis: basis, ReviewAt: review.Add(123456 * time.Microsecond)},
			body: with("", `{"review_at": "2027-09-01T22:00:00.123456Z", "basis": "`+basis+`"}`)},
		{name: "escaped basis", wantEmployee: lineage.Ptr("E3001"), wantRestriction: &lineage.Restriction{Basis: basis, ReviewAt: review},
			body: with(`"E\u00330\u00301"`, `{"basis": "Krimin\u0101lprocesa likums, 375. pants", "review_at": "2027-09-01T22:00:00Z"}`)},
		{name: "both null", body: with("null", "null")},
		{name: "both absent", body: with("", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decoder().DecodeEvent(strings.NewReader(tt.body), received)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Actor.Employee, tt.wantEmployee) || !reflect.DeepEqual(got.Restriction, tt.wantRestriction) {
				t.Errorf("employee %v, restriction %+v; want %v, %+v", lineage.Deref(got.Actor.Employee), got.Restriction,
					lineage.Deref(tt.wantEmployee), tt.wantRestriction)
			}
			if err := got.Validate(received); err != nil {
				t.Errorf("decoded event invalid: %v", err)
			}
		})
	}
}

func TestDecodeEventDefaults(t *testing.T) {
	tests := []struct {
		name         string
		body         string
		wantID       string
		wantRecorded time.Time
	}{
		{name: "absent", body: accessJSON, wantID: fixedID, wantRecorded: received},
		{name: "null", body: strings.Replace(accessJSON, `{"kind"`, `{"event_id":null,"recorded_at":null,"kind"`, 1),
			wantID: fixedID, wantRecorded: received},
		{name: "occurred after receipt", body: strings.Replace(accessJSON, "09:30:00Z", "09:32:00Z", 1),
			wantID: fixedID, wantRecorded: received.Add(time.Minute)},
		{name: "given", body: strings.Replace(accessJSON, `{"kind"`,
			`{"event_id":"00000000-0000-4000-8000-000000000007","recorded_at":"2026-03-02T09:30:01Z","kind"`, 1),
			wantID: "00000000-0000-4000-8000-000000000007", wantRecorded: time.Date(2026, 3, 2, 9, 30, 1, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := decoder().DecodeEvent(strings.NewReader(tt.body), received)
			if err != nil {
				t.Fatal(err)
			}
			if e.ID != tt.wantID || !e.RecordedAt.Equal(tt.wantRecorded) {
				t.Errorf("id %s, recorded_at %s; want %s, %s", e.ID, e.RecordedAt, tt.wantID, tt.wantRecorded)
			}
			if e.Recipient != nil || e.LegitimateInterest != nil || e.Attributes != nil {
				t.Errorf("absent optional members not nil: %+v", e)
			}
		})
	}
}

// replace returns accessJSON with old replaced by new, failing the test if
// old is not there.
func replace(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(accessJSON, old) {
		t.Fatalf("accessJSON has no %q", old)
	}
	return strings.Replace(accessJSON, old, new, 1)
}

func TestDecodeEventErrors(t *testing.T) {
	long := strings.Repeat(`"contact",`, lineage.MaxCategories) + `"contact"`
	var manyAttrs strings.Builder
	for i := range lineage.MaxAttributes + 1 {
		if i > 0 {
			manyAttrs.WriteByte(',')
		}
		manyAttrs.WriteString(`"k` + strings.Repeat("x", i) + `":"v"`)
	}
	type errorCase struct {
		name      string
		body      func(t *testing.T) string
		kind      error
		field     string
		ruleHas   string
		wantInner bool // Err is set (syntax or read error)
	}
	tests := []errorCase{
		{name: "empty", body: func(*testing.T) string { return "" }, kind: ErrMalformed, ruleHas: "empty"},
		{name: "white space only", body: func(*testing.T) string { return " \n" }, kind: ErrMalformed, ruleHas: "empty"},
		{name: "not an object", body: func(*testing.T) string { return `[]` }, kind: ErrInvalidField, ruleHas: "must be an object, got an array"},
		{name: "malformed", body: func(t *testing.T) string { return replace(t, `"kind":"access"`, `"kind":acc`) },
			kind: ErrMalformed, field: "kind", ruleHas: "not valid JSON at byte 8: want a value"},
		{name: "truncated", body: func(*testing.T) string { return accessJSON[:60] }, kind: ErrMalformed, ruleHas: "ends inside"},
		{name: "trailing garbage", body: func(*testing.T) string { return accessJSON + " x" }, kind: ErrMalformed, ruleHas: "data after"},
		{name: "second value", body: func(*testing.T) string { return accessJSON + accessJSON }, kind: ErrMalformed, ruleHas: "data after"},
		{name: "unknown field", body: func(t *testing.T) string { return replace(t, `"kind"`, `"colour":"red","kind"`) },
			kind: ErrUnknownField, field: "colour", ruleHas: "unknown field"},
		{name: "unknown nested field", body: func(t *testing.T) string { return replace(t, `"type"`, `"name":"Anna","type"`) },
			kind: ErrUnknownField, field: "actor.name"},
		{name: "odd unknown field is quoted", body: func(t *testing.T) string { return replace(t, `"kind"`, `"a.b":1,"kind"`) },
			kind: ErrUnknownField, field: `["a.b"]`},
		{name: "trace is not accepted", body: func(t *testing.T) string { return replace(t, `"kind"`, `"trace":null,"kind"`) },
			kind: ErrUnknownField, field: "trace"},
		{name: "batch sent to the single endpoint", body: func(*testing.T) string { return `{"events":[]}` },
			kind: ErrUnknownField, field: "events", ruleHas: "/v1/events/batch"},
		{name: "duplicate field", body: func(t *testing.T) string { return replace(t, `"kind":"access"`, `"kind":"access","kind":"transfer"`) },
			kind: ErrInvalidField, field: "kind", ruleHas: "given twice"},
		{name: "missing required", body: func(t *testing.T) string { return replace(t, `"purpose":"service_provision",`, ``) },
			kind: ErrInvalidField, field: "purpose", ruleHas: "required"},
		{name: "no subject", body: func(t *testing.T) string { return replace(t, `"subject_id":"C00012345",`, ``) },
			kind: ErrInvalidField, field: "subject_id", ruleHas: "required, or subject_identifier instead"},
		{name: "null identifier is no subject", body: func(t *testing.T) string {
			return replace(t, `"subject_id":"C00012345",`, `"subject_identifier":null,`)
		}, kind: ErrInvalidField, field: "subject_id", ruleHas: "required, or subject_identifier"},
		{name: "missing nested required", body: func(t *testing.T) string { return replace(t, `"type":"employee_role",`, ``) },
			kind: ErrInvalidField, field: "actor.type", ruleHas: "required"},
		{name: "wrong type number", body: func(t *testing.T) string { return replace(t, `"C00012345"`, `12345`) },
			kind: ErrInvalidField, field: "subject_id", ruleHas: "must be a string, got a number"},
		{name: "huge number", body: func(t *testing.T) string { return replace(t, `"C00012345"`, `1e999`) },
			kind: ErrInvalidField, field: "subject_id", ruleHas: "must be a string, got a number"},
		{name: "malformed number", body: func(t *testing.T) string { return replace(t, `"C00012345"`, `01`) },
			kind: ErrMalformed, field: "subject_id", ruleHas: "not valid JSON"},
		{name: "malformed literal", body: func(t *testing.T) string { return replace(t, `"C00012345"`, `nul`) },
			kind: ErrMalformed, field: "subject_id", ruleHas: "not valid JSON"},
		{name: "missing colon", body: func(t *testing.T) string { return replace(t, `"kind":`, `"kind" `) },
			kind: ErrMalformed, field: "kind", ruleHas: "want ':'"},
		{name: "missing comma", body: func(t *testing.T) string { return replace(t, `"access",`, `"access" `) },
			kind: ErrMalformed, field: "", ruleHas: "want ',' or '}'"},
		{name: "trailing comma", body: func(t *testing.T) string { return replace(t, `"contract"}`, `"contract",}`) },
			kind: ErrMalformed, ruleHas: "want a member name"},
		{name: "control character in a string", body: func(t *testing.T) string { return replace(t, `"crm"`, "\"c\nrm\"") },
			kind: ErrMalformed, field: "source_system", ruleHas: "no control character"},
		{name: "bad escape", body: func(t *testing.T) string { return replace(t, `"crm"`, `"c\xrm"`) },
			kind: ErrMalformed, field: "source_system", ruleHas: "an escape"},
		{name: "invalid UTF-8", body: func(t *testing.T) string { return replace(t, `"crm"`, "\"c\xffrm\"") },
			kind: ErrMalformed, field: "source_system", ruleHas: "UTF-8"},
		{name: "unterminated string", body: func(*testing.T) string { return `{"kind":"acc` },
			kind: ErrMalformed, field: "kind", ruleHas: "ends inside"},
		{name: "wrong type null", body: func(t *testing.T) string { return replace(t, `"access"`, `null`) },
			kind: ErrInvalidField, field: "kind", ruleHas: "got null"},
		{name: "wrong type object", body: func(t *testing.T) string { return replace(t, `"crm"`, `{"a":1}`) },
			kind: ErrInvalidField, field: "source_system", ruleHas: "got an object"},
		{name: "actor not an object", body: func(t *testing.T) string {
			return replace(t, `{"type":"employee_role","id":"call_centre_agent"}`, `"agent"`)
		}, kind: ErrInvalidField, field: "actor", ruleHas: "must be an object, got a string"},
		{name: "category not a string", body: func(t *testing.T) string { return replace(t, `["contact"]`, `["contact",true]`) },
			kind: ErrInvalidField, field: "data_categories[1]", ruleHas: "got a boolean"},
		{name: "categories not an array", body: func(t *testing.T) string { return replace(t, `["contact"]`, `"contact"`) },
			kind: ErrInvalidField, field: "data_categories", ruleHas: "must be an array of strings"},
		{name: "too many categories", body: func(t *testing.T) string { return replace(t, `["contact"]`, "["+long+"]") },
			kind: ErrInvalidField, field: "data_categories", ruleHas: "at most 32"},
		{name: "recipient wrong type", body: func(t *testing.T) string { return replace(t, `"legal_basis"`, `"recipient":[],"legal_basis"`) },
			kind: ErrInvalidField, field: "recipient", ruleHas: "an object or null"},
		{name: "recipient missing country", body: func(t *testing.T) string {
			return replace(t, `"legal_basis"`, `"recipient":{"id":"r","name":"n","category":"bank"},"legal_basis"`)
		}, kind: ErrInvalidField, field: "recipient.country", ruleHas: "required"},
		{name: "transfer mechanism wrong type", body: func(t *testing.T) string {
			return replace(t, `"legal_basis"`, `"recipient":{"id":"r","name":"n","category":"bank","country":"US","transfer_mechanism":1},"legal_basis"`)
		}, kind: ErrInvalidField, field: "recipient.transfer_mechanism", ruleHas: "a string or null"},
		{name: "restriction wrong type", body: restricted(`"secret"`),
			kind: ErrInvalidField, field: "restriction", ruleHas: "an object or null"},
		{name: "restriction an array", body: restricted(`[]`),
			kind: ErrInvalidField, field: "restriction", ruleHas: "an object or null, got an array"},
		{name: "restriction empty", body: restricted(`{}`),
			kind: ErrInvalidField, field: "restriction.basis", ruleHas: "required"},
		{name: "restriction without basis", body: restricted(`{"review_at":"2027-01-01T00:00:00Z"}`),
			kind: ErrInvalidField, field: "restriction.basis", ruleHas: "required"},
		{name: "restriction without review", body: restricted(`{"basis":"Kriminālprocesa likums"}`),
			kind: ErrInvalidField, field: "restriction.review_at", ruleHas: "required"},
		{name: "restriction basis null", body: restricted(`{"basis":null,"review_at":"2027-01-01T00:00:00Z"}`),
			kind: ErrInvalidField, field: "restriction.basis", ruleHas: "must be a string, got null"},
		{name: "restriction basis a number", body: restricted(`{"basis":375,"review_at":"2027-01-01T00:00:00Z"}`),
			kind: ErrInvalidField, field: "restriction.basis", ruleHas: "must be a string, got a number"},
		{name: "restriction review null", body: restricted(`{"basis":"KPL","review_at":null}`),
			kind: ErrInvalidField, field: "restriction.review_at", ruleHas: "got null"},
		{name: "restriction review in microseconds since the epoch", body: restricted(`{"basis":"KPL","review_at":1798761600000000}`),
			kind: ErrInvalidField, field: "restriction.review_at", ruleHas: "must be a string (an RFC 3339"},
		{name: "restriction unknown member", body: restricted(`{"basis":"KPL","review_at":"2027-01-01T00:00:00Z","until":1}`),
			kind: ErrUnknownField, field: "restriction.until", ruleHas: "lineage event v3"},
		{name: "restriction basis given twice", body: restricted(`{"basis":"KPL","basis":"KPL","review_at":"2027-01-01T00:00:00Z"}`),
			kind: ErrInvalidField, field: "restriction.basis", ruleHas: "given twice"},
		{name: "restriction given twice", body: func(t *testing.T) string { return replace(t, `"kind"`, `"restriction":null,"restriction":null,"kind"`) },
			kind: ErrInvalidField, field: "restriction", ruleHas: "given twice"},
		{name: "employee wrong type", body: employee(`42`), kind: ErrInvalidField, field: "actor.employee", ruleHas: "a string or null"},
		{name: "employee an object", body: employee(`{"id":"E1042"}`), kind: ErrInvalidField, field: "actor.employee", ruleHas: "a string or null, got an object"},
		{name: "employee given twice", body: employee(`"E1042","employee":"E1043"`), kind: ErrInvalidField, field: "actor.employee", ruleHas: "given twice"},
		{name: "attribute value not a string", body: func(t *testing.T) string { return replace(t, `"kind"`, `"attributes":{"a":"x","b":2},"kind"`) },
			kind: ErrInvalidField, field: "attributes", ruleHas: "key number 2 is a number"},
		{name: "attribute given twice", body: func(t *testing.T) string { return replace(t, `"kind"`, `"attributes":{"a":"x","a":"y"},"kind"`) },
			kind: ErrInvalidField, field: "attributes", ruleHas: "given twice"},
		{name: "too many attributes", body: func(t *testing.T) string { return replace(t, `"kind"`, `"attributes":{`+manyAttrs.String()+`},"kind"`) },
			kind: ErrInvalidField, field: "attributes", ruleHas: "at most 32"},
		{name: "time not a string", body: func(t *testing.T) string { return replace(t, `"2026-03-02T09:30:00Z"`, `1772443800000000`) },
			kind: ErrInvalidField, field: "occurred_at", ruleHas: "must be a string (an RFC 3339"},
		{name: "recorded_at not a string", body: func(t *testing.T) string { return replace(t, `"kind"`, `"recorded_at":true,"kind"`) },
			kind: ErrInvalidField, field: "recorded_at", ruleHas: "got a boolean"},
	}
	badTimes := []string{
		"2026-03-02T09:30:00.1234567Z", // nanoseconds
		"2026-03-02T09:30:00",          // no zone
		"2026-03-02 09:30:00Z",         // space
		"2026-03-02t09:30:00Z",         // lower-case t
		"2026-03-02T09:30:00,5Z",       // comma
		"2026-03-02T09:30:00.Z",        // no digits
		"2026-02-30T09:30:00Z",         // no such day
		"2026-03-02T24:00:00Z",         // hour 24
		"2026-03-02T09:30:00+0200",     // offset without colon
		"2026-03-02",                   // date only
		"1772443800",                   // seconds
		"",
	}
	for _, bad := range badTimes {
		tests = append(tests,
			errorCase{name: "bad time " + bad, body: func(t *testing.T) string { return replace(t, `"2026-03-02T09:30:00Z"`, `"`+bad+`"`) },
				kind: ErrInvalidField, field: "occurred_at", ruleHas: "RFC 3339"},
			errorCase{name: "bad review time " + bad, body: restricted(`{"basis":"KPL","review_at":"` + bad + `"}`),
				kind: ErrInvalidField, field: "restriction.review_at", ruleHas: "RFC 3339"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decoder().DecodeEvent(strings.NewReader(tt.body(t)), received)
			checkError(t, err, tt.kind, tt.field, tt.ruleHas)
			var de *Error
			if errors.As(err, &de) && (de.Err != nil) != tt.wantInner {
				t.Errorf("Err = %v, want set: %v", de.Err, tt.wantInner)
			}
		})
	}
}

// restricted returns accessJSON with the member restriction set to value.
func restricted(value string) func(t *testing.T) string {
	return func(t *testing.T) string { return replace(t, `"kind"`, `"restriction":`+value+`,"kind"`) }
}

// employee returns accessJSON with the actor's member employee set to
// value.
func employee(value string) func(t *testing.T) string {
	return func(t *testing.T) string {
		return replace(t, `"id":"call_centre_agent"}`, `"id":"call_centre_agent","employee":`+value+`}`)
	}
}

func checkError(t *testing.T, err error, kind error, field, ruleHas string) {
	t.Helper()
	var de *Error
	if !errors.As(err, &de) {
		t.Fatalf("err = %v (%T), want *Error", err, err)
	}
	if !errors.Is(err, kind) || de.Field != field || !strings.Contains(de.Rule, ruleHas) {
		t.Errorf("got kind %v field %q rule %q; want %v %q containing %q", de.Kind, de.Field, de.Rule, kind, field, ruleHas)
	}
	if strings.Contains(err.Error(), "C00012345") || strings.Contains(err.Error(), "Anna") {
		t.Errorf("error echoes a value: %v", err)
	}
}

func batch(events ...string) string { return `{"events":[` + strings.Join(events, ",") + `]}` }

func TestDecodeBatch(t *testing.T) {
	events, err := decoder().DecodeBatch(strings.NewReader(batch(transferJSON, accessJSON, accessJSON)), received)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 3 || events[0].Kind != lineage.Transfer || events[1].Kind != lineage.Access || events[2].ID != fixedID {
		t.Errorf("got %+v", events)
	}
}

func TestDecodeBatchErrors(t *testing.T) {
	tests := []struct {
		name, body, field, ruleHas string
		kind                       error
	}{
		{name: "too many", body: batch(accessJSON, accessJSON, accessJSON, accessJSON), kind: ErrBatchSize, field: "events", ruleHas: "at most 3"},
		{name: "empty", body: batch(), kind: ErrBatchSize, field: "events", ruleHas: "at least one"},
		{name: "no events member", body: `{}`, kind: ErrInvalidField, field: "events", ruleHas: "required"},
		{name: "events null", body: `{"events":null}`, kind: ErrInvalidField, field: "events", ruleHas: "got null"},
		{name: "single event body", body: accessJSON, kind: ErrUnknownField, field: "kind"},
		{name: "unknown root member", body: `{"events":[` + accessJSON + `],"x":1}`, kind: ErrUnknownField, field: "x"},
		{name: "events given twice", body: `{"events":[` + accessJSON + `],"events":[]}`, kind: ErrInvalidField, field: "events", ruleHas: "given twice"},
		{name: "error in the second event", body: batch(accessJSON, strings.Replace(accessJSON, `"crm"`, `7`, 1)),
			kind: ErrInvalidField, field: "events[1].source_system", ruleHas: "got a number"},
		{name: "unknown field in the third event", body: batch(accessJSON, accessJSON, strings.Replace(accessJSON, `"kind"`, `"x":1,"kind"`, 1)),
			kind: ErrUnknownField, field: "events[2].x"},
		{name: "event not an object", body: batch(accessJSON, `"x"`), kind: ErrInvalidField, field: "events[1]", ruleHas: "must be an object"},
		{name: "trailing garbage", body: batch(accessJSON) + "}", kind: ErrMalformed, ruleHas: "data after"},
		{name: "malformed in an event", body: batch(accessJSON, `{"kind" "access"}`), kind: ErrMalformed, field: "events[1].kind", ruleHas: "not valid JSON"},
		{name: "review time of the first event", body: batch(strings.Replace(accessJSON, `"kind"`, `"restriction":{"basis":"KPL","review_at":"2027-01-01T00:00:00.0000001Z"},"kind"`, 1), accessJSON),
			kind: ErrInvalidField, field: "events[0].restriction.review_at", ruleHas: "RFC 3339"},
		{name: "staff number of the second event", body: batch(accessJSON, strings.Replace(accessJSON, `"call_centre_agent"}`, `"call_centre_agent","employee":true}`, 1)),
			kind: ErrInvalidField, field: "events[1].actor.employee", ruleHas: "a string or null, got a boolean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decoder().DecodeBatch(strings.NewReader(tt.body), received)
			checkError(t, err, tt.kind, tt.field, tt.ruleHas)
		})
	}
}

func TestDecodeReadError(t *testing.T) {
	boom := errors.New("connection reset")
	_, err := decoder().DecodeBatch(iotest.ErrReader(boom), received)
	if !errors.Is(err, ErrUnreadable) || !errors.Is(err, boom) {
		t.Fatalf("err = %v, want ErrUnreadable wrapping the read error", err)
	}
}
