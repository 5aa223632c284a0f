package lineage

import (
	"cmp"
	"slices"
	"time"
)

// Stamp is what orders one event of a record's timeline: when it
// happened, when it was recorded, and its id.
type Stamp struct {
	At, RecordedAt time.Time
	ID             string
}

// Timeline returns a copy of the events of one record (an access request,
// an incident, a subject's facts) in the order they are applied: by At,
// then RecordedAt, then ID, with each id kept once (its first copy in that
// order). Kafka delivers at least once and a source may publish again
// after a timeout, so a record's log holds copies; a fold must count an
// event once and give the same answer whatever order the copies came in.
func Timeline[E any](events []E, stamp func(*E) Stamp) []E {
	ordered := slices.Clone(events)
	slices.SortFunc(ordered, func(a, b E) int {
		x, y := stamp(&a), stamp(&b)
		return cmp.Or(x.At.Compare(y.At), x.RecordedAt.Compare(y.RecordedAt), cmp.Compare(x.ID, y.ID))
	})
	seen := make(map[string]bool, len(ordered))
	unique := ordered[:0]
	for i := range ordered {
		if id := stamp(&ordered[i]).ID; !seen[id] {
			seen[id] = true
			unique = append(unique, ordered[i])
		}
	}
	return unique
}
