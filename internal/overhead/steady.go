package overhead

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/pprof"
	"text/tabwriter"
	"time"

	"github.com/emberprof/ember/internal/overhead/synth"
	"github.com/emberprof/ember/internal/session"
	"github.com/emberprof/ember/interval"
)

// SteadyConfig says how RunSteady drives Ember.
type SteadyConfig struct {
	Stacks    int           // unique heap stacks (and block stacks, with All)
	Intervals int           // intervals to run
	Interval  time.Duration // interval length; shorter than Ember's minimum is fine here
	// All collects every profile type; otherwise Ember's defaults (CPU
	// and heap).
	All bool
	// NoGC sets DisableGCRuns: no forced GC in intervals that had none.
	NoGC bool
	// MemProfile, if set, names a file for the process's heap profile
	// (inuse_space is what is live) at the end, to see what Ember holds.
	MemProfile string
	// CPUProfile, if set, names a file for the CPU profiles Ember took of
	// the process (itself included) after the 10th interval, merged.
	CPUProfile string
}

// RunSteady measures Ember's own steady-state Go heap in a process with
// many unique stacks: it takes the live heap after a GC before Ember
// starts, then again after growing numbers of intervals of a session driven
// fast through internal/session, and writes the difference (less the CPU
// profiles the sink keeps for the self-profile). Flat rows mean no growth.
func RunSteady(w io.Writer, c SteadyConfig) error {
	if c.MemProfile != "" {
		// Finer sampling, so the profile shows what Ember holds.
		runtime.MemProfileRate = 16 << 10
	}
	synth.HeapStacks(c.Stacks)
	types := []string{"cpu", "alloc_objects", "alloc_space", "inuse_objects", "inuse_space"}
	what := fmt.Sprintf("%d unique heap stacks, default profile types", c.Stacks)
	if c.All {
		synth.BlockStacks(c.Stacks, 0)
		types = append(types, "goroutines", "mutex_count", "mutex_duration", "block_count", "block_duration")
		what = fmt.Sprintf("%d unique heap stacks and %d unique block stacks, all profile types", c.Stacks, c.Stacks)
	}
	release := synth.Park(100)
	defer release()

	base := liveHeap()
	sink := NewSink(0)
	sess, err := session.Start(session.Options{
		Application:   "steady",
		Rate:          c.Interval,
		ProfileTypes:  types,
		Upstream:      sink,
		Logger:        quietLogger{},
		MaxGoroutines: -1,
		DisableGCRuns: c.NoGC,
	})
	if err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		sess.Stop(ctx)
	}()

	if c.NoGC {
		what += ", no forced GC"
	}
	fmt.Fprintf(w, "%s, interval %v; live heap before Ember started: %s\n", what, c.Interval, mib(float64(base)))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "intervals\tEmber's heap: least\tmost\tprofile bytes/interval\t\n")
	start := time.Now()
	var cpu0 time.Duration
	var n0 uint64
	for _, at := range []int{10, 100, 250, 500, 750, 1000, 2000, 5000} {
		if at > c.Intervals {
			break
		}
		for sink.Uploads(interval.TypeHeap) < uint64(at) {
			time.Sleep(c.Interval / 4)
		}
		// Five readings apart in time: the least is what Ember keeps, the
		// most adds what an interval in progress holds for a moment.
		least, most := uint64(math.MaxUint64), uint64(0)
		for range 5 {
			live := liveHeap() - sink.Kept() - base
			least, most = min(least, live), max(most, live)
			time.Sleep(c.Interval / 3)
		}
		if at == 10 { // from here on, the process's CPU is Ember's
			cpu0, n0 = processCPU(), sink.Uploads(interval.TypeHeap)
			sink.Measure(time.Now())
		}
		st := sink.Stats()
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t\n", at, mib(float64(least)), mib(float64(most)),
			kib(float64(st.BytesSent)/float64(sink.Uploads(interval.TypeHeap))))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	cpu, n := processCPU()-cpu0, sink.Uploads(interval.TypeHeap)-n0
	perInterval := cpu / time.Duration(max(n, 1))
	fmt.Fprintf(w, "(%v for the run) process CPU per interval after the 10th: %v (the process does nothing else, so this is Ember's cost, GC included)\n",
		time.Since(start).Round(time.Second), perInterval.Round(time.Microsecond))
	fmt.Fprintf(w, "at the default 15 s interval that is %.3f%% of one core\n", 100*perInterval.Seconds()/15)
	sampled, self, top, err := selfCPU(sink.CPUProfiles(), 15)
	if err != nil {
		return err
	}
	if self > 0 {
		fmt.Fprintf(w, "Ember's own CPU profiles: %.2fs sampled in Ember code of %.2fs; heaviest functions (flat):\n", float64(self)/1e9, float64(sampled)/1e9)
		for _, f := range top {
			fmt.Fprintf(w, "  %6.2f%%  %s\n", 100*float64(f.Nanos)/float64(self), f.Func)
		}
	}
	if c.CPUProfile != "" {
		if err := writeMerged(c.CPUProfile, sink.CPUProfiles()); err != nil {
			return err
		}
	}
	if c.MemProfile != "" {
		return writeHeapProfile(c.MemProfile)
	}
	return nil
}

func writeMerged(name string, profiles [][]byte) error {
	p, err := mergeProfiles(profiles)
	if err != nil || p == nil {
		return err
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := p.Write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeHeapProfile(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// liveHeap runs two collections and returns the live heap after them.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	return newHeapSampler().sample()
}
