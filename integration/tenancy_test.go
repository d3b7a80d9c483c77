package integration_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emberprof/ember"
)

const goroutinesID = "goroutine:goroutine:count:goroutine:count"

// runGoroutines runs a goroutines-only profiler for about n intervals,
// stops it and returns it with Shutdown's error. Goroutine profiles need
// no process-wide setting, so tests using only them run in parallel with
// the others.
func runGoroutines(t *testing.T, cfg ember.Config, n int) (*run, error) {
	t.Helper()
	cfg.ProfileTypes = []ember.ProfileType{ember.ProfileGoroutines}
	r := startEmber(t, cfg)
	time.Sleep(time.Duration(n) * rate)
	return r, r.Stop()
}

// TestTenantSeesOnlyItsOwnData runs against the server with multi-tenancy
// on: what Ember pushes with TenantID "a" is visible to tenant "a" only.
func TestTenantSeesOnlyItsOwnData(t *testing.T) {
	t.Parallel()
	base := mtServerURL(t)
	r, err := runGoroutines(t, ember.Config{ServerAddress: base, TenantID: "a"}, 2)
	if err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	start, end := r.window()
	ctx := context.Background()

	merged(t, newQuerier(base, "a"), goroutinesID, r.selector(), start, end)
	fg, err := newQuerier(base, "b").SelectMergeStacktraces(ctx, goroutinesID, r.selector(), start, end)
	if err != nil {
		t.Fatal(err)
	}
	if fg.Total != 0 {
		t.Errorf("tenant b sees %d goroutines of tenant a's service", fg.Total)
	}
	_, err = newQuerier(base, "").SelectMergeStacktraces(ctx, goroutinesID, r.selector(), start, end)
	var qe *queryError
	if !errors.As(err, &qe) || qe.Status != 401 {
		t.Errorf("query without a tenant: err = %v, want HTTP 401", err)
	}
}

// TestMissingTenantIsReportedClearly: pushing to a multi-tenant server
// without a TenantID fails with the server's 401, which Ember reports in
// Stats and its log, and does not retry.
func TestMissingTenantIsReportedClearly(t *testing.T) {
	t.Parallel()
	base := mtServerURL(t)
	r, err := runGoroutines(t, ember.Config{ServerAddress: base}, 2)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("Shutdown: %v, want an error reporting undelivered profiles and the 401", err)
	}
	st := r.p.Stats()
	up := st.Upload
	if up.Delivered != 0 || up.Failed == 0 {
		t.Errorf("Stats().Upload = %+v, want nothing delivered and the profiles failed", up)
	}
	if !strings.Contains(up.LastError, "401") || !strings.Contains(up.LastError, "no org id") {
		t.Errorf("Stats().Upload.LastError = %q, want the server's 401 and its message", up.LastError)
	}
	if up.Retried != 0 {
		t.Errorf("Stats().Upload.Retried = %d, want 0: a 401 is not retried", up.Retried)
	}
	errs := r.log.Lines("error")
	if len(errs) == 0 || !strings.Contains(strings.Join(errs, "\n"), "401") {
		t.Errorf("error log = %q, want a line with the 401", errs)
	}
}
