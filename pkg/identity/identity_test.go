package identity_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/pkg/lineage"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		kind  lineage.IdentifierKind
		value string
		want  string // empty: invalid
	}{
		{lineage.MSISDN, "+371 29 123 456", "+37129123456"},
		{lineage.MSISDN, "0037129123456", "+37129123456"},
		{lineage.MSISDN, "29123456", "+37129123456"},
		{lineage.MSISDN, "(+371) 29-123-456", "+37129123456"},
		{lineage.MSISDN, "+49 151 1234 5678", "+4915112345678"},
		{lineage.MSISDN, "67123456", ""}, // a landline without country code: ambiguous
		{lineage.MSISDN, "+371 29x", ""},
		{lineage.MSISDN, "29+123456", ""},
		{lineage.MSISDN, "+1234567890123456", ""},
		{lineage.IPAddress, " 10.1.2.3 ", "10.1.2.3"},
		{lineage.IPAddress, "2001:DB8:0:0::1", "2001:db8::1"},
		{lineage.IPAddress, "::ffff:10.1.2.3", "10.1.2.3"},
		{lineage.IPAddress, "fe80::1%eth0", ""},
		{lineage.IPAddress, "10.1.2", ""},
		{lineage.ContractNumber, "lv-2024/00017", "LV-2024/00017"},
		{lineage.ContractNumber, "LV 2024", ""},
		{lineage.ContractNumber, "", ""},
		{lineage.Device, "00:1A:2B:3C:4D:5E", "00:1a:2b:3c:4d:5e"},
		{lineage.Device, "00-1a-2b-3c-4d-5e", "00:1a:2b:3c:4d:5e"},
		{lineage.Device, "stb-4k-0001", "STB-4K-0001"},
		{lineage.Device, "stb 1", ""},
		{lineage.PersonalCode, "010190-12345", "01019012345"},
		{lineage.PersonalCode, " 32123412345 ", "32123412345"},
		{lineage.PersonalCode, "0101901-2345", ""},
		{lineage.PersonalCode, "010190-1234", ""},
		{lineage.PersonalCode, "01019O-12345", ""},
		{"imsi", "247010000000001", ""},
	} {
		got, err := identity.Normalize(tc.kind, tc.value)
		switch {
		case tc.want == "" && !errors.Is(err, identity.ErrInvalid):
			t.Errorf("Normalize(%s, %q) = %q, %v; want ErrInvalid", tc.kind, tc.value, got, err)
		case tc.want == "":
			if strings.Contains(err.Error(), strings.TrimSpace(tc.value)) && tc.value != "" {
				t.Errorf("error %q echoes the identifier", err)
			}
		case err != nil || got != tc.want:
			t.Errorf("Normalize(%s, %q) = %q, %v; want %q", tc.kind, tc.value, got, err, tc.want)
		}
	}
}

func TestKeyer(t *testing.T) {
	key := bytes.Repeat([]byte{7}, identity.MinKeyBytes)
	k, err := identity.NewKeyer(key)
	if err != nil {
		t.Fatal(err)
	}
	a, err := k.Identifier(lineage.MSISDN, "+371 29 123 456")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := k.Identifier(lineage.MSISDN, "29123456")
	if a != b {
		t.Errorf("two spellings of one number hash apart: %v, %v", a, b)
	}
	// Known answer: HMAC-SHA-256(0x07 * 32, "msisdn\x00+37129123456"),
	// computed independently with: printf 'msisdn\0+37129123456' |
	// openssl dgst -sha256 -mac HMAC -macopt hexkey:$(printf '07%.0s' {1..32})
	if want := "6fbadb34711ec3d7b611d208f4de2150743600672c158f55f989e4c13f01ca1c"; a.HMAC != want {
		t.Errorf("hmac = %s, want %s", a.HMAC, want)
	}
	if strings.Contains(a.Key(), "29123456") {
		t.Error("the key carries the number in clear")
	}
	other, _ := identity.NewKeyer(bytes.Repeat([]byte{8}, identity.MinKeyBytes))
	c, _ := other.Identifier(lineage.MSISDN, "29123456")
	if c == a {
		t.Error("another key gives the same hash")
	}
	d, _ := k.Identifier(lineage.ContractNumber, "29123456")
	if d.HMAC == a.HMAC {
		t.Error("the same text of another kind gives the same hash")
	}
	if fromHex, err := identity.ParseKey(strings.Repeat("07", identity.MinKeyBytes) + "\n"); err != nil {
		t.Error(err)
	} else if h, _ := fromHex.Identifier(lineage.MSISDN, "29123456"); h != a {
		t.Errorf("the hex key hashes apart: %v", h)
	}
	if _, err := identity.ParseKey(strings.Repeat("07", 31) + "zq"); err == nil || strings.ContainsAny(err.Error(), "zq") {
		t.Errorf("a key that is not hex: %v (must be refused without quoting it)", err)
	}
	if _, err := identity.NewKeyer(key[:16]); err == nil {
		t.Error("a 16-byte key was accepted")
	}
	if _, err := k.Identifier(lineage.MSISDN, "not a number"); !errors.Is(err, identity.ErrInvalid) {
		t.Errorf("invalid number: %v", err)
	}
}

// BenchmarkIdentifier is the cost a producer pays per identified event:
// normalising and hashing a phone number.
func BenchmarkIdentifier(b *testing.B) {
	k, err := identity.NewKeyer(bytes.Repeat([]byte{7}, identity.MinKeyBytes))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := k.Identifier(lineage.MSISDN, "+371 29 123 456"); err != nil {
			b.Fatal(err)
		}
	}
}
