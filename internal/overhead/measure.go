package overhead

import (
	"bufio"
	"bytes"
	"os"
	"runtime/metrics"
	"strconv"
	"syscall"
	"time"
)

// processCPU returns the user plus system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS returns the process's peak resident set size in bytes (VmHWM),
// or 0 where /proc does not tell.
func peakRSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmHWM:")); ok {
			kb, err := strconv.ParseUint(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// heapSampler reads the Go heap through runtime/metrics, which does not stop
// the world, and keeps the peak of the bytes held by heap objects.
type heapSampler struct {
	samples []metrics.Sample
	peak    uint64
}

const (
	metricHeapObjects = "/memory/classes/heap/objects:bytes"
	metricHeapLive    = "/gc/heap/live:bytes"
)

func newHeapSampler() *heapSampler {
	return &heapSampler{samples: []metrics.Sample{{Name: metricHeapObjects}, {Name: metricHeapLive}}}
}

// sample reads the metrics once and returns the live heap as of the last GC.
func (h *heapSampler) sample() (live uint64) {
	metrics.Read(h.samples)
	if v := h.samples[0].Value; v.Kind() == metrics.KindUint64 {
		h.peak = max(h.peak, v.Uint64())
	}
	if v := h.samples[1].Value; v.Kind() == metrics.KindUint64 {
		return v.Uint64()
	}
	return 0
}
