package charttest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// projectTopics returns the topics pkg/topics.All returns, resolved from
// its constants, and the partition count it creates them with.
func projectTopics(t *testing.T) ([]string, int) {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "pkg", "topics")
	consts, err := Consts(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, "topics.go"), nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	ast.Inspect(f, func(n ast.Node) bool {
		fn, ok := n.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "All" {
			return true
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				if v, ok := consts[id.Name]; ok {
					names = append(names, v)
				}
			}
			return true
		})
		return false
	})
	if len(names) == 0 {
		t.Fatal("pkg/topics: All names no constant")
	}
	partitions, err := strconv.Atoi(consts["DefaultPartitions"])
	if err != nil {
		t.Fatalf("pkg/topics DefaultPartitions: %v", err)
	}
	return names, partitions
}

func readExample(t *testing.T, file string) []Object {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "examples", file))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := ParseManifests(b)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return objs
}

// TestStrimziExample: the example Kafka runs in KRaft mode with node pools,
// three brokers, and declares every topic of the project with its
// partitions, three replicas, two in sync, and records kept for ever.
func TestStrimziExample(t *testing.T) {
	topics, partitions := projectTopics(t)
	objs := readExample(t, "strimzi-kafka.yaml")
	var (
		declared    []string
		brokers     int
		controllers int
		cluster     string
	)
	for _, o := range objs {
		switch o.Kind {
		case "Kafka":
			cluster = o.Metadata.Name
			if o.Metadata.Annotations["strimzi.io/kraft"] != "enabled" || o.Metadata.Annotations["strimzi.io/node-pools"] != "enabled" {
				t.Errorf("%s: want KRaft and node pools enabled, annotations %v", o.ID(), o.Metadata.Annotations)
			}
			var k struct {
				Spec struct {
					Kafka struct {
						Config map[string]any `yaml:"config"`
					} `yaml:"kafka"`
				} `yaml:"spec"`
			}
			if err := o.Decode(&k); err != nil {
				t.Fatal(err)
			}
			for key, want := range map[string]any{"default.replication.factor": 3, "min.insync.replicas": 2, "offsets.topic.replication.factor": 3} {
				if k.Spec.Kafka.Config[key] != want {
					t.Errorf("%s: %s = %v, want %v", o.ID(), key, k.Spec.Kafka.Config[key], want)
				}
			}
		case "KafkaNodePool":
			var p struct {
				Spec struct {
					Replicas int      `yaml:"replicas"`
					Roles    []string `yaml:"roles"`
				} `yaml:"spec"`
			}
			if err := o.Decode(&p); err != nil {
				t.Fatal(err)
			}
			if slices.Contains(p.Spec.Roles, "broker") {
				brokers += p.Spec.Replicas
			}
			if slices.Contains(p.Spec.Roles, "controller") {
				controllers += p.Spec.Replicas
			}
		case "KafkaTopic":
			var kt struct {
				Spec struct {
					TopicName  string         `yaml:"topicName"`
					Partitions int            `yaml:"partitions"`
					Replicas   int            `yaml:"replicas"`
					Config     map[string]any `yaml:"config"`
				} `yaml:"spec"`
			}
			if err := o.Decode(&kt); err != nil {
				t.Fatal(err)
			}
			declared = append(declared, kt.Spec.TopicName)
			if kt.Spec.Partitions != partitions || kt.Spec.Replicas != 3 {
				t.Errorf("%s: %d partitions, %d replicas; want %d and 3", o.ID(), kt.Spec.Partitions, kt.Spec.Replicas, partitions)
			}
			for key, want := range map[string]any{"retention.ms": -1, "retention.bytes": -1, "min.insync.replicas": 2} {
				if kt.Spec.Config[key] != want {
					t.Errorf("%s: %s = %v, want %v", o.ID(), key, kt.Spec.Config[key], want)
				}
			}
			if o.Metadata.Labels["strimzi.io/cluster"] != cluster || cluster == "" {
				t.Errorf("%s: strimzi.io/cluster %q, want the Kafka above, %q", o.ID(), o.Metadata.Labels["strimzi.io/cluster"], cluster)
			}
		}
	}
	if brokers != 3 || controllers < 3 {
		t.Errorf("%d brokers, %d controllers; want 3 brokers and at least 3 controllers", brokers, controllers)
	}
	slices.Sort(declared)
	slices.Sort(topics)
	if !slices.Equal(declared, topics) {
		t.Errorf("KafkaTopics %v, want the project's topics %v", declared, topics)
	}
	// The example values use the bootstrap service of this Kafka and its
	// partition count.
	w := workloads(t, render(t, exampleValues))[release+"-materializer"]
	c := w.Spec.Template.Spec.Containers[0]
	if got, want := c.value("MATERIALIZER_KAFKA_BROKERS"), cluster+"-kafka-bootstrap:9092"; got != want {
		t.Errorf("example values: brokers %q, want %q", got, want)
	}
	if got := c.value("MATERIALIZER_TOPIC_PARTITIONS"); got != strconv.Itoa(partitions) {
		t.Errorf("example values: partitions %s, want %d", got, partitions)
	}
}

// TestClickHouseExample: a three-node keeper, and the cluster "lineage" of
// two shards by two replicas that uses it; the example values point the
// services at one of its hosts.
func TestClickHouseExample(t *testing.T) {
	objs := readExample(t, "clickhouse.yaml")
	type layout struct {
		ShardsCount   int `yaml:"shardsCount"`
		ReplicasCount int `yaml:"replicasCount"`
	}
	type install struct {
		Spec struct {
			Configuration struct {
				Zookeeper struct {
					Nodes []struct {
						Host string `yaml:"host"`
					} `yaml:"nodes"`
				} `yaml:"zookeeper"`
				Users    map[string]any `yaml:"users"`
				Clusters []struct {
					Name   string `yaml:"name"`
					Layout layout `yaml:"layout"`
				} `yaml:"clusters"`
			} `yaml:"configuration"`
		} `yaml:"spec"`
	}
	var keeper, chi string
	var chiSpec install
	for _, o := range objs {
		var in install
		if err := o.Decode(&in); err != nil {
			t.Fatal(err)
		}
		switch o.Kind {
		case "ClickHouseKeeperInstallation":
			keeper = o.Metadata.Name
			if c := in.Spec.Configuration.Clusters; len(c) != 1 || c[0].Layout.ReplicasCount != 3 {
				t.Errorf("%s: clusters %+v, want one of 3 replicas", o.ID(), c)
			}
		case "ClickHouseInstallation":
			chi, chiSpec = o.Metadata.Name, in
		default:
			t.Errorf("%s: unexpected", o.ID())
		}
	}
	c := chiSpec.Spec.Configuration
	if len(c.Clusters) != 1 || c.Clusters[0].Name != "lineage" || c.Clusters[0].Layout != (layout{2, 2}) {
		t.Errorf("ClickHouseInstallation %s: clusters %+v, want lineage of 2 shards × 2 replicas", chi, c.Clusters)
	}
	if len(c.Zookeeper.Nodes) != 1 || c.Zookeeper.Nodes[0].Host != "keeper-"+keeper {
		t.Errorf("ClickHouseInstallation %s: keeper nodes %+v, want the service keeper-%s", chi, c.Zookeeper.Nodes, keeper)
	}
	for key, v := range c.Users {
		if s, ok := v.(string); ok && (filepath.Base(key) == "password" || filepath.Base(key) == "password_sha256_hex") && s != "" {
			t.Errorf("ClickHouseInstallation %s: %s holds a password; take it from a Secret", chi, key)
		}
	}
	// The example runs the store's cluster mode and knows every host of
	// the installation (the operator names them chi-<chi>-<cluster>-<shard>-<replica>).
	hosts := map[string]bool{}
	for shard := range 2 {
		for replica := range 2 {
			hosts[fmt.Sprintf("chi-%s-lineage-%d-%d:9000", chi, shard, replica)] = true
		}
	}
	ws := workloads(t, render(t, exampleValues))
	for _, svc := range []struct{ name, prefix string }{{"api", "API_"}, {"materializer", "MATERIALIZER_"}} {
		c := ws[release+"-"+svc.name].Spec.Template.Spec.Containers[0]
		addrs := strings.Split(c.value(svc.prefix+"CLICKHOUSE_ADDRS"), ",")
		if len(addrs) != len(hosts) || !allIn(addrs, hosts) {
			t.Errorf("example values: %s ClickHouse %q, want the hosts %v", svc.name, addrs, hosts)
		}
		if got := c.value(svc.prefix + "CLICKHOUSE_CLUSTER"); got != "lineage" {
			t.Errorf("example values: %s %sCLICKHOUSE_CLUSTER=%q, want lineage", svc.name, svc.prefix, got)
		}
	}
}

func allIn(xs []string, set map[string]bool) bool {
	for _, x := range xs {
		if !set[x] {
			return false
		}
	}
	return true
}
