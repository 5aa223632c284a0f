package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/balticom/lineage/pkg/topics"
)

// The processes of the fault suite that it kills, stops and starts again:
// the broker on a fixed address and data directory, the materializer fleet,
// and the ClickHouse server through scripts/clickhouse.

// faultBroker is the broker binary on one address and one data directory,
// which survive its restarts.
type faultBroker struct {
	addr, dataDir string
	proc          *process
}

func startFaultBroker(t *testing.T) *faultBroker {
	t.Helper()
	b := &faultBroker{addr: freeAddr(t), dataDir: filepath.Join(t.TempDir(), "broker")}
	b.start(t)
	return b
}

func (b *faultBroker) start(t *testing.T) {
	t.Helper()
	b.proc = start(t, "broker", "broker",
		"BROKER_ADDR="+b.addr, "BROKER_DATA_DIR="+b.dataDir,
		"BROKER_PARTITIONS="+strconv.Itoa(topics.DefaultPartitions))
	waitTCP(t, b.addr)
}

// restart stops the broker with sig, leaves it down for down, and starts it
// again on the same address and data directory. SIGTERM waits for the
// graceful stop (exit status 0, state saved); SIGKILL gives it no chance to
// save anything. It returns how long the broker was away.
func (b *faultBroker) restart(t *testing.T, sig syscall.Signal, down time.Duration) time.Duration {
	t.Helper()
	began := time.Now()
	if sig == syscall.SIGKILL {
		b.proc.kill()
	} else {
		b.proc.stop(t)
	}
	time.Sleep(down) // the fault itself: the broker is away this long
	b.start(t)
	return time.Since(began)
}

// kill sends SIGKILL and waits until the process is gone.
func (p *process) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

func (p *process) pid() int { return p.cmd.Process.Pid }

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// countLog counts the lines of the process's log that contain s.
func (p *process) countLog(s string) int {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return -1
	}
	return strings.Count(string(b), s)
}

// member is one materializer process of the fleet. When it is restarted it
// keeps its name and gets a new process.
type member struct {
	name     string
	proc     *process
	expected bool // the test stopped or killed it; guarded by fleet.mu
}

// fleet is the consumer group: materializer processes that the test adds,
// kills, restarts and removes. A member that exits without the test asking
// is a failure, reported when it happens.
type fleet struct {
	t      *testing.T
	broker string
	db     string
	env    []string

	mu      sync.Mutex
	members []*member
	named   int
	crashed []string
}

func newFleet(t *testing.T, broker, db string, env ...string) *fleet {
	return &fleet{t: t, broker: broker, db: db, env: env}
}

// add starts a new member with a new name.
func (f *fleet) add() *member {
	f.t.Helper()
	f.mu.Lock()
	f.named++
	m := &member{name: "materializer-" + strconv.Itoa(f.named)}
	f.members = append(f.members, m)
	f.mu.Unlock()
	f.launch(m)
	return m
}

func (f *fleet) launch(m *member) {
	f.t.Helper()
	p := startMaterializer(f.t, m.name, f.broker, f.db, f.env...)
	f.mu.Lock()
	m.proc, m.expected = p, false
	f.mu.Unlock()
	go func() {
		<-p.done
		f.mu.Lock()
		expected := m.expected || m.proc != p
		f.mu.Unlock()
		if !expected {
			b, _ := os.ReadFile(p.log)
			msg := fmt.Sprintf("%s (pid %d) exited by itself with status %d", m.name, p.pid(), p.cmd.ProcessState.ExitCode())
			f.mu.Lock()
			f.crashed = append(f.crashed, msg)
			f.mu.Unlock()
			f.t.Errorf("%s; log:\n%s", msg, tail(string(b), 30))
		}
	}()
}

// kill sends SIGKILL to m and starts it again at once, as a supervisor
// would. It returns the new pid.
func (f *fleet) kill(m *member) int {
	f.t.Helper()
	f.mu.Lock()
	m.expected = true
	p := m.proc
	f.mu.Unlock()
	p.kill()
	f.launch(m)
	return m.proc.pid()
}

// remove stops m with SIGTERM (it must flush, commit and leave the group,
// exiting with status 0) and takes it out of the fleet.
func (f *fleet) remove(m *member) {
	f.t.Helper()
	f.mu.Lock()
	m.expected = true
	for i, x := range f.members {
		if x == m {
			f.members = append(f.members[:i], f.members[i+1:]...)
			break
		}
	}
	f.mu.Unlock()
	m.proc.stop(f.t)
}

// live returns the members, oldest first.
func (f *fleet) live() []*member {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*member(nil), f.members...)
}

// pids maps each member's name to its current process id.
func (f *fleet) pids() map[string]int {
	out := map[string]int{}
	for _, m := range f.live() {
		out[m.name] = m.proc.pid()
	}
	return out
}

// crashes returns how many members exited without being asked to.
func (f *fleet) crashes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.crashed)
}

// byPID returns the member whose current process is pid.
func (f *fleet) byPID(pid int) *member {
	for _, m := range f.live() {
		if m.proc.pid() == pid && !m.proc.exited() {
			return m
		}
	}
	return nil
}

// insert is an INSERT into lineage_events that ClickHouse is running for a
// member of the fleet.
type insert struct {
	member  *member
	pid     int
	queryID string
	elapsed time.Duration // how long the query had been running when seen
	written uint64        // rows the server had written by then
}

// inserting looks once at ClickHouse's process list for an INSERT into
// lineage_events from a member that want accepts (nil: any member). The
// query is tied to its process by the client port of its connection.
func (f *fleet) inserting(ctx context.Context, conn clickhouse.Conn, want func(*member) bool) (insert, bool, error) {
	rows, err := conn.Query(ctx, `SELECT port, query_id, elapsed, written_rows FROM system.processes
		WHERE query LIKE 'INSERT INTO lineage_events%' ORDER BY elapsed DESC`)
	if err != nil {
		return insert{}, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			port    uint16
			in      insert
			elapsed float64
		)
		if err := rows.Scan(&port, &in.queryID, &elapsed, &in.written); err != nil {
			return insert{}, false, err
		}
		in.elapsed = time.Duration(elapsed * float64(time.Second))
		pid := ownerOfPort(port, f.live())
		if pid == 0 {
			continue // another client's insert (another test, the dev stack)
		}
		if m := f.byPID(pid); m != nil && (want == nil || want(m)) {
			in.member, in.pid = m, pid
			return in, true, nil
		}
	}
	return insert{}, false, rows.Err()
}

// ownerOfPort returns the pid of the member process that holds the TCP
// connection to ClickHouse whose local port is port, or 0.
func ownerOfPort(port uint16, members []*member) int {
	inodes := socketInodes(port)
	if len(inodes) == 0 {
		return 0
	}
	for _, m := range members {
		pid := m.proc.pid()
		fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		if err != nil {
			continue
		}
		for _, fd := range fds {
			link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
			if err == nil && inodes[link] {
				return pid
			}
		}
	}
	return 0
}

// socketInodes returns, as "socket:[inode]" links, the sockets in the
// kernel's TCP tables whose local port is port and remote port is the
// ClickHouse server's.
func socketInodes(port uint16) map[string]bool {
	_, chPort, _ := net.SplitHostPort(clickhouseAddr())
	remote, _ := strconv.Atoi(chPort)
	out := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || hexPort(f[1]) != int(port) || hexPort(f[2]) != remote {
				continue
			}
			out["socket:["+f[9]+"]"] = true
		}
	}
	return out
}

// hexPort reads the port of an address of /proc/net/tcp, "0100007F:2328".
func hexPort(addr string) int {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return -1
	}
	p, err := strconv.ParseUint(addr[i+1:], 16, 16)
	if err != nil {
		return -1
	}
	return int(p)
}

// groupLag returns the records of the events topic the group has not
// committed yet. The client reconnects across broker restarts.
type groupLag struct {
	cl    *kgo.Client
	adm   *kadm.Client
	group string
}

func newGroupLag(t *testing.T, broker, group string) *groupLag {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(broker))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return &groupLag{cl: cl, adm: kadm.NewClient(cl), group: group}
}

func (g *groupLag) lag(ctx context.Context) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return topics.Lag(ctx, g.adm, g.group, topics.Events)
}
