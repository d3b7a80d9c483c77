package overhead

import (
	"crypto/sha256"
	"sort"
	"sync"
	"sync/atomic"
)

// A Workload is the application's own work. Run keeps doing it in the given
// number of worker goroutines until stop is set, adding the units it
// completes to done as it goes (in batches); the harness divides the
// process's CPU time by the units done.
type Workload struct {
	Name string
	// Doc says in a few words what one unit is.
	Doc string
	Run func(stop *atomic.Bool, workers int, done *atomic.Uint64)
}

// batch is how many units a worker completes before adding them to done.
const batch = 64

// Workloads lists every workload the harness knows, by name.
var Workloads = []Workload{
	{"cpu", "one SHA-256 of 4 KiB", runCPU},
	{"alloc", "64 allocations of 16 B to 4 KiB, 1 in 8 retained in a ring", runAlloc},
	{"lock", "one critical section on a mutex shared by 4 goroutines per worker", runLock},
	{"idle10k", "cpu's unit, with 10,000 goroutines parked beside it", runIdle},
	{"bigheap", "cpu's unit, with 256 MiB of small pointerful objects kept live", runBigHeap},
}

// LookupWorkload returns the workload called name.
func LookupWorkload(name string) (Workload, bool) {
	for _, w := range Workloads {
		if w.Name == name {
			return w, true
		}
	}
	return Workload{}, false
}

// WorkloadNames returns the names of all workloads, sorted.
func WorkloadNames() []string {
	var names []string
	for _, w := range Workloads {
		names = append(names, w.Name)
	}
	sort.Strings(names)
	return names
}

// parallel runs unit in n goroutines until stop is set, counting units in done.
func parallel(n int, stop *atomic.Bool, done *atomic.Uint64, unit func(i uint64)) {
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var i uint64
			for !stop.Load() {
				for range batch {
					unit(i)
					i++
				}
				done.Add(batch)
			}
		}()
	}
	wg.Wait()
}

// sink keeps results alive so the compiler cannot drop the work.
var sink atomic.Uint64

func runCPU(stop *atomic.Bool, workers int, done *atomic.Uint64) {
	parallel(workers, stop, done, hashUnit)
}

//go:noinline
func hashUnit(i uint64) {
	var buf [4096]byte
	buf[i%uint64(len(buf))] = byte(i)
	sum := sha256.Sum256(buf[:])
	sink.Add(uint64(sum[0]))
}

func runAlloc(stop *atomic.Bool, workers int, done *atomic.Uint64) {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ring := make([][]byte, 4096)
			x := uint64(88172645463325252 + w)
			parallel(1, stop, done, func(uint64) {
				for i := range 64 {
					x ^= x << 13
					x ^= x >> 7
					x ^= x << 17
					b := make([]byte, 16+x%4080)
					b[0] = byte(i)
					if i%8 == 0 {
						ring[x%uint64(len(ring))] = b
					}
				}
			})
		}()
	}
	wg.Wait()
}

func runLock(stop *atomic.Bool, workers int, done *atomic.Uint64) {
	var mu sync.Mutex
	shared := make(map[uint64]uint64, 1024)
	parallel(4*workers, stop, done, func(n uint64) {
		mu.Lock()
		for i := range uint64(32) {
			shared[(n+i)%1024] += i
		}
		mu.Unlock()
		var local uint64
		for i := range uint64(64) {
			local += i * n
		}
		sink.Add(local & 1)
	})
}

// idleGoroutines is the number of parked goroutines in the idle10k workload.
const idleGoroutines = 10000

func runIdle(stop *atomic.Bool, workers int, done *atomic.Uint64) {
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range idleGoroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-release
		}()
	}
	runCPU(stop, workers, done)
	close(release)
	wg.Wait()
}

// bigHeapNodes is how many 64-byte nodes bigheap keeps live: 256 MiB.
const bigHeapNodes = 256 << 20 / 64

type node struct {
	next  *node
	value [7]uint64
}

// runBigHeap keeps a large live heap that the workload never changes, so
// the GC has little reason to run on its own but much to mark when it does.
func runBigHeap(stop *atomic.Bool, workers int, done *atomic.Uint64) {
	nodes := make([]*node, bigHeapNodes)
	for i := range nodes {
		nodes[i] = &node{}
		if i > 0 {
			nodes[i].next = nodes[i-1]
		}
	}
	runCPU(stop, workers, done)
	sink.Add(uint64(len(nodes[len(nodes)-1].value)))
}
