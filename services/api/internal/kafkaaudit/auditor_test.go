package kafkaaudit

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel/trace"

	"github.com/balticom/lineage/pkg/incident"
	"github.com/balticom/lineage/pkg/incident/incidenttest"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/api/internal/audit"
)

func newCluster(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatalf("start kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

func newAuditor(t *testing.T, c *kfake.Cluster, timeout time.Duration) *Auditor {
	t.Helper()
	a, err := New(Config{Brokers: c.ListenAddrs(), Timeout: timeout})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(a.Close)
	return a
}

func TestAuditWritesRecord(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(3, topics.Audit, topics.Events))
	a := newAuditor(t, c, 5*time.Second)

	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	limit := 50
	rec := audit.Record{
		Time: time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC), Caller: "e1042", Role: "access_responder",
		AccessRequest: "AR-2026-000123",
		Endpoint:      "/v1/subjects/{subject_id}/events", SubjectID: "C1234567",
		From: &from, Limit: &limit, RemoteAddr: "10.1.2.3:50000", RequestID: "req-1",
		TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", Outcome: audit.OutcomeRequested,
	}
	tid, _ := trace.TraceIDFromHex(rec.TraceID)
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled,
	}))
	if err := a.Audit(ctx, rec); err != nil {
		t.Fatalf("Audit: %v", err)
	}

	cons, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics(topics.Audit),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	pctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	fetches := cons.PollFetches(pctx)
	if errs := fetches.Errors(); len(errs) > 0 {
		t.Fatalf("consume: %v", errs)
	}
	recs := fetches.Records()
	if len(recs) != 1 {
		t.Fatalf("got %d records, want 1", len(recs))
	}
	got := recs[0]
	if string(got.Key) != "C1234567" {
		t.Errorf("key = %q, want the subject id", got.Key)
	}
	want, _ := json.Marshal(rec)
	if string(got.Value) != string(want) {
		t.Errorf("value:\n got %s\nwant %s", got.Value, want)
	}
	headers := map[string]string{}
	for _, h := range got.Headers {
		headers[h.Key] = string(h.Value)
	}
	if headers["content-type"] != "application/json" {
		t.Errorf("content-type header = %q", headers["content-type"])
	}
	if want := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"; headers["traceparent"] != want {
		t.Errorf("traceparent header = %q, want %q", headers["traceparent"], want)
	}
	checkConsultation(t, c, rec)
}

// checkConsultation reads the one event of the events topic and checks it
// records rec as a consultation of the subject.
func checkConsultation(t *testing.T, c *kfake.Cluster, rec audit.Record) {
	t.Helper()
	cons, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics(topics.Events),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	recs := cons.PollFetches(ctx).Records()
	if len(recs) != 1 {
		t.Fatalf("got %d consultation events, want 1", len(recs))
	}
	codec, err := wire.New()
	if err != nil {
		t.Fatal(err)
	}
	var e lineage.Event
	if err := codec.Decode(ctx, recs[0].Value, &e); err != nil {
		t.Fatalf("decode consultation: %v", err)
	}
	if err := e.Validate(rec.Time); err != nil {
		t.Errorf("consultation not valid: %v", err)
	}
	if string(recs[0].Key) != rec.SubjectID || e.SubjectID != rec.SubjectID || e.Kind != lineage.Access ||
		!e.OccurredAt.Equal(rec.Time) || e.SourceSystem != audit.ConsultationSource {
		t.Errorf("consultation %+v (key %q) does not record a lookup of %s at %s", e, recs[0].Key, rec.SubjectID, rec.Time)
	}
	if e.Actor.Type != lineage.EmployeeRole || e.Actor.ID != rec.Role || lineage.Deref(e.Actor.Employee) != rec.Caller {
		t.Errorf("actor = %+v, want role %s and employee %s", e.Actor, rec.Role, rec.Caller)
	}
	if e.Attributes[audit.AttrAccessRequest] != rec.AccessRequest || e.Attributes[audit.AttrEndpoint] != rec.Endpoint {
		t.Errorf("attributes = %v, want the access request and endpoint", e.Attributes)
	}
}

// TestAuditOfAParty: a breach list, which names a recipient and no
// subject, is one audit record keyed by the party, and no consultation
// event (it would name no subject).
func TestAuditOfAParty(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(1, topics.Audit, topics.Events))
	a := newAuditor(t, c, 5*time.Second)
	rec := audit.Record{
		Time: time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC), Caller: "dpo", Role: "dpo",
		Endpoint: "/v1/recipients/{recipient_id}/subjects", PartyKind: "recipient", Party: "rcp-bank-swedbank",
		Outcome: audit.OutcomeRequested,
	}
	if err := a.Audit(t.Context(), rec); err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if got := keysIn(t, c, topics.Audit); len(got) != 1 || got[0] != "recipient:rcp-bank-swedbank" {
		t.Errorf("audit records keyed %q, want one keyed recipient:rcp-bank-swedbank", got)
	}
	if got := keysIn(t, c, topics.Events); len(got) != 0 {
		t.Errorf("%d consultation events for a list of subjects, want none", len(got))
	}
}

func TestAuditFailsWithinTimeout(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(1, topics.Audit, topics.Events))
	a := newAuditor(t, c, 300*time.Millisecond)
	rec := audit.Record{Time: time.Now(), Caller: "dpo-1", Role: "dpo", Endpoint: "/v1/subjects/{subject_id}/report", SubjectID: "C1234567"}
	if err := a.Audit(context.Background(), rec); err != nil {
		t.Fatalf("Audit while up: %v", err)
	}
	c.Close()

	start := time.Now()
	err := a.Audit(context.Background(), rec)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Audit after the cluster closed: err = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Audit took %s, want about its 300ms timeout", d)
	}
}

func TestPing(t *testing.T) {
	tests := []struct {
		name    string
		opts    []kfake.Opt
		closed  bool
		wantErr error
		wantAny bool
	}{
		{name: "topic exists", opts: []kfake.Opt{kfake.SeedTopics(1, topics.Audit)}},
		{name: "no audit topic", opts: []kfake.Opt{kfake.SeedTopics(1, topics.Events)}, wantErr: kerr.UnknownTopicOrPartition},
		{name: "cluster down", opts: []kfake.Opt{kfake.SeedTopics(1, topics.Audit)}, closed: true, wantAny: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster(t, tt.opts...)
			a := newAuditor(t, c, time.Second)
			if tt.closed {
				c.Close()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			err := a.Ping(ctx)
			switch {
			case tt.wantAny && err == nil:
				t.Error("Ping: want an error")
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("Ping: err = %v, want %v", err, tt.wantErr)
			case !tt.wantAny && tt.wantErr == nil && err != nil:
				t.Errorf("Ping: %v", err)
			}
		})
	}
}

func TestNewRequiresBrokers(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("New without brokers: want an error")
	}
}

// records returns the records of the topic's first partition, none when it
// is empty.
func records(t *testing.T, c *kfake.Cluster, topic string) []*kgo.Record {
	t.Helper()
	cons, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cons.Close()
	ends, err := kadm.NewClient(cons).ListEndOffsets(t.Context(), topic)
	if err != nil {
		t.Fatal(err)
	}
	if ends.Error() != nil || ends[topic][0].Offset == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	return cons.PollFetches(ctx).Records()
}

// keysIn returns the keys of the records of the topic's first partition.
func keysIn(t *testing.T, c *kfake.Cluster, topic string) (keys []string) {
	t.Helper()
	for _, r := range records(t, c, topic) {
		keys = append(keys, string(r.Key))
	}
	return keys
}

// TestRecordFactAndIncident: a subject fact goes to the facts topic keyed
// by the subject (by the reference when there is none), an incident event
// to the incidents topic keyed by the incident; both decode back.
func TestRecordFactAndIncident(t *testing.T) {
	c := newCluster(t, kfake.SeedTopics(1, topics.Facts, topics.Incidents))
	a := newAuditor(t, c, 5*time.Second)
	at := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	optOut := subjectfact.Fact{ID: lineage.NewID(), Type: subjectfact.OptedOut, At: at, RecordedAt: at,
		SourceSystem: "lineage_tracker", Actor: "dpo", SubjectID: "C00000042", Channel: "phone"}
	unmet := subjectfact.Fact{ID: lineage.NewID(), Type: subjectfact.LawfulRequestUnmet, At: at, RecordedAt: at,
		SourceSystem: "lineage_tracker", Actor: "dpo", RecipientID: "rcp-state-police", Reference: "VP-17", Reason: "too old"}
	for _, f := range []subjectfact.Fact{optOut, unmet} {
		if err := a.RecordFact(t.Context(), f); err != nil {
			t.Fatalf("RecordFact: %v", err)
		}
	}
	opened := incidenttest.Opened(incidenttest.IncidentID(1), 1, at)
	if err := a.RecordIncident(t.Context(), opened); err != nil {
		t.Fatalf("RecordIncident: %v", err)
	}
	if got := keysIn(t, c, topics.Facts); len(got) != 2 || got[0] != "C00000042" || got[1] != "VP-17" {
		t.Errorf("facts keyed %q", got)
	}
	facts, err := wire.NewFactCodec()
	if err != nil {
		t.Fatal(err)
	}
	var f subjectfact.Fact
	if err := facts.Decode(records(t, c, topics.Facts)[0].Value, &f); err != nil || f.ID != optOut.ID || f.Channel != "phone" {
		t.Errorf("fact decoded %+v, %v", f, err)
	}
	recs := records(t, c, topics.Incidents)
	incidents, err := wire.NewIncidentCodec()
	if err != nil {
		t.Fatal(err)
	}
	var e incident.Event
	if len(recs) != 1 || string(recs[0].Key) != opened.IncidentID || incidents.Decode(recs[0].Value, &e) != nil || e.EventID != opened.EventID {
		t.Errorf("incident records %v, decoded %+v", recs, e)
	}
}
