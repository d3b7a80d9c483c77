// Command ember works with the profiles Ember collects.
//
//	go run github.com/emberprof/ember/cmd/ember pgo [flags]
//
// writes a default.pgo for Go's profile-guided optimisation from a
// service's CPU profiles: from the files of Ember's output directory, or
// from a Pyroscope server, with the server settings and PYROSCOPE_*
// environment variables of ember.Config. Run `ember pgo -h` for the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"time"

	"github.com/emberprof/ember"
	"github.com/emberprof/ember/internal/envconfig"
	"github.com/emberprof/ember/internal/labels"
	"github.com/emberprof/ember/internal/pgo"
	"github.com/emberprof/ember/internal/serverconf"
	"github.com/emberprof/ember/upstream/remote"
)

const usage = `Usage: ember <command> [flags]

Commands:
  pgo    write a default.pgo from a service's CPU profiles

Run 'ember <command> -h' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ember:", err)
		os.Exit(2)
	}
}

// run carries out the command in args.
func run(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "pgo":
		return runPGO(ctx, args[1:], lookup, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

const pgoUsage = `Usage: ember pgo [flags]

Writes a default.pgo for Go's profile-guided optimisation (go build -pgo)
from one service's CPU profiles over a time range: merged, labels dropped,
and trimmed to what the compiler reads.

The profiles come from a Pyroscope server when one is set (-server, or
PYROSCOPE_SERVER_ADDRESS / PYROSCOPE_ADHOC_SERVER_ADDRESS as for
ember.Config), else from the files Ember writes in its output directory.
-dir reads files even when a server is set. Credentials and extra headers
are read only from the environment, as ember.Config reads them, so they
stay out of shell histories and process lists: PYROSCOPE_AUTH_TOKEN,
PYROSCOPE_BASIC_AUTH_USER, PYROSCOPE_BASIC_AUTH_PASSWORD,
PYROSCOPE_HTTP_HEADERS; the tenant from PYROSCOPE_TENANT_ID or -tenant.

Flags:
`

// pgoFlags are the pgo command's settings.
type pgoFlags struct {
	service, selector, from, until, dir, server, tenant, out string
}

func runPGO(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	env, err := envconfig.Read(lookup)
	if err != nil {
		return err
	}
	var f pgoFlags
	fs := flag.NewFlagSet("ember pgo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), pgoUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&f.service, "service", env.AppName, "the service (application name, as in ember.Config.ApplicationName; tags in {} select server series, or samples of files); default $"+envconfig.AppName+" or $"+envconfig.OTelServiceName)
	fs.StringVar(&f.selector, "selector", "", `keep only samples with these pprof labels, such as '{handler="/api",region!~"eu-.*"}'`)
	fs.StringVar(&f.from, "from", "24h", "start: an RFC 3339 time, or a duration before -until")
	fs.StringVar(&f.until, "until", "", "end: an RFC 3339 time (default now)")
	fs.StringVar(&f.dir, "dir", "", "read the profile files of this directory (default $"+envconfig.OutputDir+" or "+ember.DefaultOutputDir+", when no server is set)")
	fs.StringVar(&f.server, "server", "", "read from this Pyroscope server, such as http://pyroscope:4040 (default $"+envconfig.ServerAddress+")")
	fs.StringVar(&f.tenant, "tenant", "", "tenant ID sent as X-Scope-OrgID (default $"+envconfig.TenantID+")")
	fs.StringVar(&f.out, "o", "default.pgo", "the file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("pgo: unexpected argument %q (flags come before arguments, and pgo takes none)", fs.Arg(0))
	}
	if f.service == "" {
		return fmt.Errorf("pgo: no service: set -service, $%s or $%s", envconfig.AppName, envconfig.OTelServiceName)
	}
	app, _, err := labels.ParseAppName(f.service)
	if err != nil {
		return fmt.Errorf("pgo: -service: %w", err)
	}
	sel, err := pgo.ParseSelector(f.selector)
	if err != nil {
		return fmt.Errorf("pgo: -selector: %w", err)
	}
	from, until, err := timeRange(f.from, f.until, time.Now())
	if err != nil {
		return err
	}

	srv := serverconf.Resolve(serverconf.Server{Address: f.server, TenantID: f.tenant},
		serverconf.Names{Address: "-server", TenantID: "-tenant"}, env)
	var m *pgo.Merger
	var source string
	if f.dir == "" && srv.Address != "" {
		if err := srv.Check(); err != nil {
			return fmt.Errorf("pgo: %w", err)
		}
		m, source, err = fromServer(ctx, srv, f.service, sel, from, until)
	} else {
		dir := f.dir
		if dir == "" {
			dir = env.OutputDir
		}
		if dir == "" {
			dir = ember.DefaultOutputDir
		}
		source = dir
		m, err = pgo.FromDir(dir, f.service, sel, from, until, runtime.GOMAXPROCS(0))
		if err != nil {
			err = fmt.Errorf("pgo: %w", err)
		}
	}
	if err != nil {
		return err
	}
	st := m.Stats()
	if st.Selected == 0 {
		return fmt.Errorf("pgo: no CPU samples of %s%s between %s and %s in %s", app, selText(sel), from.Format(time.RFC3339), until.Format(time.RFC3339), source)
	}
	n, err := writeFile(f.out, m)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "read %s: %d profiles, %s, %s of CPU in %d samples\n",
		source, st.Profiles, size(st.InputBytes), time.Duration(st.CPU).Round(time.Millisecond), st.Selected)
	fmt.Fprintf(stdout, "wrote %s: %s (%.2f%% of the input), %d stacks, %d functions\n",
		f.out, size(n), 100*float64(n)/float64(st.InputBytes), st.Stacks, st.Functions)
	return nil
}

func selText(sel pgo.Selector) string {
	if len(sel) == 0 {
		return ""
	}
	return sel.String()
}

// timeRange reads -from and -until.
func timeRange(fromFlag, untilFlag string, now time.Time) (from, until time.Time, err error) {
	until = now
	if untilFlag != "" {
		if until, err = time.Parse(time.RFC3339, untilFlag); err != nil {
			return from, until, fmt.Errorf("pgo: -until %q: want an RFC 3339 time such as 2026-11-24T22:30:00Z", untilFlag)
		}
	}
	if d, derr := time.ParseDuration(fromFlag); derr == nil && d > 0 {
		from = until.Add(-d)
	} else if from, err = time.Parse(time.RFC3339, fromFlag); err != nil {
		return from, until, fmt.Errorf("pgo: -from %q: want an RFC 3339 time or a positive duration such as 24h", fromFlag)
	}
	if !from.Before(until) {
		return from, until, fmt.Errorf("pgo: -from %s is not before -until %s", from.Format(time.RFC3339), until.Format(time.RFC3339))
	}
	return from, until, nil
}

func fromServer(ctx context.Context, srv serverconf.Server, service string, sel pgo.Selector, from, until time.Time) (*pgo.Merger, string, error) {
	q, err := remote.NewQuerier(remote.Config{
		ServerAddress: srv.Address, AuthToken: srv.AuthToken, BasicAuthUser: srv.BasicAuthUser,
		BasicAuthPassword: srv.BasicAuthPassword, TenantID: srv.TenantID, HTTPHeaders: srv.HTTPHeaders,
	})
	if err != nil {
		return nil, "", fmt.Errorf("pgo: %w", err)
	}
	m, err := pgo.FromServer(ctx, q, service, sel, from, until)
	if err != nil {
		return nil, "", fmt.Errorf("pgo: %w", err)
	}
	return m, "the server's merged profile", nil
}

// writeFile writes m to path through a temporary file, so that a failed
// run never leaves half a profile where the build looks for one.
func writeFile(path string, m *pgo.Merger) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ember-pgo-*")
	if err != nil {
		return 0, fmt.Errorf("pgo: -o: %w", err)
	}
	defer os.Remove(tmp.Name())
	n, err := m.Write(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return 0, fmt.Errorf("pgo: writing %s: %w", path, err)
	}
	return n, nil
}

// size formats a byte count for people.
func size(n int64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}
