package chstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Config says where the store is. The services fill it from their own
// environment configuration; nothing in this package reads the environment.
type Config struct {
	// Addrs are host:port pairs of the server's native protocol (port 9000
	// by default); the driver tries them in order.
	Addrs []string
	// Database holds the tables. It must match ^[a-z_][a-z0-9_]*$ and is
	// created by Migrate if missing.
	Database           string
	Username, Password string
	// DialTimeout bounds one connection attempt; zero means 5 seconds.
	DialTimeout time.Duration
	// MaxOpenConns bounds the pool; zero means the driver's default (10).
	MaxOpenConns int
	// Cluster names the cluster (remote_servers) the store is spread over,
	// with ZooKeeper and the macros shard and replica on every server;
	// empty means one server. It must match ^[a-z_][a-z0-9_]*$. Migrate then
	// creates Replicated tables behind Distributed ones of the same names
	// (cluster.go), and Addrs should list several servers. Every server of
	// the cluster and every service must agree on it.
	Cluster string
}

// Error codes of the ClickHouse server that this package classifies.
const (
	// A column that exists already: 44 on 18.16, 15 on current versions.
	codeDuplicateColumn       = 15
	codeIllegalColumn         = 44
	codeTableAlreadyExists    = 57
	codeUnknownDatabase       = 81
	codeDatabaseAlreadyExists = 82
)

const defaultDialTimeout = 5 * time.Second

// Store is a pool of native-protocol connections to one ClickHouse database.
// It is safe for concurrent use; Close it once, when no call is in flight.
type Store struct {
	conn driver.Conn
	cfg  Config
}

// Open connects to the server and checks it answers. The database need not
// exist yet: a server that answers "unknown database" is reachable, and
// Migrate creates the database. Open retries nothing; the caller decides
// whether to try again.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if len(cfg.Addrs) == 0 {
		return nil, errors.New("open clickhouse: no address configured")
	}
	if !validDatabaseName(cfg.Database) {
		return nil, fmt.Errorf("open clickhouse: database name %q does not match ^[a-z_][a-z0-9_]*$", cfg.Database)
	}
	if cfg.Cluster != "" && !validDatabaseName(cfg.Cluster) {
		return nil, fmt.Errorf("open clickhouse: cluster name %q does not match ^[a-z_][a-z0-9_]*$", cfg.Cluster)
	}
	conn, err := dial(cfg, cfg.Database)
	if err != nil {
		return nil, fmt.Errorf("open clickhouse at %v: %w", cfg.Addrs, err)
	}
	if cfg.Cluster != "" {
		conn = clusterConn{conn}
	}
	s := &Store{conn: conn, cfg: cfg}
	if err := s.Ping(ctx); err != nil && !isCode(err, codeUnknownDatabase) {
		_ = conn.Close()
		return nil, fmt.Errorf("open clickhouse at %v: %w", cfg.Addrs, err)
	}
	return s, nil
}

// dial builds a connection pool (connections are made on first use) whose
// unqualified table names resolve in database. An empty database means the
// server's default database.
func dial(cfg Config, database string) (driver.Conn, error) {
	return clickhouse.Open(options(cfg, database))
}

func options(cfg Config, database string) *clickhouse.Options {
	timeout := cfg.DialTimeout
	if timeout <= 0 {
		timeout = defaultDialTimeout
	}
	var settings clickhouse.Settings
	if cfg.Cluster != "" {
		settings = clusterSettings
	}
	return &clickhouse.Options{
		Settings: settings,
		Protocol: clickhouse.Native,
		Addr:     cfg.Addrs,
		Auth: clickhouse.Auth{
			Database: database,
			Username: cfg.Username,
			Password: cfg.Password,
		},
		ClientInfo: clickhouse.ClientInfo{
			Products: []struct{ Name, Version string }{{Name: "lineage-chstore", Version: "1"}},
		},
		DialTimeout:  timeout,
		MaxOpenConns: cfg.MaxOpenConns,
		// No compression: the server is on the same host or LAN, and LZ4 on
		// both ends costs more CPU on a 2-core box than the bytes it saves
		// (see BenchmarkInsert).
	}
}

// Ping checks that the server answers and the database exists.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.conn.Ping(ctx); err != nil {
		return fmt.Errorf("ping clickhouse database %s: %w", s.cfg.Database, err)
	}
	return nil
}

// Close closes the pool's connections. Calls in flight fail.
func (s *Store) Close() error {
	if err := s.conn.Close(); err != nil {
		return fmt.Errorf("close clickhouse connections: %w", err)
	}
	return nil
}

// validDatabaseName reports whether name matches ^[a-z_][a-z0-9_]*$. The
// database name is the one identifier spliced into SQL text, so it is kept to
// characters that need no quoting on any ClickHouse version.
func validDatabaseName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		b := name[i]
		switch {
		case b == '_', b >= 'a' && b <= 'z':
		case b >= '0' && b <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// isCode reports whether err carries a server exception with the given code.
func isCode(err error, code int32) bool {
	var ex *clickhouse.Exception
	return errors.As(err, &ex) && ex.Code == code
}
