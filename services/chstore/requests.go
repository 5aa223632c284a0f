package chstore

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/balticom/lineage/pkg/accessrequest"
)

var (
	//go:embed queries/requests_events.sql
	requestEventsSQL string
	//go:embed queries/requests_open.sql
	openRequestsSQL string
)

// RequestsTable holds the access request events
// (migrations/0005_access_requests.sql).
const RequestsTable = "access_request_events"

const insertRequestColumns = `(
	request_id, event_id, event_type, at_us, recorded_us, actor,
	channel, subject_id, identity_method, extension_months, subject_told_us,
	reason, report_hash, report_format, report_language, delivery_channel,
	kafka_partition, kafka_offset)`

// StoredRequestEvent is an access request event with where it came from
// in Kafka.
type StoredRequestEvent struct {
	accessrequest.Event
	Partition int32
	Offset    int64
}

// InsertRequestEvents stores access request events in one INSERT. Storing
// an event again is harmless: reads count an event id once. Safe for
// concurrent use.
func (s *Store) InsertRequestEvents(ctx context.Context, events []StoredRequestEvent) error {
	return insertRows(ctx, s, "access request events", RequestsTable, insertRequestColumns, events, func(e *StoredRequestEvent) []any {
		var told int64
		if !e.SubjectToldAt.IsZero() {
			told = e.SubjectToldAt.UnixMicro()
		}
		return []any{e.RequestID, e.EventID, string(e.Type), e.At.UnixMicro(), e.RecordedAt.UnixMicro(), e.Actor,
			string(e.Channel), e.SubjectID, string(e.Method), uint8(e.ExtensionMonths), told,
			e.Reason, e.ReportHash, string(e.Format), string(e.Language), string(e.DeliveryChannel),
			e.Partition, e.Offset}
	})
}

// RequestEvents returns the events of one access request, each event id
// once, in no particular order (accessrequest.Fold orders them); none for a
// request id never stored.
func (s *Store) RequestEvents(ctx context.Context, requestID string) ([]accessrequest.Event, error) {
	if !accessrequest.ValidRequestID(requestID) {
		return nil, fmt.Errorf("request events: not a request id: %w", ErrInvalidQuery)
	}
	rows, err := s.conn.Query(ctx, requestEventsSQL, clickhouse.Named("request_id", requestID))
	if err != nil {
		return nil, fmt.Errorf("query access request events in %s: %w", s.cfg.Database, err)
	}
	var events []accessrequest.Event
	err = scanRequestEvents(rows, func(e accessrequest.Event) { events = append(events, e) })
	if err != nil {
		return nil, fmt.Errorf("read access request events in %s: %w", s.cfg.Database, err)
	}
	return events, nil
}

// OpenRequestEvents returns the events of every access request that has no
// answered or refused event: one slice per request, each event id once,
// requests in the order of their ids. The caller folds each
// (accessrequest.Fold); a request whose events do not fold (no receipt)
// is still one of them, to be shown as such.
func (s *Store) OpenRequestEvents(ctx context.Context) ([][]accessrequest.Event, error) {
	rows, err := s.conn.Query(s.sameShard(ctx), openRequestsSQL,
		clickhouse.Named("answered", string(accessrequest.Answered)),
		clickhouse.Named("refused", string(accessrequest.Refused)))
	if err != nil {
		return nil, fmt.Errorf("query open access requests in %s: %w", s.cfg.Database, err)
	}
	var requests [][]accessrequest.Event
	err = scanRequestEvents(rows, func(e accessrequest.Event) {
		// Rows come sorted by request id.
		if n := len(requests); n == 0 || requests[n-1][0].RequestID != e.RequestID {
			requests = append(requests, nil)
		}
		requests[len(requests)-1] = append(requests[len(requests)-1], e)
	})
	if err != nil {
		return nil, fmt.Errorf("read open access requests in %s: %w", s.cfg.Database, err)
	}
	return requests, nil
}

// scanRequestEvents hands each row of a query of queries/requests_*.sql
// to add, and closes rows.
func scanRequestEvents(rows driver.Rows, add func(accessrequest.Event)) error {
	defer rows.Close()
	for rows.Next() {
		var (
			e                                                accessrequest.Event
			typ, channel, method, format, language, delivery string
			at, recorded, told                               int64
			months                                           uint8
		)
		if err := rows.Scan(&e.RequestID, &e.EventID, &typ, &at, &recorded, &e.Actor,
			&channel, &e.SubjectID, &method, &months, &told,
			&e.Reason, &e.ReportHash, &format, &language, &delivery); err != nil {
			return err
		}
		e.Type, e.Channel, e.Method = accessrequest.Type(typ), accessrequest.Channel(channel), accessrequest.IdentityMethod(method)
		e.Format, e.Language, e.DeliveryChannel = accessrequest.Format(format), accessrequest.Language(language), accessrequest.DeliveryChannel(delivery)
		e.At, e.RecordedAt, e.ExtensionMonths = fromMicros(at), fromMicros(recorded), int(months)
		if told != 0 {
			e.SubjectToldAt = fromMicros(told)
		}
		add(e)
	}
	return rows.Err()
}
