package overhead

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
)

// A metric is one number a round yields, in benchstat's terms.
type metric struct {
	unit  string // benchstat unit: no spaces
	value func(RoundResult) float64
	ratio bool // shown as a ratio to the baseline in the table
}

var roundMetrics = []metric{
	{"cpu-ns/unit", RoundResult.CPUPerUnit, true},
	{"p50-ns", func(r RoundResult) float64 { return float64(r.P50) }, true},
	{"p99-ns", func(r RoundResult) float64 { return float64(r.P99) }, true},
	{"peak-rss-B", func(r RoundResult) float64 { return float64(r.PeakRSS) }, true},
	{"peak-heap-B", func(r RoundResult) float64 { return float64(r.PeakHeap) }, true},
	{"upload-B/interval", func(r RoundResult) float64 { return r.UploadBytes }, false},
	{"self-cpu-%", func(r RoundResult) float64 { return 100 * r.SelfShare() }, false},
}

// writeBenchHeader writes the configuration lines benchstat reads.
func writeBenchHeader(w io.Writer, cfg Config) {
	fmt.Fprintf(w, "goos: %s\ngoarch: %s\ncpu: %s\n", runtime.GOOS, runtime.GOARCH, cpuName())
	fmt.Fprintf(w, "cores: %d\ninterval: %s\nduration: %s\nrate: %g\nworkers: %d\n",
		runtime.NumCPU(), cfg.Round.Settings.Interval, cfg.Round.Duration, cfg.Round.Rate, cfg.Round.Workers)
}

// benchName is the benchmark name of a round: benchstat -col /mode
// compares the modes.
func benchName(s RoundSpec) string {
	return fmt.Sprintf("BenchmarkOverhead/work=%s/set=%s/mode=%s", s.Workload, s.Settings.Name, s.Mode)
}

func writeBenchLine(w io.Writer, r RoundResult) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d", benchName(r.Spec), max(r.Units, 1))
	for _, m := range roundMetrics {
		fmt.Fprintf(&b, " %.6g %s", m.value(r), m.unit)
	}
	fmt.Fprintln(w, b.String())
}

// writeTable writes the median of every metric per workload, settings and
// mode, and each mode's ratio to the baseline mode's median.
func writeTable(w io.Writer, cfg Config, results []RoundResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tsettings\tmode\tcpu ns/unit\tratio\tp50\tratio\tp99\tratio\tpeak RSS\tratio\tpeak heap\tratio\tupload/interval\tintervals\tself CPU\t")
	for _, wl := range cfg.Workloads {
		for _, s := range cfg.Settings {
			var base []float64
			for i, m := range cfg.Modes {
				rs := slices.DeleteFunc(slices.Clone(results), func(r RoundResult) bool {
					return r.Spec.Workload != wl || r.Spec.Settings.Name != s || r.Spec.Mode != m
				})
				med := make([]float64, len(roundMetrics))
				for j, mt := range roundMetrics {
					med[j] = median(rs, mt.value)
				}
				if i == 0 {
					base = med
				}
				intervals := median(rs, func(r RoundResult) float64 { return float64(r.Intervals) })
				fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%.2f%%\t\n", wl, s, m,
					med[0], ratio(med[0], base[0]),
					ns(med[1]), ratio(med[1], base[1]),
					ns(med[2]), ratio(med[2], base[2]),
					mib(med[3]), ratio(med[3], base[3]),
					mib(med[4]), ratio(med[4], base[4]),
					kib(med[5]), intervals, med[6])
			}
		}
	}
	tw.Flush()
}

// writeSelfTop writes, per mode, the profiler functions that took the most
// CPU over all rounds, as a share of all CPU sampled in those rounds.
func writeSelfTop(w io.Writer, cfg Config, results []RoundResult, top int) {
	for _, m := range cfg.Modes {
		var sampled, self int64
		flat := map[string]int64{}
		for _, r := range results {
			if r.Spec.Mode != m {
				continue
			}
			sampled += r.SampledCPU
			self += r.SelfCPU
			for _, f := range r.SelfTop {
				flat[f.Func] += f.Nanos
			}
		}
		if self == 0 {
			continue
		}
		var funcs []FuncCost
		for fn, ns := range flat {
			funcs = append(funcs, FuncCost{fn, ns})
		}
		slices.SortFunc(funcs, func(a, b FuncCost) int { return cmp.Compare(b.Nanos, a.Nanos) })
		fmt.Fprintf(w, "\n%s: profiler code took %.2f%% of the CPU sampled (%.2fs of %.2fs); heaviest functions (flat):\n",
			m, 100*float64(self)/float64(sampled), float64(self)/1e9, float64(sampled)/1e9)
		for _, f := range funcs[:min(top, len(funcs))] {
			fmt.Fprintf(w, "  %6.2f%% of profiler  %s\n", 100*float64(f.Nanos)/float64(self), f.Func)
		}
	}
}

// median returns the median of f over rs (the mean of the middle two for an
// even count), or 0 for none.
func median(rs []RoundResult, f func(RoundResult) float64) float64 {
	if len(rs) == 0 {
		return 0
	}
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	if n := len(v); n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[len(v)/2]
}

func ratio(v, base float64) string {
	if base == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", v/base)
}

func ns(v float64) string  { return fmt.Sprintf("%.2fms", v/1e6) }
func mib(v float64) string { return fmt.Sprintf("%.1fMiB", v/(1<<20)) }
func kib(v float64) string { return fmt.Sprintf("%.1fKiB", v/(1<<10)) }

// cpuName returns the processor's model name from /proc/cpuinfo, or "unknown".
func cpuName() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for line := range strings.Lines(string(data)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
