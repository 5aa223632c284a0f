package chstore

// Cluster mode: Config.Cluster names a cluster of the servers' remote_servers
// (shards of replicas, coordinated by ZooKeeper), and the single-node schema
// of migrations/ is rewritten here, statement by statement, into its cluster
// form. The .sql files stay single-node and are applied as written when
// Config.Cluster is empty.
//
// The cluster form of each statement, all run ON CLUSTER:
//
//   - CREATE TABLE t … ENGINE = XMergeTree(args) becomes t_local, engine
//     ReplicatedXMergeTree('/clickhouse/tables/{shard}/<database>/t_local',
//     '{replica}', args), with the same columns and clauses, and t, a
//     Distributed(<cluster>, <database>, t_local, cityHash64(key)) table of
//     the same columns: every query and insert keeps its table names.
//   - CREATE MATERIALIZED VIEW v TO t AS SELECT … FROM s keeps its name and
//     reads and writes the local tables: it fires on the insert each replica
//     receives into s_local and writes into that shard's t_local, which
//     replicates it.
//   - ALTER TABLE t ADD|DROP|MODIFY COLUMN alters t_local, then drops t
//     and creates it again AS t_local: 18.16 refuses an ALTER ON CLUSTER of
//     a table that is not Replicated when the cluster's shards replicate
//     internally ("isn't replicated, but shard is replicated"), and a
//     Distributed table written synchronously holds no data.
//     The ALTER of t_local alone is not run ON CLUSTER but on one replica
//     of each shard (execOnEachShard), which replicates it to the others
//     and waits for them: 18.16's distributed DDL lets both replicas of a
//     shard run a replicated ALTER when they race for its lock, and the
//     loser's DDL worker then dies on "Node exists: …/shards/…/executed"
//     (seen on this project's test cluster), leaving every later ON
//     CLUSTER statement waiting for a server that no longer reads the
//     queue.
//   - DROP TABLE drops a view, or a table's two parts.
//   - INSERT … SELECT (the copies of rows stored before a view existed) is
//     run once, as written, from the Distributed table to the Distributed
//     table, synchronously (insert_distributed_sync): the rows land on the
//     shards the target's sharding key names.
//
// Any other statement, or a shape of these the rewrite does not know, is an
// error: a new migration must not pass through single-node on a cluster.
//
// Sharding key: a table's rows go by the first column of its ORDER BY,
// which is what every read of it selects on: lineage_events,
// identity_links(_v2) and subject_facts by subject_id, so that one
// subject's rows are on one shard; access_request_events by request_id,
// incident_events by incident_id. A table filled by a materialized view
// is sharded as the view's source is, by the source's key column when the
// table has it: the view writes on the shard of the source's row, so the
// copy of older rows (INSERT … SELECT) must put them there too. Hence
// lineage_disclosures (ordered by recipient) and
// identity_links_by_identifier(_v2) (ordered by identifier) are sharded by
// subject_id: a recipient's or an identifier's rows are spread over the
// shards, and those reads (a breach at a recipient, the holders of a number)
// go to every shard, each reading its own key range. The daily rollups,
// which have no subject, go by day: only the copy of older rows uses that.
//
// Deduplication: each Replicated table drops a block identical to one
// inserted before (insert_deduplicate), which makes a retried batch count
// once. The Summing and Aggregating tables are the exception: two different
// batches can sum to identical rows (one event of the same flow on the same
// day), and both must count, as they do on one node; they get
// replicated_deduplication_window = 0.
//
// ClickHouse 18.16 and current releases take the same cluster DDL: the
// engine's explicit ZooKeeper path and replica name (current releases could
// default them), ON CLUSTER right after the name of a MATERIALIZED VIEW and
// before its TO, database-qualified names (a statement run ON CLUSTER is
// executed by each server in its own session), and no ALTER ON CLUSTER of
// a Distributed table (18.16 refuses it, see above).

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// localSuffix names the Replicated table behind each Distributed one.
const localSuffix = "_local"

// clusterSettings are the pool's settings in cluster mode.
//
// insert_distributed_sync=1 makes an insert into a Distributed table split
// its block by shard and write each part to a replica of its shard before it
// returns: the insert is stored when it returns, and a retried batch makes
// the same per-shard blocks, which the Replicated tables drop as duplicates.
// (The asynchronous default queues the parts on disk and sends them later,
// possibly merged with other inserts' into blocks a retry does not make.)
var clusterSettings = clickhouse.Settings{"insert_distributed_sync": 1}

// Subqueries over Distributed tables. A subquery over a Distributed table
// inside a query over one (IN or JOIN) is refused by default; its
// distributed_product_mode says how to run it, and the store sets it here,
// for every SELECT it sends in cluster mode (clusterConn):
//
//   - 'global', the default: the subquery runs once, over the whole
//     cluster, and its result is sent to every shard (GLOBAL IN, GLOBAL
//     JOIN), so the answer is the single-node one whatever the placement.
//     The identity queries need it: links.sql reads identity_links_v2 by
//     subject and identity_links_by_identifier_v2 by identifier, and one
//     identifier's links are on the shards of each of its holders;
//     unresolved.sql and exposed.sql join events to the links of their
//     identifiers, which are on their holders' shards.
//   - 'local', for the queries run with sameShard: the subquery selects by
//     the key both tables are sharded by, so the rows it can match are on
//     the outer row's shard, and each shard runs it over its own local
//     table, shipping nothing between shards.
//
// The setting goes as a SETTINGS clause at the end of the query: over the
// native protocol of 18.16, the driver can send only integer settings, and
// this one is a string.
const (
	productModeGlobal = "global"
	productModeLocal  = "local"
)

// productModeKey is the context key of a query's product mode.
type productModeKey struct{}

// sameShard returns ctx for a query whose IN subquery selects by the key
// the outer table is sharded by, from a table sharded by the same key (see
// productModeLocal). They are consent_uses.sql and facts_consent.sql
// (lineage_events and subject_facts by subject_id), requests_open.sql
// (access_request_events by request_id) and incidents_open.sql
// (incident_events by incident_id). On a single node it changes nothing.
func (s *Store) sameShard(ctx context.Context) context.Context {
	return context.WithValue(ctx, productModeKey{}, productModeLocal)
}

// clusterConn is the pool of a store in cluster mode: every SELECT it
// sends ends with the SETTINGS clause of its product mode.
type clusterConn struct {
	driver.Conn
}

func (c clusterConn) Query(ctx context.Context, query string, args ...any) (driver.Rows, error) {
	return c.Conn.Query(ctx, withProductMode(ctx, query), args...)
}

func (c clusterConn) QueryRow(ctx context.Context, query string, args ...any) driver.Row {
	return c.Conn.QueryRow(ctx, withProductMode(ctx, query), args...)
}

func (c clusterConn) Select(ctx context.Context, dest any, query string, args ...any) error {
	return c.Conn.Select(ctx, dest, withProductMode(ctx, query), args...)
}

// withProductMode appends to a SELECT the SETTINGS clause of the context's
// product mode, on a line of its own so that no comment swallows it.
// Other statements, and a SELECT with a SETTINGS clause of its own, are
// returned as they are.
func withProductMode(ctx context.Context, query string) string {
	f := strings.Fields(strings.ToUpper(codeOf(query)))
	if len(f) == 0 || f[0] != "SELECT" && f[0] != "WITH" || slices.Contains(f, "SETTINGS") {
		return query
	}
	mode := productModeGlobal
	if m, ok := ctx.Value(productModeKey{}).(string); ok {
		mode = m
	}
	return query + "\nSETTINGS distributed_product_mode = '" + mode + "'"
}

// clusterMigrations returns the cluster form of the record's DDL and of
// every migration (same versions, names and checksums, the statements
// rewritten), for cluster and database. The whole history is rewritten at
// once, since a statement's form depends on earlier ones (which tables
// exist) and later ones (which views fill a table).
func clusterMigrations(cluster, database, record string, all []migration) (string, []migration, error) {
	scripts := []string{record}
	for _, m := range all {
		scripts = append(scripts, m.sql)
	}
	out, err := clusterScripts(cluster, database, scripts)
	if err != nil {
		return "", nil, err
	}
	migrated := slices.Clone(all)
	for i := range migrated {
		migrated[i].sql = out[i+1]
	}
	return out[0], migrated, nil
}

// clusterScripts rewrites scripts, applied in order, into their cluster
// form. The error names the script (0-based) and statement that has none.
func clusterScripts(cluster, database string, scripts []string) ([]string, error) {
	r := rewriter{cluster: cluster, database: database, tables: map[string]*table{}, views: map[string]bool{}}
	parsed := make([][]*statement, len(scripts))
	for i, script := range scripts {
		for j, text := range splitStatements(script) {
			st, err := parseStatement(text)
			if err != nil {
				return nil, fmt.Errorf("cluster form of script %d, statement %d: %w", i, j+1, err)
			}
			parsed[i] = append(parsed[i], st)
		}
	}
	// The views' sources decide their targets' sharding keys.
	r.sources = map[string][]string{}
	for _, script := range parsed {
		for _, st := range script {
			if st.kind == createView {
				r.sources[st.target] = append(r.sources[st.target], st.from...)
			}
		}
	}
	out := make([]string, len(scripts))
	for i, script := range parsed {
		var b strings.Builder
		for j, st := range script {
			stmts, err := r.rewrite(st)
			if err != nil {
				return nil, fmt.Errorf("cluster form of script %d, statement %d: %w", i, j+1, err)
			}
			for _, s := range stmts {
				b.WriteString(s)
				b.WriteString(";\n")
			}
		}
		out[i] = b.String()
	}
	return out, nil
}

type statementKind int

const (
	createTable statementKind = iota + 1
	createView
	alterTable
	insertSelect
	dropTable
)

// statement is one parsed DDL statement: its kind, the name it acts on,
// and the token positions the rewrite splices at.
type statement struct {
	kind   statementKind
	text   string
	toks   []token
	name   string
	ifNot  string   // "IF NOT EXISTS " or "IF EXISTS " when written, else ""
	target string   // a view's TO table
	from   []string // the tables after FROM and JOIN
	// rest is the index of the first token after the name (CREATE TABLE,
	// ALTER), after TO target (view), or the whole statement (INSERT).
	rest int
	// For CREATE TABLE: the column list's token range, its column names,
	// the engine's name and argument tokens, and the first ORDER BY column.
	colsFrom, colsTo int
	columns          []string
	engine           int // index of the engine name token
	engineArgs       string
	engineEnd        int // index of the first token after the engine
	orderKey         string
	settings         bool
}

func parseStatement(text string) (*statement, error) {
	toks := tokenize(text)
	st := &statement{text: text, toks: toks}
	p := parser{toks: toks}
	switch {
	case p.words("CREATE", "TABLE"):
		st.kind = createTable
	case p.words("CREATE", "MATERIALIZED", "VIEW"):
		st.kind = createView
	case p.words("ALTER", "TABLE"):
		st.kind = alterTable
	case p.words("INSERT", "INTO"):
		st.kind = insertSelect
	case p.words("DROP", "TABLE"):
		st.kind = dropTable
	default:
		return nil, fmt.Errorf("unknown statement %q", head(text))
	}
	if st.kind == createTable || st.kind == createView {
		if p.words("IF", "NOT", "EXISTS") {
			st.ifNot = "IF NOT EXISTS "
		}
	}
	if st.kind == dropTable && p.words("IF", "EXISTS") {
		st.ifNot = "IF EXISTS "
	}
	name, ok := p.name()
	if !ok {
		return nil, fmt.Errorf("%q: expected an unqualified table name", head(text))
	}
	st.name, st.rest = name, p.at
	st.from = sourceTables(toks)
	switch st.kind {
	case createTable:
		return st, st.parseTable(&p)
	case createView:
		if !p.words("TO") {
			return nil, fmt.Errorf("view %s: only views with TO <table> have a cluster form", name)
		}
		if st.target, ok = p.name(); !ok {
			return nil, fmt.Errorf("view %s: expected an unqualified TO table", name)
		}
		st.rest = p.at
		if !p.words("AS", "SELECT") || len(st.from) == 0 {
			return nil, fmt.Errorf("view %s: expected AS SELECT … FROM <table>", name)
		}
	case alterTable:
		if !(p.words("ADD", "COLUMN") || p.words("DROP", "COLUMN") || p.words("MODIFY", "COLUMN")) {
			return nil, fmt.Errorf("alter of %s: only ADD, DROP and MODIFY COLUMN have a cluster form", name)
		}
	case insertSelect:
		st.rest = 0
		if !p.skipParens() || !p.words("SELECT") {
			return nil, fmt.Errorf("insert into %s: only INSERT INTO <table> (<columns>) SELECT has a cluster form", name)
		}
	case dropTable:
		if p.at != len(toks) {
			return nil, fmt.Errorf("drop of %s: unexpected %q", name, toks[p.at].text)
		}
	}
	return st, nil
}

// parseTable reads a CREATE TABLE's columns, engine and ORDER BY.
func (st *statement) parseTable(p *parser) error {
	st.colsFrom = p.at
	if !p.skipParens() {
		return fmt.Errorf("table %s: expected a column list", st.name)
	}
	st.colsTo = p.at
	for i := st.colsFrom + 1; i < st.colsTo; i++ {
		if t := st.toks[i]; t.depth == 1 && (st.toks[i-1].text == "(" || st.toks[i-1].text == ",") && st.toks[i-1].depth <= 1 {
			st.columns = append(st.columns, t.text)
		}
	}
	if !p.words("ENGINE") || !p.punct("=") || p.at >= len(st.toks) || !st.toks[p.at].word {
		return fmt.Errorf("table %s: expected ENGINE = <engine> after the columns", st.name)
	}
	st.engine = p.at
	p.at++
	if p.at < len(st.toks) && st.toks[p.at].text == "(" {
		open := p.at
		p.skipParens()
		st.engineArgs = strings.TrimSpace(st.text[st.toks[open].end:st.toks[p.at-1].start])
	}
	st.engineEnd = p.at
	engine := st.toks[st.engine].text
	if !slices.Contains(replicableEngines, engine) {
		return fmt.Errorf("table %s: engine %s has no replicated form here", st.name, engine)
	}
	for ; p.at < len(st.toks); p.at++ {
		t := st.toks[p.at]
		switch {
		case t.depth == 0 && t.is("ORDER") && p.at+2 < len(st.toks) && st.toks[p.at+1].is("BY"):
			k := st.toks[p.at+2]
			if k.text == "(" && p.at+3 < len(st.toks) {
				k = st.toks[p.at+3]
			}
			if !k.word || !slices.Contains(st.columns, k.text) {
				return fmt.Errorf("table %s: ORDER BY must start with a column", st.name)
			}
			st.orderKey = k.text
		case t.depth == 0 && t.is("SETTINGS"):
			st.settings = true
		}
	}
	if st.orderKey == "" {
		return fmt.Errorf("table %s: no ORDER BY (the old engine syntax has no cluster form here)", st.name)
	}
	return nil
}

// replicableEngines are the engines whose Replicated form takes the
// ZooKeeper path and replica name followed by the engine's own arguments.
var replicableEngines = []string{
	"MergeTree", "ReplacingMergeTree", "SummingMergeTree", "AggregatingMergeTree",
	"CollapsingMergeTree", "VersionedCollapsingMergeTree",
}

// summingEngines add up the rows of every insert: see the package comment
// on deduplication.
var summingEngines = []string{"SummingMergeTree", "AggregatingMergeTree"}

// table is what the rewrite knows of a table it has created.
type table struct {
	columns  []string
	orderKey string
	shardBy  string // the sharding key's column
}

type rewriter struct {
	cluster, database string
	tables            map[string]*table
	views             map[string]bool
	sources           map[string][]string // view target → the views' sources
}

func (r *rewriter) qualified(name string) string { return r.database + "." + name }

func (r *rewriter) onCluster() string { return " ON CLUSTER " + r.cluster + " " }

// distributed is the engine clause of a table's Distributed part.
func (r *rewriter) distributed(name string) string {
	return fmt.Sprintf("ENGINE = Distributed(%s, %s, %s, cityHash64(%s))",
		r.cluster, r.database, name+localSuffix, r.tables[name].shardBy)
}

func (r *rewriter) rewrite(st *statement) ([]string, error) {
	tail := func(i int) string {
		if i >= len(st.toks) {
			return ""
		}
		return st.text[st.toks[i].start:]
	}
	switch st.kind {
	case createTable:
		r.tables[st.name] = &table{columns: st.columns, orderKey: st.orderKey}
		key, err := r.shardingKey(st.name, nil)
		if err != nil {
			return nil, err
		}
		r.tables[st.name].shardBy = key
		local := st.name + localSuffix
		engine := st.toks[st.engine].text
		args := fmt.Sprintf("'/clickhouse/tables/{shard}/%s/%s', '{replica}'", r.database, local)
		if st.engineArgs != "" {
			args += ", " + st.engineArgs
		}
		columns := st.text[st.toks[st.colsFrom].start:st.toks[st.colsTo-1].end]
		localDDL := "CREATE TABLE " + st.ifNot + r.qualified(local) + r.onCluster() + columns + "\n" +
			"ENGINE = Replicated" + engine + "(" + args + ")\n" + tail(st.engineEnd)
		if slices.Contains(summingEngines, engine) {
			if st.settings {
				localDDL += ", replicated_deduplication_window = 0"
			} else {
				localDDL += "\nSETTINGS replicated_deduplication_window = 0"
			}
		}
		distributed := "CREATE TABLE " + st.ifNot + r.qualified(st.name) + r.onCluster() + columns + "\n" + r.distributed(st.name)
		return []string{localDDL, distributed}, nil
	case createView:
		if _, ok := r.tables[st.target]; !ok {
			return nil, fmt.Errorf("view %s: TO %s, which no earlier statement created", st.name, st.target)
		}
		body, err := r.localSources(st, st.rest)
		if err != nil {
			return nil, err
		}
		r.views[st.name] = true
		return []string{"CREATE MATERIALIZED VIEW " + st.ifNot + r.qualified(st.name) + r.onCluster() +
			"TO " + r.qualified(st.target+localSuffix) + " " + body}, nil
	case alterTable:
		if _, ok := r.tables[st.name]; !ok {
			return nil, fmt.Errorf("alter of %s, which no earlier statement created", st.name)
		}
		return []string{
			"ALTER TABLE " + r.qualified(st.name+localSuffix) + " " + tail(st.rest),
			"DROP TABLE IF EXISTS " + r.qualified(st.name) + r.onCluster(),
			"CREATE TABLE IF NOT EXISTS " + r.qualified(st.name) + r.onCluster() + "AS " + r.qualified(st.name+localSuffix) +
				"\n" + r.distributed(st.name),
		}, nil
	case insertSelect:
		if _, ok := r.tables[st.name]; !ok {
			return nil, fmt.Errorf("insert into %s, which no earlier statement created", st.name)
		}
		for _, src := range st.from {
			if _, ok := r.tables[src]; !ok {
				return nil, fmt.Errorf("insert into %s: selects from %s, which no earlier statement created", st.name, src)
			}
		}
		return []string{st.text}, nil
	case dropTable:
		switch {
		case r.views[st.name]:
			delete(r.views, st.name)
			return []string{"DROP TABLE " + st.ifNot + r.qualified(st.name) + r.onCluster()}, nil
		case r.tables[st.name] != nil:
			delete(r.tables, st.name)
			return []string{
				"DROP TABLE " + st.ifNot + r.qualified(st.name) + r.onCluster(),
				"DROP TABLE " + st.ifNot + r.qualified(st.name+localSuffix) + r.onCluster(),
			}, nil
		default:
			return nil, fmt.Errorf("drop of %s, which no earlier statement created", st.name)
		}
	}
	return nil, fmt.Errorf("statement %q has no cluster form", head(st.text))
}

// localSources returns the statement's text from token i on, with each
// table after FROM or JOIN replaced by its qualified local table.
func (r *rewriter) localSources(st *statement, i int) (string, error) {
	var b strings.Builder
	at := st.toks[i].start
	for j := i; j < len(st.toks); j++ {
		t := st.toks[j]
		if !isSourcePosition(st.toks, j) {
			continue
		}
		if _, ok := r.tables[t.text]; !ok {
			return "", fmt.Errorf("view %s: selects from %s, which no earlier statement created", st.name, t.text)
		}
		b.WriteString(st.text[at:t.start])
		b.WriteString(r.qualified(t.text + localSuffix))
		at = t.end
	}
	b.WriteString(st.text[at:])
	return b.String(), nil
}

// shardingKey returns the column a table is sharded by: the key of the
// views' sources that fill it, if it has that column and they agree, else
// the first column of its ORDER BY. seen guards against a cycle of views.
func (r *rewriter) shardingKey(name string, seen []string) (string, error) {
	t, ok := r.tables[name]
	if !ok {
		// A view's source created later than its target: not a shape the
		// migrations have.
		return "", fmt.Errorf("sharding key of %s: no such table yet", name)
	}
	if slices.Contains(seen, name) {
		return "", fmt.Errorf("sharding key of %s: views fill it from itself", name)
	}
	key := ""
	for _, src := range r.sources[name] {
		if _, ok := r.tables[src]; !ok {
			continue // a source created later: its own CREATE checks it
		}
		k, err := r.shardingKey(src, append(seen, name))
		if err != nil {
			return "", err
		}
		if !slices.Contains(t.columns, k) {
			continue
		}
		if key != "" && key != k {
			return "", fmt.Errorf("sharding key of %s: its views' sources are sharded by %s and by %s", name, key, k)
		}
		key = k
	}
	if key == "" {
		key = t.orderKey
	}
	return key, nil
}

// sourceTables returns the unqualified tables after FROM and JOIN.
func sourceTables(toks []token) []string {
	var out []string
	for i := range toks {
		if isSourcePosition(toks, i) {
			out = append(out, toks[i].text)
		}
	}
	return out
}

// isSourcePosition reports whether toks[i] is an unqualified table name
// after FROM or JOIN (not a subquery, not db.table such as system.tables,
// not the array of an ARRAY JOIN).
func isSourcePosition(toks []token, i int) bool {
	if i == 0 || !toks[i].word || !(toks[i-1].is("FROM") || toks[i-1].is("JOIN")) {
		return false
	}
	if toks[i-1].is("JOIN") && i >= 2 && toks[i-2].is("ARRAY") {
		return false
	}
	return i+1 >= len(toks) || toks[i+1].text != "."
}

// head is the start of a statement, for errors.
func head(text string) string {
	text = strings.Join(strings.Fields(codeOf(text)), " ")
	if len(text) > 60 {
		text = text[:60] + "…"
	}
	return text
}

// codeOf drops a statement's comment lines.
func codeOf(stmt string) string {
	var code strings.Builder
	for line := range strings.Lines(stmt) {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			code.WriteString(line)
		}
	}
	return code.String()
}

// token is a word, a quoted string or one punctuation character of a
// statement, with its byte range and its depth in parentheses.
type token struct {
	text       string
	start, end int
	word       bool
	depth      int
}

func (t token) is(keyword string) bool { return t.word && strings.EqualFold(t.text, keyword) }

// tokenize splits a statement into tokens, skipping space and comments.
func tokenize(s string) []token {
	var (
		out   []token
		depth int
	)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			if nl := strings.IndexByte(s[i:], '\n'); nl >= 0 {
				i += nl
			} else {
				i = len(s)
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			if end := strings.Index(s[i+2:], "*/"); end >= 0 {
				i += end + 4
			} else {
				i = len(s)
			}
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(s))
			out = append(out, token{text: s[i:j], start: i, end: j, depth: depth})
			i = j
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			out = append(out, token{text: s[i:j], start: i, end: j, word: true, depth: depth})
			i = j
		default:
			if c == ')' {
				depth--
			}
			out = append(out, token{text: s[i : i+1], start: i, end: i + 1, depth: depth})
			if c == '(' {
				depth++
			}
			i++
		}
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// parser walks a statement's tokens.
type parser struct {
	toks []token
	at   int
}

// words consumes the keywords if the next tokens are they.
func (p *parser) words(keywords ...string) bool {
	if p.at+len(keywords) > len(p.toks) {
		return false
	}
	for i, k := range keywords {
		if !p.toks[p.at+i].is(k) {
			return false
		}
	}
	p.at += len(keywords)
	return true
}

func (p *parser) punct(c string) bool {
	if p.at < len(p.toks) && p.toks[p.at].text == c {
		p.at++
		return true
	}
	return false
}

// name consumes an unqualified name.
func (p *parser) name() (string, bool) {
	if p.at >= len(p.toks) || !p.toks[p.at].word || p.at+1 < len(p.toks) && p.toks[p.at+1].text == "." {
		return "", false
	}
	p.at++
	return p.toks[p.at-1].text, true
}

// skipParens consumes a parenthesised group.
func (p *parser) skipParens() bool {
	if p.at >= len(p.toks) || p.toks[p.at].text != "(" {
		return false
	}
	depth := p.toks[p.at].depth
	for p.at++; p.at < len(p.toks); p.at++ {
		if t := p.toks[p.at]; t.text == ")" && t.depth == depth {
			p.at++
			return true
		}
	}
	return false
}
