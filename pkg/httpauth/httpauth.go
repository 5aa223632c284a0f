// Package httpauth authenticates HTTP callers by bearer token (RFC 6750):
// each caller has a name and its own token, both from configuration
// ("name:token,name2:token2"). Tokens are compared in constant time, by
// their SHA-256 hash, so neither contents nor lengths leak through timing.
//
// The package writes no answers: Authenticate says who called or why not
// (ErrNoCredential, ErrBadCredential), and the HTTP edge of each service
// maps that to its 401 and Challenge header.
package httpauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// MinTokenLen is the shortest bearer token accepted in the configuration.
const MinTokenLen = 16

// MaxNameLen bounds a caller's name (it goes into logs and audit records).
const MaxNameLen = 64

var (
	// ErrNoCredential: the request carries no Authorization header.
	ErrNoCredential = errors.New("no bearer credential")
	// ErrBadCredential: the Authorization header is not a bearer token, or
	// not one of the configured tokens.
	ErrBadCredential = errors.New("bearer credential not valid")
)

// Tokens maps bearer tokens to caller names. It is immutable once parsed and
// safe for concurrent use.
type Tokens struct {
	callers []caller
}

type caller struct {
	name string
	hash [sha256.Size]byte
}

// ParseTokens parses "name:token,name2:token2". Names are 1-64 characters of
// letters, digits and _ . -; tokens are at least MinTokenLen characters and
// may not contain a comma or white space. Names and tokens must be unique.
// Error messages name the offending entry by position and name, never by
// its token.
func ParseTokens(s string) (*Tokens, error) {
	var t Tokens
	names := map[string]bool{}
	tokens := map[string]bool{}
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		name, token, ok := strings.Cut(entry, ":")
		switch {
		case !ok:
			return nil, fmt.Errorf("token entry %d: want name:token", i+1)
		case !validName(name):
			return nil, fmt.Errorf("token entry %d: name must be 1-%d characters of letters, digits and _ . -", i+1, MaxNameLen)
		case len(token) < MinTokenLen:
			return nil, fmt.Errorf("token entry %d (%s): token shorter than %d characters", i+1, name, MinTokenLen)
		case strings.ContainsAny(token, " \t\r\n"):
			return nil, fmt.Errorf("token entry %d (%s): token contains white space", i+1, name)
		case names[name]:
			return nil, fmt.Errorf("token entry %d (%s): name given twice", i+1, name)
		case tokens[token]:
			return nil, fmt.Errorf("token entry %d (%s): token given to another caller too", i+1, name)
		}
		names[name], tokens[token] = true, true
		t.callers = append(t.callers, caller{name: name, hash: sha256.Sum256([]byte(token))})
	}
	if len(t.callers) == 0 {
		return nil, errors.New("no tokens configured: want name:token[,name:token...]")
	}
	return &t, nil
}

// Lookup returns the caller name of token. It compares against every
// configured token in constant time (the token's hash, so lengths do not
// leak either) and does not stop at the first match.
func (t *Tokens) Lookup(token string) (name string, ok bool) {
	h := sha256.Sum256([]byte(token))
	for _, c := range t.callers {
		if subtle.ConstantTimeCompare(h[:], c.hash[:]) == 1 {
			name, ok = c.name, true
		}
	}
	return name, ok
}

// Len returns how many callers are configured.
func (t *Tokens) Len() int { return len(t.callers) }

// Names returns the configured callers' names, in configuration order.
func (t *Tokens) Names() []string {
	names := make([]string, len(t.callers))
	for i, c := range t.callers {
		names[i] = c.name
	}
	return names
}

// Authenticate returns the name of the caller whose bearer token r carries,
// or ErrNoCredential / ErrBadCredential.
func (t *Tokens) Authenticate(r *http.Request) (string, error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return "", ErrNoCredential
	}
	token, ok := BearerToken(header)
	if !ok {
		return "", ErrBadCredential
	}
	name, ok := t.Lookup(token)
	if !ok {
		return "", ErrBadCredential
	}
	return name, nil
}

// Challenge returns the WWW-Authenticate header value for a 401 answer to
// err (from Authenticate), in the given realm.
func Challenge(realm string, err error) string {
	if errors.Is(err, ErrBadCredential) {
		return fmt.Sprintf("Bearer realm=%q, error=\"invalid_token\"", realm)
	}
	return fmt.Sprintf("Bearer realm=%q", realm)
}

// BearerToken returns the token of an Authorization header value of the
// Bearer scheme (RFC 6750; the scheme name is case-insensitive).
func BearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func validName(s string) bool {
	if s == "" || len(s) > MaxNameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '_', b == '.', b == '-':
		default:
			return false
		}
	}
	return true
}
