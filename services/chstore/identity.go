package chstore

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/balticom/lineage/pkg/lineage"
)

var (
	//go:embed queries/links.sql
	linksSQL string
	//go:embed queries/unresolved.sql
	unresolvedSQL string
)

// LinksTable holds the identity links, each source's statements apart
// (migrations/0010_links_by_source.sql); a materialized view copies them
// into identity_links_by_identifier_v2, ordered by identifier.
const LinksTable = "identity_links_v2"

const insertLinkColumns = `(
	subject_id, id_kind, id_hmac, valid_from_us, valid_to_us, recorded_us,
	source_system, retracted, kafka_partition, kafka_offset)`

// MaxIdentityWindows bounds the identifier windows one lookup reads, after
// they are clipped to the lookup's range and adjacent windows of one
// identifier are joined (a dynamic IP address leased again and again is one
// window). The windows are arrays in the query text, about 40 bytes each
// and 150 more for each distinct identifier: 4,000 windows of as many
// identifiers need the server's max_query_size raised to 1 MiB, as the
// project's profiles do (deploy/clickhouse).
const MaxIdentityWindows = 4000

// ErrTooManyIdentifierWindows is matched (errors.Is) when a subject held
// more than MaxIdentityWindows identifier windows in the lookup's range: a
// narrower range can be answered.
var ErrTooManyIdentifierWindows = errors.New("too many identifier windows in one lookup")

// StoredLink is an identity link with where it came from in Kafka.
type StoredLink struct {
	lineage.IdentityLink
	Partition int32
	Offset    int64
}

// InsertLinks stores identity links in one INSERT. Storing a link again is
// harmless: queries take each source's latest statement of each link, so a
// source's statement or retraction never replaces another source's. Safe
// for concurrent use.
func (s *Store) InsertLinks(ctx context.Context, links []StoredLink) error {
	return s.insertLinks(ctx, LinksTable, links)
}

// insertLinks stores links into table: LinksTable, or identity_links,
// which materializers before migration 0010 wrote.
func (s *Store) insertLinks(ctx context.Context, table string, links []StoredLink) error {
	return insertRows(ctx, s, "identity links", table, insertLinkColumns, links, func(l *StoredLink) []any {
		to := int64(math.MaxInt64)
		if l.ValidTo != nil {
			to = l.ValidTo.UnixMicro()
		}
		var retracted uint8
		if l.Retracted {
			retracted = 1
		}
		return []any{l.SubjectID, string(l.Identifier.Kind), l.Identifier.HMAC,
			l.ValidFrom.UnixMicro(), to, l.RecordedAt.UnixMicro(), l.SourceSystem, retracted,
			l.Partition, l.Offset}
	})
}

// window is a span of time in which the events stored under key (an
// identifier's key) are the subject's: [from, to) in microseconds.
type window struct {
	key string
	span
}

// span is [from, to) in microseconds since the epoch.
type span struct{ from, to int64 }

// ContestedWindow is a time in which the subject and another customer both
// have a link to one identifier: the identifier's events of that time are
// in neither answer until CRM corrects a link, because one of the two
// customers would be shown another person's data.
type ContestedWindow struct {
	Identifier lineage.Identifier
	From       time.Time
	To         time.Time // zero: open, the links still stand
}

// identifierWindows returns the windows of the subject's current links,
// clipped to [fromUS, toUS), less the times another customer's link to the
// same identifier covers; those are returned as contested. Windows of one
// identifier that touch or overlap are joined.
func (s *Store) identifierWindows(ctx context.Context, subject string, fromUS, toUS int64) ([]window, []ContestedWindow, error) {
	rows, err := s.conn.Query(ctx, linksSQL, clickhouse.Named("subject_id", subject))
	if err != nil {
		return nil, nil, fmt.Errorf("query identity links in %s: %w", s.cfg.Database, err)
	}
	defer rows.Close()
	var (
		windows   []window
		contested []ContestedWindow
		current   lineage.Identifier
		own, rest []span
	)
	// Rows come sorted by identifier, then valid_from: one identifier's
	// links are read, then divided.
	flush := func() {
		kept, shared := divide(own, rest)
		for _, sp := range kept {
			windows = append(windows, window{key: current.Key(), span: sp})
		}
		for _, sp := range shared {
			c := ContestedWindow{Identifier: current, From: fromMicros(sp.from)}
			if sp.to != math.MaxInt64 {
				c.To = fromMicros(sp.to)
			}
			contested = append(contested, c)
		}
		own, rest = own[:0], rest[:0]
	}
	for rows.Next() {
		var (
			holder, kind, hmac string
			from, to           int64
		)
		if err := rows.Scan(&holder, &kind, &hmac, &from, &to); err != nil {
			return nil, nil, fmt.Errorf("scan identity links in %s: %w", s.cfg.Database, err)
		}
		id := lineage.Identifier{Kind: lineage.IdentifierKind(kind), HMAC: hmac}
		if id != current {
			flush()
			current = id
		}
		sp := span{max(from, fromUS), min(to, toUS)}
		if sp.from >= sp.to {
			continue
		}
		if holder == subject {
			own = join(own, sp)
		} else {
			rest = join(rest, sp)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read identity links in %s: %w", s.cfg.Database, err)
	}
	flush()
	if len(windows) > MaxIdentityWindows {
		return nil, nil, fmt.Errorf("subject has %d identifier windows in the range, more than the %d one lookup reads: %w",
			len(windows), MaxIdentityWindows, ErrTooManyIdentifierWindows)
	}
	return windows, contested, nil
}

// join adds sp to spans, sorted by from and disjoint, where sp starts no
// earlier than any of them; a span that touches or overlaps the last one
// extends it.
func join(spans []span, sp span) []span {
	if n := len(spans); n > 0 && sp.from <= spans[n-1].to {
		spans[n-1].to = max(spans[n-1].to, sp.to)
		return spans
	}
	return append(spans, sp)
}

// divide splits own into the parts no span of others covers (kept) and the
// parts one does (shared). Both are sorted by from and disjoint.
func divide(own, others []span) (kept, shared []span) {
	j := 0
	for _, o := range own {
		for j < len(others) && others[j].to <= o.from {
			j++
		}
		at := o.from
		for k := j; k < len(others) && others[k].from < o.to; k++ {
			x := others[k]
			if x.from > at {
				kept = append(kept, span{at, x.from})
			}
			shared = append(shared, span{max(at, x.from), min(o.to, x.to)})
			at = x.to
		}
		if at < o.to {
			kept = append(kept, span{at, o.to})
		}
	}
	return kept, shared
}

// The markers in recipients.sql and events.sql where the subject's
// identifier keys (in the inner query's WHERE) and windows (the outer
// query's WHERE) go.
const (
	keysMarker    = "/*identifier keys*/"
	windowsMarker = "/*identifier windows*/"
)

// A lookup with few windows (most customers: a phone number or two) puts
// one condition per window in the inner query, so the primary key reads
// only the windows' rows; past exactWindows it puts the windows in arrays
// instead, because ClickHouse 18.16 takes time quadratic in the number of
// OR terms (250 windows: 0.26 s, 1,000: 3 s; as arrays, 4,000: 0.14 s),
// at the price of reading each identifier's rows from its first window's
// start to its last one's end and about a millisecond more per lookup.
const exactWindows = 32

// The conditions put in place of the markers. The text is fixed but for
// the placeholders' numbers: every value is bound by the driver, none is
// spliced in. The arrays' inner condition reads the keys' rows between the
// earliest window's start and the latest one's end; the outer keeps a row
// when a window of its key (by position in @id_key_list) holds it.
const (
	windowCondition = `
           OR (subject_id = @id_key_%[1]d AND occurred_us >= @id_from_%[1]d AND occurred_us < @id_to_%[1]d)`
	keysCondition = `
           OR (subject_id IN @id_keys AND occurred_us >= @id_from_us AND occurred_us < @id_to_us)`
	windowsCondition = `WHERE subject_id = @subject_id
   OR arrayExists((i, f, t) -> i = indexOf(@id_key_list, subject_id) AND occurred_us >= f AND occurred_us < t,
                  @id_window_keys, @id_window_froms, @id_window_tos)`
)

// subjectScope returns query with the subject's identifier keys and windows
// in place of the markers, the values of their placeholders, and the
// windows left out because another customer's link covers them too.
func (s *Store) subjectScope(ctx context.Context, query, subject string, fromUS, toUS int64) (string, []any, []ContestedWindow, error) {
	windows, contested, err := s.identifierWindows(ctx, subject, fromUS, toUS)
	if err != nil {
		return "", nil, nil, err
	}
	if len(windows) <= exactWindows {
		var cond strings.Builder
		args := make([]any, 0, 3*len(windows))
		for i, w := range windows {
			fmt.Fprintf(&cond, windowCondition, i)
			n := strconv.Itoa(i)
			args = append(args, clickhouse.Named("id_key_"+n, w.key),
				clickhouse.Named("id_from_"+n, w.from), clickhouse.Named("id_to_"+n, w.to))
		}
		query = strings.Replace(query, keysMarker, cond.String(), 1)
		return strings.Replace(query, windowsMarker, "", 1), args, contested, nil
	}
	var (
		keys          []string
		keySet        []any
		position      = make(map[string]uint32)
		at            = make([]uint32, len(windows))
		froms, tos    = make([]int64, len(windows)), make([]int64, len(windows))
		first, beyond = windows[0].from, windows[0].to
	)
	for i, w := range windows {
		p, ok := position[w.key]
		if !ok {
			keys, keySet = append(keys, w.key), append(keySet, w.key)
			p = uint32(len(keys)) // indexOf counts from 1
			position[w.key] = p
		}
		at[i], froms[i], tos[i] = p, w.from, w.to
		first, beyond = min(first, w.from), max(beyond, w.to)
	}
	query = strings.Replace(query, keysMarker, keysCondition, 1)
	query = strings.Replace(query, windowsMarker, windowsCondition, 1)
	return query, []any{
		clickhouse.Named("id_keys", clickhouse.GroupSet{Value: keySet}),
		clickhouse.Named("id_key_list", keys),
		clickhouse.Named("id_from_us", first),
		clickhouse.Named("id_to_us", beyond),
		clickhouse.Named("id_window_keys", at),
		clickhouse.Named("id_window_froms", froms),
		clickhouse.Named("id_window_tos", tos),
	}, contested, nil
}

// resolved turns a stored event's subject back into the domain's shape: an
// event stored under an identifier is answered as the subject's, with the
// identifier it was resolved through.
func resolved(e *StoredEvent, subject string) {
	if id, ok := lineage.ParseIdentifierKey(e.SubjectID); ok {
		e.SubjectID, e.SubjectIdentifier = subject, &id
	}
}

// UnresolvedCount is how many stored events of one identifier kind are in
// nobody's answer until CRM tells whose the identifier was at the time:
// Events, which no current link covers yet, and Contested, which links of
// two or more customers cover. Oldest is the oldest of either.
type UnresolvedCount struct {
	Kind      lineage.IdentifierKind
	Events    uint64
	Contested uint64
	Oldest    time.Time
}

// Unresolved counts the stored events that no identity link resolves to
// exactly one customer, per identifier kind (kinds with none are left out). It reads every identified
// event: an operator's question, not one for each lookup. Safe for
// concurrent use.
func (s *Store) Unresolved(ctx context.Context) ([]UnresolvedCount, error) {
	rows, err := s.conn.Query(ctx, unresolvedSQL)
	if err != nil {
		return nil, fmt.Errorf("query unresolved events in %s: %w", s.cfg.Database, err)
	}
	defer rows.Close()
	var out []UnresolvedCount
	for rows.Next() {
		var (
			c      UnresolvedCount
			kind   string
			oldest int64
		)
		if err := rows.Scan(&kind, &c.Events, &c.Contested, &oldest); err != nil {
			return nil, fmt.Errorf("scan unresolved events in %s: %w", s.cfg.Database, err)
		}
		c.Kind, c.Oldest = lineage.IdentifierKind(kind), fromMicros(oldest)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read unresolved events in %s: %w", s.cfg.Database, err)
	}
	return out, nil
}

//go:embed queries/holders.sql
var holdersSQL string

// Holding is one customer's link to an identifier: from From until To
// (zero To: still held).
type Holding struct {
	SubjectID string
	From, To  time.Time
}

// Holders returns who held id and when, oldest first: the links as they
// stand, retracted ones left out, one holding for a link that several
// sources state. Safe for concurrent use.
func (s *Store) Holders(ctx context.Context, id lineage.Identifier) ([]Holding, error) {
	if _, ok := lineage.ParseIdentifierKey(id.Key()); !ok {
		return nil, fmt.Errorf("holders: not an identifier: %w", ErrInvalidQuery)
	}
	rows, err := s.conn.Query(ctx, holdersSQL,
		clickhouse.Named("id_kind", string(id.Kind)), clickhouse.Named("id_hmac", id.HMAC))
	if err != nil {
		return nil, fmt.Errorf("query holders in %s: %w", s.cfg.Database, err)
	}
	defer rows.Close()
	var out []Holding
	for rows.Next() {
		var (
			h        Holding
			from, to int64
		)
		if err := rows.Scan(&h.SubjectID, &from, &to); err != nil {
			return nil, fmt.Errorf("scan holders in %s: %w", s.cfg.Database, err)
		}
		h.From = fromMicros(from)
		if to != math.MaxInt64 {
			h.To = fromMicros(to)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read holders in %s: %w", s.cfg.Database, err)
	}
	return out, nil
}
