package ember

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/emberprof/ember/internal/collect"
	"github.com/emberprof/ember/internal/envconfig"
	"github.com/emberprof/ember/internal/labels"
	"github.com/emberprof/ember/internal/serverconf"
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
// field or variable at fault and show its value, unless it is a secret.
func resolve(c Config, lookup func(string) (string, bool)) (settings, error) {
	env, err := envconfig.Read(lookup)
	if err != nil {
		return settings{}, err
	}
	if c.Logger == nil {
		c.Logger = noopLogger{}
	}
	if err := resolveDelivery(&c, env); err != nil {
		return settings{}, err
	}
	if err := resolveUploadRate(&c, env, lookup); err != nil {
		return settings{}, err
	}
	if c.StopTimeout <= 0 {
		c.StopTimeout = DefaultStopTimeout
	}
	s := settings{Config: c}
	if s.app, s.tags, err = resolveNameAndTags(c, env); err != nil {
		return settings{}, err
	}
	if s.profileTypes, err = resolveProfileTypes(c, env); err != nil {
		return settings{}, err
	}
	return s, nil
}

// resolveDelivery fills the server, credential and output fields and,
// when profiles go to a server, checks that every one of them can be sent.
func resolveDelivery(c *Config, env envconfig.Values) error {
	srv := serverconf.Resolve(serverconf.Server{
		Address: c.ServerAddress, AuthToken: c.AuthToken, BasicAuthUser: c.BasicAuthUser,
		BasicAuthPassword: c.BasicAuthPassword, TenantID: c.TenantID, HTTPHeaders: c.HTTPHeaders,
	}, serverconf.ConfigNames, env)
	c.ServerAddress, c.AuthToken, c.BasicAuthUser = srv.Address, srv.AuthToken, srv.BasicAuthUser
	c.BasicAuthPassword, c.TenantID, c.HTTPHeaders = srv.BasicAuthPassword, srv.TenantID, srv.HTTPHeaders
	fill(&c.OutputDir, env.OutputDir)
	fill(&c.OutputDir, DefaultOutputDir)
	if c.Upstream != nil || c.ServerAddress == "" {
		return nil // nothing goes to a server
	}
	return srv.Check()
}

// resolveUploadRate applies the environment's and the default interval.
func resolveUploadRate(c *Config, env envconfig.Values, lookup func(string) (string, bool)) error {
	from := "UploadRate"
	if c.UploadRate == 0 && env.UploadRate != 0 {
		c.UploadRate = env.UploadRate
		raw, _ := lookup(envconfig.UploadInterval)
		from = fmt.Sprintf("%s=%q", envconfig.UploadInterval, strings.TrimSpace(raw))
	}
	if c.UploadRate == 0 {
		c.UploadRate = DefaultUploadRate
	}
	if c.UploadRate < MinUploadRate {
		return fmt.Errorf("%s: %v is shorter than the minimum of %v", from, c.UploadRate, MinUploadRate)
	}
	return nil
}

// resolveNameAndTags finds the application name and merges the tags of
// the environment, the name and Config.Tags (in rising precedence), with
// keys rewritten as pprof label keys are, then adds the series labels.
func resolveNameAndTags(c Config, env envconfig.Values) (string, map[string]string, error) {
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
		if source != "ApplicationName" {
			return "", nil, fmt.Errorf("%s=%q: %w", source, name, err)
		}
		return "", nil, fmt.Errorf("%s: %w", source, err)
	}
	var tags map[string]string
	for _, part := range []struct {
		from string
		tags map[string]string
	}{
		{envconfig.Labels, env.Tags},
		{source + " " + fmt.Sprintf("%q", name), nameTags},
		{"Tags", c.Tags},
	} {
		clean, renames, err := labels.CleanTags(part.tags)
		if err != nil {
			return "", nil, fmt.Errorf("%s: %w", part.from, err)
		}
		for _, r := range renames {
			c.Logger.Infof("tag key %q (from %s) is sent as %q, as pprof label keys are: the server refuses the key as it is, or sets it itself", r.From, part.from, r.To)
		}
		tags = merge(tags, clean)
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if tags[k] == "" {
			c.Logger.Infof("tag %q has an empty value; the server treats it as absent, so it is left out", k)
			delete(tags, k)
		}
	}
	tags = merge(labels.Series(), tags) // the user's value wins, as in pyroscope-go
	if err := labels.CheckCount(tags); err != nil {
		return "", nil, fmt.Errorf("tags from %s, the application name and Tags together, with Ember's %d series labels: %w",
			envconfig.Labels, len(labels.Series()), err)
	}
	return app, tags, nil
}

// resolveProfileTypes picks the profile types and checks them. The
// goroutine leak profile is left out, with one log line, where Go has
// none; asked for alone, that is an error rather than a profiler that
// collects nothing.
func resolveProfileTypes(c Config, env envconfig.Values) ([]string, error) {
	var types []string
	source := "ProfileTypes"
	switch {
	case len(c.ProfileTypes) > 0:
		for _, t := range c.ProfileTypes {
			types = append(types, string(t))
		}
	case len(env.ProfileTypes) > 0:
		types = env.ProfileTypes
		source = fmt.Sprintf("%s=%q", envconfig.ProfileTypes, strings.Join(env.ProfileTypes, ","))
	default:
		for _, t := range DefaultProfileTypes {
			types = append(types, string(t))
		}
	}
	for _, t := range types {
		if known := session.Names(); !slices.Contains(known, t) {
			return nil, fmt.Errorf("%s: unknown profile type %q (known: %s)", source, t, strings.Join(known, ", "))
		}
	}
	leak := string(ProfileGoroutineLeak)
	if !slices.Contains(types, leak) {
		return types, nil
	}
	if _, err := collect.NewGoroutineLeaks(); err != nil {
		rest := slices.DeleteFunc(slices.Clone(types), func(t string) bool { return t == leak })
		if len(rest) == 0 {
			return nil, fmt.Errorf("%s: %s is the only profile type asked for, and %w", source, leak, err)
		}
		c.Logger.Infof("%s left out: %v", leak, err)
		return rest, nil
	}
	return types, nil
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
