package chstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"testing"
	"time"
)

// addrEnv names the server the tests use; the default is the one
// scripts/clickhouse starts. The tests fail, not skip, without a server: CI
// always has one, and a silent skip would hide a broken store.
const (
	addrEnv     = "LINEAGE_TEST_CLICKHOUSE_ADDR"
	defaultAddr = "127.0.0.1:9000"
)

func testConfig(database string) Config {
	addr := os.Getenv(addrEnv)
	if addr == "" {
		addr = defaultAddr
	}
	return Config{Addrs: []string{addr}, Database: database, DialTimeout: 2 * time.Second}
}

// newStore opens a store on a fresh database, with a random name, that is
// dropped when the test ends. The database does not exist until Migrate.
func newStore(t testing.TB) *Store {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "chstore_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	cfg := testConfig(name)
	admin, err := dial(cfg, "")
	if err != nil {
		t.Fatalf("dial clickhouse: %v", err)
	}
	if err := admin.Ping(ctx); err != nil {
		_ = admin.Close()
		t.Fatalf("no ClickHouse at %v (%v): start one with scripts/clickhouse start, or set %s", cfg.Addrs, err, addrEnv)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
		_ = admin.Close()
	})

	s, err := Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// newMigratedStore is newStore with the schema in place.
func newMigratedStore(t testing.TB) *Store {
	t.Helper()
	s := newStore(t)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

func TestOpenChecksConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no address", Config{Database: "lineage"}},
		{"empty database", Config{Addrs: []string{defaultAddr}}},
		{"upper case", Config{Addrs: []string{defaultAddr}, Database: "Lineage"}},
		{"leading digit", Config{Addrs: []string{defaultAddr}, Database: "1lineage"}},
		{"injection", Config{Addrs: []string{defaultAddr}, Database: "x; DROP DATABASE default"}},
		{"qualified", Config{Addrs: []string{defaultAddr}, Database: "a.b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s, err := Open(t.Context(), tt.cfg); err == nil {
				_ = s.Close()
				t.Fatal("Open accepted the config")
			}
		})
	}
}

func TestValidDatabaseName(t *testing.T) {
	for name, want := range map[string]bool{
		"lineage": true, "_x": true, "lineage_2026": true, "a": true,
		"": false, "2a": false, "A": false, "a-b": false, "a b": false, "a`": false, "ä": false,
	} {
		if got := validDatabaseName(name); got != want {
			t.Errorf("validDatabaseName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestOpenBeforeDatabaseExists(t *testing.T) {
	s := newStore(t)
	if err := s.Ping(t.Context()); err == nil || !isCode(err, codeUnknownDatabase) {
		t.Fatalf("Ping before Migrate = %v, want unknown database", err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping after Migrate: %v", err)
	}
}

func TestOpenUnreachable(t *testing.T) {
	cfg := Config{Addrs: []string{"127.0.0.1:1"}, Database: "lineage", DialTimeout: time.Second}
	s, err := Open(t.Context(), cfg)
	if err == nil {
		_ = s.Close()
		t.Fatal("Open succeeded without a server")
	}
	if isCode(err, codeUnknownDatabase) || errors.Is(err, ErrInvalidQuery) {
		t.Fatalf("Open error misclassified: %v", err)
	}
}
