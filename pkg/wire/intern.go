package wire

// Bounds of an interner: it keeps at most maxInterned strings of at most
// maxInternedLen bytes each, about 1 MiB at worst, whatever a stream holds.
const (
	maxInterned    = 4096
	maxInternedLen = 256
)

// interner hands out one string per distinct value of the low-cardinality
// fields (codes, actors, recipients), so that decoding them allocates
// nothing once they have been seen, and a batch holds each value once
// instead of once per row. When full it starts over: a stream of ever-new
// values (a drifting vocabulary, or a hostile producer) costs an
// allocation per value, as without interning, and never more memory.
// Not safe for concurrent use.
type interner struct {
	m map[string]string
}

func (in *interner) get(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := in.m[string(b)]; ok { // the conversion does not allocate
		return s
	}
	s := string(b)
	if len(s) > maxInternedLen {
		return s
	}
	if in.m == nil {
		in.m = make(map[string]string, 256)
	} else if len(in.m) >= maxInterned {
		clear(in.m)
	}
	in.m[s] = s
	return s
}
