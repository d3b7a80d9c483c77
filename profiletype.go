package ember

// ProfileType names a profile Ember collects, as pyroscope-go names it.
type ProfileType string

// The profile types. The heap types come from one heap profile, the mutex
// and block pairs from one profile each; asking for any of a group takes
// that profile, and only the asked-for sample types are sent.
const (
	ProfileCPU           ProfileType = "cpu"            // CPU time, sampled at 100 Hz.
	ProfileInuseObjects  ProfileType = "inuse_objects"  // Live objects, as of the last GC.
	ProfileAllocObjects  ProfileType = "alloc_objects"  // Objects allocated in the interval.
	ProfileInuseSpace    ProfileType = "inuse_space"    // Live bytes, as of the last GC.
	ProfileAllocSpace    ProfileType = "alloc_space"    // Bytes allocated in the interval.
	ProfileGoroutines    ProfileType = "goroutine"      // Goroutine stacks at the interval's end ("goroutines" is accepted too).
	ProfileMutexCount    ProfileType = "mutex_count"    // Mutex contentions in the interval.
	ProfileMutexDuration ProfileType = "mutex_duration" // Time waiting for mutexes in the interval.
	ProfileBlockCount    ProfileType = "block_count"    // Blocking events in the interval.
	ProfileBlockDuration ProfileType = "block_duration" // Time blocked in the interval.
	ProfileGoroutineLeak ProfileType = "goroutine_leak" // Leaked goroutines (Go 1.27+).
)

// DefaultProfileTypes are collected when Config.ProfileTypes is empty and
// PYROSCOPE_PROFILE_TYPES is unset: CPU and the four heap types.
var DefaultProfileTypes = []ProfileType{
	ProfileCPU,
	ProfileAllocObjects,
	ProfileAllocSpace,
	ProfileInuseObjects,
	ProfileInuseSpace,
}
