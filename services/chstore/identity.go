package chstore

import (
	"context"
	_ "embed"
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

// LinksTable holds the identity links (migrations/0002_identity_links.sql).
const LinksTable = "identity_links"

const insertLinkColumns = `(
	subject_id, id_kind, id_hmac, valid_from_us, valid_to_us, recorded_us,
	source_system, retracted, kafka_partition, kafka_offset)`

// MaxIdentityWindows bounds the identifier windows one lookup reads, after
// adjacent windows of one identifier are joined (a dynamic IP address leased
// again and again is one window). Each window is a condition in the query
// text; 1,000 keep it well inside the server's max_query_size.
const MaxIdentityWindows = 1000

// StoredLink is an identity link with where it came from in Kafka.
type StoredLink struct {
	lineage.IdentityLink
	Partition int32
	Offset    int64
}

// InsertLinks stores identity links in one INSERT. Storing a link again is
// harmless: queries take the latest statement of each link. Safe for
// concurrent use.
func (s *Store) InsertLinks(ctx context.Context, links []StoredLink) error {
	if len(links) == 0 {
		return nil
	}
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+LinksTable+" "+insertLinkColumns)
	if err != nil {
		return fmt.Errorf("prepare insert of %d identity links into %s: %w", len(links), s.cfg.Database, err)
	}
	defer batch.Close()
	for _, l := range links {
		to := int64(math.MaxInt64)
		if l.ValidTo != nil {
			to = l.ValidTo.UnixMicro()
		}
		var retracted uint8
		if l.Retracted {
			retracted = 1
		}
		if err := batch.Append(l.SubjectID, string(l.Identifier.Kind), l.Identifier.HMAC,
			l.ValidFrom.UnixMicro(), to, l.RecordedAt.UnixMicro(), l.SourceSystem, retracted,
			l.Partition, l.Offset); err != nil {
			return fmt.Errorf("append identity link: %w", err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("insert %d identity links into %s: %w", len(links), s.cfg.Database, err)
	}
	return nil
}

// window is a span of time in which the events stored under key (an
// identifier's key) are the subject's: [from, to) in microseconds.
type window struct {
	key      string
	from, to int64
}

// identifierWindows returns the windows of the subject's current links,
// clipped to [fromUS, toUS); windows of one identifier that touch or
// overlap are joined.
func (s *Store) identifierWindows(ctx context.Context, subject string, fromUS, toUS int64) ([]window, error) {
	rows, err := s.conn.Query(ctx, linksSQL, clickhouse.Named("subject_id", subject))
	if err != nil {
		return nil, fmt.Errorf("query identity links in %s: %w", s.cfg.Database, err)
	}
	defer rows.Close()
	var out []window
	for rows.Next() {
		var (
			id       lineage.Identifier
			kind     string
			from, to int64
		)
		if err := rows.Scan(&kind, &id.HMAC, &from, &to); err != nil {
			return nil, fmt.Errorf("scan identity links in %s: %w", s.cfg.Database, err)
		}
		id.Kind = lineage.IdentifierKind(kind)
		from, to = max(from, fromUS), min(to, toUS)
		if from >= to {
			continue
		}
		// Rows come sorted by identifier, then valid_from.
		if n := len(out); n > 0 && out[n-1].key == id.Key() && from <= out[n-1].to {
			out[n-1].to = max(out[n-1].to, to)
			continue
		}
		out = append(out, window{key: id.Key(), from: from, to: to})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read identity links in %s: %w", s.cfg.Database, err)
	}
	if len(out) > MaxIdentityWindows {
		return nil, fmt.Errorf("subject has %d identifier windows, more than the %d one lookup reads", len(out), MaxIdentityWindows)
	}
	return out, nil
}

// scopeMarker stands in recipients.sql and events.sql where the conditions
// of the subject's identifier windows go.
const scopeMarker = "/*identifier windows*/"

// subjectScope returns query with the subject's identifier windows in place
// of scopeMarker, and the values of their placeholders. The text added is
// fixed but for the placeholders' numbers: every value is bound by the
// driver, none is spliced in.
func (s *Store) subjectScope(ctx context.Context, query, subject string, fromUS, toUS int64) (string, []any, error) {
	windows, err := s.identifierWindows(ctx, subject, fromUS, toUS)
	if err != nil {
		return "", nil, err
	}
	var cond strings.Builder
	args := make([]any, 0, 3*len(windows))
	for i, w := range windows {
		n := strconv.Itoa(i)
		cond.WriteString("\n       OR (subject_id = @id_key_" + n + " AND occurred_us >= @id_from_" + n + " AND occurred_us < @id_to_" + n + ")")
		args = append(args, clickhouse.Named("id_key_"+n, w.key),
			clickhouse.Named("id_from_"+n, w.from), clickhouse.Named("id_to_"+n, w.to))
	}
	return strings.Replace(query, scopeMarker, cond.String(), 1), args, nil
}

// resolved turns a stored event's subject back into the domain's shape: an
// event stored under an identifier is answered as the subject's, with the
// identifier it was resolved through.
func resolved(e *StoredEvent, subject string) {
	if id, ok := lineage.ParseIdentifierKey(e.SubjectID); ok {
		e.SubjectID, e.SubjectIdentifier = subject, &id
	}
}

// UnresolvedCount is how many stored events of one identifier kind no
// current link covers yet: they are in nobody's answer until CRM tells whose
// the identifier was at the time.
type UnresolvedCount struct {
	Kind   lineage.IdentifierKind
	Events uint64
	Oldest time.Time
}

// Unresolved counts the stored events that no identity link resolves, per
// identifier kind (kinds with none are left out). It reads every identified
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
		if err := rows.Scan(&kind, &c.Events, &oldest); err != nil {
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
