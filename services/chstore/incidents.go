package chstore

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/balticom/lineage/pkg/incident"
)

var (
	//go:embed queries/incidents_events.sql
	incidentEventsSQL string
	//go:embed queries/incidents_open.sql
	openIncidentsSQL string
)

// IncidentsTable holds the breach record (migrations/0008_incidents.sql).
const IncidentsTable = "incident_events"

const insertIncidentColumns = `(
	incident_id, event_id, event_type, at_us, recorded_us, actor,
	party_kind, party, window_from_us, window_to_us, nature,
	subjects, events, approximate, authority, reference, reason,
	kafka_partition, kafka_offset)`

// StoredIncidentEvent is an incident event with where it came from in
// Kafka.
type StoredIncidentEvent struct {
	incident.Event
	Partition int32
	Offset    int64
}

// InsertIncidentEvents stores incident events in one INSERT. Storing an
// event again is harmless: reads count an event id once. Safe for
// concurrent use.
func (s *Store) InsertIncidentEvents(ctx context.Context, events []StoredIncidentEvent) error {
	return insertRows(ctx, s, "incident events", IncidentsTable, insertIncidentColumns, events, func(e *StoredIncidentEvent) []any {
		var from, to int64
		if !e.WindowFrom.IsZero() {
			from, to = e.WindowFrom.UnixMicro(), e.WindowTo.UnixMicro()
		}
		var approximate uint8
		if e.Approximate {
			approximate = 1
		}
		return []any{e.IncidentID, e.EventID, string(e.Type), e.At.UnixMicro(), e.RecordedAt.UnixMicro(), e.Actor,
			string(e.PartyKind), e.Party, from, to, e.Nature,
			e.Subjects, e.Events, approximate, e.Authority, e.Reference, e.Reason,
			e.Partition, e.Offset}
	})
}

// IncidentEvents returns the events of one incident, each event id once,
// in no particular order (incident.Fold orders them); none for an id never
// stored.
func (s *Store) IncidentEvents(ctx context.Context, id string) ([]incident.Event, error) {
	if !incident.ValidIncidentID(id) {
		return nil, fmt.Errorf("incident events: not an incident id: %w", ErrInvalidQuery)
	}
	rows, err := s.conn.Query(ctx, incidentEventsSQL, clickhouse.Named("incident_id", id))
	if err != nil {
		return nil, fmt.Errorf("query incident events in %s: %w", s.cfg.Database, err)
	}
	var events []incident.Event
	if err := scanIncidentEvents(rows, func(e incident.Event) { events = append(events, e) }); err != nil {
		return nil, fmt.Errorf("read incident events in %s: %w", s.cfg.Database, err)
	}
	return events, nil
}

// OpenIncidentEvents returns the events of every incident not closed, one
// slice per incident, incidents in the order of their ids.
func (s *Store) OpenIncidentEvents(ctx context.Context) ([][]incident.Event, error) {
	rows, err := s.conn.Query(s.sameShard(ctx), openIncidentsSQL, clickhouse.Named("closed", string(incident.Closed)))
	if err != nil {
		return nil, fmt.Errorf("query open incidents in %s: %w", s.cfg.Database, err)
	}
	var out [][]incident.Event
	err = scanIncidentEvents(rows, func(e incident.Event) {
		// Rows come sorted by incident id.
		if n := len(out); n == 0 || out[n-1][0].IncidentID != e.IncidentID {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], e)
	})
	if err != nil {
		return nil, fmt.Errorf("read open incidents in %s: %w", s.cfg.Database, err)
	}
	return out, nil
}

// scanIncidentEvents hands each row of a query of queries/incidents_*.sql
// to add, and closes rows.
func scanIncidentEvents(rows driver.Rows, add func(incident.Event)) error {
	defer rows.Close()
	for rows.Next() {
		var (
			e                      incident.Event
			typ, kind              string
			at, recorded, from, to int64
			approximate            uint8
		)
		if err := rows.Scan(&e.IncidentID, &e.EventID, &typ, &at, &recorded, &e.Actor,
			&kind, &e.Party, &from, &to, &e.Nature,
			&e.Subjects, &e.Events, &approximate, &e.Authority, &e.Reference, &e.Reason); err != nil {
			return err
		}
		e.Type, e.PartyKind, e.Approximate = incident.Type(typ), incident.PartyKind(kind), approximate == 1
		e.At, e.RecordedAt = fromMicros(at), fromMicros(recorded)
		if typ == string(incident.Opened) {
			e.WindowFrom, e.WindowTo = fromMicros(from), fromMicros(to)
		}
		add(e)
	}
	return rows.Err()
}
