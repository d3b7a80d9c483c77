package overhead

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// roundFlag is the flag with which the harness runs a child for one round;
// its value is the RoundSpec as JSON. The child prints its RoundResult as
// JSON on the last line of its standard output.
const roundFlag = "overhead.round"

// Config is what the harness runs: every workload under every settings,
// Rounds times each mode in alternation.
type Config struct {
	Workloads []string
	Settings  []string
	Modes     []string // the first is the baseline the others are compared with
	Rounds    int
	Round     RoundSpec // Workload, Settings.Name and Mode are filled per round
	BenchOut  string    // file for the benchstat lines, or ""
}

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
	fs.IntVar(&sc.Stacks, "steady.stacks", 10000, "with -steady: unique heap stacks (and as many block stacks)")
	fs.IntVar(&sc.Intervals, "steady.intervals", 1000, "with -steady: intervals to run")
	fs.DurationVar(&sc.Interval, "steady.interval", 20*time.Millisecond, "with -steady: interval length")
	fs.BoolVar(&sc.All, "steady.all", false, "with -steady: every profile type, and as many block stacks as heap stacks")
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

// Run runs the rounds cfg asks for, each in a child process started from
// this program's executable, printing a benchstat line per round as it ends
// and the table of medians and ratios at the end.
func Run(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	if err := cfg.check(); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var bench io.Writer = stdout
	if cfg.BenchOut != "" {
		f, err := os.Create(cfg.BenchOut)
		if err != nil {
			return err
		}
		defer f.Close()
		bench = io.MultiWriter(stdout, f)
	}
	writeBenchHeader(bench, cfg)
	var results []RoundResult
	for _, w := range cfg.Workloads {
		for _, s := range cfg.Settings {
			for r := range cfg.Rounds {
				// Alternate, and reverse the order every other round so a
				// drift in the machine's speed hits every mode alike.
				order := slices.Clone(cfg.Modes)
				if r%2 == 1 {
					slices.Reverse(order)
				}
				for _, m := range order {
					spec := cfg.Round
					spec.Workload, spec.Settings.Name, spec.Mode = w, s, m
					res, err := runChildProcess(ctx, self, spec, stderr)
					if err != nil {
						return fmt.Errorf("%s/%s/%s round %d: %w", w, s, m, r+1, err)
					}
					writeBenchLine(bench, res)
					results = append(results, res)
				}
			}
		}
	}
	fmt.Fprintln(stdout)
	writeTable(stdout, cfg, results)
	writeSelfTop(stdout, cfg, results, 15)
	return nil
}

func (cfg Config) check() error {
	if len(cfg.Workloads) == 0 || len(cfg.Settings) == 0 || len(cfg.Modes) == 0 || cfg.Rounds < 1 {
		return errors.New("need at least one workload, setting, mode and round")
	}
	for _, w := range cfg.Workloads {
		if _, ok := LookupWorkload(w); !ok {
			return fmt.Errorf("unknown workload %q (have %s)", w, strings.Join(WorkloadNames(), ", "))
		}
	}
	for _, s := range cfg.Settings {
		if !slices.Contains(SettingNames, s) {
			return fmt.Errorf("unknown settings %q (have %s)", s, strings.Join(SettingNames, ", "))
		}
	}
	for _, m := range cfg.Modes {
		if _, ok := LookupMode(m); !ok {
			return fmt.Errorf("unknown mode %q (have %s)", m, strings.Join(modeNames(), ", "))
		}
	}
	if cfg.Round.Settings.Interval <= 0 || cfg.Round.Duration <= 0 || cfg.Round.Rate <= 0 || cfg.Round.Workers < 1 {
		return errors.New("interval, duration, rate and workers must be positive")
	}
	return nil
}

func runChildProcess(ctx context.Context, self string, spec RoundSpec, stderr io.Writer) (RoundResult, error) {
	var res RoundResult
	specJSON, err := json.Marshal(spec)
	if err != nil {
		return res, err
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, self, "-"+roundFlag+"="+string(specJSON))
	cmd.Stdout, cmd.Stderr = &out, stderr
	if err := cmd.Run(); err != nil {
		return res, err
	}
	// The result is the last line; anything the profiler logged comes before.
	var last []byte
	for sc := bufio.NewScanner(&out); sc.Scan(); {
		last = slices.Clone(sc.Bytes())
	}
	if err := json.Unmarshal(last, &res); err != nil {
		return res, fmt.Errorf("reading the child's result: %w", err)
	}
	return res, nil
}
