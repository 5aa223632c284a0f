package main

import (
	"strings"
	"testing"

	"github.com/sethvargo/go-envconfig"

	"github.com/balticom/lineage/pkg/topics"
)

// processConfig reads env, with a ClickHouse password unless it sets one.
func processConfig(t *testing.T, env map[string]string) Config {
	t.Helper()
	cfg, err := readConfig(t, env, true)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func readConfig(t *testing.T, env map[string]string, password bool) (Config, error) {
	all := map[string]string{}
	if password {
		all["MATERIALIZER_CLICKHOUSE_PASSWORD"] = "s3cret"
	}
	for k, v := range env {
		all[k] = v
	}
	var cfg Config
	err := envconfig.ProcessWith(t.Context(), &envconfig.Config{
		Target: &cfg, Lookuper: envconfig.PrefixLookuper("MATERIALIZER_", envconfig.MapLookuper(all)),
	})
	return cfg, err
}

// TestConfigPasswordRequired: no binary carries a ClickHouse password, not
// even the development one.
func TestConfigPasswordRequired(t *testing.T) {
	if _, err := readConfig(t, nil, false); err == nil || !strings.Contains(err.Error(), "MATERIALIZER_CLICKHOUSE_PASSWORD") {
		t.Errorf("no password: %v, want an error naming MATERIALIZER_CLICKHOUSE_PASSWORD", err)
	}
}

// TestConfigDefaults: with nothing set, a member consumes the project's
// topics (package topics names them; the broker seeds them), each small
// topic under a group of its own.
func TestConfigDefaults(t *testing.T) {
	cfg := processConfig(t, nil)
	for name, got := range map[string][2]string{
		"TOPIC":           {cfg.Topic, topics.Events},
		"DLQ_TOPIC":       {cfg.DeadLetterTopic, topics.DeadLetter},
		"LINKS_TOPIC":     {cfg.LinksTopic, topics.IdentityLinks},
		"REQUESTS_TOPIC":  {cfg.RequestsTopic, topics.Requests},
		"FACTS_TOPIC":     {cfg.FactsTopic, topics.Facts},
		"INCIDENTS_TOPIC": {cfg.IncidentsTopic, topics.Incidents},
	} {
		if got[0] != got[1] {
			t.Errorf("%s = %q, want %q", name, got[0], got[1])
		}
	}
	groups := map[string]bool{}
	for _, g := range []string{cfg.Group, cfg.LinksGroup, cfg.RequestsGroup, cfg.FactsGroup, cfg.IncidentsGroup} {
		if g == "" || groups[g] {
			t.Errorf("groups %q, %q, %q, %q, %q: want five distinct", cfg.Group, cfg.LinksGroup, cfg.RequestsGroup, cfg.FactsGroup, cfg.IncidentsGroup)
		}
		groups[g] = true
	}
	if cfg.RequestsGroup != "lineage-requests-materializer" {
		t.Errorf("REQUESTS_GROUP = %q", cfg.RequestsGroup)
	}
}

func TestConfigRequestsOverride(t *testing.T) {
	cfg := processConfig(t, map[string]string{
		"MATERIALIZER_REQUESTS_TOPIC": "staging.requests.v1",
		"MATERIALIZER_REQUESTS_GROUP": "staging-requests",
	})
	if cfg.RequestsTopic != "staging.requests.v1" || cfg.RequestsGroup != "staging-requests" {
		t.Errorf("requests topic %q, group %q", cfg.RequestsTopic, cfg.RequestsGroup)
	}
}
