package compose

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
)

// repoRoot is the repository's root, where docker-compose.yml is.
var repoRoot = filepath.Join("..", "..")

// warnings collects what compose-go logs at warning level or above while it
// loads a file (an unset variable, an obsolete attribute): docker compose
// prints the same lines.
type warnings struct {
	mu    sync.Mutex
	lines []string
}

func (w *warnings) Levels() []logrus.Level {
	return []logrus.Level{logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel, logrus.WarnLevel}
}

func (w *warnings) Fire(e *logrus.Entry) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lines = append(w.lines, e.Message)
	return nil
}

// load loads docker-compose.yml as docker compose does from the
// repository's root: the process environment and a .env file for
// interpolation, COMPOSE_PROFILES or the given profiles, the project name
// from the file unless COMPOSE_PROJECT_NAME says otherwise. It fails the
// test on any error or warning.
func load(t *testing.T, profiles ...string) *types.Project {
	t.Helper()
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	profileOpt := cli.WithDefaultProfiles()
	if len(profiles) > 0 {
		profileOpt = cli.WithProfiles(profiles)
	}
	opts, err := cli.NewProjectOptions([]string{filepath.Join(root, "docker-compose.yml")},
		cli.WithWorkingDirectory(root),
		cli.WithOsEnv,
		cli.WithEnvFiles(),
		cli.WithDotEnv,
		profileOpt,
		cli.WithResolvedPaths(true),
		cli.WithDiscardEnvFile,
	)
	if err != nil {
		t.Fatalf("compose options: %v", err)
	}
	w := &warnings{}
	std := logrus.StandardLogger()
	saved := std.ReplaceHooks(logrus.LevelHooks{})
	std.AddHook(w)
	project, err := opts.LoadProject(context.Background())
	std.ReplaceHooks(saved)
	if err != nil {
		t.Fatalf("load docker-compose.yml: %v", err)
	}
	if len(w.lines) > 0 {
		t.Fatalf("loading docker-compose.yml warned:\n%s", strings.Join(w.lines, "\n"))
	}
	if _, set := os.LookupEnv("COMPOSE_PROJECT_NAME"); !set && project.Name != "lineage" {
		t.Errorf("project name %q, want lineage (the file's name:)", project.Name)
	}
	return project
}

// allServices returns every service of the file, those of inactive
// profiles included, by name.
func allServices(t *testing.T) types.Services {
	t.Helper()
	return load(t, "*").Services
}

// env returns a service's environment with unset entries as "".
func env(s types.ServiceConfig) map[string]string {
	out := map[string]string{}
	for k, v := range s.Environment {
		if v != nil {
			out[k] = *v
		} else {
			out[k] = ""
		}
	}
	return out
}

// imageRepo returns an image reference without its tag or digest.
func imageRepo(image string) string {
	if i := strings.Index(image, "@"); i >= 0 {
		image = image[:i]
	}
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		image = image[:i]
	}
	return image
}

// servicesOf returns the names of the services running image repo, sorted.
func servicesOf(services types.Services, repo string) []string {
	var names []string
	for name, s := range services {
		if imageRepo(s.Image) == repo {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// projectService returns the repository service a compose service builds
// (its build's SERVICE argument, deploy/docker/Dockerfile), or "".
func projectService(s types.ServiceConfig) string {
	if s.Build == nil {
		return ""
	}
	if v := s.Build.Args["SERVICE"]; v != nil {
		return *v
	}
	return ""
}

// TestLoads: the file loads as docker compose loads it, with no error or
// warning, with every profile and with the default ones.
func TestLoads(t *testing.T) {
	project := load(t)
	if len(project.Services) == 0 {
		t.Fatal("no service starts by default")
	}
	if all := allServices(t); len(all) < len(project.Services) {
		t.Fatalf("%d services with every profile, fewer than the %d by default", len(all), len(project.Services))
	}
}

// TestHealthChecksAndDependencies: every service docker compose up starts
// has a health check, every dependency waits for a condition that means
// something (healthy, or a one-shot job's success), and a service outside
// the default profiles is a one-shot job nothing waits for.
func TestHealthChecksAndDependencies(t *testing.T) {
	defaults := load(t).Services
	all := allServices(t)
	for name, s := range all {
		_, byDefault := defaults[name]
		hc := s.HealthCheck
		hasCheck := hc != nil && !hc.Disable && len(hc.Test) > 0 && hc.Test[0] != "NONE"
		switch {
		case byDefault && !hasCheck:
			t.Errorf("service %s has no health check", name)
		case !byDefault && s.Restart != types.RestartPolicyNo:
			t.Errorf("service %s runs only with a profile (%v) but is no one-shot job (restart %q)", name, s.Profiles, s.Restart)
		}
		for dep, d := range s.DependsOn {
			target, ok := all[dep]
			if !ok {
				t.Errorf("service %s depends on %s, which does not exist", name, dep)
				continue
			}
			if _, ok := defaults[dep]; !ok {
				t.Errorf("service %s depends on %s, which runs only with a profile", name, dep)
			}
			switch d.Condition {
			case types.ServiceConditionHealthy:
				if target.HealthCheck == nil || target.HealthCheck.Disable {
					t.Errorf("service %s waits for %s to be healthy, which has no health check", name, dep)
				}
			case types.ServiceConditionCompletedSuccessfully:
				if target.Restart != types.RestartPolicyNo {
					t.Errorf("service %s waits for %s to complete, which is no one-shot job (restart %q)", name, dep, target.Restart)
				}
			default:
				t.Errorf("service %s depends on %s with condition %q: want %s or %s",
					name, dep, d.Condition, types.ServiceConditionHealthy, types.ServiceConditionCompletedSuccessfully)
			}
		}
	}
}

// TestPublishedPortsOnLoopback: nothing is published beyond this host.
func TestPublishedPortsOnLoopback(t *testing.T) {
	for name, s := range allServices(t) {
		for _, p := range s.Ports {
			if p.Published != "" && p.HostIP != "127.0.0.1" {
				t.Errorf("service %s publishes %s on %q, want 127.0.0.1", name, p.Published, p.HostIP)
			}
		}
	}
}

// TestImagesPinned: every image, pulled or the base of a build, names a
// tag or digest other than latest.
func TestImagesPinned(t *testing.T) {
	for name, s := range allServices(t) {
		if s.Build != nil {
			dockerfile := s.Build.Dockerfile
			if !filepath.IsAbs(dockerfile) {
				dockerfile = filepath.Join(s.Build.Context, dockerfile)
			}
			images, err := baseImages(dockerfile)
			if err != nil {
				t.Errorf("service %s: %v", name, err)
			}
			for _, img := range images {
				if !pinned(img) {
					t.Errorf("service %s: %s builds FROM %s, not pinned to a tag", name, dockerfile, img)
				}
			}
			continue
		}
		if !pinned(s.Image) {
			t.Errorf("service %s: image %q is not pinned to a tag", name, s.Image)
		}
	}
}

// pinned reports whether an image reference has a digest or a tag other
// than latest.
func pinned(image string) bool {
	if strings.Contains(image, "@sha256:") {
		return true
	}
	i := strings.LastIndex(image, ":")
	if i < 0 || i < strings.LastIndex(image, "/") {
		return false
	}
	tag := image[i+1:]
	return tag != "" && tag != "latest"
}

// baseImages returns the images a Dockerfile's FROM lines pull: not the
// earlier stages it names, nor scratch.
func baseImages(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open Dockerfile: %w", err)
	}
	defer f.Close()
	stages := map[string]bool{"scratch": true}
	var images []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || !strings.EqualFold(fields[0], "FROM") {
			continue
		}
		args := fields[1:]
		for len(args) > 0 && strings.HasPrefix(args[0], "--") {
			args = args[1:] // --platform=...
		}
		if len(args) == 0 {
			return nil, fmt.Errorf("%s: FROM without an image", path)
		}
		if !stages[strings.ToLower(args[0])] {
			images = append(images, args[0])
		}
		if len(args) == 3 && strings.EqualFold(args[1], "AS") {
			stages[strings.ToLower(args[2])] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(images) == 0 {
		return nil, fmt.Errorf("%s: no FROM image", path)
	}
	return images, nil
}

// listener is one entry of a Kafka listener list, NAME://host:port.
type listener struct {
	name, host string
	port       uint32
}

func parseListeners(s string) ([]listener, error) {
	var out []listener
	for _, l := range strings.Split(s, ",") {
		name, addr, ok := strings.Cut(strings.TrimSpace(l), "://")
		if !ok {
			return nil, fmt.Errorf("listener %q: want NAME://host:port", l)
		}
		i := strings.LastIndex(addr, ":")
		if i < 0 {
			return nil, fmt.Errorf("listener %q: no port", l)
		}
		port, err := strconv.ParseUint(addr[i+1:], 10, 16)
		if err != nil {
			return nil, fmt.Errorf("listener %q: port: %w", l, err)
		}
		out = append(out, listener{name: name, host: addr[:i], port: uint32(port)})
	}
	return out, nil
}

// TestKafka: three brokers in KRaft mode with one quorum and cluster id,
// every topic replicated three times and written to two replicas at least,
// each node's log on a volume of its own, and listeners the other
// containers and this host can reach, each as advertised.
func TestKafka(t *testing.T) {
	services := allServices(t)
	for name, s := range services {
		for k := range s.Environment {
			if strings.Contains(strings.ToUpper(k), "ZOOKEEPER") {
				t.Errorf("service %s sets %s: Kafka runs in KRaft mode, without ZooKeeper", name, k)
			}
		}
		if strings.Contains(strings.ToLower(s.Image), "zookeeper") {
			t.Errorf("service %s runs %s: Kafka runs in KRaft mode, without ZooKeeper", name, s.Image)
		}
	}
	nodes := servicesOf(services, "apache/kafka")
	var brokers, controllers []string
	voterSets := map[string]bool{}
	clusterIDs := map[string]bool{}
	volumes := map[string]string{}
	nodeIDs := map[string]string{}
	internal := map[string]bool{} // host:port of the brokers' inter-broker listeners
	for _, name := range nodes {
		s := services[name]
		e := env(s)
		roles := strings.Split(e["KAFKA_PROCESS_ROLES"], ",")
		if slices.Contains(roles, "broker") {
			brokers = append(brokers, name)
		}
		if slices.Contains(roles, "controller") {
			controllers = append(controllers, name)
		}
		voterSets[e["KAFKA_CONTROLLER_QUORUM_VOTERS"]] = true
		clusterIDs[e["CLUSTER_ID"]] = true
		if other, dup := nodeIDs[e["KAFKA_NODE_ID"]]; dup || e["KAFKA_NODE_ID"] == "" {
			t.Errorf("%s: KAFKA_NODE_ID %q, also %s's", name, e["KAFKA_NODE_ID"], other)
		}
		nodeIDs[e["KAFKA_NODE_ID"]] = name

		for k, want := range map[string]string{
			"KAFKA_DEFAULT_REPLICATION_FACTOR":               "3",
			"KAFKA_MIN_INSYNC_REPLICAS":                      "2",
			"KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR":         "3",
			"KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "3",
			"KAFKA_TRANSACTION_STATE_LOG_MIN_ISR":            "2",
			"KAFKA_AUTO_CREATE_TOPICS_ENABLE":                "false",
		} {
			if e[k] != want {
				t.Errorf("%s: %s=%q, want %s", name, k, e[k], want)
			}
		}

		// Each log directory is a named volume of its own.
		dirs := strings.Split(e["KAFKA_LOG_DIRS"], ",")
		if e["KAFKA_LOG_DIRS"] == "" {
			t.Errorf("%s: KAFKA_LOG_DIRS unset: the image keeps the log under /tmp", name)
			dirs = nil
		}
		for _, dir := range dirs {
			i := slices.IndexFunc(s.Volumes, func(v types.ServiceVolumeConfig) bool { return v.Target == dir })
			switch {
			case i < 0:
				t.Errorf("%s: log directory %s is on no volume", name, dir)
			case s.Volumes[i].Type != types.VolumeTypeVolume || s.Volumes[i].Source == "":
				t.Errorf("%s: log directory %s is on a %s mount, want a named volume", name, dir, s.Volumes[i].Type)
			default:
				if other, dup := volumes[s.Volumes[i].Source]; dup {
					t.Errorf("%s: log volume %s is also %s's", name, s.Volumes[i].Source, other)
				}
				volumes[s.Volumes[i].Source] = name
			}
		}

		// Listeners: every advertised one is bound, the inter-broker one is
		// the service's name, and one for this host is published at the
		// port it advertises.
		bound, err := parseListeners(e["KAFKA_LISTENERS"])
		if err != nil {
			t.Errorf("%s: KAFKA_LISTENERS: %v", name, err)
			continue
		}
		if !slices.Contains(roles, "broker") {
			continue
		}
		advertised, err := parseListeners(e["KAFKA_ADVERTISED_LISTENERS"])
		if err != nil {
			t.Errorf("%s: KAFKA_ADVERTISED_LISTENERS: %v", name, err)
			continue
		}
		for _, a := range advertised {
			i := slices.IndexFunc(bound, func(b listener) bool { return b.name == a.name })
			if i < 0 {
				t.Errorf("%s: advertised listener %s is not in KAFKA_LISTENERS", name, a.name)
				continue
			}
			switch {
			case a.name == e["KAFKA_INTER_BROKER_LISTENER_NAME"]:
				if a.host != name || a.port != bound[i].port {
					t.Errorf("%s: inter-broker listener advertised as %s:%d, want %s:%d", name, a.host, a.port, name, bound[i].port)
				}
				internal[fmt.Sprintf("%s:%d", a.host, a.port)] = true
			case a.host == "127.0.0.1" || a.host == "localhost":
				published := slices.ContainsFunc(s.Ports, func(p types.ServicePortConfig) bool {
					return p.Published == strconv.Itoa(int(a.port)) && p.Target == bound[i].port
				})
				if !published {
					t.Errorf("%s: listener %s advertised at %s:%d, but no port %d publishes container port %d",
						name, a.name, a.host, a.port, a.port, bound[i].port)
				}
			default:
				if _, ok := services[a.host]; !ok {
					t.Errorf("%s: listener %s advertised at %s, no service of the file", name, a.name, a.host)
				}
			}
		}
	}
	if len(brokers) != 3 {
		t.Errorf("Kafka brokers %v, want 3", brokers)
	}
	if len(controllers) != 3 {
		t.Errorf("KRaft controllers %v, want 3", controllers)
	}
	if len(clusterIDs) != 1 || clusterIDs[""] {
		t.Errorf("CLUSTER_ID values %v: want one, the same on every node", clusterIDs)
	}
	if len(voterSets) != 1 {
		t.Errorf("KAFKA_CONTROLLER_QUORUM_VOTERS differ between nodes: %v", voterSets)
	}
	for voters := range voterSets {
		var got []string
		for _, v := range strings.Split(voters, ",") {
			id, addr, _ := strings.Cut(v, "@")
			host, _, _ := strings.Cut(addr, ":")
			if nodeIDs[id] != host {
				t.Errorf("quorum voter %s: node %s is service %q", v, id, nodeIDs[id])
			}
			got = append(got, host)
		}
		slices.Sort(got)
		if !slices.Equal(got, controllers) {
			t.Errorf("quorum voters %v, want the controllers %v", got, controllers)
		}
	}

	// The project's services reach every broker on its inter-broker listener.
	for name, s := range services {
		for k, v := range env(s) {
			if !strings.HasSuffix(k, "KAFKA_BROKERS") {
				continue
			}
			var got []string
			for _, b := range strings.Split(v, ",") {
				got = append(got, strings.TrimSpace(b))
				if !internal[strings.TrimSpace(b)] {
					t.Errorf("service %s: %s lists %s, not a broker's inter-broker listener", name, k, b)
				}
			}
			if len(got) != len(internal) {
				t.Errorf("service %s: %s lists %d brokers, want all %d", name, k, len(got), len(internal))
			}
		}
	}
}

// clickhouseConfig is the part of a ClickHouse server or users file the
// tests read.
type clickhouseConfig struct {
	Macros struct {
		Shard   string `xml:"shard"`
		Replica string `xml:"replica"`
	} `xml:"macros"`
	Keeper struct {
		Nodes []struct {
			Host string `xml:"host"`
			Port uint32 `xml:"port"`
		} `xml:"node"`
	} `xml:"zookeeper"`
	RemoteServers struct {
		Lineage *struct {
			Shards []struct {
				Replicas []struct {
					Host string `xml:"host"`
					Port uint32 `xml:"port"`
				} `xml:"replica"`
			} `xml:"shard"`
		} `xml:"lineage"`
	} `xml:"remote_servers"`
	Users struct {
		Users []struct {
			XMLName        xml.Name
			PasswordSHA256 string `xml:"password_sha256_hex"`
		} `xml:",any"`
	} `xml:"users"`
}

// serverConfig merges the XML files bound into a ClickHouse container
// under dir (config.d or users.d): the parts clickhouseConfig reads.
func serverConfig(t *testing.T, service string, s types.ServiceConfig, dir string) clickhouseConfig {
	t.Helper()
	var merged clickhouseConfig
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeBind || filepath.Dir(v.Target) != dir || filepath.Ext(v.Target) != ".xml" {
			continue
		}
		data, err := os.ReadFile(v.Source)
		if err != nil {
			t.Fatalf("%s: %v", service, err)
		}
		var c clickhouseConfig
		if err := xml.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: parse %s: %v", service, v.Source, err)
		}
		if c.Macros.Replica != "" || c.Macros.Shard != "" {
			merged.Macros = c.Macros
		}
		merged.Keeper.Nodes = append(merged.Keeper.Nodes, c.Keeper.Nodes...)
		if c.RemoteServers.Lineage != nil {
			merged.RemoteServers = c.RemoteServers
		}
		merged.Users.Users = append(merged.Users.Users, c.Users.Users...)
	}
	return merged
}

// TestClickHouse: two replicas of one shard in the cluster "lineage", each
// with its own replica macro, both on the Keeper service; the services use
// the first replica with users and passwords the replicas know.
func TestClickHouse(t *testing.T) {
	services := allServices(t)
	servers := servicesOf(services, "clickhouse/clickhouse-server")
	keepers := servicesOf(services, "clickhouse/clickhouse-keeper")
	if len(servers) != 2 {
		t.Fatalf("ClickHouse servers %v, want 2 replicas", servers)
	}
	if len(keepers) != 1 && len(keepers) != 3 {
		t.Errorf("Keeper nodes %v, want 1 or 3", keepers)
	}

	replicas := map[string]string{} // replica macro -> service
	shards := map[string]bool{}
	users := map[string]string{} // user -> password hash, as both replicas have them
	for i, name := range servers {
		s := services[name]
		if s.Hostname != name {
			t.Errorf("%s: hostname %q, want the service name: replicas fetch parts at the address they announce", name, s.Hostname)
		}
		for _, k := range keepers {
			if d, ok := s.DependsOn[k]; !ok || d.Condition != types.ServiceConditionHealthy {
				t.Errorf("%s does not wait for Keeper %s to be healthy", name, k)
			}
		}
		cfg := serverConfig(t, name, s, "/etc/clickhouse-server/config.d")
		m := cfg.Macros
		if m.Replica == "" || m.Shard == "" {
			t.Errorf("%s: macros shard=%q replica=%q, want both", name, m.Shard, m.Replica)
		}
		if other, dup := replicas[m.Replica]; dup {
			t.Errorf("%s: replica macro %q, also %s's", name, m.Replica, other)
		}
		replicas[m.Replica] = name
		shards[m.Shard] = true

		var keeperHosts []string
		for _, n := range cfg.Keeper.Nodes {
			keeperHosts = append(keeperHosts, n.Host)
		}
		slices.Sort(keeperHosts)
		if !slices.Equal(keeperHosts, keepers) {
			t.Errorf("%s: Keeper nodes %v, want %v", name, keeperHosts, keepers)
		}
		cluster := cfg.RemoteServers.Lineage
		if cluster == nil {
			t.Errorf("%s: no remote_servers cluster lineage", name)
		} else {
			var hosts []string
			for _, sh := range cluster.Shards {
				for _, r := range sh.Replicas {
					hosts = append(hosts, r.Host)
					if r.Port != 9000 {
						t.Errorf("%s: cluster lineage replica %s on port %d, want 9000", name, r.Host, r.Port)
					}
				}
			}
			slices.Sort(hosts)
			if len(cluster.Shards) != 1 || !slices.Equal(hosts, servers) {
				t.Errorf("%s: cluster lineage has %d shards of %v, want one of %v", name, len(cluster.Shards), hosts, servers)
			}
		}

		u := serverConfig(t, name, s, "/etc/clickhouse-server/users.d")
		got := map[string]string{}
		for _, user := range u.Users.Users {
			got[user.XMLName.Local] = user.PasswordSHA256
		}
		if i == 0 {
			users = got
		} else if fmt.Sprint(got) != fmt.Sprint(users) {
			t.Errorf("%s has users %v, %s %v: a query must find the same users on either replica", name, got, servers[0], users)
		}
	}
	if len(shards) != 1 {
		t.Errorf("shard macros %v, want one shard", shards)
	}

	// The services run the store's cluster mode on cluster lineage and
	// know every replica (the first that answers serves them), as users
	// the replicas have, with the passwords whose hashes they hold.
	wantAddrs := make([]string, len(servers))
	for i, server := range servers {
		wantAddrs[i] = server + ":9000"
	}
	for name, s := range services {
		e := env(s)
		for k, v := range e {
			prefix, ok := strings.CutSuffix(k, "CLICKHOUSE_ADDRS")
			if !ok {
				continue
			}
			if want := strings.Join(wantAddrs, ","); v != want {
				t.Errorf("service %s: %s=%q, want %s", name, k, v, want)
			}
			if c := e[prefix+"CLICKHOUSE_CLUSTER"]; c != "lineage" {
				t.Errorf("service %s: %sCLICKHOUSE_CLUSTER=%q, want lineage (the tables must be replicated)", name, prefix, c)
			}
			user, password := e[prefix+"CLICKHOUSE_USER"], e[prefix+"CLICKHOUSE_PASSWORD"]
			hash, ok := users[user]
			if !ok {
				t.Errorf("service %s: %sCLICKHOUSE_USER=%q, a user the replicas do not have", name, prefix, user)
				continue
			}
			sum := sha256.Sum256([]byte(password))
			if hex.EncodeToString(sum[:]) != strings.ToLower(hash) {
				t.Errorf("service %s: %sCLICKHOUSE_PASSWORD is not %s's password", name, prefix, user)
			}
		}
	}
}

// TestServiceEnvironment: every variable the compose file sets for a
// project service is a field of that service's go-envconfig struct, and
// every required field is set.
func TestServiceEnvironment(t *testing.T) {
	checked := 0
	for name, s := range allServices(t) {
		svc := projectService(s)
		if svc == "" {
			continue
		}
		checked++
		cfg, err := readEnvConfig(filepath.Join(repoRoot, "services", svc))
		if err != nil {
			t.Errorf("service %s: %v", name, err)
			continue
		}
		for _, problem := range checkEnv(cfg, env(s)) {
			t.Errorf("service %s (services/%s): %s", name, svc, problem)
		}
	}
	if checked == 0 {
		t.Fatal("no service is built from the repository")
	}
}

// checkEnv returns, sorted, the variables of e that are no field of cfg
// and the required fields that e leaves unset or empty.
func checkEnv(cfg envConfig, e map[string]string) []string {
	var problems []string
	for k := range e {
		if _, ok := cfg.required[k]; !ok {
			problems = append(problems, fmt.Sprintf("%s is not a field of its config struct (variables start with %s)", k, cfg.prefix))
		}
	}
	for k, required := range cfg.required {
		if required && e[k] == "" {
			problems = append(problems, fmt.Sprintf("required %s is not set", k))
		}
	}
	slices.Sort(problems)
	return problems
}

// TestCheckEnv: checkEnv finds a variable that is no field and a required
// field left unset, and nothing in a correct environment.
func TestCheckEnv(t *testing.T) {
	cfg := envConfig{prefix: "API_", required: map[string]bool{"API_TOKENS": true, "API_LISTEN_ADDR": false}}
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"correct", map[string]string{"API_TOKENS": "a:b"}, nil},
		{"not a field", map[string]string{"API_TOKENS": "a:b", "API_TOKEN": "a:b"},
			[]string{"API_TOKEN is not a field of its config struct (variables start with API_)"}},
		{"required unset", map[string]string{"API_LISTEN_ADDR": ":1"}, []string{"required API_TOKENS is not set"}},
		{"required empty", map[string]string{"API_TOKENS": ""}, []string{"required API_TOKENS is not set"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkEnv(cfg, tt.env); !slices.Equal(got, tt.want) {
				t.Errorf("checkEnv(%v) = %q, want %q", tt.env, got, tt.want)
			}
		})
	}
}
