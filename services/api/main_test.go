package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/sethvargo/go-envconfig"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/balticom/lineage/pkg/httphealth/httphealthtest"
	"github.com/balticom/lineage/pkg/topics"
	"github.com/balticom/lineage/services/chstore"
)

// freshDatabase migrates a new database on the test ClickHouse server (see
// chstore's tests: LINEAGE_TEST_CLICKHOUSE_ADDR or 127.0.0.1:9000) and drops
// it when the test ends.
func freshDatabase(t *testing.T) (addr, name string) {
	t.Helper()
	addr = os.Getenv("LINEAGE_TEST_CLICKHOUSE_ADDR")
	if addr == "" {
		addr = "127.0.0.1:9000"
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name = "api_main_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := chstore.Open(ctx, chstore.Config{Addrs: []string{addr}, Database: name, DialTimeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("no ClickHouse at %s (%v): start one with scripts/clickhouse start", addr, err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	t.Cleanup(func() {
		admin, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}})
		if err != nil {
			t.Errorf("dial clickhouse: %v", err)
			return
		}
		defer admin.Close()
		if err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	return addr, name
}

// TestRunServesAndShutsDown starts the binary's run on real ClickHouse and
// an in-process Kafka, waits until it is ready, answers one lookup, and
// stops it with its context.
func TestRunServesAndShutsDown(t *testing.T) {
	chAddr, db := freshDatabase(t)
	kafka, err := kfake.NewCluster(kfake.SeedTopics(1, topics.All()...))
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
		"API_LISTEN_ADDR":         listen,
		"API_CLICKHOUSE_ADDRS":    chAddr,
		"API_CLICKHOUSE_DATABASE": db,
		"API_CLICKHOUSE_USER":     "default",
		"API_CLICKHOUSE_PASSWORD": "",
		"API_KAFKA_BROKERS":       strings.Join(kafka.ListenAddrs(), ","),
		"API_TOKENS":              "dpo:0123456789abcdef",
		"API_CALLER_ROLES":        "dpo:dpo",
		"API_SHUTDOWN_TIMEOUT":    "5s",
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs httphealthtest.Logs
	done := make(chan error, 1)
	go func() { done <- run(ctx, env, &logs) }()

	base := "http://" + listen
	httphealthtest.WaitReady(t, base, 15*time.Second, &logs)

	req, _ := http.NewRequest(http.MethodGet, base+"/v1/subjects/C1234567/recipients", nil)
	req.Header.Set("Authorization", "Bearer 0123456789abcdef")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"recipients":[]`) {
		t.Errorf("lookup: %d %s", resp.StatusCode, body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return within 10s of cancellation")
	}
	out := logs.String()
	for _, want := range []string{`"msg":"starting"`, `"tokens":"[redacted]"`, `"msg":"shutting down http"`, `"msg":"http stopped"`} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "C1234567") || strings.Contains(out, "0123456789abcdef") {
		t.Errorf("logs contain a subject id or a token:\n%s", out)
	}
}
