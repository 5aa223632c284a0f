package report

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// ContentHash returns the SHA-256 (hex) of the report's content: its
// canonical JSON, which is encoding/json's compact encoding of the Report
// (fields in declaration order, map keys sorted, HTML-safe escapes) without
// its last two members, computed_at and content_sha256. Neither the hash itself nor the
// time of computing belongs to the content, so the same events and options
// give the same hash whenever the report is computed and in whichever
// format it is rendered; every renderer prints it. The JSON rendering is
// that canonical JSON with the two members appended, so anyone can check a
// JSON report's hash by removing them.
func ContentHash(r *Report) string { return hashOf(canonicalJSON(r)) }

// canonicalJSON encodes the report's content (appendReport).
func canonicalJSON(r *Report) []byte {
	c := *r
	c.ComputedAt, c.Hash, c.canonical = time.Time{}, "", nil
	// About 1.1 kB per row and 400 bytes of event ids per event in the
	// other layers; sized generously, since growing a buffer of megabytes
	// copies it and leaves the old one to the collector.
	return appendReport(make([]byte, 0, 1800*len(c.Rows)+64<<10), &c)
}

func hashOf(canonical []byte) string {
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:])
}
