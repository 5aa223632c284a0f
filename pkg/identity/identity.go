// Package identity turns the identifiers a source system knows a customer
// by (a phone number, an IP address, a contract number, a device) into
// keyed hashes, so that they never enter Kafka or ClickHouse in clear.
//
// A Keyer holds the operator's identity key. Every producer of events or
// links that carry identifiers needs the same key (the SDK, the gateway,
// CRM emitting links); the materializer and the query API never do: they
// match hashes, they never compute them.
package identity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net"
	"net/netip"
	"strings"
	"sync"

	"github.com/balticom/lineage/pkg/lineage"
)

// MinKeyBytes is the shortest identity key accepted: the key is what stops
// anyone who sees a hash from finding its phone number by hashing all
// 10^8 Latvian numbers, so it must be as strong as a HMAC-SHA-256 key.
const MinKeyBytes = 32

// ErrInvalid is matched (errors.Is) by every identifier that cannot be
// normalised.
var ErrInvalid = errors.New("invalid identifier")

// Keyer computes keyed identifiers. Safe for concurrent use.
type Keyer struct {
	// macs reuses HMAC states: hmac.New allocates the two keyed SHA-256
	// states on every call, half the cost of an identifier.
	macs sync.Pool
}

// NewKeyer returns a Keyer over key, which must have at least MinKeyBytes.
func NewKeyer(key []byte) (*Keyer, error) {
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("identity key has %d bytes, want at least %d", len(key), MinKeyBytes)
	}
	key = append([]byte(nil), key...)
	return &Keyer{macs: sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}, nil
}

// ParseKey returns a Keyer over a key given in hex, the form services take
// it in from their configuration (e.g. openssl rand -hex 32).
func ParseKey(hexKey string) (*Keyer, error) {
	key, err := hex.DecodeString(strings.TrimSpace(hexKey))
	if err != nil {
		// Not wrapped: hex's error quotes the offending character of the key.
		return nil, errors.New("identity key is not an even number of hex digits")
	}
	return NewKeyer(key)
}

// Identifier normalises value as an identifier of kind and returns its keyed
// form: HMAC-SHA-256(key, kind || 0x00 || normalised value). The kind is in
// the message so that a contract number and a device serial that happen to
// be equal hash apart. The error names the rule, never the value.
func (k *Keyer) Identifier(kind lineage.IdentifierKind, value string) (lineage.Identifier, error) {
	norm, err := Normalize(kind, value)
	if err != nil {
		return lineage.Identifier{}, err
	}
	mac := k.macs.Get().(hash.Hash)
	defer k.macs.Put(mac)
	mac.Reset()
	mac.Write([]byte(kind))
	mac.Write([]byte{0})
	mac.Write([]byte(norm))
	var sum [sha256.Size]byte
	return lineage.Identifier{Kind: kind, HMAC: hex.EncodeToString(mac.Sum(sum[:0]))}, nil
}

// Normalize returns the one spelling of an identifier that is hashed, so
// that "+371 29 123 456", "0037129123456" and "29123456" are one number:
//
//   - msisdn: E.164, "+" and 8 to 15 digits; spaces, dashes, dots and
//     parentheses are dropped, a leading 00 is "+", and 8 digits starting
//     with 2 (a Latvian mobile number without its country code) get +371;
//   - ip_address: the canonical text of the address (IPv4 dotted, IPv6
//     compressed lower-case; an IPv4-mapped IPv6 address is its IPv4);
//   - contract: upper-case, 1 to 64 of A-Z 0-9 - /;
//   - device: a MAC address as lower-case colon-separated hex, or else a
//     serial number as upper-case, 1 to 64 of A-Z 0-9 -;
//   - personal_code: the 11 digits of a Latvian personal code, without the
//     hyphen after the sixth (both the old DDMMYY-NNNNN form and the new
//     32NNNN-NNNNN one).
func Normalize(kind lineage.IdentifierKind, value string) (string, error) {
	value = strings.TrimSpace(value)
	switch kind {
	case lineage.MSISDN:
		return normalizeMSISDN(value)
	case lineage.IPAddress:
		addr, err := netip.ParseAddr(value)
		if err != nil || addr.Zone() != "" {
			return "", fmt.Errorf("ip_address: must be an IPv4 or IPv6 address without a zone: %w", ErrInvalid)
		}
		return addr.Unmap().String(), nil
	case lineage.ContractNumber:
		return token("contract", strings.ToUpper(value), "-/")
	case lineage.Device:
		if mac, err := net.ParseMAC(value); err == nil {
			return mac.String(), nil
		}
		return token("device", strings.ToUpper(value), "-")
	case lineage.PersonalCode:
		return normalizePersonalCode(value)
	default:
		return "", fmt.Errorf("kind: must be msisdn, ip_address, contract, device or personal_code: %w", ErrInvalid)
	}
}

func normalizeMSISDN(value string) (string, error) {
	var b strings.Builder
	for _, r := range value {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0:
			b.WriteRune(r)
		case r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return "", fmt.Errorf("msisdn: only digits, a + before them and the separators space - . ( ) are allowed: %w", ErrInvalid)
		}
	}
	n := b.String()
	switch {
	case strings.HasPrefix(n, "00"):
		n = "+" + n[2:]
	case len(n) == 8 && n[0] == '2':
		n = "+371" + n
	}
	if len(n) < 9 || len(n) > 16 || n[0] != '+' || n[1] == '0' {
		return "", fmt.Errorf("msisdn: must be an E.164 number (+ and 8 to 15 digits) or a Latvian mobile number: %w", ErrInvalid)
	}
	return n, nil
}

func normalizePersonalCode(value string) (string, error) {
	digits := strings.Replace(value, "-", "", 1)
	ok := len(digits) == 11 && (len(value) == 11 || value[6] == '-')
	for i := 0; ok && i < len(digits); i++ {
		ok = digits[i] >= '0' && digits[i] <= '9'
	}
	if !ok {
		return "", fmt.Errorf("personal_code: must be 11 digits, with or without a hyphen after the sixth: %w", ErrInvalid)
	}
	return digits, nil
}

// token checks an upper-cased number: 1 to 64 of A-Z, 0-9 and extra.
func token(field, s, extra string) (string, error) {
	ok := s != "" && len(s) <= 64
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		ok = c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(extra, c) >= 0
	}
	if !ok {
		return "", fmt.Errorf("%s: must be 1 to 64 of A-Z, 0-9 and %s: %w", field, extra, ErrInvalid)
	}
	return s, nil
}
