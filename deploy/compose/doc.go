// Package compose holds the test that loads the repository's
// docker-compose.yml as docker compose does and checks it.
package compose
