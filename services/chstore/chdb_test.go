package chstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/balticom/lineage/pkg/lineage"
)

// The DDL and queries must also run on current ClickHouse; scripts/test
// checks that in chdb (an embedded current engine) by running
// migrations/*.sql and then testdata/*.sql in one session. The read queries
// exist as text only once clickhouse-go has bound their values, so
// TestChdbCheckSQL keeps testdata/chdb_check.sql: the statements this
// package sends besides the DDL, with the read queries exactly as the driver
// rendered them for the 18.16 server.
const (
	chdbCheckFile = "testdata/chdb_check.sql"
	// updateEnv=1 rewrites chdbCheckFile instead of comparing with it.
	updateEnv = "LINEAGE_UPDATE_GOLDEN"
	// expectedEnv names a file to which TestChdbCheckSQL writes 18.16's
	// answers to the read queries (JSON: name, sql, rows of strings), for
	// comparing with chdb's.
	expectedEnv = "LINEAGE_CHDB_EXPECTED_OUT"
	// settleCall is the call whose statements are inserts: they go into
	// the script, with no answer to compare.
	settleCall = "settle"
)

// TestChdbCheckSQL renders testdata/chdb_check.sql and fails if it differs
// from the file: a changed query must be checked on current ClickHouse
// again. The file holds the migration record insert, 100,000 generated
// events, and each read query as clickhouse-go sent it, taken from the
// server's query log.
func TestChdbCheckSQL(t *testing.T) {
	s := newMigratedStore(t)
	ctx := t.Context()

	all, err := loadMigrations(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	script := []string{
		// What recordMigration sends as a native block, in SQL form.
		fmt.Sprintf("INSERT INTO schema_migrations (version, name, checksum) VALUES (%d, '%s', '%s')",
			all[0].version, all[0].name, all[0].checksum),
	}

	const fullSize, checkSize = "numbers(10000000)", "numbers(100000)"
	if !strings.Contains(benchEventsSQL, fullSize) {
		t.Fatalf("testdata/bench/events.sql no longer reads %s", fullSize)
	}
	generate := strings.Replace(benchEventsSQL, fullSize, checkSize, 1)
	if err := s.conn.Exec(ctx, generate); err != nil {
		t.Fatalf("generate events: %v", err)
	}
	script = append(script, splitStatements(generate)...)
	const fullIdentified, checkIdentified = "numbers(2000000)", "numbers(20000)"
	if !strings.Contains(benchIdentitiesSQL, fullIdentified) {
		t.Fatalf("testdata/bench/identities.sql no longer reads %s", fullIdentified)
	}
	for _, stmt := range splitStatements(strings.Replace(benchIdentitiesSQL, fullIdentified, checkIdentified, 1)) {
		if err := s.conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("generate identities: %v", err)
		}
		script = append(script, stmt)
	}

	// A subject whose answers hold direct events (three or more, so that
	// pages of two have a next page) and a CDR resolved through the phone
	// number it has held since 2023-03-01, inside the bounded range.
	from := time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var subject string
	if err := s.conn.QueryRow(ctx, `SELECT subject_id FROM identity_links_v2
		WHERE valid_from_us = @from
		  AND concat('msisdn:', id_hmac) IN (SELECT subject_id FROM lineage_events WHERE subject_id >= 'a' AND occurred_us >= @from AND occurred_us < @to)
		  AND subject_id IN (SELECT subject_id FROM lineage_events WHERE subject_id < 'a' GROUP BY subject_id HAVING count() >= 3)
		ORDER BY subject_id LIMIT 1`,
		clickhouse.Named("from", from.UnixMicro()), clickhouse.Named("to", to.UnixMicro())).Scan(&subject); err != nil {
		t.Fatalf("pick a subject: %v", err)
	}
	// A customer with more windows than exactWindows, whose lookups take
	// the other form of the query: 40 IP addresses, each held for an hour
	// in 2024, with a CDR inside each lease and one just after it.
	many := fmt.Sprintf("C%08d", 9999999)
	for _, stmt := range []string{
		`INSERT INTO identity_links_v2 (
    subject_id, id_kind, id_hmac, valid_from_us, valid_to_us, recorded_us,
    source_system, retracted, kafka_partition, kafka_offset)
SELECT '` + many + `', 'ip_address', lower(hex(SHA256(concat('ip', toString(number))))),
    1704067200000000 + number * 7200000000, 1704067200000000 + number * 7200000000 + 3600000000,
    1704067200000000, 'crm', toUInt8(0), toInt32(0), toInt64(2000000 + number)
FROM numbers(40)`,
		`INSERT INTO lineage_events (
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset)
SELECT
    concat('00000000-0000-4000-a000-', substring(toString(1000000000000 + number), 2)), 'transfer',
    1704067200000000 + intDiv(number, 2) * 7200000000 + if(number % 2 = 0, 60000000, 3660000000) AS occurred_us,
    occurred_us + 150000, 'cdr_mediation', 'employee_role', 'lawful_request_officer',
    concat('ip_address:', lower(hex(SHA256(concat('ip', toString(intDiv(number, 2))))))),
    ['traffic_data'], 'legal_obligation', 'legal_obligation', '',
    'rcp-state-police', 'Valsts policija', 'law_enforcement', 'LV', '', '', '', [], [], toInt32(0), toInt64(3000000 + number)
FROM numbers(80)`,
		// A restricted disclosure of that customer, under review until
		// 2100: in the DPO's view and a report's input only.
		`INSERT INTO lineage_events (
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset,
    actor_employee, restriction_basis, restriction_review_us)
SELECT '00000000-0000-4000-b000-000000000001', 'transfer', toInt64(1704153600000000), toInt64(1704153600150000),
    'cdr_mediation', 'employee_role', 'lawful_request_officer', '` + many + `', ['traffic_data', 'location'],
    'legal_obligation', 'legal_obligation', '', 'rcp-state-security', 'Valsts drošības dienests', 'law_enforcement',
    'LV', '', '', '', emptyArrayString(), emptyArrayString(), toInt32(0), toInt64(4000000),
    'E1042', 'Kriminālprocesa likums, 192. pants', toInt64(4102444800000000)`,
		// Two access requests: one open with its identity checked, one
		// answered.
		`INSERT INTO access_request_events (
    request_id, event_id, event_type, at_us, recorded_us, actor, channel, subject_id, identity_method,
    extension_months, subject_told_us, reason, report_hash, report_format, report_language, delivery_channel,
    kafka_partition, kafka_offset)
SELECT 'AR-2026-OPEN0001', '00000000-0000-4000-c000-000000000001', 'received', toInt64(1767261600000000), toInt64(1767261600000000), 'desk-1', 'e_signed_email', '', '', toUInt8(0), toInt64(0), '', '', '', '', '', toInt32(0), toInt64(1)
UNION ALL
SELECT 'AR-2026-OPEN0001', '00000000-0000-4000-c000-000000000002', 'identity_checked', toInt64(1767265200000000), toInt64(1767265200000000), 'desk-1', '', '` + many + `', 'secure_e_signature', toUInt8(0), toInt64(0), '', '', '', '', '', toInt32(0), toInt64(2)
UNION ALL
SELECT 'AR-2026-DONE0001', '00000000-0000-4000-c000-000000000003', 'received', toInt64(1767261600000000), toInt64(1767261600000000), 'desk-1', 'in_person', '', '', toUInt8(0), toInt64(0), '', '', '', '', '', toInt32(1), toInt64(1)
UNION ALL
SELECT 'AR-2026-DONE0001', '00000000-0000-4000-c000-000000000004', 'refused', toInt64(1767348000000000), toInt64(1767348000000000), 'desk-1', '', '', '', toUInt8(0), toInt64(0), 'manifestly unfounded', '', '', '', '', toInt32(1), toInt64(2)`,
	} {
		if err := s.conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("generate many windows: %v", err)
		}
		script = append(script, stmt)
	}

	// Retention and the retained-data statistics: 200 call-recording
	// reviews of 20 customers in 2025, one a day, each dated 0 to 240 days
	// back, so that some are past §22's six months; 40 CDR disclosures to
	// the police in 2024, two per request, under numbers no link covers,
	// their retained data 0 to 570 days old; and three requests of 2024
	// that could not be met.
	for _, stmt := range []string{
		`INSERT INTO lineage_events (
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset)
SELECT
    concat('00000000-0000-4000-d000-', substring(toString(1000000000000 + number), 2)), 'access',
    1735725600000000 + number * 86400000000 AS occurred_us, occurred_us + 1000000, 'contact_centre', 'employee_role', 'quality_supervisor',
    concat('C0900', substring(toString(10000 + number % 20), 2)), ['call_recordings', 'communication'],
    'service_provision', 'legitimate_interest', '7.7', '', '', '', '', '', '', '',
    ['retention_from'], [toString(toDate('2025-01-01') + number - (number % 9) * 30)], toInt32(0), toInt64(5000000 + number)
FROM numbers(200)`,
		`INSERT INTO lineage_events (
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset)
SELECT
    concat('00000000-0000-4000-e000-', substring(toString(1000000000000 + number), 2)), 'transfer',
    1704103200000000 + number * 604800000000 AS occurred_us, occurred_us + 60000000, 'cdr_mediation', 'employee_role', 'retained_data_officer',
    concat('msisdn:', lower(hex(SHA256(concat('retained', toString(number)))))), ['traffic_data', 'service_usage'],
    'legal_obligation', 'legal_obligation', '', 'rcp-state-police', 'Valsts policija', 'law_enforcement', 'LV', '', '', '',
    ['request_ref', 'retention_from'],
    [concat('VP-2024/', toString(intDiv(number, 2))), toString(toDate('2024-01-01') + number * 7 - (number % 20) * 30)],
    toInt32(0), toInt64(6000000 + number)
FROM numbers(40)`,
		`INSERT INTO subject_facts (
    subject_id, fact_id, fact_type, at_us, recorded_us, source_system, actor,
    purpose, channel, recipient_id, reference, reason, kafka_partition, kafka_offset)
SELECT '', concat('00000000-0000-4000-f000-', substring(toString(1000000000000 + number), 2)), 'lawful_request_unmet',
    1709287200000000 + number * 2592000000000 AS at_us, at_us, 'cdr_mediation', 'svc-lawful-requests', '', '',
    if(number = 0, 'rcp-state-security', 'rcp-state-police'), concat('U-2024/', toString(number)), 'not retained', toInt32(0), toInt64(number)
FROM numbers(3)`,
	} {
		if err := s.conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("generate retention data: %v", err)
		}
		script = append(script, stmt)
	}

	// The DPO's records: the subject withdrew its consent to analytics and
	// opted out in 2024, and was analysed on consent after it; it asked for
	// erasure in 2025, the police confirmed it; an incident at rcp-7,
	// opened and counted, and one closed.
	for _, stmt := range []string{
		`INSERT INTO lineage_events (
    event_id, kind, occurred_us, recorded_us, source_system, actor_type, actor_id,
    subject_id, data_categories, purpose, legal_basis, legitimate_interest,
    recipient_id, recipient_name, recipient_category, recipient_country, transfer_mechanism,
    trace_parent, trace_state, attr_keys, attr_values, kafka_partition, kafka_offset)
SELECT '00000000-0000-4000-9100-000000000001', 'access', toInt64(1717236000000000), toInt64(1717236000000000), 'crm', 'service_account', 'svc-crm-analytics',
    '` + subject + `', ['customer_analytics'], 'planning_analytics', 'consent', '', '', '', '', '', '', '', '',
    emptyArrayString(), emptyArrayString(), toInt32(0), toInt64(7000000)`,
		`INSERT INTO subject_facts (
    subject_id, fact_id, fact_type, at_us, recorded_us, source_system, actor,
    purpose, channel, recipient_id, reference, reason, kafka_partition, kafka_offset)
SELECT '` + subject + `', '00000000-0000-4000-9000-000000000001', 'consent_withdrawn', toInt64(1704103200000000), toInt64(1704103200000000),
    'crm', 'crm-consents', 'planning_analytics', 'self_service_portal', '', '', '', toInt32(0), toInt64(10)
UNION ALL
SELECT '` + subject + `', '00000000-0000-4000-9000-000000000002', 'opted_out', toInt64(1704103200000000), toInt64(1704103200000000),
    'crm', 'crm-consents', '', 'phone', '', '', '', toInt32(0), toInt64(11)
UNION ALL
SELECT '` + subject + `', '00000000-0000-4000-9000-000000000003', 'erasure_requested', toInt64(1735725600000000), toInt64(1735725600000000),
    'lineage_tracker', 'dpo', '', '', '', 'ER-2025-1', '', toInt32(0), toInt64(12)
UNION ALL
SELECT '` + subject + `', '00000000-0000-4000-9000-000000000004', 'erasure_confirmed', toInt64(1736157600000000), toInt64(1736157600000000),
    'lineage_tracker', 'dpo', '', '', 'rcp-state-police', '', '', toInt32(0), toInt64(13)`,
		`INSERT INTO incident_events (
    incident_id, event_id, event_type, at_us, recorded_us, actor, party_kind, party, window_from_us, window_to_us, nature,
    subjects, events, approximate, authority, reference, reason, kafka_partition, kafka_offset)
SELECT 'IN-2025-OPEN00000001', '00000000-0000-4000-8800-000000000001', 'opened', toInt64(1735725600000000), toInt64(1735725600000000), 'dpo',
    'recipient', 'rcp-7', toInt64(1704067200000000), toInt64(1735689600000000), 'statements misdirected', toInt64(0), toInt64(0), toUInt8(0), '', '', '', toInt32(0), toInt64(1)
UNION ALL
SELECT 'IN-2025-OPEN00000001', '00000000-0000-4000-8800-000000000002', 'counted', toInt64(1735725660000000), toInt64(1735725660000000), 'dpo',
    '', '', toInt64(0), toInt64(0), '', toInt64(120), toInt64(300), toUInt8(1), '', '', '', toInt32(0), toInt64(2)
UNION ALL
SELECT 'IN-2025-DONE00000001', '00000000-0000-4000-8800-000000000003', 'opened', toInt64(1735725600000000), toInt64(1735725600000000), 'dpo',
    'source_system', 'crm', toInt64(1704067200000000), toInt64(1735689600000000), 'a lost laptop', toInt64(0), toInt64(0), toUInt8(0), '', '', '', toInt32(0), toInt64(3)
UNION ALL
SELECT 'IN-2025-DONE00000001', '00000000-0000-4000-8800-000000000004', 'closed', toInt64(1735812000000000), toInt64(1735812000000000), 'dpo',
    '', '', toInt64(0), toInt64(0), '', toInt64(0), toInt64(0), toUInt8(0), '', '', 'the disk was encrypted', toInt32(0), toInt64(4)`,
	} {
		if err := s.conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("generate the DPO's records: %v", err)
		}
		script = append(script, stmt)
	}

	// Restrictions are judged at a fixed time, so that the rendered
	// queries do not change from run to run.
	at := Restricted{Now: to}
	number := lineage.Identifier{Kind: lineage.MSISDN}
	if err := s.conn.QueryRow(ctx, `SELECT id_hmac FROM identity_links_v2 WHERE subject_id = @subject AND id_kind = 'msisdn' LIMIT 1`,
		clickhouse.Named("subject", subject)).Scan(&number.HMAC); err != nil {
		t.Fatalf("pick the subject's number: %v", err)
	}
	var next *Cursor
	calls := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"migrations", func(ctx context.Context) error { _, err := s.appliedMigrations(ctx); return err }},
		{"recipients", func(ctx context.Context) error {
			_, err := s.Recipients(ctx, RecipientsQuery{SubjectID: subject, Restricted: at})
			return err
		}},
		{"recipients_bounded", func(ctx context.Context) error {
			_, err := s.Recipients(ctx, RecipientsQuery{SubjectID: subject, From: from, To: to, Restricted: at})
			return err
		}},
		{"events_first_page", func(ctx context.Context) error {
			page, err := s.Events(ctx, EventsQuery{SubjectID: subject, Limit: 2, Restricted: at})
			next = page.Next
			return err
		}},
		{"events_next_page", func(ctx context.Context) error {
			if next == nil {
				return fmt.Errorf("subject %s has a single page", subject)
			}
			_, err := s.Events(ctx, EventsQuery{SubjectID: subject, Limit: 2, After: next, Restricted: at})
			return err
		}},
		{"events_bounded", func(ctx context.Context) error {
			_, err := s.Events(ctx, EventsQuery{SubjectID: subject, From: from, To: to, Restricted: at})
			return err
		}},
		{"recipients_many_windows", func(ctx context.Context) error {
			rs, err := s.Recipients(ctx, RecipientsQuery{SubjectID: many, Restricted: at})
			if err == nil && (len(rs.Recipients) != 1 || rs.Recipients[0].Events != 40) {
				err = fmt.Errorf("%s: recipients %+v, want the police with 40 events", many, rs.Recipients)
			}
			return err
		}},
		{"events_many_windows", func(ctx context.Context) error {
			page, err := s.Events(ctx, EventsQuery{SubjectID: many, Restricted: at})
			if err == nil && len(page.Events) != 40 {
				err = fmt.Errorf("%s: %d events, want 40", many, len(page.Events))
			}
			return err
		}},
		{"all_events_many_windows", func(ctx context.Context) error {
			page, err := s.AllEvents(ctx, EventsQuery{SubjectID: many})
			restricted := slices.IndexFunc(page.Events, func(e StoredEvent) bool { return e.Restriction != nil })
			if err == nil && (len(page.Events) != 41 || restricted < 0) {
				err = fmt.Errorf("%s: %d events, want the 40 and the restricted one", many, len(page.Events))
			}
			return err
		}},
		{"holders", func(ctx context.Context) error {
			hs, err := s.Holders(ctx, number)
			if err == nil && !slices.ContainsFunc(hs, func(h Holding) bool { return h.SubjectID == subject }) {
				err = fmt.Errorf("holders of %s's number %+v lack it", subject, hs)
			}
			return err
		}},
		{"request_events", func(ctx context.Context) error {
			es, err := s.RequestEvents(ctx, "AR-2026-OPEN0001")
			if err == nil && len(es) != 2 {
				err = fmt.Errorf("request events %+v, want 2", es)
			}
			return err
		}},
		{"open_requests", func(ctx context.Context) error {
			open, err := s.OpenRequestEvents(ctx)
			if err == nil && (len(open) != 1 || open[0][0].RequestID != "AR-2026-OPEN0001") {
				err = fmt.Errorf("open requests %+v, want AR-2026-OPEN0001 only", open)
			}
			return err
		}},
		{"unresolved", func(ctx context.Context) error { _, err := s.Unresolved(ctx); return err }},
		{"exposure", func(ctx context.Context) error {
			x, err := s.Exposure(ctx, ExposureQuery{Kind: Recipient, Party: "rcp-7", Now: to})
			if err == nil && x.Subjects == 0 {
				err = fmt.Errorf("rcp-7 reaches no subject")
			}
			return err
		}},
		{"exposure_source", func(ctx context.Context) error {
			_, err := s.Exposure(ctx, ExposureQuery{Kind: SourceSystem, Party: "crm", Now: to})
			return err
		}},
		{"exposed_subjects", func(ctx context.Context) error {
			page, err := s.ExposedSubjects(ctx, ExposureQuery{Kind: Recipient, Party: "rcp-7", Now: to}, "", 5)
			if err == nil && len(page) != 5 {
				err = fmt.Errorf("rcp-7: a page of %d subjects, want 5", len(page))
			}
			return err
		}},
		{"exposed_subject", func(ctx context.Context) error {
			e, ok, err := s.ExposedSubject(ctx, ExposureQuery{Kind: Recipient, Party: "rcp-state-police", Now: to}, many)
			if err == nil && (!ok || e.Events != 40) {
				err = fmt.Errorf("%s at the police: %+v, want its 40 events, through its numbers", many, e)
			}
			return err
		}},
		{"flows", func(ctx context.Context) error { _, err := s.Flows(ctx); return err }},
		{"retention", func(ctx context.Context) error {
			r, err := s.Retention(ctx, RetentionQuery{Subject: subject})
			if err == nil && len(r.Lines) == 0 {
				err = fmt.Errorf("%s: no retention lines", subject)
			}
			return err
		}},
		{"retention_past", func(ctx context.Context) error {
			r, err := s.Retention(ctx, RetentionQuery{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: to, Limit: 5})
			if err == nil && (len(r.Lines) == 0 || r.Next == "") {
				err = fmt.Errorf("retention in 2025: %+v, want a full page of recordings kept too long", r)
			}
			return err
		}},
		{"subject_facts", func(ctx context.Context) error {
			fs, err := s.SubjectFacts(ctx, subject)
			if err == nil && len(fs) != 4 {
				err = fmt.Errorf("%s: facts %+v, want 4", subject, fs)
			}
			return err
		}},
		{"consent_flags", func(ctx context.Context) error { _, err := s.ConsentFlags(ctx, from, to); return err }},
		{"erasures", func(ctx context.Context) error {
			es, err := s.Erasures(ctx, 10)
			if err == nil && (len(es) != 1 || es[0].SubjectID != subject) {
				err = fmt.Errorf("erasures %+v, want %s's", es, subject)
			}
			return err
		}},
		{"incident_events", func(ctx context.Context) error {
			es, err := s.IncidentEvents(ctx, "IN-2025-OPEN00000001")
			if err == nil && len(es) != 2 {
				err = fmt.Errorf("incident events %+v, want 2", es)
			}
			return err
		}},
		{"open_incidents", func(ctx context.Context) error {
			open, err := s.OpenIncidentEvents(ctx)
			if err == nil && (len(open) != 1 || open[0][0].IncidentID != "IN-2025-OPEN00000001") {
				err = fmt.Errorf("open incidents %+v, want IN-2025-OPEN00000001 only", open)
			}
			return err
		}},
		{"exposure_estimate", func(ctx context.Context) error {
			n, _, err := s.EstimateExposure(ctx, ExposureQuery{Kind: Recipient, Party: "rcp-7", From: from, To: to})
			if err == nil && n == 0 {
				err = fmt.Errorf("rcp-7: an estimate of no subject")
			}
			return err
		}},
		{"exposure_estimate_source", func(ctx context.Context) error {
			_, _, err := s.EstimateExposure(ctx, ExposureQuery{Kind: SourceSystem, Party: "crm", From: from, To: to})
			return err
		}},
		{"retained_statistics", func(ctx context.Context) error {
			st, err := s.RetainedDataStatistics(ctx, 2024)
			if err == nil && (st.Requests <= 20 || st.WithoutReference == 0 || st.Unmet != 3) {
				err = fmt.Errorf("statistics of 2024: %+v, want the 20 requests, the police's without reference and 3 unmet", st)
			}
			return err
		}},
	}
	// The settlement of the overview's rollups, all days in one pass: the
	// days it finds changed, then its inserts (in the script, without
	// answers), which the overview's reads below read.
	everything := dayRange{time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}
	calls = append(calls, struct {
		name string
		run  func(ctx context.Context) error
	}{"settle_changed", func(ctx context.Context) error {
		days, err := s.ChangedDays(ctx)
		if err == nil && len(days) == 0 {
			err = fmt.Errorf("no day to settle")
		}
		return err
	}}, struct {
		name string
		run  func(ctx context.Context) error
	}{settleCall, func(ctx context.Context) error {
		if err := s.settleDays(ctx, everything); err != nil {
			return err
		}
		return s.settleMonths(ctx, everything)
	}})
	// The dashboard's: the overview's reads one by one (Overview runs them
	// at once, and under one query id they would replace one another), a
	// page of the events behind a number, and a subject's lineage.
	for _, r := range overviewReads(OverviewQuery{From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: to},
		&Overview{RecipientTimes: map[string]Span{}}) {
		calls = append(calls, struct {
			name string
			run  func(ctx context.Context) error
		}{"overview_" + strings.ReplaceAll(r.what, " ", "_"), func(ctx context.Context) error { return s.each(ctx, r.query, r.args, r.row) }})
	}
	calls = append(calls, struct {
		name string
		run  func(ctx context.Context) error
	}{"event_list", func(ctx context.Context) error {
		page, err := s.EventList(ctx, EventListQuery{From: from, To: to, Filter: EventFilter{RecipientID: "rcp-state-police"}, Limit: 5})
		if err == nil && len(page.Events) != 5 {
			err = fmt.Errorf("the police's events: %d, want a page of 5", len(page.Events))
		}
		return err
	}}, struct {
		name string
		run  func(ctx context.Context) error
	}{"lineage", func(ctx context.Context) error {
		l, err := s.Lineage(ctx, LineageQuery{SubjectID: subject, Restricted: at})
		if err == nil && !slices.ContainsFunc(l.Flows, func(f LineageFlow) bool { return f.RecipientID == "rcp-state-police" }) {
			err = fmt.Errorf("%s's lineage %+v lacks the CDR through its number", subject, l.Flows)
		}
		return err
	}})
	type answer struct {
		Name string     `json:"name"`
		SQL  string     `json:"sql"`
		Rows [][]string `json:"rows"`
	}
	var answers []answer
	for _, c := range calls {
		id := fmt.Sprintf("%s-%s", s.cfg.Database, c.name)
		// A lookup's two queries share the id; the server may still list
		// the first as running when the second starts, which without
		// replace_running_query it refuses (code 216).
		logged := clickhouse.Context(ctx, clickhouse.WithQueryID(id),
			clickhouse.WithSettings(clickhouse.Settings{"log_queries": 1, "replace_running_query": 1}))
		if err := c.run(logged); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		// A lookup sends two queries: the subject's links, then its events.
		want := 2
		if strings.HasPrefix(c.name, "overview_") {
			want = 1
		}
		if c.name == settleCall {
			for _, sent := range sentQueries(t, s, id, 5) {
				script = append(script, "-- settle\n"+strings.TrimSpace(sent))
			}
			continue
		}
		switch c.name {
		case "migrations", "unresolved", "holders", "request_events", "open_requests", "exposure", "exposure_source", "exposed_subject", "flows",
			"retention_past", "settle_changed", "subject_facts", "erasures", "incident_events", "open_incidents", "exposure_estimate", "exposure_estimate_source":
			want = 1
		}
		for i, sent := range sentQueries(t, s, id, want) {
			name := c.name
			if i > 0 {
				name = fmt.Sprintf("%s_%d", c.name, i+1)
			}
			rows := canonicalRows(t, s, sent)
			if len(rows) == 0 {
				t.Fatalf("%s answers nothing for subject %s: nothing to compare", name, subject)
			}
			script = append(script, fmt.Sprintf("-- %s\n%s", name, strings.TrimSpace(sent)))
			answers = append(answers, answer{Name: name, SQL: sent, Rows: rows})
		}
	}

	var got bytes.Buffer
	got.WriteString("-- Written by TestChdbCheckSQL (LINEAGE_UPDATE_GOLDEN=1 go test -run TestChdbCheckSQL):\n" +
		"-- what services/chstore sends besides its DDL, read queries as clickhouse-go\n" +
		"-- rendered them for ClickHouse 18.16. Runs after migrations/*.sql, in one session.\n\n")
	for _, stmt := range script {
		got.WriteString(strings.TrimSpace(stmt))
		got.WriteString(";\n\n")
	}
	if os.Getenv(updateEnv) == "1" {
		if err := os.WriteFile(chdbCheckFile, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if want, err := os.ReadFile(chdbCheckFile); err != nil || !bytes.Equal(got.Bytes(), want) {
		t.Errorf("%s is not what the package sends (%v): rerun with %s=1 and check the file on current ClickHouse",
			chdbCheckFile, err, updateEnv)
	}

	if out := os.Getenv(expectedEnv); out != "" {
		var js bytes.Buffer
		enc := json.NewEncoder(&js)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", " ")
		if err := enc.Encode(answers); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, js.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// sentQueries returns the texts of the want finished queries with the id, from
// the server's query log: a lookup reads the subject's identity links first,
// then its events, under one id. The log's times have whole seconds, so the
// links query is put first by its text, and two other queries of one call
// (the retained-data statistics) by their text. The server may log a query after
// its client has the answer, so it asks a few times.
func sentQueries(t *testing.T, s *Store, id string, want int) []string {
	t.Helper()
	// Up to 30 s: a busy server (merges after a restart) writes its log late.
	for range 300 {
		if err := s.conn.Exec(t.Context(), "SYSTEM FLUSH LOGS"); err != nil {
			t.Fatalf("flush query log: %v", err)
		}
		var sent []string
		// type 2 is QueryFinish; in 18.16 the column is a UInt8, not an Enum.
		err := s.conn.QueryRow(t.Context(),
			"SELECT groupArray(query) FROM system.query_log WHERE query_id = @id AND type = 2",
			clickhouse.Named("id", id)).Scan(&sent)
		if err != nil {
			t.Fatalf("read query %s from the query log: %v", id, err)
		}
		links := func(q string) bool { return strings.Contains(q, "FROM identity_links_by_identifier_v2") }
		if len(sent) == want {
			slices.SortFunc(sent, func(a, b string) int {
				switch {
				case links(a) == links(b):
					return strings.Compare(a, b)
				case links(a):
					return -1
				default:
					return 1
				}
			})
			return sent
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the queries of %s are not in the query log", id)
	return nil
}

// canonicalRows runs query and returns each row as strings: numbers in
// decimal, arrays as JSON arrays of strings, the shape chdb's JSONCompact
// output takes once its scalars are turned into strings.
func canonicalRows(t *testing.T, s *Store, query string) [][]string {
	t.Helper()
	rows, err := s.conn.Query(t.Context(), query)
	if err != nil {
		t.Fatalf("run %s: %v", query, err)
	}
	defer rows.Close()
	types := rows.ColumnTypes()
	var out [][]string
	for rows.Next() {
		dest := make([]any, len(types))
		for i, ct := range types {
			dest[i] = reflect.New(ct.ScanType()).Interface()
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatalf("scan: %v", err)
		}
		row := make([]string, len(dest))
		for i, d := range dest {
			row[i] = canonical(t, reflect.ValueOf(d).Elem())
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func canonical(t *testing.T, v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Slice:
		elems := make([]string, v.Len())
		for i := range elems {
			elems[i] = canonical(t, v.Index(i))
		}
		b, err := json.Marshal(elems)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	default:
		t.Fatalf("no canonical form for %s", v.Type())
		return ""
	}
}
