package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sethvargo/go-envconfig"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/balticom/lineage/pkg/httphealth/httphealthtest"
	"github.com/balticom/lineage/pkg/topics"
)

const oneEvent = `{"kind":"access","occurred_at":"2026-03-02T09:30:00.123456Z","source_system":"crm",
"actor":{"type":"employee_role","id":"call_centre_agent"},"subject_id":"C00012345",
"data_categories":["contact"],"purpose":"service_provision","legal_basis":"contract"}`

// TestRunServesAndShutsDown starts the binary's run on an in-process Kafka,
// waits until it is ready, publishes one event, and stops it with its
// context.
func TestRunServesAndShutsDown(t *testing.T) {
	kafka, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, topics.Events))
	if err != nil {
		t.Fatal(err)
	}
	defer kafka.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String()
	ln.Close()

	env := envconfig.MapLookuper(map[string]string{
		"GATEWAY_LISTEN_ADDR":      listen,
		"GATEWAY_KAFKA_BROKERS":    strings.Join(kafka.ListenAddrs(), ","),
		"GATEWAY_SOURCES":          testSources,
		"GATEWAY_SHUTDOWN_TIMEOUT": "5s",
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs httphealthtest.Logs
	done := make(chan error, 1)
	go func() { done <- run(ctx, env, &logs) }()

	base := "http://" + listen
	httphealthtest.WaitReady(t, base, 15*time.Second, &logs)

	req, _ := http.NewRequest(http.MethodPost, base+"/v1/events", strings.NewReader(oneEvent))
	req.Header.Set("Authorization", "Bearer crm-0123456789abcdef")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(body), `"event_id"`) {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	out := logs.String()
	for _, want := range []string{`"msg":"starting"`, `"sources":"[redacted]"`, `"route":"/v1/events"`,
		`"caller":"crm"`, `"msg":"http stopped"`, `"msg":"kafka publisher closed"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	for _, never := range []string{"0123456789abcdef", "C00012345", "call_centre_agent"} {
		if strings.Contains(out, never) {
			t.Errorf("log holds %q:\n%s", never, out)
		}
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	err := run(context.Background(), envconfig.MapLookuper(map[string]string{"GATEWAY_SOURCES": "erp:erp-0123456789abcdef"}), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "not a source system code") {
		t.Fatalf("run = %v, want a configuration error", err)
	}
}
