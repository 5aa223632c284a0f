package lineage

import (
	"crypto/rand"
	"fmt"
)

// NewID returns a random (version 4) UUID for a new event. A producer calls it
// once per fact and keeps the id across retries.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// MaxCallerNameLen bounds a caller name.
const MaxCallerNameLen = 64

// ValidCallerName reports whether s is the name of a caller of the API or
// of a service account that records facts: 1 to 64 letters, digits and
// _ . -. Facts keep it for the DPO, never a person's name.
func ValidCallerName(s string) bool {
	if s == "" || len(s) > MaxCallerNameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= 'a' && b <= 'z') && !(b >= 'A' && b <= 'Z') && !(b >= '0' && b <= '9') && b != '_' && b != '.' && b != '-' {
			return false
		}
	}
	return true
}
