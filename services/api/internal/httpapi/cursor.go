package httpapi

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/services/chstore"
)

// A cursor is opaque to callers. Inside it is base64url (no padding) of a
// version byte, occurred_at in microseconds since the epoch (8 bytes, big
// endian) and the event id in its text form. It carries no personal data.
const (
	cursorVersion = 1
	cursorLen     = 1 + 8 + 36
)

// latest is the latest occurred_at a cursor may name.
var latest = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)

var cursorEncoding = base64.RawURLEncoding.Strict()

var errBadCursor = errors.New("malformed cursor")

// encodeCursor returns the opaque text of c. OccurredAt is taken to the
// microsecond, the precision of stored events.
func encodeCursor(c chstore.Cursor) string {
	b := make([]byte, 0, cursorLen)
	b = append(b, cursorVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(c.OccurredAt.UnixMicro()))
	b = append(b, c.EventID...)
	return cursorEncoding.EncodeToString(b)
}

// decodeCursor parses and validates a cursor made by encodeCursor.
func decodeCursor(s string) (chstore.Cursor, error) {
	// An exact length, not DecodedLen: the decoder skips CR and LF, so a
	// longer text could decode to a cursor yet not be the one we issued.
	if len(s) != cursorEncoding.EncodedLen(cursorLen) {
		return chstore.Cursor{}, errBadCursor
	}
	b, err := cursorEncoding.DecodeString(s)
	if err != nil || len(b) != cursorLen || b[0] != cursorVersion {
		return chstore.Cursor{}, errBadCursor
	}
	us := int64(binary.BigEndian.Uint64(b[1:9]))
	id := string(b[9:])
	if us < lineage.Earliest.UnixMicro() || us > latest.UnixMicro() || !lineage.ValidUUID(id) {
		return chstore.Cursor{}, errBadCursor
	}
	return chstore.Cursor{OccurredAt: time.UnixMicro(us).UTC(), EventID: id}, nil
}
