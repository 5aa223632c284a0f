// Package schemas holds the Avro schemas of the tracker's records, one file
// per version: lineage events (lineage/), identity links (identity/) and
// access request events (requests/).
// The files are the contract with every producer; Go code reads them from
// here so that no copy can drift.
package schemas

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
)

//go:embed lineage/*.avsc identity/*.avsc requests/*.avsc
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
