package overhead

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// Main runs the harness with command-line args (without the program name):
// as the parent it runs the rounds and prints the report to stdout; as a
// child (with -overhead.round) it runs one round. It returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("overhead", flag.ContinueOnError)
	fs.SetOutput(stderr)
	round := fs.String(roundFlag, "", "run one round (internal: the harness re-executes itself with it)")
	var cfg Config
	workloads := fs.String("workloads", strings.Join(WorkloadNames(), ","), "comma-separated workloads")
	settings := fs.String("settings", strings.Join(SettingNames, ","), "comma-separated settings: default, all")
	modes := fs.String("modes", "off,pprof,ember", "comma-separated modes (of "+strings.Join(modeNames(), ", ")+"); the first is the baseline")
	fs.IntVar(&cfg.Rounds, "rounds", 5, "rounds per mode")
	fs.DurationVar(&cfg.Round.Settings.Interval, "interval", 1*time.Second, "profiler upload interval")
	fs.DurationVar(&cfg.Round.Warmup, "warmup", 1*time.Second, "time before measuring, profiler on")
	fs.DurationVar(&cfg.Round.Duration, "duration", 4*time.Second, "measured time per round")
	fs.Float64Var(&cfg.Round.Rate, "rate", 200, "HTTP requests per second")
	fs.IntVar(&cfg.Round.Workers, "workers", 1, "workload goroutines (lock: 4 per worker)")
	fs.StringVar(&cfg.BenchOut, "o", "", "also write the benchstat lines to this file")
	steady := fs.Bool("steady", false, "instead of rounds: measure Ember's own steady-state heap over many intervals")
	var sc SteadyConfig
	fs.IntVar(&sc.Stacks, "steady.stacks", 10000, "with -steady: unique heap stacks (and as many block stacks with -steady.all)")
	fs.IntVar(&sc.Intervals, "steady.intervals", 1000, "with -steady: intervals to run")
	fs.DurationVar(&sc.Interval, "steady.interval", 20*time.Millisecond, "with -steady: interval length")
	fs.BoolVar(&sc.All, "steady.all", false, "with -steady: every profile type, and as many block stacks as heap stacks")
	fs.BoolVar(&sc.NoGC, "steady.nogc", false, "with -steady: DisableGCRuns (no forced GC in intervals that had none)")
	fs.StringVar(&sc.CPUProfile, "steady.cpuprofile", "", "with -steady: write Ember's CPU profiles of the run, merged, to this file")
	fs.StringVar(&sc.MemProfile, "steady.memprofile", "", "with -steady: write the heap profile at the end to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *round != "" {
		return runChild(*round, stdout, stderr)
	}
	if *steady {
		if err := RunSteady(stdout, sc); err != nil {
			fmt.Fprintln(stderr, "overhead:", err)
			return 1
		}
		return 0
	}
	cfg.Workloads, cfg.Settings, cfg.Modes = split(*workloads), split(*settings), split(*modes)
	if err := Run(context.Background(), cfg, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "overhead:", err)
		return 1
	}
	return 0
}

func split(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func modeNames() []string {
	var names []string
	for _, m := range Modes {
		names = append(names, m.Name)
	}
	return names
}

func runChild(specJSON string, stdout, stderr io.Writer) int {
	var spec RoundSpec
	if err := json.Unmarshal([]byte(specJSON), &spec); err != nil {
		fmt.Fprintln(stderr, "overhead: bad round:", err)
		return 2
	}
	res, err := RunRound(spec)
	if err != nil {
		fmt.Fprintln(stderr, "overhead:", err)
		return 1
	}
	out, _ := json.Marshal(res)
	fmt.Fprintf(stdout, "%s\n", out)
	return 0
}
