// Package schemas holds the Avro schemas of the tracker's records, one file
// per version: lineage events (lineage/), identity links (identity/),
// access request events (requests/), subject facts (facts/).
// The files are the contract with every producer; Go code reads them from
// here so that no copy can drift.
package schemas

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
)

//go:embed lineage/*.avsc identity/*.avsc requests/*.avsc facts/*.avsc incidents/*.avsc
var files embed.FS

// LineageEventVersions returns the text of every published version of the
// lineage event schema, oldest first. The last one is the version producers
// write and the materializer reads into.
func LineageEventVersions() ([]string, error) { return versions("lineage/event.v*.avsc") }

// IdentityLinkVersions returns the text of every published version of the
// identity link schema, oldest first, as LineageEventVersions does.
func IdentityLinkVersions() ([]string, error) { return versions("identity/link.v*.avsc") }

// AccessRequestVersions returns the text of every published version of the
// access request event schema, oldest first, as LineageEventVersions does.
func AccessRequestVersions() ([]string, error) {
	return versions("requests/access_request.v*.avsc")
}

// SubjectFactVersions returns the text of every published version of the
// subject fact schema (consent, opt-out, erasure, unmet lawful requests),
// oldest first, as LineageEventVersions does.
func SubjectFactVersions() ([]string, error) { return versions("facts/subject_fact.v*.avsc") }

// IncidentVersions returns the text of every published version of the
// personal-data breach incident event schema, oldest first, as
// LineageEventVersions does.
func IncidentVersions() ([]string, error) { return versions("incidents/incident.v*.avsc") }

func versions(pattern string) ([]string, error) {
	names, err := fs.Glob(files, pattern)
	if err != nil {
		return nil, fmt.Errorf("list schemas %s: %w", pattern, err)
	}
	// Versions sort by number, not by text: v10 comes after v9.
	sort.Slice(names, func(i, j int) bool {
		return len(names[i]) < len(names[j]) || len(names[i]) == len(names[j]) && names[i] < names[j]
	})
	out := make([]string, 0, len(names))
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", n, err)
		}
		out = append(out, string(b))
	}
	return out, nil
}
