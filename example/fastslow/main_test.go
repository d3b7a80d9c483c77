package main

import (
	"slices"
	"testing"
	"time"
)

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestEnvironmentWinsOverDefaultsAndFlagsWinOverEnvironment(t *testing.T) {
	env := lookup(map[string]string{"PYROSCOPE_UPLOAD_INTERVAL": "2s", "PYROSCOPE_PROFILE_TYPES": "cpu"})

	// No flag given: the fields stay zero, so ember.Start reads the
	// environment.
	cfg := config(defaultRate, nil, env)
	if cfg.UploadRate != 0 || cfg.ProfileTypes != nil {
		t.Errorf("with the variables set and no flag: rate %v, types %v; want both left to the environment", cfg.UploadRate, cfg.ProfileTypes)
	}

	// -rate given: it wins, even over the environment.
	cfg = config(3*time.Second, map[string]bool{"rate": true}, env)
	if cfg.UploadRate != 3*time.Second {
		t.Errorf("-rate=3s: rate %v", cfg.UploadRate)
	}
	// -rate given with its default value still counts as given.
	cfg = config(defaultRate, map[string]bool{"rate": true}, env)
	if cfg.UploadRate != defaultRate {
		t.Errorf("-rate=%v given explicitly: rate %v", defaultRate, cfg.UploadRate)
	}

	// Neither: the example's defaults.
	cfg = config(defaultRate, nil, lookup(nil))
	if cfg.UploadRate != defaultRate || !slices.Equal(cfg.ProfileTypes, defaultTypes) {
		t.Errorf("defaults: rate %v, types %v", cfg.UploadRate, cfg.ProfileTypes)
	}
}
