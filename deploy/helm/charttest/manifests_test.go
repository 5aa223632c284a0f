package charttest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The parts of the Kubernetes objects the tests read.
type (
	workload struct {
		Spec struct {
			Replicas *int `yaml:"replicas"`
			Selector struct {
				MatchLabels map[string]string `yaml:"matchLabels"`
			} `yaml:"selector"`
			Template struct {
				Metadata struct {
					Labels map[string]string `yaml:"labels"`
				} `yaml:"metadata"`
				Spec podSpec `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	podSpec struct {
		ServiceAccountName           string `yaml:"serviceAccountName"`
		AutomountServiceAccountToken *bool  `yaml:"automountServiceAccountToken"`
		HostNetwork                  bool   `yaml:"hostNetwork"`
		SecurityContext              *struct {
			RunAsNonRoot   *bool           `yaml:"runAsNonRoot"`
			RunAsUser      *int64          `yaml:"runAsUser"`
			FSGroup        *int64          `yaml:"fsGroup"`
			SeccompProfile *seccompProfile `yaml:"seccompProfile"`
		} `yaml:"securityContext"`
		InitContainers []container `yaml:"initContainers"`
		Containers     []container `yaml:"containers"`
	}
	seccompProfile struct {
		Type string `yaml:"type"`
	}
	container struct {
		Name            string `yaml:"name"`
		Image           string `yaml:"image"`
		SecurityContext *struct {
			RunAsUser                *int64 `yaml:"runAsUser"`
			Privileged               *bool  `yaml:"privileged"`
			AllowPrivilegeEscalation *bool  `yaml:"allowPrivilegeEscalation"`
			ReadOnlyRootFilesystem   *bool  `yaml:"readOnlyRootFilesystem"`
			Capabilities             *struct {
				Add  []string `yaml:"add"`
				Drop []string `yaml:"drop"`
			} `yaml:"capabilities"`
			SeccompProfile *seccompProfile `yaml:"seccompProfile"`
		} `yaml:"securityContext"`
		Ports []struct {
			Name          string `yaml:"name"`
			ContainerPort int    `yaml:"containerPort"`
		} `yaml:"ports"`
		Env       []envVar `yaml:"env"`
		EnvFrom   []any    `yaml:"envFrom"`
		Resources struct {
			Requests map[string]string `yaml:"requests"`
			Limits   map[string]string `yaml:"limits"`
		} `yaml:"resources"`
		LivenessProbe  *probe `yaml:"livenessProbe"`
		ReadinessProbe *probe `yaml:"readinessProbe"`
		StartupProbe   *probe `yaml:"startupProbe"`
	}
	envVar struct {
		Name      string  `yaml:"name"`
		Value     *string `yaml:"value"`
		ValueFrom *struct {
			SecretKeyRef *struct {
				Name string `yaml:"name"`
				Key  string `yaml:"key"`
			} `yaml:"secretKeyRef"`
		} `yaml:"valueFrom"`
	}
	probe struct {
		HTTPGet *struct {
			Path string `yaml:"path"`
			Port any    `yaml:"port"`
		} `yaml:"httpGet"`
	}
	networkPolicy struct {
		Spec struct {
			PodSelector struct {
				MatchLabels map[string]string `yaml:"matchLabels"`
			} `yaml:"podSelector"`
			PolicyTypes []string `yaml:"policyTypes"`
			Ingress     []struct {
				From  []map[string]any `yaml:"from"`
				Ports []policyPort     `yaml:"ports"`
			} `yaml:"ingress"`
			Egress []struct {
				To    []map[string]any `yaml:"to"`
				Ports []policyPort     `yaml:"ports"`
			} `yaml:"egress"`
		} `yaml:"spec"`
	}
	policyPort struct {
		Protocol string `yaml:"protocol"`
		Port     int    `yaml:"port"`
	}
	pdb struct {
		Spec struct {
			MinAvailable   any `yaml:"minAvailable"`
			MaxUnavailable any `yaml:"maxUnavailable"`
			Selector       struct {
				MatchLabels map[string]string `yaml:"matchLabels"`
			} `yaml:"selector"`
		} `yaml:"spec"`
	}
	scaledObject struct {
		Spec struct {
			ScaleTargetRef struct {
				Name string `yaml:"name"`
			} `yaml:"scaleTargetRef"`
			MinReplicaCount int `yaml:"minReplicaCount"`
			MaxReplicaCount int `yaml:"maxReplicaCount"`
			Triggers        []struct {
				Type     string            `yaml:"type"`
				Metadata map[string]string `yaml:"metadata"`
			} `yaml:"triggers"`
		} `yaml:"spec"`
	}
)

// env returns the container's variable name, and whether it is set.
func (c container) env(name string) (envVar, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e, true
		}
	}
	return envVar{}, false
}

// value returns the plain value of the variable name, "" if unset or
// from a Secret.
func (c container) value(name string) string {
	if e, ok := c.env(name); ok && e.Value != nil {
		return *e.Value
	}
	return ""
}

// port resolves a probe's port, a name or a number, to a container port.
func (c container) port(p any) (int, error) {
	switch v := p.(type) {
	case int:
		for _, cp := range c.Ports {
			if cp.ContainerPort == v {
				return v, nil
			}
		}
		return 0, fmt.Errorf("port %d is not a container port", v)
	case string:
		for _, cp := range c.Ports {
			if cp.Name == v {
				return cp.ContainerPort, nil
			}
		}
		return 0, fmt.Errorf("no container port named %q", v)
	}
	return 0, fmt.Errorf("port %v is neither a name nor a number", p)
}

// rendering is one value set of the chart's.
type rendering struct {
	name   string
	values Values
}

const (
	chartDir  = "../lineage"
	release   = "lineage"
	namespace = "lineage"
)

// exampleValues wire the chart to the example Kafka and ClickHouse.
var exampleValues = rendering{name: "example", values: Values{Files: []string{"../examples/values.yaml"}}}

// renderings are the value sets every check runs on.
var renderings = []rendering{
	{name: "defaults"},
	{name: "keda", values: Values{Set: []string{"materializer.keda.enabled=true"}}},
	exampleValues,
	{name: "otel and settings", values: Values{Set: []string{
		"otel.endpoint=http://collector.observability:4318",
		"networkPolicy.otel.to[0].podSelector.matchLabels.app=collector",
		"gateway.settings.MAX_BATCH=200",
		"api.settings.RATE_LIMIT=5",
		"materializer.settings.BATCH_SIZE=20000",
		"materializer.image.digest=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"api.secretKeys.identityKey=",
	}}},
	// A collector named but no peers for it: no rule, rather than an
	// empty one, which would allow everything.
	{name: "collector without peers", values: Values{Set: []string{"otel.endpoint=http://collector.observability:4318"}}},
}

// helmFor returns the helm to test with; without one it skips the test,
// or fails it when LINEAGE_HELM_TESTS=1 says helm must be there.
func helmFor(t *testing.T) Helm {
	t.Helper()
	h, err := FindHelm()
	if err != nil {
		if os.Getenv("LINEAGE_HELM_TESTS") == "1" {
			t.Fatalf("LINEAGE_HELM_TESTS=1 and no helm: %v", err)
		}
		t.Skipf("no helm (%v): the chart is not tested; scripts/test installs it", err)
	}
	return h
}

var renders struct {
	sync.Mutex
	done map[string][]Object
}

// render renders r once per test binary and parses the manifests.
func render(t *testing.T, r rendering) []Object {
	t.Helper()
	h := helmFor(t)
	renders.Lock()
	defer renders.Unlock()
	if objs, ok := renders.done[r.name]; ok {
		return objs
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := h.Template(ctx, chartDir, release, namespace, r.values)
	if err != nil {
		t.Fatalf("render %s: %v", r.name, err)
	}
	objs, err := ParseManifests(out)
	if err != nil {
		t.Fatalf("parse the manifests of %s: %v", r.name, err)
	}
	if renders.done == nil {
		renders.done = map[string][]Object{}
	}
	renders.done[r.name] = objs
	return objs
}

// workloadKinds are the kinds that run pods.
var workloadKinds = map[string]bool{"Deployment": true, "StatefulSet": true, "DaemonSet": true, "Job": true, "CronJob": true, "ReplicaSet": true, "Pod": true}

// workloads decodes every object that runs pods; the chart renders only
// Deployments, and any other kind fails the test until the checks read it.
func workloads(t *testing.T, objs []Object) map[string]workload {
	t.Helper()
	out := map[string]workload{}
	for _, o := range objs {
		if !workloadKinds[o.Kind] {
			continue
		}
		if o.Kind != "Deployment" {
			t.Fatalf("%s: the checks read Deployments only; teach them this kind", o.ID())
		}
		var w workload
		if err := o.Decode(&w); err != nil {
			t.Fatal(err)
		}
		out[o.Metadata.Name] = w
	}
	if len(out) == 0 {
		t.Fatal("no workload rendered")
	}
	return out
}

// services maps each container of the chart to the service whose binary
// it runs: the directory under services/.
var services = map[string]string{"gateway": "gateway", "api": "api", "materializer": "materializer"}

var settings struct {
	sync.Once
	byService map[string]map[string]Setting
	err       error
}

// serviceSettings reads the settings of every service of the chart once.
func serviceSettings(t *testing.T) map[string]map[string]Setting {
	t.Helper()
	settings.Do(func() {
		root, err := RepoRoot()
		if err != nil {
			settings.err = err
			return
		}
		settings.byService = map[string]map[string]Setting{}
		for _, svc := range services {
			s, err := ServiceSettings(filepath.Join(root, "services", svc))
			if err != nil {
				settings.err = err
				return
			}
			settings.byService[svc] = s
		}
	})
	if settings.err != nil {
		t.Fatal(settings.err)
	}
	return settings.byService
}

// mebibytes parses a Kubernetes memory quantity (Ki, Mi, Gi or bytes) or
// a Go byte size (KiB, MiB, GiB).
func mebibytes(q string) (float64, error) {
	units := []struct {
		suffix string
		mib    float64
	}{{"KiB", 1.0 / 1024}, {"MiB", 1}, {"GiB", 1024}, {"Ki", 1.0 / 1024}, {"Mi", 1}, {"Gi", 1024}}
	for _, u := range units {
		if n, ok := strings.CutSuffix(q, u.suffix); ok {
			f, err := strconv.ParseFloat(n, 64)
			return f * u.mib, err
		}
	}
	f, err := strconv.ParseFloat(q, 64)
	return f / (1 << 20), err
}
