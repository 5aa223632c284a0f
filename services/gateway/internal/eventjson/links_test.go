package eventjson

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
)

// linkJSON is a valid link with every member set.
const linkJSON = `{"subject_id":"C00012345","identifier":{"kind":"msisdn","value":"+371 29 123 456"},
"valid_from":"2024-05-01T00:00:00Z","valid_to":"2026-01-31T12:00:00.5+02:00","recorded_at":"2026-03-02T09:00:00Z",
"source_system":"crm","retracted":false}`

// openLinkJSON is a valid link with only the required members and
// source_system.
const openLinkJSON = `{"subject_id":"C00012345","identifier":{"kind":"device","value":"00-1A-2B-3C-4D-5E"},
"valid_from":"2024-05-01T00:00:00Z","source_system":"crm"}`

func links(l ...string) string { return `{"links":[` + strings.Join(l, ",") + `]}` }

func TestDecodeLinks(t *testing.T) {
	msisdn, _ := testKeyer.Identifier(lineage.MSISDN, "29123456")
	mac, _ := testKeyer.Identifier(lineage.Device, "00:1a:2b:3c:4d:5e")
	to := time.Date(2026, 1, 31, 10, 0, 0, 500000000, time.UTC)
	d := decoder()
	d.MaxBatch = 6
	got, err := d.DecodeLinks(strings.NewReader(links(linkJSON, openLinkJSON,
		strings.Replace(openLinkJSON, `"crm"`, `"crm","valid_to":null,"recorded_at":null,"retracted":true`, 1),
		strings.Replace(openLinkJSON, `,"source_system":"crm"`, ``, 1),
		strings.Replace(openLinkJSON, `"crm"`, `null`, 1),
		strings.Replace(openLinkJSON, `"crm"`, `""`, 1))), received, "billing")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	want := []lineage.IdentityLink{
		{SubjectID: "C00012345", Identifier: msisdn, ValidFrom: from, ValidTo: &to,
			RecordedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), SourceSystem: "crm"},
		{SubjectID: "C00012345", Identifier: mac, ValidFrom: from, RecordedAt: received, SourceSystem: "crm"},
		{SubjectID: "C00012345", Identifier: mac, ValidFrom: from, RecordedAt: received, SourceSystem: "crm", Retracted: true},
		// No source_system, or null: the caller's.
		{SubjectID: "C00012345", Identifier: mac, ValidFrom: from, RecordedAt: received, SourceSystem: "billing"},
		{SubjectID: "C00012345", Identifier: mac, ValidFrom: from, RecordedAt: received, SourceSystem: "billing"},
		// An empty one is kept, for the caller to refuse.
		{SubjectID: "C00012345", Identifier: mac, ValidFrom: from, RecordedAt: received, SourceSystem: ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	for i := range got[:5] {
		if err := got[i].Validate(received); err != nil {
			t.Errorf("link %d invalid: %v", i, err)
		}
	}
}

func TestDecodeLinksErrors(t *testing.T) {
	tests := []struct {
		name, body, field, ruleHas string
		kind                       error
		noKey                      bool
	}{
		{name: "no identity key", body: links(openLinkJSON), noKey: true,
			kind: ErrNoIdentityKey, field: "links[0].identifier", ruleHas: "not accepted"},
		{name: "too many", body: links(openLinkJSON, openLinkJSON, openLinkJSON, openLinkJSON),
			kind: ErrBatchSize, field: "links", ruleHas: "at most 3 links"},
		{name: "empty", body: links(), kind: ErrBatchSize, field: "links", ruleHas: "at least one link"},
		{name: "no links member", body: `{}`, kind: ErrInvalidField, field: "links", ruleHas: "required"},
		{name: "events sent here", body: batch(accessJSON), kind: ErrUnknownField, field: "events", ruleHas: "POST /v1/events/batch"},
		{name: "a single link", body: openLinkJSON, kind: ErrUnknownField, field: "subject_id", ruleHas: "identity link schema"},
		{name: "unknown member", body: links(strings.Replace(openLinkJSON, `"crm"`, `"crm","valid_until":null`, 1)),
			kind: ErrUnknownField, field: "links[0].valid_until", ruleHas: "not in the identity link schema"},
		{name: "unknown identifier member", body: links(openLinkJSON, strings.Replace(openLinkJSON, `"kind"`, `"hmac":"x","kind"`, 1)),
			kind: ErrUnknownField, field: "links[1].identifier.hmac"},
		{name: "invalid number", body: links(strings.Replace(linkJSON, "+371 29 123 456", "+371 29 123 456 ext 7", 1)),
			kind: ErrInvalidField, field: "links[0].identifier.value", ruleHas: "msisdn: only digits"},
		{name: "identifier null", body: links(strings.Replace(openLinkJSON, `{"kind":"device","value":"00-1A-2B-3C-4D-5E"}`, `null`, 1)),
			kind: ErrInvalidField, field: "links[0].identifier", ruleHas: "must be an object, got null"},
		{name: "missing identifier", body: links(strings.Replace(openLinkJSON, `"identifier":{"kind":"device","value":"00-1A-2B-3C-4D-5E"},`, ``, 1)),
			kind: ErrInvalidField, field: "links[0].identifier", ruleHas: "required"},
		{name: "source not a string", body: links(strings.Replace(openLinkJSON, `"crm"`, `7`, 1)),
			kind: ErrInvalidField, field: "links[0].source_system", ruleHas: "must be a string or null, got a number"},
		{name: "bad valid_from", body: links(strings.Replace(openLinkJSON, `2024-05-01T00:00:00Z`, `2024-05-01`, 1)),
			kind: ErrInvalidField, field: "links[0].valid_from", ruleHas: "RFC 3339"},
		{name: "valid_from null", body: links(strings.Replace(openLinkJSON, `"2024-05-01T00:00:00Z"`, `null`, 1)),
			kind: ErrInvalidField, field: "links[0].valid_from", ruleHas: "got null"},
		{name: "retracted a string", body: links(strings.Replace(openLinkJSON, `"crm"`, `"crm","retracted":"yes"`, 1)),
			kind: ErrInvalidField, field: "links[0].retracted", ruleHas: "must be a boolean or null, got a string"},
		{name: "retracted malformed", body: links(strings.Replace(openLinkJSON, `"crm"`, `"crm","retracted":tru`, 1)),
			kind: ErrMalformed, field: "links[0].retracted", ruleHas: "not valid JSON"},
		{name: "trailing garbage", body: links(openLinkJSON) + "]", kind: ErrMalformed, ruleHas: "data after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decoder()
			if tt.noKey {
				d.Keyer = nil
			}
			_, err := d.DecodeLinks(strings.NewReader(tt.body), received, "crm")
			checkError(t, err, tt.kind, tt.field, tt.ruleHas)
			if strings.Contains(err.Error(), "29 123 456") || strings.Contains(err.Error(), "2B-3C") {
				t.Errorf("error echoes the identifier: %v", err)
			}
		})
	}
}

// TestLinksToEventEndpoints: a links body posted for events is named.
func TestLinksToEventEndpoints(t *testing.T) {
	_, err := decoder().DecodeEvent(strings.NewReader(links(openLinkJSON)), received)
	checkError(t, err, ErrUnknownField, "links", "POST /v1/identity-links")
	_, err = decoder().DecodeBatch(strings.NewReader(links(openLinkJSON)), received)
	checkError(t, err, ErrUnknownField, "links", "POST /v1/identity-links")
}
