// Package httphealthtest helps the services' tests run a binary's run
// function in process: a log sink safe for the server's goroutines, and a
// wait until /readyz answers 200.
package httphealthtest

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/balticom/lineage/pkg/httphealth"
)

// Logs is a strings.Builder safe for the server's and the test's goroutines.
type Logs struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// WaitReady polls base+/readyz until it answers 200, failing the test with
// the logs after timeout.
func WaitReady(tb testing.TB, base string, timeout time.Duration, logs *Logs) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get(base + httphealth.ReadyPath)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("not ready in %s (last: %v); logs:\n%s", timeout, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
