package pprofenc

import (
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// sharedGzip is the one gzip writer every Encoder and Restamper of the
// process compresses with. A writer holds a few hundred KB of tables and
// windows; Ember writes its profiles one after another, so one is enough,
// and the mutex keeps concurrent users (standalone profilers) correct.
var sharedGzip struct {
	mu sync.Mutex
	zw *gzip.Writer
}

// compress writes to w, gzipped at BestSpeed (as runtime/pprof does),
// whatever write sends to the writer it is given.
func compress(w io.Writer, write func(zw io.Writer) error) error {
	sharedGzip.mu.Lock()
	defer sharedGzip.mu.Unlock()
	if sharedGzip.zw == nil {
		zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
		if err != nil {
			return err
		}
		sharedGzip.zw = zw
	} else {
		sharedGzip.zw.Reset(w)
	}
	if err := write(sharedGzip.zw); err != nil {
		return err
	}
	return sharedGzip.zw.Close()
}
