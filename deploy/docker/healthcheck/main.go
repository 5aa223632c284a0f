// Command healthcheck is the probe of the compose file's health checks: the
// services' images are distroless, without a shell, curl or wget, so this
// static binary is copied next to each service. It GETs the URL given as its
// only argument and exits 0 on a 2xx answer within the timeout, 1 otherwise,
// which is all a Docker HEALTHCHECK reads.
//
// It imports the standard library only, so the Dockerfile builds it as a
// file, outside any module: go build -o /out/healthcheck main.go
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// timeout stays under the compose file's healthcheck timeout, so that the
// probe reports a slow answer itself instead of being killed.
const timeout = 4 * time.Second

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: healthcheck URL")
		os.Exit(2)
	}
	if err := probe(context.Background(), os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		os.Exit(1)
	}
}

// probe GETs url and returns an error unless it answers 2xx.
func probe(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("get %s: %w", url, err)
	}
	defer resp.Body.Close()
	// The body names the failing check of /readyz: shown in
	// docker inspect's health log.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("get %s: %s: %s", url, resp.Status, body)
	}
	return nil
}
