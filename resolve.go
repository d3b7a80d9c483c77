package ember

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/emberprof/ember/internal/envconfig"
	"github.com/emberprof/ember/internal/labels"
	"github.com/emberprof/ember/internal/session"
)

// settings is a Config with the environment and defaults applied and
// everything validated.
type settings struct {
	Config
	app          string
	tags         map[string]string
	profileTypes []string
}

// resolve fills the zero fields of c from the environment (read through
// lookup) and from defaults, then validates the result. Errors name the
// field or variable at fault.
func resolve(c Config, lookup func(string) (string, bool)) (settings, error) {
	env, err := envconfig.Read(lookup)
	if err != nil {
		return settings{}, err
	}
	if c.Logger == nil {
		c.Logger = noopLogger{}
	}
	srv := envconfig.Server{Address: c.ServerAddress, AuthToken: c.AuthToken, BasicAuthUser: c.BasicAuthUser,
		BasicAuthPassword: c.BasicAuthPassword, TenantID: c.TenantID, HTTPHeaders: c.HTTPHeaders}
	env.FillServer(&srv)
	c.ServerAddress, c.AuthToken, c.BasicAuthUser = srv.Address, srv.AuthToken, srv.BasicAuthUser
	c.BasicAuthPassword, c.TenantID, c.HTTPHeaders = srv.BasicAuthPassword, srv.TenantID, srv.HTTPHeaders
	fill(&c.OutputDir, env.OutputDir)
	fill(&c.OutputDir, DefaultOutputDir)
	if c.UploadRate == 0 {
		c.UploadRate = env.UploadRate
	}
	if c.UploadRate == 0 {
		c.UploadRate = DefaultUploadRate
	}
	if c.UploadRate < MinUploadRate {
		return settings{}, fmt.Errorf("UploadRate %v is shorter than the minimum of %v", c.UploadRate, MinUploadRate)
	}
	if c.StopTimeout <= 0 {
		c.StopTimeout = DefaultStopTimeout
	}
	s := settings{Config: c}

	name, source := c.ApplicationName, "ApplicationName"
	if name == "" {
		name, source = env.AppName, env.AppNameFrom
	}
	if name == "" {
		name = executableName()
		c.Logger.Infof("no application name in Config.ApplicationName, %s or %s; using the executable's name %q",
			envconfig.AppName, envconfig.OTelServiceName, name)
	}
	app, nameTags, err := labels.ParseAppName(name)
	if err != nil {
		return settings{}, fmt.Errorf("%s: %w", source, err)
	}
	s.app = app
	if err := labels.ValidateTags(c.Tags); err != nil {
		return settings{}, fmt.Errorf("Tags: %w", err)
	}
	s.tags = merge(merge(env.Tags, nameTags), c.Tags)
	for _, k := range slices.Sorted(maps.Keys(s.tags)) {
		if s.tags[k] == "" {
			c.Logger.Infof("tag %q has an empty value; the server treats it as absent, so it is left out", k)
			delete(s.tags, k)
		}
	}
	if err := labels.ValidateTags(s.tags); err != nil {
		return settings{}, fmt.Errorf("tags from %s, ApplicationName and Tags together: %w", envconfig.Labels, err)
	}

	switch {
	case len(c.ProfileTypes) > 0:
		for _, t := range c.ProfileTypes {
			s.profileTypes = append(s.profileTypes, string(t))
		}
		source = "ProfileTypes"
	case len(env.ProfileTypes) > 0:
		s.profileTypes = env.ProfileTypes
		source = envconfig.ProfileTypes
	default:
		for _, t := range DefaultProfileTypes {
			s.profileTypes = append(s.profileTypes, string(t))
		}
	}
	for _, t := range s.profileTypes {
		if known := session.Names(); !slices.Contains(known, t) {
			return settings{}, fmt.Errorf("%s: unknown profile type %q (known: %s)", source, t, strings.Join(known, ", "))
		}
	}
	return s, nil
}

func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// merge returns base with over's entries on top (over wins).
func merge(base, over map[string]string) map[string]string {
	if len(base) == 0 && len(over) == 0 {
		return nil
	}
	m := maps.Clone(base)
	if m == nil {
		m = make(map[string]string, len(over))
	}
	maps.Copy(m, over)
	return m
}

// executableName returns the program's name with the characters an
// application name cannot hold replaced by '_'.
func executableName() string {
	name := filepath.Base(os.Args[0])
	if exe, err := os.Executable(); err == nil {
		name = filepath.Base(exe)
	}
	name = strings.TrimSuffix(name, ".exe")
	clean := strings.Map(func(r rune) rune {
		if labels.ValidateAppName(string(r)) == nil {
			return r
		}
		return '_'
	}, name)
	if clean == "" {
		return "go_app"
	}
	return clean
}
