package chstore

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// migrationFiles holds the schema: migrations/NNNN_name.sql, applied in
// version order, and migrations/schema_migrations.sql, the record of them.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrMigrationChanged is matched (errors.Is) when a migration recorded as
// applied no longer has the checksum it was applied with: someone edited an
// applied migration instead of adding a new one. Migrate then changes
// nothing; the fix is to restore the file and write a new migration.
var ErrMigrationChanged = errors.New("applied migration changed")

// recordFile is the DDL of the migration record; it is not itself a
// versioned migration because it must exist before any version is read.
const recordFile = "schema_migrations.sql"

// migration is one versioned schema change.
type migration struct {
	version  uint32
	name     string
	checksum string // hex SHA-256 of the file
	sql      string
}

// Migrate brings the schema up to date: it creates the database if missing,
// then applies, in version order, each migration not yet recorded in
// schema_migrations, and records it.
//
// Several processes may call Migrate at once (materializers starting
// together): every statement of a migration must therefore be idempotent
// (IF NOT EXISTS), because two of them may apply the same migration and both
// record it; the record tolerates that. Migrate refuses to apply anything,
// with ErrMigrationChanged, if an applied migration's file has changed.
// Versions recorded but unknown to this binary (a newer one migrated) are
// left alone.
//
// With Config.Cluster set, every statement is run in its cluster form
// (cluster.go) ON CLUSTER, and schema_migrations is a Replicated table
// behind a Distributed one, like the others: every server agrees on what
// ran, and Migrate may be called on any of them.
func (s *Store) Migrate(ctx context.Context) error {
	return s.migrate(ctx, migrationFiles, "migrations")
}

func (s *Store) migrate(ctx context.Context, fsys fs.FS, dir string) error {
	all, err := loadMigrations(fsys, dir)
	if err != nil {
		return err
	}
	record, err := fs.ReadFile(fsys, path.Join(dir, recordFile))
	if err != nil {
		return fmt.Errorf("read migration record ddl: %w", err)
	}
	recordDDL := string(record)
	if s.cfg.Cluster != "" {
		// The files' checksums are recorded, not the rewritten text's: a
		// cluster and a single node agree on what a version is.
		recordDDL, all, err = clusterMigrations(s.cfg.Cluster, s.cfg.Database, recordDDL, all)
		if err != nil {
			return err
		}
	}
	if err := s.createDatabase(ctx); err != nil {
		return err
	}
	if err := s.execScript(ctx, recordDDL); err != nil {
		return fmt.Errorf("create schema_migrations in %s: %w", s.cfg.Database, err)
	}
	applied, err := s.appliedMigrations(ctx)
	if err != nil {
		return err
	}
	// Check every checksum before applying anything, so that an edited
	// migration stops the whole run, not just the migrations after it.
	var todo []migration
	for _, m := range all {
		sums, ok := applied[m.version]
		switch {
		case !ok:
			todo = append(todo, m)
		case len(sums) != 1 || sums[0] != m.checksum:
			return fmt.Errorf("check migration %04d_%s in %s: recorded checksums %v, file has %s: %w",
				m.version, m.name, s.cfg.Database, sums, m.checksum, ErrMigrationChanged)
		}
	}
	for _, m := range todo {
		if err := s.execScript(ctx, m.sql); err != nil {
			return fmt.Errorf("apply migration %04d_%s to %s: %w", m.version, m.name, s.cfg.Database, err)
		}
		if err := s.recordMigration(ctx, m); err != nil {
			return fmt.Errorf("record migration %04d_%s in %s: %w", m.version, m.name, s.cfg.Database, err)
		}
	}
	return nil
}

// createDatabase creates the store's database through a short-lived pool
// bound to the server's default database: the store's own pool cannot
// connect until its database exists.
func (s *Store) createDatabase(ctx context.Context) error {
	conn, err := dial(s.cfg, "")
	if err != nil {
		return fmt.Errorf("connect to create database %s: %w", s.cfg.Database, err)
	}
	defer conn.Close()
	// The names were checked by Open against ^[a-z_][a-z0-9_]*$: they need
	// no quoting and cannot carry SQL.
	ddl := "CREATE DATABASE IF NOT EXISTS " + s.cfg.Database
	if s.cfg.Cluster != "" {
		ddl += " ON CLUSTER " + s.cfg.Cluster
	}
	err = conn.Exec(ctx, ddl)
	if err != nil && !isCode(err, codeDatabaseAlreadyExists) {
		return fmt.Errorf("create database %s: %w", s.cfg.Database, err)
	}
	return nil
}

// execScript runs the statements of a script one by one (the native
// protocol takes one statement per query). A concurrent Migrate may create a
// table between IF NOT EXISTS's check and its create, so "already exists"
// counts as success; so does an existing column for an ADD COLUMN (18.16
// has no ADD COLUMN IF NOT EXISTS), which a concurrent or interrupted run
// added.
func (s *Store) execScript(ctx context.Context, script string) error {
	for i, stmt := range splitStatements(script) {
		var err error
		if s.cfg.Cluster != "" && onEachShard(stmt) {
			err = s.execOnEachShard(ctx, stmt)
		} else {
			err = s.conn.Exec(ctx, stmt)
		}
		if err != nil && !isCode(err, codeTableAlreadyExists) && !columnAdded(stmt, err) {
			return fmt.Errorf("statement %d: %w", i+1, err)
		}
	}
	return nil
}

// columnAdded reports whether err, from stmt, says that the column stmt
// adds is there already.
func columnAdded(stmt string, err error) bool {
	return addsColumn(stmt) && (isCode(err, codeDuplicateColumn) || isCode(err, codeIllegalColumn))
}

// onEachShard reports whether a statement of a cluster form is one that
// runs on one replica of each shard: an ALTER TABLE not ON CLUSTER (the
// ALTER of a Replicated table, see cluster.go).
func onEachShard(stmt string) bool {
	f := strings.Fields(strings.ToUpper(codeOf(stmt)))
	return len(f) > 3 && f[0] == "ALTER" && f[1] == "TABLE" && !(f[3] == "ON" && len(f) > 4 && f[4] == "CLUSTER")
}

// execOnEachShard runs stmt on one replica of each shard of the cluster,
// as system.clusters lists them: the first of the shard that can be
// reached, the next when it cannot. An answer of the server ends the
// shard's tries, whatever it says (an added column's "already exists"
// counts as done): a Replicated table's ALTER goes to its other replicas
// through ZooKeeper, and its replica waits for those that are up.
func (s *Store) execOnEachShard(ctx context.Context, stmt string) error {
	shards, err := s.shardReplicas(ctx)
	if err != nil {
		return err
	}
	for shard, replicas := range shards {
		var (
			tried []string
			err   error
		)
		for _, addr := range replicas {
			err = s.execOn(ctx, addr, stmt)
			var exception *clickhouse.Exception
			if err == nil || columnAdded(stmt, err) {
				break
			}
			if errors.As(err, &exception) {
				return fmt.Errorf("shard %d, %s: %w", shard+1, addr, err)
			}
			tried = append(tried, fmt.Sprintf("%s: %v", addr, err))
		}
		if err != nil && !columnAdded(stmt, err) {
			return fmt.Errorf("shard %d: no replica reached (%s)", shard+1, strings.Join(tried, "; "))
		}
	}
	return nil
}

// shardReplicas returns the native address of every replica of the
// cluster, shard by shard, in the servers' order.
func (s *Store) shardReplicas(ctx context.Context) ([][]string, error) {
	rows, err := s.conn.Query(ctx, "SELECT shard_num, host_name, port FROM system.clusters "+
		"WHERE cluster = ? ORDER BY shard_num, replica_num", s.cfg.Cluster)
	if err != nil {
		return nil, fmt.Errorf("read the replicas of cluster %s: %w", s.cfg.Cluster, err)
	}
	defer rows.Close()
	var shards [][]string
	for rows.Next() {
		var (
			shard uint32
			host  string
			port  uint16
		)
		if err := rows.Scan(&shard, &host, &port); err != nil {
			return nil, fmt.Errorf("read the replicas of cluster %s: %w", s.cfg.Cluster, err)
		}
		if shard == 0 {
			return nil, fmt.Errorf("cluster %s: system.clusters numbers a shard 0 (%s)", s.cfg.Cluster, host)
		}
		if int(shard) > len(shards) {
			shards = append(shards, make([][]string, int(shard)-len(shards))...)
		}
		shards[shard-1] = append(shards[shard-1], net.JoinHostPort(host, strconv.Itoa(int(port))))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the replicas of cluster %s: %w", s.cfg.Cluster, err)
	}
	if len(shards) == 0 {
		return nil, fmt.Errorf("cluster %s: no server lists it in system.clusters", s.cfg.Cluster)
	}
	return shards, nil
}

// execOn runs stmt on the server at addr alone, as the store's user.
func (s *Store) execOn(ctx context.Context, addr, stmt string) error {
	cfg := s.cfg
	cfg.Addrs = []string{addr}
	conn, err := dial(cfg, cfg.Database)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Exec(ctx, stmt)
}

// addsColumn reports whether stmt is an ALTER TABLE … [ON CLUSTER …] ADD
// COLUMN of one column, the only statement a column error may be taken as
// done for.
func addsColumn(stmt string) bool {
	stmt = codeOf(stmt)
	f := strings.Fields(strings.ToUpper(stmt))
	if len(f) > 5 && f[3] == "ON" && f[4] == "CLUSTER" {
		f = append(f[:3:3], f[6:]...)
	}
	return len(f) > 4 && f[0] == "ALTER" && f[1] == "TABLE" && f[3] == "ADD" && f[4] == "COLUMN" &&
		strings.Count(strings.ToUpper(stmt), "ADD COLUMN") == 1
}

// appliedMigrations returns the distinct checksums recorded for each version.
func (s *Store) appliedMigrations(ctx context.Context) (map[uint32][]string, error) {
	rows, err := s.conn.Query(ctx,
		"SELECT version, arraySort(groupUniqArray(checksum)) FROM schema_migrations GROUP BY version")
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations in %s: %w", s.cfg.Database, err)
	}
	defer rows.Close()
	applied := make(map[uint32][]string)
	for rows.Next() {
		var (
			version uint32
			sums    []string
		)
		if err := rows.Scan(&version, &sums); err != nil {
			return nil, fmt.Errorf("scan schema_migrations in %s: %w", s.cfg.Database, err)
		}
		applied[version] = sums
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema_migrations in %s: %w", s.cfg.Database, err)
	}
	return applied, nil
}

func (s *Store) recordMigration(ctx context.Context, m migration) error {
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO schema_migrations (version, name, checksum)")
	if err != nil {
		return err
	}
	defer batch.Close()
	if err := batch.Append(m.version, m.name, m.checksum); err != nil {
		return err
	}
	return batch.Send()
}

// loadMigrations reads dir's NNNN_name.sql files, sorted by version. Any
// other .sql file there but the record's DDL is a mistake and an error.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		file := e.Name()
		if e.IsDir() || file == recordFile || !strings.HasSuffix(file, ".sql") {
			continue
		}
		digits, name, ok := strings.Cut(strings.TrimSuffix(file, ".sql"), "_")
		version, err := strconv.ParseUint(digits, 10, 32)
		if !ok || err != nil || len(digits) != 4 || name == "" {
			return nil, fmt.Errorf("load migration %s: name must be NNNN_name.sql", file)
		}
		body, err := fs.ReadFile(fsys, path.Join(dir, file))
		if err != nil {
			return nil, fmt.Errorf("load migration %s: %w", file, err)
		}
		sum := sha256.Sum256(body)
		out = append(out, migration{
			version:  uint32(version),
			name:     name,
			checksum: hex.EncodeToString(sum[:]),
			sql:      string(body),
		})
	}
	slices.SortFunc(out, func(a, b migration) int { return int(a.version) - int(b.version) })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("load migrations: version %04d appears twice", out[i].version)
		}
	}
	return out, nil
}

// splitStatements splits a script on the semicolons that end statements,
// skipping those inside quotes and comments, and drops empty statements.
func splitStatements(script string) []string {
	var (
		out   []string
		start int
		quote byte // the open quote character, or 0
	)
	flush := func(end int) {
		if stmt := strings.TrimSpace(script[start:end]); hasCode(stmt) {
			out = append(out, stmt)
		}
		start = end + 1
	}
	for i := 0; i < len(script); i++ {
		c := script[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c == '-' && i+1 < len(script) && script[i+1] == '-':
			if nl := strings.IndexByte(script[i:], '\n'); nl >= 0 {
				i += nl
			} else {
				i = len(script)
			}
		case c == '/' && i+1 < len(script) && script[i+1] == '*':
			if end := strings.Index(script[i+2:], "*/"); end >= 0 {
				i += end + 3
			} else {
				i = len(script)
			}
		case c == ';':
			flush(i)
		}
	}
	if start < len(script) {
		flush(len(script))
	}
	return out
}

// hasCode reports whether a statement has anything but comments and space.
func hasCode(stmt string) bool {
	for line := range strings.Lines(stmt) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "--") {
			return true
		}
	}
	return false
}
