package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sethvargo/go-envconfig"
)

const testSources = "crm:crm-0123456789abcdef,billing:billing-0123456789abcdef,cdr_mediation:cdr-0123456789abcdef"

// testIdentityKey is a valid GATEWAY_IDENTITY_KEY: 32 bytes in hex.
const testIdentityKey = "5eC4e75eC4e75eC4e75eC4e75eC4e75eC4e75eC4e75eC4e75eC4e75eC4e75eC4"

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		check   func(t *testing.T, c Config)
		wantErr string
	}{
		{
			name: "defaults",
			env:  map[string]string{"GATEWAY_SOURCES": testSources},
			check: func(t *testing.T, c Config) {
				want := Config{
					ListenAddr:   "127.0.0.1:8081",
					KafkaBrokers: []string{"127.0.0.1:9092"},
					Sources:      testSources,
					LinkSources:  []string{"crm"},
					MaxBodyBytes: 1 << 20,
					MaxBatch:     500,
					MaxInFlight:  64,
					// Half of MaxInFlight: another source always has
					// the other half.
					MaxInFlightPerSource: 32,
					MaxConns:             1024,
					PublishTimeout:       10 * time.Second,
					LogLevel:             slog.LevelInfo,
					ReadHeaderTimeout:    5 * time.Second,
					ReadTimeout:          15 * time.Second,
					WriteTimeout:         30 * time.Second,
					IdleTimeout:          60 * time.Second,
					ShutdownTimeout:      20 * time.Second,
				}
				if !reflect.DeepEqual(c, want) {
					t.Errorf("got  %#v\nwant %#v", c, want)
				}
			},
		},
		{
			name: "set",
			env: map[string]string{
				"GATEWAY_SOURCES": testSources, "GATEWAY_KAFKA_BROKERS": "k1:9092,k2:9092", "GATEWAY_MAX_BATCH": "100",
				"GATEWAY_MAX_IN_FLIGHT": "8", "GATEWAY_PUBLISH_TIMEOUT": "3s", "GATEWAY_LOG_LEVEL": "debug",
				"GATEWAY_OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
			},
			check: func(t *testing.T, c Config) {
				if len(c.KafkaBrokers) != 2 || c.MaxBatch != 100 || c.MaxInFlight != 8 || c.PublishTimeout != 3*time.Second ||
					c.LogLevel != slog.LevelDebug || c.OTLPEndpoint != "http://collector:4318" {
					t.Errorf("got %#v", c)
				}
			},
		},
		{name: "sources required", env: map[string]string{}, wantErr: "GATEWAY_SOURCES"},
		{name: "source not in the taxonomy", env: map[string]string{"GATEWAY_SOURCES": "crm:crm-0123456789abcdef,erp:erp-0123456789abcdef"},
			wantErr: `"erp" is not a source system code (crm, billing,`},
		{name: "short token", env: map[string]string{"GATEWAY_SOURCES": "crm:short"}, wantErr: "token shorter than 16"},
		{name: "zero batch", env: map[string]string{"GATEWAY_SOURCES": testSources, "GATEWAY_MAX_BATCH": "0"},
			wantErr: "GATEWAY_MAX_BATCH must be positive"},
		{name: "negative in flight", env: map[string]string{"GATEWAY_SOURCES": testSources, "GATEWAY_MAX_IN_FLIGHT": "-1"},
			wantErr: "GATEWAY_MAX_IN_FLIGHT must be positive"},
		{name: "publish timeout too long", env: map[string]string{"GATEWAY_SOURCES": testSources, "GATEWAY_PUBLISH_TIMEOUT": "30s"},
			wantErr: "GATEWAY_PUBLISH_TIMEOUT (30s) must be shorter than GATEWAY_WRITE_TIMEOUT (30s)"},
		{name: "per source: half of a set maximum", env: map[string]string{"GATEWAY_SOURCES": testSources, "GATEWAY_MAX_IN_FLIGHT": "9"},
			check: func(t *testing.T, c Config) {
				if c.MaxInFlightPerSource != 4 {
					t.Errorf("MaxInFlightPerSource = %d, want 4", c.MaxInFlightPerSource)
				}
			}},
		{name: "per source: one of one", env: map[string]string{"GATEWAY_SOURCES": testSources, "GATEWAY_MAX_IN_FLIGHT": "1"},
			check: func(t *testing.T, c Config) {
				if c.MaxInFlightPerSource != 1 {
					t.Errorf("MaxInFlightPerSource = %d, want 1", c.MaxInFlightPerSource)
				}
			}},
		{name: "per source: set", env: map[string]string{"GATEWAY_SOURCES": testSources, "GATEWAY_MAX_IN_FLIGHT_PER_SOURCE": "48"},
			check: func(t *testing.T, c Config) {
				if c.MaxInFlightPerSource != 48 || c.MaxInFlight != 64 {
					t.Errorf("MaxInFlightPerSource = %d of %d, want 48 of 64", c.MaxInFlightPerSource, c.MaxInFlight)
				}
			}},
		{name: "per source: more than in all", env: map[string]string{"GATEWAY_SOURCES": testSources, "GATEWAY_MAX_IN_FLIGHT_PER_SOURCE": "65"},
			wantErr: "GATEWAY_MAX_IN_FLIGHT_PER_SOURCE (65) must be at most GATEWAY_MAX_IN_FLIGHT (64)"},
		{name: "per source: negative", env: map[string]string{"GATEWAY_SOURCES": testSources, "GATEWAY_MAX_IN_FLIGHT_PER_SOURCE": "-1"},
			wantErr: "GATEWAY_MAX_IN_FLIGHT_PER_SOURCE must not be negative"},
		{name: "no header timeout", env: map[string]string{"GATEWAY_SOURCES": testSources, "GATEWAY_READ_HEADER_TIMEOUT": "0s"},
			wantErr: "GATEWAY_READ_HEADER_TIMEOUT must be positive"},
		{name: "no idle timeout", env: map[string]string{"GATEWAY_SOURCES": testSources, "GATEWAY_IDLE_TIMEOUT": "-1s"},
			wantErr: "GATEWAY_IDLE_TIMEOUT must be positive"},
		{name: "fewer connections than requests", env: map[string]string{"GATEWAY_SOURCES": testSources, "GATEWAY_MAX_CONNS": "10"},
			wantErr: "GATEWAY_MAX_CONNS (10) must be at least GATEWAY_MAX_IN_FLIGHT (64)"},
		{name: "not a duration", env: map[string]string{"GATEWAY_SOURCES": testSources, "GATEWAY_PUBLISH_TIMEOUT": "ten"},
			wantErr: `invalid duration "ten"`},
		{name: "identity key", env: map[string]string{"GATEWAY_SOURCES": testSources, "GATEWAY_IDENTITY_KEY": " " + testIdentityKey + "\n"},
			check: func(t *testing.T, c Config) {
				k, err := parseIdentityKey(c.IdentityKey)
				if err != nil || k == nil {
					t.Fatalf("parseIdentityKey = %v, %v", k, err)
				}
			}},
		{name: "no identity key", env: map[string]string{"GATEWAY_SOURCES": testSources, "GATEWAY_IDENTITY_KEY": ""},
			check: func(t *testing.T, c Config) {
				if k, err := parseIdentityKey(c.IdentityKey); k != nil || err != nil {
					t.Fatalf("parseIdentityKey of no key = %v, %v; want nil, nil", k, err)
				}
			}},
		{name: "identity key not hex", env: map[string]string{"GATEWAY_SOURCES": testSources, "GATEWAY_IDENTITY_KEY": "q" + testIdentityKey[1:]},
			wantErr: "GATEWAY_IDENTITY_KEY must be hex (openssl rand -hex 32)"},
		{name: "identity key odd", env: map[string]string{"GATEWAY_SOURCES": testSources, "GATEWAY_IDENTITY_KEY": testIdentityKey[1:]},
			wantErr: "GATEWAY_IDENTITY_KEY must be hex"},
		{name: "identity key short", env: map[string]string{"GATEWAY_SOURCES": testSources, "GATEWAY_IDENTITY_KEY": testIdentityKey[:32]},
			wantErr: "GATEWAY_IDENTITY_KEY: identity key has 16 bytes, want at least 32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadConfig(context.Background(), envconfig.MapLookuper(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "0123456789abcdef") || strings.Contains(err.Error(), "crm:") {
					t.Errorf("error reveals a token: %v", err)
				}
				if strings.Contains(err.Error(), "5eC4") || strings.Contains(err.Error(), "'q'") || strings.Contains(err.Error(), "U+") {
					t.Errorf("error reveals the identity key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestConfigLogMasksSecrets(t *testing.T) {
	c, err := loadConfig(context.Background(), envconfig.MapLookuper(map[string]string{
		"GATEWAY_SOURCES": testSources, "GATEWAY_IDENTITY_KEY": testIdentityKey,
	}))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("starting", "config", c)
	out := buf.String()
	if strings.Contains(out, "0123456789abcdef") || strings.Contains(out, "5eC4") ||
		!strings.Contains(out, `"sources":"[redacted]"`) || !strings.Contains(out, `"identity_key":"[redacted]"`) {
		t.Errorf("config log: %s", out)
	}
	var line struct {
		Config map[string]any `json:"config"`
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	if n := reflect.TypeOf(c).NumField(); len(line.Config) != n {
		t.Errorf("config log has %d values for %d fields: %s", len(line.Config), n, out)
	}
}
