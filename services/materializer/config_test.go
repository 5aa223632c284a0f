package main

import (
	"testing"

	"github.com/sethvargo/go-envconfig"

	"github.com/balticom/lineage/pkg/topics"
)

func processConfig(t *testing.T, env map[string]string) Config {
	t.Helper()
	var cfg Config
	if err := envconfig.ProcessWith(t.Context(), &envconfig.Config{
		Target: &cfg, Lookuper: envconfig.PrefixLookuper("MATERIALIZER_", envconfig.MapLookuper(env)),
	}); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestConfigDefaults: with nothing set, a member consumes the project's
// topics (package topics names them; the broker seeds them), each small
// topic under a group of its own.
func TestConfigDefaults(t *testing.T) {
	cfg := processConfig(t, nil)
	for name, got := range map[string][2]string{
		"TOPIC":          {cfg.Topic, topics.Events},
		"DLQ_TOPIC":      {cfg.DeadLetterTopic, topics.DeadLetter},
		"LINKS_TOPIC":    {cfg.LinksTopic, topics.IdentityLinks},
		"REQUESTS_TOPIC": {cfg.RequestsTopic, topics.Requests},
	} {
		if got[0] != got[1] {
			t.Errorf("%s = %q, want %q", name, got[0], got[1])
		}
	}
	groups := map[string]bool{}
	for _, g := range []string{cfg.Group, cfg.LinksGroup, cfg.RequestsGroup} {
		if g == "" || groups[g] {
			t.Errorf("groups %q, %q, %q: want three distinct", cfg.Group, cfg.LinksGroup, cfg.RequestsGroup)
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
