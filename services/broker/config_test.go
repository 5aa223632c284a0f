package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/sethvargo/go-envconfig"

	"github.com/balticom/lineage/pkg/topics"
)

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(context.Background(), envconfig.MapLookuper(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := config{
		Addr:            "127.0.0.1:9092",
		DataDir:         ".run/broker",
		Partitions:      topics.DefaultPartitions,
		SyncWrites:      false,
		LogLevel:        slog.LevelInfo,
		ShutdownTimeout: 30 * time.Second,
	}
	if cfg != want {
		t.Errorf("defaults:\n got %+v\nwant %+v", cfg, want)
	}
}

func TestLoadConfigOverrides(t *testing.T) {
	cfg, err := loadConfig(context.Background(), envconfig.MapLookuper(map[string]string{
		"BROKER_ADDR":        "localhost:0",
		"BROKER_PARTITIONS":  "3",
		"BROKER_SYNC_WRITES": "true",
		"BROKER_LOG_LEVEL":   "debug",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "localhost:0" || cfg.Partitions != 3 || !cfg.SyncWrites || cfg.LogLevel != slog.LevelDebug {
		t.Errorf("overrides not applied: %+v", cfg)
	}
}

func TestLoadConfigRejects(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"wildcard host":   {"BROKER_ADDR": "0.0.0.0:9092"},
		"empty host":      {"BROKER_ADDR": ":9092"},
		"ipv6 wildcard":   {"BROKER_ADDR": "[::]:9092"},
		"no port":         {"BROKER_ADDR": "127.0.0.1"},
		"zero partitions": {"BROKER_PARTITIONS": "0"},
		"bad level":       {"BROKER_LOG_LEVEL": "loud"},
	} {
		t.Run(name, func(t *testing.T) {
			if cfg, err := loadConfig(context.Background(), envconfig.MapLookuper(env)); err == nil {
				t.Errorf("accepted %v as %+v", env, cfg)
			}
		})
	}
}
