package main

import (
	"bytes"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sethvargo/go-envconfig"
)

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		check   func(t *testing.T, c Config)
		wantErr string
	}{
		{
			name: "defaults",
			env:  map[string]string{"API_TOKENS": "dpo:0123456789abcdef", "API_CALLER_ROLES": "dpo:dpo"},
			check: func(t *testing.T, c Config) {
				want := Config{
					ListenAddr:             "127.0.0.1:8080",
					MaxConns:               1024,
					RateLimit:              20,
					RateBurst:              40,
					ClickHouseAddrs:        []string{"127.0.0.1:9000"},
					ClickHouseDatabase:     "lineage",
					ClickHouseUser:         "lineage_reader",
					ClickHousePassword:     "s3cret",
					ClickHouseDialTimeout:  5 * time.Second,
					ClickHouseMaxOpenConns: 10,
					KafkaBrokers:           []string{"127.0.0.1:9092"},
					AuditTimeout:           5 * time.Second,
					Tokens:                 "dpo:0123456789abcdef",
					CallerRoles:            "dpo:dpo",
					Consultations:          true,
					LogLevel:               slog.LevelInfo,
					ReadHeaderTimeout:      5 * time.Second,
					ReadTimeout:            10 * time.Second,
					WriteTimeout:           30 * time.Second,
					IdleTimeout:            60 * time.Second,
					QueryTimeout:           20 * time.Second,
					UnresolvedMaxAge:       30 * time.Second,
					ShutdownTimeout:        20 * time.Second,
					GCPercent:              400,
				}
				if !reflect.DeepEqual(c, want) {
					t.Errorf("got  %#v\nwant %#v", c, want)
				}
			},
		},
		{
			name: "set",
			env: map[string]string{
				"API_TOKENS": "dpo:0123456789abcdef", "API_CALLER_ROLES": "dpo:dpo", "API_CLICKHOUSE_ADDRS": "ch1:9000,ch2:9000",
				"API_KAFKA_BROKERS": "k1:9092,k2:9092", "API_LOG_LEVEL": "debug",
				"API_OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
			},
			check: func(t *testing.T, c Config) {
				if len(c.ClickHouseAddrs) != 2 || len(c.KafkaBrokers) != 2 || c.LogLevel != slog.LevelDebug ||
					c.OTLPEndpoint != "http://collector:4318" {
					t.Errorf("got %#v", c)
				}
			},
		},
		{name: "tokens required", env: map[string]string{"API_CALLER_ROLES": "dpo:dpo"}, wantErr: "TOKENS"},
		{name: "roles required", env: map[string]string{"API_TOKENS": "dpo:0123456789abcdef"}, wantErr: "CALLER_ROLES"},
		{name: "unprefixed ignored", env: map[string]string{"TOKENS": "dpo:0123456789abcdef"}, wantErr: "TOKENS"},
		{name: "bad duration", env: map[string]string{"API_TOKENS": "x:0123456789abcdef", "API_CALLER_ROLES": "x:dpo", "API_READ_TIMEOUT": "10"}, wantErr: "ReadTimeout"},
		{name: "query outlasts write", env: map[string]string{"API_TOKENS": "x:0123456789abcdef", "API_CALLER_ROLES": "x:dpo", "API_QUERY_TIMEOUT": "40s"},
			wantErr: "API_QUERY_TIMEOUT (40s) must be shorter than API_WRITE_TIMEOUT (30s)"},
		{name: "limits set", env: map[string]string{"API_TOKENS": "x:0123456789abcdef", "API_CALLER_ROLES": "x:dpo",
			"API_MAX_CONNS": "64", "API_RATE_LIMIT": "0.5", "API_RATE_BURST": "3"},
			check: func(t *testing.T, c Config) {
				if c.MaxConns != 64 || c.RateLimit != 0.5 || c.RateBurst != 3 {
					t.Errorf("MaxConns %d, RateLimit %g, RateBurst %d; want 64, 0.5, 3", c.MaxConns, c.RateLimit, c.RateBurst)
				}
			}},
		{name: "rate limit off", env: map[string]string{"API_TOKENS": "x:0123456789abcdef", "API_CALLER_ROLES": "x:dpo",
			"API_RATE_LIMIT": "0", "API_RATE_BURST": "0"},
			check: func(t *testing.T, c Config) {
				if c.RateLimit != 0 {
					t.Errorf("RateLimit %g, want 0", c.RateLimit)
				}
			}},
		{name: "no connections", env: map[string]string{"API_TOKENS": "x:0123456789abcdef", "API_CALLER_ROLES": "x:dpo", "API_MAX_CONNS": "0"},
			wantErr: "API_MAX_CONNS must be positive (got 0)"},
		{name: "negative rate", env: map[string]string{"API_TOKENS": "x:0123456789abcdef", "API_CALLER_ROLES": "x:dpo", "API_RATE_LIMIT": "-1"},
			wantErr: "API_RATE_LIMIT must be a number of requests a second"},
		{name: "no burst", env: map[string]string{"API_TOKENS": "x:0123456789abcdef", "API_CALLER_ROLES": "x:dpo", "API_RATE_BURST": "0"},
			wantErr: "API_RATE_BURST must be at least 1 (got 0)"},
		{name: "no header timeout", env: map[string]string{"API_TOKENS": "x:0123456789abcdef", "API_CALLER_ROLES": "x:dpo", "API_READ_HEADER_TIMEOUT": "0s"},
			wantErr: "API_READ_HEADER_TIMEOUT must be positive"},
		{name: "no idle timeout", env: map[string]string{"API_TOKENS": "x:0123456789abcdef", "API_CALLER_ROLES": "x:dpo", "API_IDLE_TIMEOUT": "-1s"},
			wantErr: "API_IDLE_TIMEOUT must be positive"},
		// No binary carries a password, not even the development one.
		{name: "password required", env: map[string]string{"API_TOKENS": "dpo:0123456789abcdef", "API_CALLER_ROLES": "dpo:dpo",
			"API_CLICKHOUSE_PASSWORD": "unset"}, wantErr: "API_CLICKHOUSE_PASSWORD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Every case has a password but the one about it.
			env := map[string]string{"API_CLICKHOUSE_PASSWORD": "s3cret"}
			for k, v := range tt.env {
				env[k] = v
			}
			if env["API_CLICKHOUSE_PASSWORD"] == "unset" {
				delete(env, "API_CLICKHOUSE_PASSWORD")
			}
			c, err := loadConfig(t.Context(), envconfig.MapLookuper(env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("loadConfig: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func TestConfigLogRedactsSecrets(t *testing.T) {
	c, err := loadConfig(t.Context(), envconfig.MapLookuper(map[string]string{
		"API_TOKENS":              "dpo:0123456789abcdef",
		"API_CALLER_ROLES":        "dpo:dpo",
		"API_CLICKHOUSE_PASSWORD": "very-secret-password",
	}))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("starting", "config", c)
	out := buf.String()
	for _, secret := range []string{"0123456789abcdef", "very-secret-password"} {
		if strings.Contains(out, secret) {
			t.Errorf("config log reveals a secret: %s", out)
		}
	}
	if !strings.Contains(out, `"tokens":"[redacted]"`) || !strings.Contains(out, `"clickhouse_password":"[redacted]"`) {
		t.Errorf("config log does not show the secrets as redacted: %s", out)
	}
	// Every field is logged.
	if got, want := len(c.LogValue().Group()), reflect.TypeOf(c).NumField(); got != want {
		t.Errorf("LogValue has %d attributes, Config has %d fields", got, want)
	}
}
