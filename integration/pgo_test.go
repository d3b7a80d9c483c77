package integration_test

import (
	"bytes"
	"context"
	"net/http"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/emberprof/ember"
	"github.com/emberprof/ember/internal/pgo"
	"github.com/emberprof/ember/upstream/remote"
)

// pgoFromServer does what `ember pgo` does with a server: merge and trim
// the service's CPU profiles, and parse the result.
func pgoFromServer(t *testing.T, cfg remote.Config, service, selector string, start, end time.Time) (*profile.Profile, error) {
	t.Helper()
	q, err := remote.NewQuerier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := pgo.ParseSelector(selector)
	if err != nil {
		t.Fatal(err)
	}
	m, err := pgo.FromServer(context.Background(), q, service, sel, start, end)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if _, err := m.Write(&out); err != nil {
		t.Fatal(err)
	}
	t.Logf("server's profile %d bytes, trimmed %d bytes", m.Stats().InputBytes, out.Len())
	return profile.Parse(&out)
}

// edgeWeight sums the samples of a trimmed profile whose innermost frame
// is callee, called from caller (function names ending so).
func edgeWeight(p *profile.Profile, caller, callee string) int64 {
	var w int64
	for _, s := range p.Sample {
		var frames []profile.Line
		for _, l := range s.Location {
			frames = append(frames, l.Line...)
		}
		if len(frames) >= 2 && strings.HasSuffix(frames[0].Function.Name, callee) && strings.HasSuffix(frames[1].Function.Name, caller) {
			w += s.Value[0]
		}
	}
	return w
}

// TestPGOFromServer: CPU profiles Ember pushed come back from the server's
// SelectMergeProfile trimmed to a PGO profile that keeps the workload's
// hot call with the start lines the compiler needs; tags in the service
// name select series, and the label selector the samples of one pprof
// label value; a proxy's bearer token is sent as uploads send it.
func TestPGOFromServer(t *testing.T) {
	base := serverURL(t)
	r := startEmber(t, ember.Config{
		ServerAddress: base,
		ProfileTypes:  []ember.ProfileType{ember.ProfileCPU},
		Tags:          map[string]string{"env": "pgo"},
	})
	ctx := context.Background()
	for deadline := time.Now().Add(2 * rate); time.Now().Before(deadline); {
		pprof.Do(ctx, pprof.Labels("part", "a"), func(context.Context) { spinFor(30 * time.Millisecond) })
		pprof.Do(ctx, pprof.Labels("part", "b"), func(context.Context) { spin(loopsFor(30 * time.Millisecond)) })
	}
	r.StopOK()
	start, end := r.window()
	merged(t, newQuerier(base, ""), cpuTypeID, r.selector(), start, end)

	all, err := pgoFromServer(t, remote.Config{ServerAddress: base}, r.svc+"{env=pgo}", "", start, end)
	if err != nil {
		t.Fatal(err)
	}
	if edgeWeight(all, "spinFor", "spinLoop") == 0 || edgeWeight(all, "spin", "spinLoop") == 0 {
		t.Errorf("trimmed profile lacks spinFor->spinLoop or spin->spinLoop: %v", all)
	}
	for _, f := range all.Function {
		if strings.HasSuffix(f.Name, "spinLoop") && f.StartLine == 0 {
			t.Errorf("%s has no start line: the compiler would refuse the profile", f.Name)
		}
	}
	a, err := pgoFromServer(t, remote.Config{ServerAddress: base}, r.svc, `{part="a"}`, start, end)
	if err != nil {
		t.Fatal(err)
	}
	if edgeWeight(a, "spinFor", "spinLoop") == 0 || edgeWeight(a, "spin", "spinLoop") != 0 {
		t.Errorf(`{part="a"} keeps spin->spinLoop (%d ns) or loses spinFor->spinLoop (%d ns)`,
			edgeWeight(a, "spin", "spinLoop"), edgeWeight(a, "spinFor", "spinLoop"))
	}
	// Behind a proxy that wants a bearer token, as uploads are.
	proxy := newAuthProxy(t, base, func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer s3cret-token" })
	viaProxy, err := pgoFromServer(t, remote.Config{ServerAddress: proxy.URL, AuthToken: "s3cret-token"}, r.svc, "", start, end)
	if err != nil || edgeWeight(viaProxy, "spinFor", "spinLoop") == 0 {
		t.Errorf("through the proxy with the token: err = %v, profile %v", err, viaProxy)
	}
	_, err = pgoFromServer(t, remote.Config{ServerAddress: proxy.URL, AuthToken: "wrong-token"}, r.svc, "", start, end)
	if err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "wrong-token") {
		t.Errorf("through the proxy with a wrong token: err = %v, want a 401 without the token", err)
	}
	none, err := pgoFromServer(t, remote.Config{ServerAddress: base}, r.svc+"{env=other}", "", start, end)
	if err != nil {
		t.Fatal(err)
	}
	if len(none.Sample) != 0 {
		t.Errorf("tag env=other selects %d samples of a service tagged env=pgo", len(none.Sample))
	}
}

// TestPGOFromServerWithTenant: against a multi-tenant server the query
// carries the tenant, as uploads do, and without one the error says so.
func TestPGOFromServerWithTenant(t *testing.T) {
	base := mtServerURL(t)
	r := startEmber(t, ember.Config{ServerAddress: base, TenantID: "pgo", ProfileTypes: []ember.ProfileType{ember.ProfileCPU}})
	spinFor(2 * rate)
	r.StopOK()
	start, end := r.window()
	merged(t, newQuerier(base, "pgo"), cpuTypeID, r.selector(), start, end)

	p, err := pgoFromServer(t, remote.Config{ServerAddress: base, TenantID: "pgo"}, r.svc, "", start, end)
	if err != nil {
		t.Fatal(err)
	}
	if edgeWeight(p, "spinFor", "spinLoop") == 0 {
		t.Errorf("tenant pgo's profile lacks spinFor->spinLoop: %v", p)
	}
	other, err := pgoFromServer(t, remote.Config{ServerAddress: base, TenantID: "other"}, r.svc, "", start, end)
	if err != nil {
		t.Fatal(err)
	}
	if len(other.Sample) != 0 {
		t.Errorf("tenant other sees %d samples of tenant pgo", len(other.Sample))
	}
	_, err = pgoFromServer(t, remote.Config{ServerAddress: base}, r.svc, "", start, end)
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "tenant") {
		t.Errorf("query without a tenant: err = %v, want HTTP 401 naming the tenant", err)
	}
}
