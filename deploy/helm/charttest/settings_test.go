package charttest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestServiceSettings reads the real services' configuration: the names
// the chart's checks compare against must be the ones the binaries read,
// prefixes included, with what the tags say of each.
func TestServiceSettings(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		service string
		name    string
		want    Setting // Field, Type, Required, Default compared
		absent  bool
	}{
		{service: "gateway", name: "GATEWAY_SOURCES", want: Setting{Field: "Config.Sources", Type: "secret.Secret", Required: true}},
		{service: "gateway", name: "GATEWAY_LISTEN_ADDR", want: Setting{Field: "Config.ListenAddr", Type: "string", Default: "127.0.0.1:8081", HasDefault: true}},
		{service: "api", name: "API_TOKENS", want: Setting{Field: "Config.Tokens", Type: "secret.Secret", Required: true}},
		{service: "api", name: "API_CALLER_ROLES", want: Setting{Field: "Config.CallerRoles", Type: "string", Required: true}},
		// The materializer declares its Config in main.go, with the
		// prefix as a literal.
		{service: "materializer", name: "MATERIALIZER_HEALTH_ADDR", want: Setting{Field: "Config.HealthAddr", Type: "string", Default: "127.0.0.1:8090", HasDefault: true}},
		{service: "materializer", name: "MATERIALIZER_CLICKHOUSE_PASSWORD", want: Setting{Field: "Config.ClickHousePass", Type: "secret.Secret", Required: true}},
		{service: "materializer", name: "MATERIALIZER_LISTEN_ADDR", absent: true},
		{service: "gateway", name: "API_TOKENS", absent: true},
		{service: "api", name: "TOKENS", absent: true},
	}
	for _, tt := range tests {
		t.Run(tt.service+" "+tt.name, func(t *testing.T) {
			got, err := ServiceSettings(filepath.Join(root, "services", tt.service))
			if err != nil {
				t.Fatal(err)
			}
			s, ok := got[tt.name]
			switch {
			case tt.absent && ok:
				t.Fatalf("%s found (%+v), want absent", tt.name, s)
			case tt.absent:
				return
			case !ok:
				t.Fatalf("%s not found among %d settings", tt.name, len(got))
			}
			tt.want.Name = tt.name
			if s != tt.want {
				t.Errorf("got %+v\nwant %+v", s, tt.want)
			}
		})
	}
}

// TestServiceSettingsNested: nested structs are read as go-envconfig reads
// them: a prefix= option adds to the lookuper's prefix, a struct without
// one shares it, and default= keeps its commas.
func TestServiceSettingsNested(t *testing.T) {
	const src = `package main

import "github.com/sethvargo/go-envconfig"

const envPrefix = "SVC_"

type Config struct {
	Addr    string   ` + "`env:\"ADDR, default=:80\"`" + `
	Brokers []string ` + "`env:\"BROKERS, default=a:1,b:2\"`" + `
	Store   Store    ` + "`env:\", prefix=STORE_\"`" + `
	Limits  *Limits
	Ignored string
}

type Store struct {
	Password string ` + "`env:\"PASSWORD, required\"`" + `
	Pool     Pool   ` + "`env:\", prefix=POOL_\"`" + `
}

type Pool struct {
	Size int ` + "`env:\"SIZE\"`" + `
}

type Limits struct {
	Max int ` + "`env:\"MAX\"`" + `
}

func load(l envconfig.Lookuper) error {
	cfg := Config{}
	return envconfig.ProcessWith(nil, &envconfig.Config{Target: &cfg, Lookuper: envconfig.PrefixLookuper(envPrefix, l)})
}
`
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ServiceSettings(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Setting{
		"SVC_ADDR":            {Name: "SVC_ADDR", Field: "Config.Addr", Type: "string", Default: ":80", HasDefault: true},
		"SVC_BROKERS":         {Name: "SVC_BROKERS", Field: "Config.Brokers", Type: "[]string", Default: "a:1,b:2", HasDefault: true},
		"SVC_STORE_PASSWORD":  {Name: "SVC_STORE_PASSWORD", Field: "Config.Store.Password", Type: "string", Required: true},
		"SVC_STORE_POOL_SIZE": {Name: "SVC_STORE_POOL_SIZE", Field: "Config.Store.Pool.Size", Type: "int"},
		"SVC_MAX":             {Name: "SVC_MAX", Field: "Config.Limits.Max", Type: "int"},
	}
	if len(got) != len(want) {
		t.Errorf("got %d settings %v, want %d", len(got), got, len(want))
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: got %+v\nwant %+v", name, got[name], w)
		}
	}
}
