package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sethvargo/go-envconfig"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/httphealth/httphealthtest"
	"github.com/balticom/lineage/pkg/identity"
	"github.com/balticom/lineage/pkg/lineage"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/pkg/wire"
)

const oneEvent = `{"kind":"access","occurred_at":"2026-03-02T09:30:00.123456Z","source_system":"crm",
"actor":{"type":"employee_role","id":"call_centre_agent"},"subject_id":"C00012345",
"data_categories":["contact"],"purpose":"service_provision","legal_basis":"contract"}`

// theNumber is the phone number the run tests post in clear.
const theNumber = "+371 29 123 456"

// identifiedEvent is a CDR known only by theNumber.
const identifiedEvent = `{"kind":"transfer","occurred_at":"2026-03-02T09:30:00Z","source_system":"cdr_mediation",
"actor":{"type":"employee_role","id":"lawful_request_officer"},"subject_identifier":{"kind":"msisdn","value":"` + theNumber + `"},
"data_categories":["traffic_data","location"],"purpose":"legal_obligation","legal_basis":"legal_obligation",
"recipient":{"id":"rcp-state-police","name":"Valsts policija","category":"law_enforcement","country":"LV"}}`

// oneLink says that C00012345 holds theNumber, spelt another way.
const oneLink = `{"links":[{"subject_id":"C00012345","identifier":{"kind":"msisdn","value":"0037129123456"},
"valid_from":"2024-03-01T00:00:00Z"}]}`

// running is the binary's run on an in-process Kafka.
type running struct {
	kafka *kfake.Cluster
	base  string
	logs  *httphealthtest.Logs
	stop  func(t *testing.T)
}

// startRun starts run with the gateway's test configuration plus env and
// waits until it is ready. stop cancels its context and waits for run.
func startRun(t *testing.T, env map[string]string) *running {
	t.Helper()
	kafka, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, topics.Events, topics.IdentityLinks))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kafka.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String()
	ln.Close()

	vars := map[string]string{
		"GATEWAY_LISTEN_ADDR":      listen,
		"GATEWAY_KAFKA_BROKERS":    strings.Join(kafka.ListenAddrs(), ","),
		"GATEWAY_SOURCES":          testSources,
		"GATEWAY_SHUTDOWN_TIMEOUT": "5s",
	}
	for k, v := range env {
		vars[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r := &running{kafka: kafka, base: "http://" + listen, logs: &httphealthtest.Logs{}}
	done := make(chan error, 1)
	go func() { done <- run(ctx, envconfig.MapLookuper(vars), r.logs) }()
	r.stop = func(t *testing.T) {
		t.Helper()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("run did not return after cancel")
		}
	}
	httphealthtest.WaitReady(t, r.base, 15*time.Second, r.logs)
	return r
}

// post sends body to path as the source of token and returns the status
// and the answer.
func (r *running) post(t *testing.T, path, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestRunServesAndShutsDown starts the binary's run on an in-process Kafka
// without an identity key, waits until it is ready, publishes one event,
// is refused an identified one, and stops it with its context.
func TestRunServesAndShutsDown(t *testing.T) {
	r := startRun(t, nil)
	if code, body := r.post(t, "/v1/events", "crm-0123456789abcdef", oneEvent); code != http.StatusCreated || !strings.Contains(body, `"event_id"`) {
		t.Fatalf("POST: %d %s", code, body)
	}
	if code, body := r.post(t, "/v1/events", "cdr-0123456789abcdef", identifiedEvent); code != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `"identifiers_not_accepted"`) {
		t.Fatalf("POST identified without a key: %d %s", code, body)
	}
	r.stop(t)
	out := r.logs.String()
	for _, want := range []string{`"msg":"starting"`, `"sources":"[redacted]"`, `"identity_key":""`, `"msg":"no identity key`,
		`"route":"/v1/events"`, `"caller":"crm"`, `"msg":"http stopped"`, `"msg":"kafka publisher closed"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	for _, never := range []string{"0123456789abcdef", "C00012345", "call_centre_agent", "29 123 456"} {
		if strings.Contains(out, never) {
			t.Errorf("log holds %q:\n%s", never, out)
		}
	}
}

// TestRunHashesIdentifiers runs the binary with GATEWAY_IDENTITY_KEY: an
// identified event and a link land in Kafka with the HMAC that the key
// gives the number, and the number and the key are in no record and no log.
func TestRunHashesIdentifiers(t *testing.T) {
	r := startRun(t, map[string]string{"GATEWAY_IDENTITY_KEY": testIdentityKey})
	if code, body := r.post(t, "/v1/events", "cdr-0123456789abcdef", identifiedEvent); code != http.StatusCreated {
		t.Fatalf("POST identified: %d %s", code, body)
	}
	if code, body := r.post(t, "/v1/identity-links", "crm-0123456789abcdef", oneLink); code != http.StatusOK || body != `{"published":1}`+"\n" {
		t.Fatalf("POST link: %d %q", code, body)
	}
	r.stop(t)

	keyer, err := identity.ParseKey(testIdentityKey)
	if err != nil {
		t.Fatal(err)
	}
	want, err := keyer.Identifier(lineage.MSISDN, theNumber)
	if err != nil {
		t.Fatal(err)
	}
	events, err := wire.New()
	if err != nil {
		t.Fatal(err)
	}
	links, err := wire.NewLinkCodec()
	if err != nil {
		t.Fatal(err)
	}
	rec := readOne(t, r.kafka, topics.Events)
	var e lineage.Event
	if err := events.Decode(context.Background(), rec.Value, &e); err != nil {
		t.Fatal(err)
	}
	if e.SubjectIdentifier == nil || *e.SubjectIdentifier != want || string(rec.Key) != want.Key() {
		t.Errorf("event keyed %q with identifier %+v, want %+v", rec.Key, e.SubjectIdentifier, want)
	}
	lrec := readOne(t, r.kafka, topics.IdentityLinks)
	var l lineage.IdentityLink
	if err := links.Decode(lrec.Value, &l); err != nil {
		t.Fatal(err)
	}
	if l.Identifier != want || l.SubjectID != "C00012345" || l.SourceSystem != "crm" || string(lrec.Key) != want.Key() {
		t.Errorf("link keyed %q: %+v, want crm's link of C00012345 to %+v", lrec.Key, l, want)
	}
	for _, raw := range [][]byte{rec.Key, rec.Value, lrec.Key, lrec.Value} {
		if bytes.Contains(raw, []byte("29123456")) || bytes.Contains(raw, []byte("29 123 456")) {
			t.Errorf("a record holds the number in clear: %q", raw)
		}
	}
	out := r.logs.String()
	for _, never := range []string{"29123456", "29 123 456", testIdentityKey, strings.ToLower(testIdentityKey), want.HMAC} {
		if strings.Contains(out, never) {
			t.Errorf("log holds %q:\n%s", never, out)
		}
	}
	if !strings.Contains(out, `"identity_key":"[redacted]"`) || !strings.Contains(out, `"route":"/v1/identity-links"`) {
		t.Errorf("log lacks the redacted key or the links route:\n%s", out)
	}
}

// readOne reads the one record of topic.
func readOne(t *testing.T, kafka *kfake.Cluster, topic string) *kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(kafka.ListenAddrs()...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fetches := cl.PollRecords(ctx, 1)
	if errs := fetches.Errors(); len(errs) > 0 {
		t.Fatalf("consume %s: %v", topic, errs[0].Err)
	}
	recs := fetches.Records()
	if len(recs) != 1 {
		t.Fatalf("read %d records of %s, want 1", len(recs), topic)
	}
	return recs[0]
}

func TestRunRejectsBadConfig(t *testing.T) {
	for _, tt := range []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{name: "unknown source", env: map[string]string{"GATEWAY_SOURCES": "erp:erp-0123456789abcdef"}, wantErr: "not a source system code"},
		{name: "short identity key", env: map[string]string{"GATEWAY_SOURCES": testSources, "GATEWAY_IDENTITY_KEY": "00ff"},
			wantErr: "GATEWAY_IDENTITY_KEY: identity key has 2 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := run(context.Background(), envconfig.MapLookuper(tt.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("run = %v, want a configuration error with %q", err, tt.wantErr)
			}
		})
	}
}
