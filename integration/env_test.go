// Package integration_test proves Ember end to end against the real Grafana
// Pyroscope server: tests push with Ember's public API and read the result
// back through the server's own query API (plain JSON over HTTP).
//
// The tests need running servers and skip without them. `bash .ci/run`
// builds and starts them and sets:
//
//	EMBER_PYROSCOPE_URL     a server with multi-tenancy off
//	EMBER_PYROSCOPE_MT_URL  a server with -auth.multitenancy-enabled=true
//	EMBER_PYROSCOPE_SCRIPT  .ci/pyroscope-server.sh, for tests that start
//	                        and stop a server of their own
//
// Every test pushes under its own service_name, so tests running in
// parallel, and earlier runs against the same server, never see each
// other's data.
package integration_test

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"testing"
)

// serverURL returns the multi-tenancy-off server's base URL, or skips.
func serverURL(t *testing.T) string {
	t.Helper()
	return envOrSkip(t, "EMBER_PYROSCOPE_URL")
}

// mtServerURL returns the multi-tenant server's base URL, or skips.
func mtServerURL(t *testing.T) string {
	t.Helper()
	return envOrSkip(t, "EMBER_PYROSCOPE_MT_URL")
}

func envOrSkip(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Skipf("integration test: %s is not set; run `bash .ci/run` to start a real Pyroscope server", name)
	}
	return strings.TrimRight(v, "/")
}

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

// serviceName returns a service_name unique to this test and this run.
func serviceName(t *testing.T) string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	base := strings.Trim(nonName.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	return "ember-it-" + base + "-" + hex.EncodeToString(b[:])
}
