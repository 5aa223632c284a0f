package httpauth

import (
	"errors"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestParseTokens(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		callers []string
		wantErr string
	}{
		{name: "one", in: "dsar-desk:0123456789abcdef", callers: []string{"dsar-desk"}},
		{name: "two with spaces", in: " dsar-desk:0123456789abcdef , dpo:fedcba9876543210:x ", callers: []string{"dsar-desk", "dpo"}},
		{name: "trailing comma", in: "dpo:0123456789abcdef,", callers: []string{"dpo"}},
		{name: "empty", in: "", wantErr: "no tokens"},
		{name: "no colon", in: "0123456789abcdef", wantErr: "entry 1: want name:token"},
		{name: "short token", in: "dpo:0123456789abcdef,desk:short", wantErr: "entry 2 (desk): token shorter than 16"},
		{name: "white space in token", in: "dpo:0123456789 abcdef", wantErr: "entry 1 (dpo): token contains white space"},
		{name: "bad name", in: "dpo office:0123456789abcdef", wantErr: "entry 1: name must be"},
		{name: "empty name", in: ":0123456789abcdef", wantErr: "entry 1: name must be"},
		{name: "long name", in: strings.Repeat("n", MaxNameLen+1) + ":0123456789abcdef", wantErr: "entry 1: name must be"},
		{name: "same name", in: "dpo:0123456789abcdef,dpo:0123456789abcdeX", wantErr: "entry 2 (dpo): name given twice"},
		{name: "same token", in: "dpo:0123456789abcdef,desk:0123456789abcdef", wantErr: "entry 2 (desk): token given to another caller"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTokens(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "0123456789") {
					t.Errorf("error reveals a token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTokens: %v", err)
			}
			if got.Len() != len(tt.callers) || !reflect.DeepEqual(got.Names(), tt.callers) {
				t.Errorf("Len, Names = %d, %v; want %v", got.Len(), got.Names(), tt.callers)
			}
		})
	}
}

func TestTokensLookup(t *testing.T) {
	tokens, err := ParseTokens("dsar-desk:0123456789abcdef,dpo:fedcba9876543210")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		token, want string
		ok          bool
	}{
		{token: "0123456789abcdef", want: "dsar-desk", ok: true},
		{token: "fedcba9876543210", want: "dpo", ok: true},
		{token: "0123456789abcde", ok: false},
		{token: "0123456789abcdef0", ok: false},
		{token: "", ok: false},
	}
	for _, tt := range tests {
		got, ok := tokens.Lookup(tt.token)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tt.token, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		header, want string
		ok           bool
	}{
		{header: "Bearer abc", want: "abc", ok: true},
		{header: "bearer abc", want: "abc", ok: true},
		{header: "Bearer  abc ", want: "abc", ok: true},
		{header: "Basic abc", ok: false},
		{header: "Bearer ", ok: false},
		{header: "Bearer", ok: false},
		{header: "abc", ok: false},
	}
	for _, tt := range tests {
		got, ok := BearerToken(tt.header)
		if got != tt.want || ok != tt.ok {
			t.Errorf("BearerToken(%q) = %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAuthenticate(t *testing.T) {
	tokens, err := ParseTokens("crm:0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		header    string
		want      string
		wantErr   error
		challenge string
	}{
		{name: "valid", header: "Bearer 0123456789abcdef", want: "crm"},
		{name: "none", wantErr: ErrNoCredential, challenge: `Bearer realm="lineage"`},
		{name: "wrong token", header: "Bearer 0123456789abcdeX", wantErr: ErrBadCredential,
			challenge: `Bearer realm="lineage", error="invalid_token"`},
		{name: "other scheme", header: "Basic Y3JtOnB3", wantErr: ErrBadCredential,
			challenge: `Bearer realm="lineage", error="invalid_token"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			got, err := tokens.Authenticate(r)
			if got != tt.want || !errors.Is(err, tt.wantErr) {
				t.Fatalf("Authenticate = %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
			if err != nil {
				if c := Challenge("lineage", err); c != tt.challenge {
					t.Errorf("Challenge = %s, want %s", c, tt.challenge)
				}
			}
		})
	}
}
