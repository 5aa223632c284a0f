package dlq_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/accessrequest/accessrequesttest"
	"github.com/balticom/lineage/pkg/deadletter"
	"github.com/balticom/lineage/pkg/incident/incidenttest"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/lineage/lineagetest"
	"github.com/balticom/lineage/pkg/subjectfact"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
	"github.com/balticom/lineage/services/chstore"
	"github.com/balticom/lineage/services/chstore/chstoretest"
	"github.com/balticom/lineage/services/materializer/internal/facts"
	"github.com/balticom/lineage/services/materializer/internal/incidents"
	"github.com/balticom/lineage/services/materializer/internal/links"
	"github.com/balticom/lineage/services/materializer/internal/materialize"
	"github.com/balticom/lineage/services/materializer/internal/requests"
	"github.com/balticom/lineage/services/materializer/internal/sink"
	"github.com/balticom/lineage/services/materializer/internal/sink/sinktest"
)

// engine runs the events loop (package materialize) the way sinktest runs
// the small-topic loops.
type engine struct{ m *materialize.Materializer }

func (e engine) Options() []kgo.Opt { return e.m.Options() }

func (e engine) Run(ctx context.Context, cl *kgo.Client) error {
	e.m.Attach(cl)
	if err := e.m.Run(ctx, context.Background()); err != nil {
		return err
	}
	return ctx.Err() // Run returns nil when stopped: the sinks return why
}

// loop is one loop of the materializer, with a valid record value of its
// topic and one that decodes but breaks a rule.
type loop struct {
	name, topic    string
	valid, invalid []byte
	start          func(t *testing.T, store *chstore.Store, cfg sink.Config) sinktest.Sink
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func loops() []loop {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	events := must(wire.New())
	access := lineagetest.Access(lineagetest.UUID(1), "C00000001", lineagetest.Base)
	badCode := access
	badCode.DataCategories = []string{"horoscope"}

	linkCodec := must(wire.NewLinkCodec())
	number := lineagetest.Identifier(lineage.MSISDN, 1)
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	link := lineagetest.Link("C00000001", number, from, time.Time{})
	backwards := lineagetest.Link("C00000001", number, from, from.AddDate(-1, 0, 0))

	requestCodec := must(wire.NewRequestCodec())
	id := accessrequesttest.RequestID(1)
	received := accessrequesttest.Received(id, 1, from)
	extended := accessrequesttest.Extended(id, 2, from, 3, from) // three months: not allowed

	factCodec := must(wire.NewFactCodec())
	fact := subjectfact.Fact{ID: "6f1c3a52-8d0e-4b7a-9c21-3e5f7a9b1c01", Type: subjectfact.ErasureRequested, At: from, RecordedAt: from,
		SourceSystem: "crm", Actor: "crm-consents", SubjectID: "C00000001"}
	noChannel := fact
	noChannel.ID, noChannel.Type = "6f1c3a52-8d0e-4b7a-9c21-3e5f7a9b1c02", subjectfact.OptedOut

	incidentCodec := must(wire.NewIncidentCodec())
	iid := incidenttest.IncidentID(1)
	opened := incidenttest.Opened(iid, 1, from)
	negative := incidenttest.Counted(iid, 2, from, -1, 3, false)

	return []loop{
		{"events", topics.Events, must(events.Append(nil, &access)), must(events.Append(nil, &badCode)),
			func(t *testing.T, store *chstore.Store, cfg sink.Config) sinktest.Sink {
				m, err := materialize.New(materialize.Config{Group: cfg.Group, DeadLetter: cfg.DeadLetter, BatchSize: 100,
					BatchLinger: 20 * time.Millisecond, Now: cfg.Now}, store, events.NewDecoder(), log)
				if err != nil {
					t.Fatal(err)
				}
				return engine{m}
			}},
		{"identity links", topics.IdentityLinks, must(linkCodec.Append(nil, &link)), must(linkCodec.Append(nil, &backwards)),
			func(t *testing.T, store *chstore.Store, cfg sink.Config) sinktest.Sink {
				return must(links.New(cfg, []string{"crm"}, store, log))
			}},
		{"access requests", topics.Requests, must(requestCodec.Append(nil, &received)), must(requestCodec.Append(nil, &extended)),
			func(t *testing.T, store *chstore.Store, cfg sink.Config) sinktest.Sink {
				return must(requests.New(cfg, store, log))
			}},
		{"subject facts", topics.Facts, must(factCodec.Append(nil, &fact)), must(factCodec.Append(nil, &noChannel)),
			func(t *testing.T, store *chstore.Store, cfg sink.Config) sinktest.Sink {
				return must(facts.New(cfg, store, log))
			}},
		{"incidents", topics.Incidents, must(incidentCodec.Append(nil, &opened)), must(incidentCodec.Append(nil, &negative)),
			func(t *testing.T, store *chstore.Store, cfg sink.Config) sinktest.Sink {
				return must(incidents.New(cfg, store, log))
			}},
	}
}

// TestEveryLoopDeadLettersAlike runs the same poison through every loop of
// the materializer: each dead-letters each record with the same reason,
// the same error format and the same headers, keeping its key, value and
// headers, and stores the valid record.
func TestEveryLoopDeadLettersAlike(t *testing.T) {
	for _, l := range loops() {
		t.Run(l.name, func(t *testing.T) {
			unknownFP := bytes.Clone(l.valid)
			unknownFP[3] ^= 0x5a
			cases := []struct{ key, reason string }{
				{"random bytes", wire.ReasonUnknownFormat},
				{"truncated avro", wire.ReasonMalformed},
				{"unknown fingerprint", wire.ReasonUnknownSchema},
				{"oversized", wire.ReasonOversized},
				{"breaks a rule", deadletter.ReasonInvalid},
			}
			values := map[string][]byte{
				"random bytes": []byte("definitely not avro"), "truncated avro": l.valid[:len(l.valid)-3],
				"unknown fingerprint": unknownFP, "oversized": make([]byte, wire.MaxRecordBytes+1), "breaks a rule": l.invalid,
			}
			header := kgo.RecordHeader{Key: "traceparent", Value: []byte("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")}
			records := []*kgo.Record{{Key: []byte("valid"), Value: l.valid, Headers: []kgo.RecordHeader{header}}}
			for _, c := range cases {
				records = append(records, &kgo.Record{Key: []byte(c.key), Value: values[c.key], Headers: []kgo.RecordHeader{header}})
			}
			store, _, _ := chstoretest.Fresh(t, "test_dlq_policy_")
			group := "test-policy-" + strings.ReplaceAll(l.name, " ", "-")
			cfg := sink.Config{Group: group, DeadLetter: topics.DeadLetter, Now: func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }}
			dead := sinktest.Drive(t, l.topic, group, records, l.start(t, store, cfg))

			byKey := map[string]*kgo.Record{}
			for _, r := range dead {
				byKey[string(r.Key)] = r
			}
			if len(dead) != len(cases) || byKey["valid"] != nil {
				t.Fatalf("dead letters %d, want %d (the valid record stored)", len(dead), len(cases))
			}
			for i, c := range cases {
				r, orig := byKey[c.key], records[i+1]
				if r == nil {
					t.Errorf("%s: not dead-lettered", c.key)
					continue
				}
				info, err := deadletter.Parse(r)
				if err != nil {
					t.Fatal(err)
				}
				if info.Reason != c.reason || info.Partition != orig.Partition || info.Offset != orig.Offset || info.FailedAt.IsZero() {
					t.Errorf("%s: %+v, want reason %s from %d@%d", c.key, info, c.reason, orig.Partition, orig.Offset)
				}
				// A poison record's error is "reason: what"; a broken
				// rule's names the rule.
				if c.reason != deadletter.ReasonInvalid && !strings.HasPrefix(info.Error, c.reason+": ") || info.Error == "" {
					t.Errorf("%s: error %q, want it to start with %q", c.key, info.Error, c.reason+": ")
				}
				if !bytes.Equal(r.Value, orig.Value) || len(r.Headers) != 1+7 || r.Headers[0].Key != header.Key {
					t.Errorf("%s: value or headers not kept: %d headers %v", c.key, len(r.Headers), r.Headers)
				}
			}
		})
	}
}
