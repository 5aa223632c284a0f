package chstore

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/subjectfact"
)

var (
	//go:embed queries/facts_subject.sql
	subjectFactsSQL string
	//go:embed queries/facts_consent.sql
	consentFactsSQL string
	//go:embed queries/consent_uses.sql
	consentUsesSQL string
	//go:embed queries/facts_erasures.sql
	erasuresSQL string
)

// FactsTable holds the subject facts (migrations/0007_subject_facts.sql).
const FactsTable = "subject_facts"

const insertFactColumns = `(
	subject_id, fact_id, fact_type, at_us, recorded_us, source_system, actor,
	purpose, channel, recipient_id, reference, reason,
	kafka_partition, kafka_offset)`

// StoredFact is a subject fact with where it came from in Kafka.
type StoredFact struct {
	subjectfact.Fact
	Partition int32
	Offset    int64
}

// InsertFacts stores subject facts in one INSERT. Storing a fact again is
// harmless: reads count a fact id once. Safe for concurrent use.
func (s *Store) InsertFacts(ctx context.Context, facts []StoredFact) error {
	return insertRows(ctx, s, "subject facts", FactsTable, insertFactColumns, facts, func(f *StoredFact) []any {
		return []any{f.SubjectID, f.ID, string(f.Type), f.At.UnixMicro(), f.RecordedAt.UnixMicro(), f.SourceSystem, f.Actor,
			f.Purpose, string(f.Channel), f.RecipientID, f.Reference, f.Reason,
			f.Partition, f.Offset}
	})
}

// SubjectFacts returns the facts of one subject, each fact id once, in no
// particular order (package subjectfact orders them); none for a subject
// without facts.
func (s *Store) SubjectFacts(ctx context.Context, subject string) ([]subjectfact.Fact, error) {
	if !lineage.ValidSubjectID(subject) {
		return nil, fmt.Errorf("subject facts: subject id is not a customer id: %w", ErrInvalidQuery)
	}
	rows, err := s.conn.Query(ctx, subjectFactsSQL, clickhouse.Named("subject", subject))
	if err != nil {
		return nil, fmt.Errorf("query subject facts in %s: %w", s.cfg.Database, err)
	}
	var facts []subjectfact.Fact
	if err := scanFacts(rows, func(f subjectfact.Fact) { facts = append(facts, f) }); err != nil {
		return nil, fmt.Errorf("read subject facts in %s: %w", s.cfg.Database, err)
	}
	return facts, nil
}

// MaxConsentUses bounds the events ConsentFlags judges in one answer: a
// window with more is refused with ErrTooManyConsentUses.
const MaxConsentUses = 1_000_000

// ErrTooManyConsentUses is matched (errors.Is) when a window holds more
// consent and marketing events of the subjects with a withdrawal or an
// opt-out than one ConsentFlags answer judges.
var ErrTooManyConsentUses = fmt.Errorf("more than %d consent and marketing events: ask for a shorter time: %w", MaxConsentUses, ErrInvalidQuery)

// ConsentFlags returns the events in [from, to) that came after a
// withdrawal of the consent they relied on or after an opt-out of
// commercial communication, of every subject, ordered by subject and
// time (subjectfact.Flags judges them). Events filed under an identifier
// are not judged: a consent belongs to a customer. More than
// MaxConsentUses candidate events is ErrTooManyConsentUses.
func (s *Store) ConsentFlags(ctx context.Context, from, to time.Time) ([]subjectfact.Flag, error) {
	withdrawals := []any{
		clickhouse.Named("withdrawn", string(subjectfact.ConsentWithdrawn)),
		clickhouse.Named("opted_out", string(subjectfact.OptedOut)),
	}
	rows, err := s.conn.Query(s.sameShard(ctx), consentFactsSQL, withdrawals...)
	if err != nil {
		return nil, fmt.Errorf("query consent facts in %s: %w", s.cfg.Database, err)
	}
	facts := make(map[string][]subjectfact.Fact)
	if err := scanFacts(rows, func(f subjectfact.Fact) { facts[f.SubjectID] = append(facts[f.SubjectID], f) }); err != nil {
		return nil, fmt.Errorf("read consent facts in %s: %w", s.cfg.Database, err)
	}
	fromUS, toUS := bounds(from, to)
	rows, err = s.conn.Query(s.sameShard(ctx), consentUsesSQL, append(withdrawals,
		clickhouse.Named("from_us", fromUS), clickhouse.Named("to_us", toUS),
		clickhouse.Named("consent", "consent"), clickhouse.Named("commercial", subjectfact.CommercialCommunication),
		clickhouse.Named("limit", MaxConsentUses+1))...)
	if err != nil {
		return nil, fmt.Errorf("query consent uses in %s: %w", s.cfg.Database, err)
	}
	defer rows.Close()
	var (
		flags   []subjectfact.Flag
		subject string
		uses    []subjectfact.Use
		n       int
	)
	judge := func() {
		if subject != "" {
			flags = append(flags, subjectfact.Flags(subject, facts[subject], uses)...)
		}
	}
	for rows.Next() {
		var (
			u        subjectfact.Use
			who      string
			kind     string
			occurred int64
		)
		if err := rows.Scan(&who, &u.EventID, &kind, &occurred, &u.Purpose, &u.LegalBasis); err != nil {
			return nil, fmt.Errorf("scan consent uses in %s: %w", s.cfg.Database, err)
		}
		if n++; n > MaxConsentUses {
			return nil, fmt.Errorf("consent flags: %w", ErrTooManyConsentUses)
		}
		// Rows come sorted by subject: judge each subject's events at once.
		if who != subject {
			judge()
			subject, uses = who, uses[:0]
		}
		u.Kind, u.OccurredAt = lineage.Kind(kind), fromMicros(occurred)
		uses = append(uses, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read consent uses in %s: %w", s.cfg.Database, err)
	}
	judge()
	return flags, nil
}

// ErasureRequest is a subject who asked for erasure, and when last.
type ErasureRequest struct {
	SubjectID   string
	RequestedAt time.Time
}

// MaxErasures bounds the requests one Erasures answer lists.
const MaxErasures = 10_000

// Erasures returns the subjects who asked for erasure, the latest request
// first, up to limit (1 to MaxErasures).
func (s *Store) Erasures(ctx context.Context, limit int) ([]ErasureRequest, error) {
	if limit < 1 || limit > MaxErasures {
		return nil, fmt.Errorf("erasures: limit %d must be 1 to %d: %w", limit, MaxErasures, ErrInvalidQuery)
	}
	rows, err := s.conn.Query(ctx, erasuresSQL,
		clickhouse.Named("requested", string(subjectfact.ErasureRequested)), clickhouse.Named("limit", limit))
	if err != nil {
		return nil, fmt.Errorf("query erasure requests in %s: %w", s.cfg.Database, err)
	}
	defer rows.Close()
	var out []ErasureRequest
	for rows.Next() {
		var (
			r  ErasureRequest
			at int64
		)
		if err := rows.Scan(&r.SubjectID, &at); err != nil {
			return nil, fmt.Errorf("scan erasure requests in %s: %w", s.cfg.Database, err)
		}
		r.RequestedAt = fromMicros(at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read erasure requests in %s: %w", s.cfg.Database, err)
	}
	return out, nil
}

// scanFacts hands each row of a query of queries/facts_*.sql to add, and
// closes rows.
func scanFacts(rows driver.Rows, add func(subjectfact.Fact)) error {
	defer rows.Close()
	for rows.Next() {
		var (
			f            subjectfact.Fact
			typ, channel string
			at, recorded int64
		)
		if err := rows.Scan(&f.SubjectID, &f.ID, &typ, &at, &recorded, &f.SourceSystem, &f.Actor,
			&f.Purpose, &channel, &f.RecipientID, &f.Reference, &f.Reason); err != nil {
			return err
		}
		f.Type, f.Channel = subjectfact.Type(typ), subjectfact.Channel(channel)
		f.At, f.RecordedAt = fromMicros(at), fromMicros(recorded)
		add(f)
	}
	return rows.Err()
}
