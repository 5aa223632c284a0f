package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretNeverPrints(t *testing.T) {
	const value = "hunter2-token"
	type config struct {
		User     string
		Password Secret
	}
	cfg := config{User: "writer", Password: value}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "config", cfg, "password", cfg.Password)
	js, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{
		"%v": fmt.Sprintf("%v", cfg), "%+v": fmt.Sprintf("%+v", cfg), "%#v": fmt.Sprintf("%#v", cfg),
		"%s": fmt.Sprintf("%s", cfg.Password), "json": string(js), "slog": logs.String(),
	} {
		if strings.Contains(out, value) {
			t.Errorf("%s printed the secret: %s", name, out)
		}
		if !strings.Contains(out, redacted) {
			t.Errorf("%s does not show that a secret is set: %s", name, out)
		}
	}
	if cfg.Password.Reveal() != value {
		t.Fatal("Reveal must return the value")
	}
	if Secret("").String() != "" {
		t.Fatal("an unset secret shows as empty")
	}
}
