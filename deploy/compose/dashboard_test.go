package compose

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// grafanaDir holds the compose file's Grafana provisioning and dashboards.
var grafanaDir = filepath.Join(repoRoot, "deploy", "docker", "grafana")

// exportedMetrics returns the Prometheus names of the OpenTelemetry
// instruments the Go code under dirs creates (Meter.Int64Counter("name",
// metric.WithUnit(...)) and the like), as the collector's Prometheus
// exporter writes them: dots become underscores, the unit a suffix,
// counters end in _total and histograms are _bucket, _sum and _count.
func exportedMetrics(t *testing.T, dirs ...string) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	fset := token.NewFileSet()
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) == 0 {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				kind := instrumentKind(sel.Sel.Name)
				if kind == "" {
					return true
				}
				lit, ok := call.Args[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				name, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				for _, n := range prometheusNames(name, unitOf(call.Args[1:]), kind) {
					names[n] = true
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatalf("read instruments under %s: %v", dir, err)
		}
	}
	if len(names) == 0 {
		t.Fatalf("no OpenTelemetry instrument found under %v", dirs)
	}
	return names
}

// instrumentKind classifies a metric.Meter method: counter, histogram,
// gauge (up-down counters too: no suffix), or "" for any other call.
func instrumentKind(method string) string {
	m := strings.TrimPrefix(strings.TrimPrefix(method, "Int64"), "Float64")
	if m == method {
		return ""
	}
	switch m {
	case "Counter", "ObservableCounter":
		return "counter"
	case "Histogram":
		return "histogram"
	case "Gauge", "ObservableGauge", "UpDownCounter", "ObservableUpDownCounter":
		return "gauge"
	}
	return ""
}

// unitOf returns the unit of a metric.WithUnit("...") among an
// instrument's options.
func unitOf(opts []ast.Expr) string {
	for _, o := range opts {
		call, ok := o.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			continue
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "WithUnit" {
			continue
		}
		if lit, ok := call.Args[0].(*ast.BasicLit); ok {
			if u, err := strconv.Unquote(lit.Value); err == nil {
				return u
			}
		}
	}
	return ""
}

// prometheusNames translates an instrument as the collector's Prometheus
// exporter does by default (UnderscoreEscapingWithSuffixes), for the units
// this project uses.
func prometheusNames(name, unit, kind string) []string {
	base := strings.NewReplacer(".", "_", "-", "_").Replace(name)
	suffix := map[string]string{"s": "seconds", "ms": "milliseconds", "By": "bytes"}[unit]
	if suffix != "" && !strings.HasSuffix(base, "_"+suffix) {
		base += "_" + suffix
	}
	switch kind {
	case "counter":
		return []string{base + "_total"}
	case "histogram":
		return []string{base + "_bucket", base + "_sum", base + "_count"}
	}
	return []string{base}
}

func TestPrometheusNames(t *testing.T) {
	tests := []struct {
		name, unit, kind string
		want             []string
	}{
		{"lineage.materializer.events.stored", "", "counter", []string{"lineage_materializer_events_stored_total"}},
		{"lineage.gateway.events", "{event}", "counter", []string{"lineage_gateway_events_total"}},
		{"lineage.materializer.lag", "", "gauge", []string{"lineage_materializer_lag"}},
		{"http.server.request.duration", "s", "histogram", []string{
			"http_server_request_duration_seconds_bucket", "http_server_request_duration_seconds_sum", "http_server_request_duration_seconds_count"}},
	}
	for _, tt := range tests {
		if got := prometheusNames(tt.name, tt.unit, tt.kind); !slices.Equal(got, tt.want) {
			t.Errorf("prometheusNames(%q, %q, %q) = %q, want %q", tt.name, tt.unit, tt.kind, got, tt.want)
		}
	}
}

var (
	// Label matchers and grouping clauses hold label names, not metrics.
	promLabels = regexp.MustCompile(`\{[^}]*\}|\b(by|without)\s*\([^)]*\)`)
	promNames  = regexp.MustCompile(`\b(?:lineage|http)_[a-z0-9_]+\b`)
)

// dashboard is the part of a Grafana dashboard the test reads.
type dashboard struct {
	Panels []struct {
		Title      string `json:"title"`
		Type       string `json:"type"`
		Datasource *struct {
			UID string `json:"uid"`
		} `json:"datasource"`
		Targets []struct {
			Expr   string `json:"expr"`
			RawSQL string `json:"rawSql"`
		} `json:"targets"`
	} `json:"panels"`
}

// TestDashboards: every provisioned dashboard's panels use a provisioned
// data source, and every metric their queries name is one the services
// export; the operations dashboard shows throughput, lag, dead letters and
// insert latency.
func TestDashboards(t *testing.T) {
	var provisioned struct {
		Datasources []struct {
			UID  string `yaml:"uid"`
			Type string `yaml:"type"`
		} `yaml:"datasources"`
	}
	data, err := os.ReadFile(filepath.Join(grafanaDir, "provisioning", "datasources", "lineage.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &provisioned); err != nil {
		t.Fatalf("parse data sources: %v", err)
	}
	uids := map[string]string{}
	for _, ds := range provisioned.Datasources {
		uids[ds.UID] = ds.Type
	}
	for _, want := range []string{"prometheus", "grafana-clickhouse-datasource"} {
		if !slices.Contains(slices.Collect(maps.Values(uids)), want) {
			t.Errorf("no provisioned data source of type %s", want)
		}
	}

	exported := exportedMetrics(t, filepath.Join(repoRoot, "services"), filepath.Join(repoRoot, "pkg"))
	files, err := filepath.Glob(filepath.Join(grafanaDir, "dashboards", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboard under %s (%v)", grafanaDir, err)
	}
	used := map[string]bool{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboard
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatalf("parse %s: %v", file, err)
		}
		for _, p := range d.Panels {
			if p.Type == "row" {
				continue
			}
			if p.Datasource == nil || uids[p.Datasource.UID] == "" {
				t.Errorf("%s: panel %q uses no provisioned data source", filepath.Base(file), p.Title)
			}
			for _, target := range p.Targets {
				if target.Expr == "" {
					continue
				}
				names := promNames.FindAllString(promLabels.ReplaceAllString(target.Expr, ""), -1)
				if len(names) == 0 {
					t.Errorf("%s: panel %q: query %q names no metric of the project", filepath.Base(file), p.Title, target.Expr)
				}
				for _, n := range names {
					used[n] = true
					if !exported[n] {
						t.Errorf("%s: panel %q queries %s, which no service exports", filepath.Base(file), p.Title, n)
					}
				}
			}
		}
	}
	for _, want := range []string{
		"lineage_materializer_events_stored_total",            // throughput
		"lineage_materializer_lag",                            // consumer lag
		"lineage_materializer_events_dead_lettered_total",     // dead letters
		"lineage_materializer_insert_duration_seconds_bucket", // insert latency
	} {
		if !used[want] {
			t.Errorf("no dashboard panel queries %s", want)
		}
	}
}
