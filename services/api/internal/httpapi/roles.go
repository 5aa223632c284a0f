package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Role is what a caller may do. Every caller of the API has exactly one;
// sources have none here: they write through the ingest gateway, which has
// its own tokens and no read endpoint.
type Role string

const (
	// RoleResponder answers data-subject access requests: it looks up one
	// subject at a time, for an access request it names, and keeps the
	// request log. It cannot list subjects, see aggregates or restricted
	// lines.
	RoleResponder Role = "access_responder"
	// RoleDPO is the data-protection officer: everything a responder may
	// do, without naming a request, plus aggregates (unresolved identifiers)
	// and restricted disclosures.
	RoleDPO Role = "dpo"
)

// ParseRoles parses "name:role,name2:role2" (roles access_responder or
// dpo). Names must be unique; errors name the entry, never a token.
func ParseRoles(s string) (map[string]Role, error) {
	roles := map[string]Role{}
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		name, role, ok := strings.Cut(entry, ":")
		switch {
		case !ok || name == "":
			return nil, fmt.Errorf("role entry %d: want name:role", i+1)
		case Role(role) != RoleResponder && Role(role) != RoleDPO:
			return nil, fmt.Errorf("role entry %d (%s): role must be %s or %s", i+1, name, RoleResponder, RoleDPO)
		case roles[name] != "":
			return nil, fmt.Errorf("role entry %d (%s): name given twice", i+1, name)
		}
		roles[name] = Role(role)
	}
	return roles, nil
}

// caller is an authenticated caller.
type caller struct {
	Name string
	Role Role
}

// codeForbidden is the error code of a caller whose role may not do what
// it asked.
const codeForbidden = "forbidden"

// allowed answers 403 and returns false unless c has one of roles.
func allowed(w http.ResponseWriter, c caller, roles ...Role) bool {
	if slices.Contains(roles, c.Role) {
		return true
	}
	writeError(w, http.StatusForbidden, codeForbidden, fmt.Sprintf("the %s role may not use this endpoint", c.Role))
	return false
}
