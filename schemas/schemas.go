// Package schemas holds the Avro schemas of the lineage events, one file per
// version. The files are the contract with every producer; Go code reads them
// from here so that no copy can drift.
package schemas

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
)

//go:embed lineage/*.avsc
var files embed.FS

// LineageEventVersions returns the text of every published version of the
// lineage event schema, oldest first. The last one is the version producers
// write and the materializer reads into.
func LineageEventVersions() ([]string, error) {
	names, err := fs.Glob(files, "lineage/event.v*.avsc")
	if err != nil {
		return nil, fmt.Errorf("list lineage schemas: %w", err)
	}
	sort.Strings(names)
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
