package overhead

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
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
