// Package e2e holds the end-to-end tests and the pipeline benchmark: they
// build the real binaries (broker, materializer, API), run them as separate
// processes against the real ClickHouse server, publish through the SDK and
// read the answers over HTTP, as a user would.
package e2e
