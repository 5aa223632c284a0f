package eventjson

import (
	"errors"
	"strings"
	"testing"

	"github.com/balticom/lineage/pkg/lineage"
)

// clearNumber is the phone number the identifier tests send; no error and
// no decoded value may hold it.
const clearNumber = "+371 29 123 456"

// identifiedJSON is accessJSON with subject_identifier instead of
// subject_id.
var identifiedJSON = strings.Replace(accessJSON, `"subject_id":"C00012345"`,
	`"subject_identifier":{"kind":"msisdn","value":"`+clearNumber+`"}`, 1)

// identified returns identifiedJSON with its identifier object replaced.
func identified(t *testing.T, object string) string {
	t.Helper()
	return replace(t, `"subject_id":"C00012345"`, `"subject_identifier":`+object)
}

func TestDecodeIdentifiedEvent(t *testing.T) {
	want, err := testKeyer.Identifier(lineage.MSISDN, "29123456")
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		identifiedJSON,
		identified(t, `{"value":"0037129123456","kind":"msisdn"}`), // any order, any spelling of the number
		replace(t, `"subject_id":"C00012345"`, `"subject_id":"","subject_identifier":{"kind":"msisdn","value":"29 12 34 56"}`),
	} {
		e, err := decoder().DecodeEvent(strings.NewReader(body), received)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if e.SubjectIdentifier == nil || *e.SubjectIdentifier != want || e.SubjectID != "" {
			t.Errorf("subject %q identifier %+v, want %+v", e.SubjectID, e.SubjectIdentifier, want)
		}
		if err := e.Validate(received); err != nil {
			t.Errorf("decoded event invalid: %v", err)
		}
	}

	// Both ways of naming the subject decode; Validate refuses the event.
	both := replace(t, `"subject_id":"C00012345"`, `"subject_id":"C00012345","subject_identifier":{"kind":"msisdn","value":"29123456"}`)
	e, err := decoder().DecodeEvent(strings.NewReader(both), received)
	if err != nil {
		t.Fatal(err)
	}
	var ve *lineage.ValidationError
	if err := e.Validate(received); !errors.As(err, &ve) || ve.Fields[0].Field != "subject_id" {
		t.Errorf("Validate of an event with both = %v, want subject_id refused", err)
	}
}

func TestDecodeIdentifierErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    func(t *testing.T) string
		dec     *Decoder
		kind    error
		field   string
		ruleHas string
	}{
		{name: "no identity key", body: func(*testing.T) string { return identifiedJSON },
			dec: &Decoder{}, kind: ErrNoIdentityKey, field: "subject_identifier", ruleHas: "no identity key is configured"},
		{name: "no identity key in a batch", body: func(*testing.T) string { return batch(accessJSON, identifiedJSON) },
			dec: &Decoder{}, kind: ErrNoIdentityKey, field: "events[1].subject_identifier", ruleHas: "not accepted"},
		{name: "not a phone number", body: func(t *testing.T) string { return identified(t, `{"kind":"msisdn","value":"+371 29x"}`) },
			kind: ErrInvalidField, field: "subject_identifier.value", ruleHas: "msisdn: only digits"},
		{name: "too short", body: func(t *testing.T) string { return identified(t, `{"kind":"msisdn","value":"2912"}`) },
			kind: ErrInvalidField, field: "subject_identifier.value", ruleHas: "msisdn: must be an E.164 number"},
		{name: "bad in a batch", body: func(t *testing.T) string {
			return batch(accessJSON, accessJSON, identified(t, `{"kind":"ip_address","value":"10.1.2"}`))
		}, kind: ErrInvalidField, field: "events[2].subject_identifier.value", ruleHas: "ip_address: must be an IPv4 or IPv6 address"},
		{name: "unknown kind", body: func(t *testing.T) string { return identified(t, `{"kind":"imsi","value":"247010000000001"}`) },
			kind: ErrInvalidField, field: "subject_identifier.kind", ruleHas: "must be msisdn, ip_address, contract or device"},
		{name: "unknown member", body: func(t *testing.T) string {
			return identified(t, `{"kind":"msisdn","value":"29123456","hmac":"00"}`)
		}, kind: ErrUnknownField, field: "subject_identifier.hmac", ruleHas: "unknown field"},
		{name: "missing value", body: func(t *testing.T) string { return identified(t, `{"kind":"msisdn"}`) },
			kind: ErrInvalidField, field: "subject_identifier.value", ruleHas: "required"},
		{name: "missing kind", body: func(t *testing.T) string { return identified(t, `{"value":"29123456"}`) },
			kind: ErrInvalidField, field: "subject_identifier.kind", ruleHas: "required"},
		{name: "value a number", body: func(t *testing.T) string { return identified(t, `{"kind":"msisdn","value":37129123456}`) },
			kind: ErrInvalidField, field: "subject_identifier.value", ruleHas: "must be a string, got a number"},
		{name: "kind given twice", body: func(t *testing.T) string {
			return identified(t, `{"kind":"msisdn","kind":"device","value":"29123456"}`)
		}, kind: ErrInvalidField, field: "subject_identifier.kind", ruleHas: "given twice"},
		{name: "a string", body: func(t *testing.T) string { return identified(t, `"`+clearNumber+`"`) },
			kind: ErrInvalidField, field: "subject_identifier", ruleHas: "must be an object or null, got a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.dec
			if d == nil {
				d = decoder()
			}
			d.MaxBatch = 3
			body := tt.body(t)
			var err error
			if strings.HasPrefix(body, `{"events"`) {
				_, err = d.DecodeBatch(strings.NewReader(body), received)
			} else {
				_, err = d.DecodeEvent(strings.NewReader(body), received)
			}
			checkError(t, err, tt.kind, tt.field, tt.ruleHas)
			for _, clear := range []string{clearNumber, "29x", "29123456", "37129123456", "10.1.2", "247010000000001"} {
				if strings.Contains(err.Error(), clear) {
					t.Errorf("error echoes the identifier %q: %v", clear, err)
				}
			}
		})
	}
}
