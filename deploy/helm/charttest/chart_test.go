package charttest

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLint: helm lint --strict passes with every value set.
func TestLint(t *testing.T) {
	h := helmFor(t)
	for _, r := range renderings {
		t.Run(r.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := h.Lint(ctx, chartDir, r.values); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestRenderRefuses: values that would deploy something broken or unsafe
// fail to render, with a message that says what to change.
func TestRenderRefuses(t *testing.T) {
	h := helmFor(t)
	tests := []struct {
		name string
		set  []string
		want string
	}{
		{"more KEDA replicas than partitions", []string{"materializer.keda.enabled=true", "materializer.keda.maxReplicas=13"},
			"materializer.keda.maxReplicas (13) must not exceed kafka.partitions (12)"},
		{"fewer partitions than the KEDA default", []string{"materializer.keda.enabled=true", "kafka.partitions=6"},
			"materializer.keda.maxReplicas (12) must not exceed kafka.partitions (6)"},
		{"more replicas than partitions", []string{"materializer.replicas=13"},
			"materializer.replicas (13) must not exceed kafka.partitions (12)"},
		{"KEDA down to zero", []string{"materializer.keda.enabled=true", "materializer.keda.minReplicas=0"},
			"materializer.keda.minReplicas must be at least 1"},
		{"moving tag", []string{"api.image.tag=latest"}, "pin a tag or a digest, not latest"},
		{"digest that is not one", []string{"gateway.image.digest=abc"}, "must be sha256:<hex>"},
		{"secret as a setting", []string{"api.settings.TOKENS=dpo:x"}, "API_TOKENS is a secret"},
		{"setting the chart owns", []string{"materializer.settings.HEALTH_ADDR=127.0.0.1:1"}, "MATERIALIZER_HEALTH_ADDR is set by the chart"},
		{"root", []string{"podUser.runAsUser=0"}, "podUser.runAsUser, runAsGroup and fsGroup must be set and not 0"},
		{"no secret name", []string{"gateway.existingSecret="}, "gateway.existingSecret is required"},
		{"collector without a scheme", []string{"otel.endpoint=collector:4318"}, "otel.endpoint must be a URL"},
		{"no resources", []string{"api.resources.limits=null"}, "api.resources needs requests and limits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, err := h.Template(ctx, chartDir, release, namespace, Values{Set: tt.set})
			if err == nil {
				t.Fatalf("rendered with %v; want an error saying %q", tt.set, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v\nwant it to say %q", err, tt.want)
			}
		})
	}
}

// TestWorkloadsAreLockedDown: every pod runs as a non-root user under the
// runtime's seccomp profile, without a service account token, and every
// container with a read-only root, no privilege escalation, no
// capabilities, a pinned image, and requests and limits of CPU and memory.
func TestWorkloadsAreLockedDown(t *testing.T) {
	helmFor(t)
	for _, r := range renderings {
		t.Run(r.name, func(t *testing.T) {
			objs := render(t, r)
			for _, o := range objs {
				if o.Kind == "ServiceAccount" {
					var sa struct {
						Automount *bool `yaml:"automountServiceAccountToken"`
					}
					if err := o.Decode(&sa); err != nil {
						t.Fatal(err)
					}
					if sa.Automount == nil || *sa.Automount {
						t.Errorf("%s: automountServiceAccountToken must be false", o.ID())
					}
				}
			}
			for name, w := range workloads(t, objs) {
				p := w.Spec.Template.Spec
				if p.AutomountServiceAccountToken == nil || *p.AutomountServiceAccountToken {
					t.Errorf("%s: automountServiceAccountToken must be false", name)
				}
				if p.ServiceAccountName == "" || p.ServiceAccountName == "default" {
					t.Errorf("%s: runs as the namespace's default service account", name)
				}
				if p.HostNetwork {
					t.Errorf("%s: hostNetwork", name)
				}
				sc := p.SecurityContext
				switch {
				case sc == nil:
					t.Errorf("%s: no pod securityContext", name)
				default:
					if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
						t.Errorf("%s: runAsNonRoot must be true", name)
					}
					if sc.RunAsUser == nil || *sc.RunAsUser == 0 {
						t.Errorf("%s: runAsUser must be a non-zero uid", name)
					}
					if sc.FSGroup == nil || *sc.FSGroup == 0 {
						t.Errorf("%s: fsGroup must be a non-zero gid", name)
					}
					if sc.SeccompProfile == nil || sc.SeccompProfile.Type != "RuntimeDefault" {
						t.Errorf("%s: seccompProfile must be RuntimeDefault", name)
					}
				}
				for _, c := range slices.Concat(p.InitContainers, p.Containers) {
					checkContainer(t, name+"/"+c.Name, c)
				}
			}
		})
	}
}

func checkContainer(t *testing.T, name string, c container) {
	t.Helper()
	sc := c.SecurityContext
	if sc == nil {
		t.Errorf("%s: no securityContext", name)
		return
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("%s: allowPrivilegeEscalation must be false", name)
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("%s: readOnlyRootFilesystem must be true", name)
	}
	if sc.Privileged != nil && *sc.Privileged {
		t.Errorf("%s: privileged", name)
	}
	if sc.RunAsUser != nil && *sc.RunAsUser == 0 {
		t.Errorf("%s: runs as root", name)
	}
	if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0 {
		t.Errorf("%s: capabilities must drop ALL and add none", name)
	}
	if sc.SeccompProfile != nil && sc.SeccompProfile.Type != "RuntimeDefault" {
		t.Errorf("%s: seccompProfile %q overrides the pod's RuntimeDefault", name, sc.SeccompProfile.Type)
	}
	for _, kind := range []string{"cpu", "memory"} {
		if c.Resources.Requests[kind] == "" {
			t.Errorf("%s: no %s request", name, kind)
		}
		if c.Resources.Limits[kind] == "" {
			t.Errorf("%s: no %s limit", name, kind)
		}
	}
	repo, digest, pinned := strings.Cut(c.Image, "@sha256:")
	if !pinned {
		slash := strings.LastIndex(c.Image, "/")
		colon := strings.LastIndex(c.Image, ":")
		if colon <= slash || c.Image[colon+1:] == "latest" {
			t.Errorf("%s: image %q is pinned by neither tag nor digest", name, c.Image)
		}
	} else if repo == "" || len(digest) != 64 {
		t.Errorf("%s: image %q: malformed digest", name, c.Image)
	}
}

// TestMaterializerMemory: the container's memory limit holds the measured
// peak (under 256 MiB RSS, docs/PERFORMANCE.md) and the Go runtime's soft
// limit sits below the container's, so the collector works harder before
// the kernel kills.
func TestMaterializerMemory(t *testing.T) {
	helmFor(t)
	const measuredPeakMiB = 256
	for _, r := range renderings {
		t.Run(r.name, func(t *testing.T) {
			w := workloads(t, render(t, r))[release+"-materializer"]
			if len(w.Spec.Template.Spec.Containers) != 1 {
				t.Fatalf("materializer: %d containers, want 1", len(w.Spec.Template.Spec.Containers))
			}
			c := w.Spec.Template.Spec.Containers[0]
			limit, err := mebibytes(c.Resources.Limits["memory"])
			if err != nil {
				t.Fatal(err)
			}
			request, err := mebibytes(c.Resources.Requests["memory"])
			if err != nil {
				t.Fatal(err)
			}
			soft, err := mebibytes(c.value("MATERIALIZER_MEMORY_LIMIT"))
			if err != nil {
				t.Fatal(err)
			}
			if request < measuredPeakMiB || limit < request {
				t.Errorf("memory request %g MiB, limit %g MiB: want request ≥ %d MiB (measured peak) and limit ≥ request", request, limit, measuredPeakMiB)
			}
			if soft <= 0 || soft >= limit {
				t.Errorf("MATERIALIZER_MEMORY_LIMIT %g MiB: want it set and below the container's %g MiB", soft, limit)
			}
		})
	}
}

// TestProbes: every container is probed for liveness on the /healthz and
// for readiness on the /readyz the project's services serve
// (pkg/httphealth), on a port the container declares and the service
// listens on, on every interface.
func TestProbes(t *testing.T) {
	helmFor(t)
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	consts, err := Consts(filepath.Join(root, "pkg", "httphealth"))
	if err != nil {
		t.Fatal(err)
	}
	live, ready := consts["LivePath"], consts["ReadyPath"]
	if live == "" || ready == "" {
		t.Fatalf("pkg/httphealth: LivePath %q, ReadyPath %q", live, ready)
	}
	// The variable that names the address the probes reach, per service.
	listenAddr := map[string]string{"gateway": "GATEWAY_LISTEN_ADDR", "api": "API_LISTEN_ADDR", "materializer": "MATERIALIZER_HEALTH_ADDR"}
	for _, r := range renderings {
		t.Run(r.name, func(t *testing.T) {
			for name, w := range workloads(t, render(t, r)) {
				for _, c := range w.Spec.Template.Spec.Containers {
					id := name + "/" + c.Name
					addrVar, ok := listenAddr[c.Name]
					if !ok {
						t.Errorf("%s: container of no known service", id)
						continue
					}
					addr := c.value(addrVar)
					for _, p := range []struct {
						kind  string
						probe *probe
						path  string
					}{{"liveness", c.LivenessProbe, live}, {"readiness", c.ReadinessProbe, ready}, {"startup", c.StartupProbe, live}} {
						if p.probe == nil || p.probe.HTTPGet == nil {
							if p.kind != "startup" {
								t.Errorf("%s: no HTTP %s probe", id, p.kind)
							}
							continue
						}
						if p.probe.HTTPGet.Path != p.path {
							t.Errorf("%s: %s probe on %s, want %s", id, p.kind, p.probe.HTTPGet.Path, p.path)
						}
						port, err := c.port(p.probe.HTTPGet.Port)
						if err != nil {
							t.Errorf("%s: %s probe: %v", id, p.kind, err)
							continue
						}
						if want := "0.0.0.0:" + strconv.Itoa(port); addr != want {
							t.Errorf("%s: %s probe on port %d, but %s=%q: want %s", id, p.kind, port, addrVar, addr, want)
						}
					}
				}
			}
		})
	}
}

// TestPodDisruptionBudgets: every workload has a budget that selects its
// pods and still lets a node drain (one pod may go).
func TestPodDisruptionBudgets(t *testing.T) {
	helmFor(t)
	for _, r := range renderings {
		t.Run(r.name, func(t *testing.T) {
			objs := render(t, r)
			var budgets []pdb
			for _, o := range objs {
				if o.Kind == "PodDisruptionBudget" {
					var b pdb
					if err := o.Decode(&b); err != nil {
						t.Fatal(err)
					}
					budgets = append(budgets, b)
				}
			}
			for name, w := range workloads(t, objs) {
				var found int
				for _, b := range budgets {
					if !selects(b.Spec.Selector.MatchLabels, w.Spec.Template.Metadata.Labels) {
						continue
					}
					found++
					if b.Spec.MinAvailable != nil {
						t.Errorf("%s: budget with minAvailable blocks drains of a single replica; use maxUnavailable", name)
					}
					if n, ok := b.Spec.MaxUnavailable.(int); !ok || n < 1 {
						t.Errorf("%s: budget maxUnavailable %v, want a count ≥ 1", name, b.Spec.MaxUnavailable)
					}
				}
				if found != 1 {
					t.Errorf("%s: %d disruption budgets select its pods, want 1", name, found)
				}
			}
		})
	}
}

// selects reports whether matchLabels selects a pod with labels; an empty
// selector selects nothing here (the chart never means everything).
func selects(matchLabels, labels map[string]string) bool {
	if len(matchLabels) == 0 {
		return false
	}
	for k, v := range matchLabels {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// TestNetworkPolicies: a default deny covers every pod of the release;
// the gateway is reachable only from the source systems' peers and the
// API only from the DPO's, each on its port; the materializer from
// nowhere; and the pods reach only Kafka, ClickHouse (not the gateway),
// the collector and DNS, on their ports. No rule has an empty peer list,
// which Kubernetes reads as everyone.
func TestNetworkPolicies(t *testing.T) {
	helmFor(t)
	for _, r := range renderings {
		t.Run(r.name, func(t *testing.T) {
			objs := render(t, r)
			policies := map[string]networkPolicy{}
			for _, o := range objs {
				if o.Kind == "NetworkPolicy" {
					var p networkPolicy
					if err := o.Decode(&p); err != nil {
						t.Fatal(err)
					}
					policies[o.Metadata.Name] = p
				}
			}
			deny, ok := policies[release+"-default-deny"]
			if !ok {
				t.Fatal("no default-deny NetworkPolicy")
			}
			if len(deny.Spec.Ingress)+len(deny.Spec.Egress) != 0 || !slices.Equal(deny.Spec.PolicyTypes, []string{"Ingress", "Egress"}) {
				t.Errorf("default-deny: policyTypes %v, %d ingress and %d egress rules; want Ingress and Egress and no rule",
					deny.Spec.PolicyTypes, len(deny.Spec.Ingress), len(deny.Spec.Egress))
			}
			// Ports each component may reach; DNS for all.
			egressPorts := map[string][]int{
				"gateway":      {9092, 53},
				"api":          {9092, 9000, 53},
				"materializer": {9092, 9000, 53},
			}
			ingressPort := map[string]int{"gateway": 8081, "api": 8080}
			for name, w := range workloads(t, objs) {
				labels := w.Spec.Template.Metadata.Labels
				component := labels["app.kubernetes.io/component"]
				if !selects(deny.Spec.PodSelector.MatchLabels, labels) {
					t.Errorf("%s: not under the default deny", name)
				}
				var own []networkPolicy
				for pname, p := range policies {
					if pname != release+"-default-deny" && selects(p.Spec.PodSelector.MatchLabels, labels) {
						own = append(own, p)
					}
				}
				if len(own) != 1 {
					t.Errorf("%s: %d policies of its own, want 1", name, len(own))
					continue
				}
				p := own[0]
				allowed := slices.Clone(egressPorts[component])
				if objectValue(objs, name, "OTEL_EXPORTER_OTLP_ENDPOINT") != "" {
					allowed = append(allowed, 4318)
				}
				var reached []int
				for _, e := range p.Spec.Egress {
					if len(e.To) == 0 || len(e.Ports) == 0 {
						t.Errorf("%s: egress rule with no peers or no ports allows everything", name)
					}
					for _, port := range e.Ports {
						reached = append(reached, port.Port)
						if !slices.Contains(allowed, port.Port) {
							t.Errorf("%s: egress to port %d; allowed are %v", name, port.Port, allowed)
						}
					}
				}
				for _, want := range []int{9092, 53} {
					if !slices.Contains(reached, want) {
						t.Errorf("%s: no egress to port %d", name, want)
					}
				}
				for _, in := range p.Spec.Ingress {
					if len(in.From) == 0 {
						t.Errorf("%s: ingress rule with no peers allows everyone", name)
					}
					for _, port := range in.Ports {
						if port.Port != ingressPort[component] {
							t.Errorf("%s: ingress on port %d, want only %d", name, port.Port, ingressPort[component])
						}
					}
				}
				if component == "materializer" && len(p.Spec.Ingress) > 0 {
					t.Errorf("%s: the materializer takes no connections, but a policy allows %d ingress rules", name, len(p.Spec.Ingress))
				}
				if r.name == exampleValues.name && component != "materializer" && len(p.Spec.Ingress) == 0 {
					t.Errorf("%s: the example values name who may connect, but no ingress rule is rendered", name)
				}
			}
		})
	}
}

// objectValue returns the plain value of the variable whose name ends in
// suffix in the first container of workload name.
func objectValue(objs []Object, name, suffix string) string {
	for _, o := range objs {
		if o.Kind != "Deployment" || o.Metadata.Name != name {
			continue
		}
		var w workload
		if o.Decode(&w) != nil || len(w.Spec.Template.Spec.Containers) == 0 {
			return ""
		}
		for _, e := range w.Spec.Template.Spec.Containers[0].Env {
			if strings.HasSuffix(e.Name, suffix) && e.Value != nil {
				return *e.Value
			}
		}
	}
	return ""
}

// TestNoSecretValues: the chart renders no Secret and no ConfigMap with a
// secret in it: every setting a service types as a secret comes from a
// Secret by reference, never as a value.
func TestNoSecretValues(t *testing.T) {
	helmFor(t)
	byService := serviceSettings(t)
	for _, r := range renderings {
		t.Run(r.name, func(t *testing.T) {
			objs := render(t, r)
			for _, o := range objs {
				if o.Kind == "Secret" {
					var s struct {
						Data       map[string]any `yaml:"data"`
						StringData map[string]any `yaml:"stringData"`
					}
					if err := o.Decode(&s); err != nil {
						t.Fatal(err)
					}
					if len(s.Data)+len(s.StringData) > 0 {
						t.Errorf("%s: the chart renders secret data (keys %v %v)", o.ID(), slices.Sorted(maps.Keys(s.Data)), slices.Sorted(maps.Keys(s.StringData)))
					}
				}
			}
			var secretRefs int
			for name, w := range workloads(t, objs) {
				for _, c := range w.Spec.Template.Spec.Containers {
					if len(c.EnvFrom) > 0 {
						t.Errorf("%s/%s: envFrom hides which settings it sets", name, c.Name)
					}
					known := byService[services[c.Name]]
					for _, e := range c.Env {
						s, ok := known[e.Name]
						if !ok || !s.Secret() {
							continue
						}
						if e.Value != nil || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil ||
							e.ValueFrom.SecretKeyRef.Name == "" || e.ValueFrom.SecretKeyRef.Key == "" {
							t.Errorf("%s/%s: %s is a secret (%s) but is not taken from a Secret by name and key", name, c.Name, e.Name, s.Field)
							continue
						}
						secretRefs++
					}
				}
			}
			if secretRefs == 0 {
				t.Error("no secret reference rendered: the check saw nothing")
			}
		})
	}
}

// TestEnvIsReadByTheServices: every variable the chart sets is one the
// container's service reads (its configuration struct, parsed from the
// source), and every variable a service requires is set: a misspelt name
// would be ignored in silence, a missing one stop the service at start.
func TestEnvIsReadByTheServices(t *testing.T) {
	helmFor(t)
	byService := serviceSettings(t)
	for _, r := range renderings {
		t.Run(r.name, func(t *testing.T) {
			for name, w := range workloads(t, render(t, r)) {
				for _, c := range w.Spec.Template.Spec.Containers {
					svc, ok := services[c.Name]
					if !ok {
						t.Errorf("%s/%s: container of no known service", name, c.Name)
						continue
					}
					known := byService[svc]
					set := map[string]bool{}
					for _, e := range c.Env {
						if set[e.Name] {
							t.Errorf("%s/%s: %s set twice", name, c.Name, e.Name)
						}
						set[e.Name] = true
						if _, ok := known[e.Name]; !ok {
							t.Errorf("%s/%s: %s is not a setting of services/%s", name, c.Name, e.Name, svc)
						}
					}
					for _, s := range known {
						if s.Required && !set[s.Name] {
							t.Errorf("%s/%s: %s is required by services/%s (%s) but not set", name, c.Name, s.Name, svc, s.Field)
						}
					}
				}
			}
		})
	}
}

// TestMaterializerScaling: with KEDA off the Deployment has a fixed count;
// with it on, a ScaledObject scales the Deployment on the lag of the group
// and topic the members consume, from the brokers they use, never beyond
// the partitions the topics are created with, and the Deployment leaves
// the count to it.
func TestMaterializerScaling(t *testing.T) {
	helmFor(t)
	for _, r := range renderings {
		t.Run(r.name, func(t *testing.T) {
			objs := render(t, r)
			name := release + "-materializer"
			w := workloads(t, objs)[name]
			c := w.Spec.Template.Spec.Containers[0]
			partitions, err := strconv.Atoi(c.value("MATERIALIZER_TOPIC_PARTITIONS"))
			if err != nil {
				t.Fatalf("MATERIALIZER_TOPIC_PARTITIONS: %v", err)
			}
			var scalers []scaledObject
			for _, o := range objs {
				if o.Kind == "ScaledObject" {
					var s scaledObject
					if err := o.Decode(&s); err != nil {
						t.Fatal(err)
					}
					scalers = append(scalers, s)
				}
			}
			if len(scalers) == 0 {
				if w.Spec.Replicas == nil || *w.Spec.Replicas < 1 || *w.Spec.Replicas > partitions {
					t.Errorf("%s: replicas %v without KEDA; want 1 to %d", name, w.Spec.Replicas, partitions)
				}
				return
			}
			if len(scalers) != 1 {
				t.Fatalf("%d ScaledObjects, want 1", len(scalers))
			}
			s := scalers[0].Spec
			if w.Spec.Replicas != nil {
				t.Errorf("%s: replicas %d set while KEDA scales it: every upgrade would reset the count", name, *w.Spec.Replicas)
			}
			if s.ScaleTargetRef.Name != name {
				t.Errorf("ScaledObject scales %q, want %q", s.ScaleTargetRef.Name, name)
			}
			if s.MaxReplicaCount != partitions || s.MinReplicaCount < 1 || s.MinReplicaCount > s.MaxReplicaCount {
				t.Errorf("ScaledObject replicas %d to %d; want at least 1, at most and up to the %d partitions", s.MinReplicaCount, s.MaxReplicaCount, partitions)
			}
			if len(s.Triggers) != 1 || s.Triggers[0].Type != "kafka" {
				t.Fatalf("ScaledObject triggers %+v; want one kafka trigger", s.Triggers)
			}
			m := s.Triggers[0].Metadata
			for key, want := range map[string]string{
				"bootstrapServers":   c.value("MATERIALIZER_KAFKA_BROKERS"),
				"consumerGroup":      c.value("MATERIALIZER_GROUP"),
				"topic":              c.value("MATERIALIZER_TOPIC"),
				"allowIdleConsumers": "false",
			} {
				if want == "" || m[key] != want {
					t.Errorf("kafka trigger %s = %q, want %q (what the members use)", key, m[key], want)
				}
			}
			if n, err := strconv.Atoi(m["lagThreshold"]); err != nil || n < 1 {
				t.Errorf("kafka trigger lagThreshold %q, want a positive count", m["lagThreshold"])
			}
		})
	}
}
