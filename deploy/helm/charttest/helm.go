// Package charttest renders the lineage Helm chart with the helm binary,
// reads the rendered manifests, and reads the settings each service takes
// from its Go source, so that the chart's tests can hold one against the
// other. It runs helm as a program rather than linking its library, whose
// Kubernetes dependencies would weigh on every build of the project.
package charttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"gopkg.in/yaml.v3"
)

// HelmEnv names the environment variable that gives the helm binary's
// path; without it, helm is looked up on PATH.
const HelmEnv = "LINEAGE_HELM"

// Helm runs one helm binary.
type Helm struct {
	Path string
}

// FindHelm returns the helm of HelmEnv, else the one on PATH.
func FindHelm() (Helm, error) {
	if p := os.Getenv(HelmEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return Helm{}, fmt.Errorf("%s=%s: %w", HelmEnv, p, err)
		}
		return Helm{Path: p}, nil
	}
	p, err := exec.LookPath("helm")
	if err != nil {
		return Helm{}, fmt.Errorf("helm is not on PATH and %s is unset: %w", HelmEnv, err)
	}
	return Helm{Path: p}, nil
}

// Values are the values of one rendering: files (-f) and single values
// (--set), applied in that order.
type Values struct {
	Files []string
	Set   []string
}

func (v Values) args() []string {
	var args []string
	for _, f := range v.Files {
		args = append(args, "--values", f)
	}
	for _, s := range v.Set {
		args = append(args, "--set", s)
	}
	return args
}

// Lint runs helm lint --strict on the chart in dir.
func (h Helm) Lint(ctx context.Context, dir string, v Values) error {
	_, err := h.run(ctx, append([]string{"lint", "--strict", dir}, v.args()...)...)
	return err
}

// Template renders the chart in dir as release in namespace. A template's
// fail comes back as the error, with helm's message.
func (h Helm) Template(ctx context.Context, dir, release, namespace string, v Values) ([]byte, error) {
	return h.run(ctx, append([]string{"template", release, dir, "--namespace", namespace}, v.args()...)...)
}

func (h Helm) run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, h.Path, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// helm keeps its caches and config under HOME: a rendering needs
	// none, and must not depend on what a developer's machine holds.
	tmp, err := os.MkdirTemp("", "lineage-helm-")
	if err != nil {
		return nil, fmt.Errorf("helm home: %w", err)
	}
	defer os.RemoveAll(tmp)
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+tmp+"/cache", "HELM_CONFIG_HOME="+tmp+"/config", "HELM_DATA_HOME="+tmp+"/data")
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("helm %s: %w: %s%s", strings.Join(args, " "), err, stderr.String(), stdout.String())
	}
	return stdout.Bytes(), nil
}

// Object is one rendered manifest.
type Object struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name        string            `yaml:"name"`
		Labels      map[string]string `yaml:"labels"`
		Annotations map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
	node *yaml.Node
}

// Decode decodes the whole manifest into v.
func (o Object) Decode(v any) error {
	if err := o.node.Decode(v); err != nil {
		return fmt.Errorf("decode %s %s: %w", o.Kind, o.Metadata.Name, err)
	}
	return nil
}

// ID is "Kind/name", for messages.
func (o Object) ID() string { return o.Kind + "/" + o.Metadata.Name }

// ParseManifests splits a YAML stream into its objects, skipping empty
// documents.
func ParseManifests(b []byte) ([]Object, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var out []Object
	for i := 0; ; i++ {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if len(node.Content) == 0 || node.Content[0].Kind == yaml.ScalarNode && node.Content[0].Tag == "!!null" {
			continue
		}
		var o Object
		if err := node.Decode(&o); err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if o.Kind == "" {
			return nil, fmt.Errorf("document %d has no kind", i)
		}
		o.node = &node
		out = append(out, o)
	}
}
