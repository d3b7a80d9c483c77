package cpuprof

import (
	"bytes"
	"sync"
	"time"
)

// A segment is the stretch of runtime CPU profile between two cuts. The
// runtime's profile writer goroutine fills buf; it writes only once the
// profile has been stopped.
type segment struct {
	from time.Time
	buf  lockedBuffer
}

// lockedBuffer is a bytes.Buffer that the runtime's profile writer may fill
// while finish checks whether it has started to.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Len returns the number of bytes written so far.
func (b *lockedBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

// Bytes returns what was written. Call it only after the writer is done.
func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Bytes()
}
