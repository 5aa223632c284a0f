// Package chstoretest gives tests of other packages a migrated store in a
// database of their own on the real ClickHouse server, dropped when the
// test ends.
package chstoretest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/balticom/lineage/services/chstore"
)

// Addr is the server's native address: LINEAGE_TEST_CLICKHOUSE_ADDR, or
// the one scripts/clickhouse starts.
func Addr() string {
	if a := os.Getenv("LINEAGE_TEST_CLICKHOUSE_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:9000"
}

// Fresh migrates a new database named prefix and random hex, and returns
// the store, an admin connection (default database) and the database name.
func Fresh(t testing.TB, prefix string) (*chstore.Store, clickhouse.Conn, string) {
	t.Helper()
	ctx := context.Background()
	var b [6]byte
	_, _ = rand.Read(b[:])
	db := prefix + hex.EncodeToString(b[:])
	store, err := chstore.Open(ctx, chstore.Config{Addrs: []string{Addr()}, Database: db})
	if err != nil {
		t.Fatalf("clickhouse at %s (start it with scripts/clickhouse start): %v", Addr(), err)
	}
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	admin, err := clickhouse.Open(&clickhouse.Options{Addr: []string{Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = store.Close()
		_ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db)
		_ = admin.Close()
	})
	return store, admin, db
}
