package overhead

import (
	"bytes"
	stdgzip "compress/gzip"
	"fmt"
	"io"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/emberprof/ember/godeltaprof"
	"github.com/emberprof/ember/internal/overhead/synth"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// realProfiles returns, uncompressed, the profiles one interval of a
// service with 10k unique heap stacks uploads: Ember's delta heap profile,
// a CPU profile of a busy second, and a goroutine profile of 1,000
// goroutines.
var realProfiles = sync.OnceValue(func() []namedProfile {
	synth.HeapStacks(10000)
	var heap bytes.Buffer
	h := godeltaprof.NewHeapProfiler()
	if err := h.Profile(&heap); err != nil {
		panic(err)
	}

	var cpu bytes.Buffer
	if err := pprof.StartCPUProfile(&cpu); err != nil {
		panic(err)
	}
	var stop, done = make(chan struct{}), make(chan struct{})
	go func() { // a mix of stacks: hashing, allocating, HTTP
		defer close(done)
		var n uint64
		for {
			select {
			case <-stop:
				return
			default:
			}
			hashUnit(n)
			_ = fmt.Sprintf("%d %x", n, n)
			n++
		}
	}()
	time.Sleep(time.Second)
	close(stop)
	<-done
	pprof.StopCPUProfile()

	release := synth.Park(1000)
	var gor bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&gor, 0); err != nil {
		panic(err)
	}
	release()

	return []namedProfile{{"heap10k", gunzip(heap.Bytes())}, {"cpu", gunzip(cpu.Bytes())}, {"goroutine1k", gunzip(gor.Bytes())}}
})

type namedProfile struct {
	name string
	raw  []byte
}

func gunzip(gz []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		panic(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		panic(err)
	}
	return raw
}

// A codec compresses a profile with one library and level, reusing its
// writer between calls the way a profiler would.
type codec struct {
	name string
	new  func(w io.Writer) io.WriteCloser
	// reset makes wc write to w again, for codecs whose writers can be reused.
	reset func(wc io.WriteCloser, w io.Writer)
}

// levelName names a gzip level as the benchmarks show it.
func levelName(level int) string {
	switch level {
	case gzip.DefaultCompression:
		return "default"
	case gzip.StatelessCompression:
		return "stateless"
	}
	return fmt.Sprint(level)
}

func gzipCodec(level int) codec {
	return codec{
		name:  "klauspost-gzip-" + levelName(level),
		new:   func(w io.Writer) io.WriteCloser { zw, _ := gzip.NewWriterLevel(w, level); return zw },
		reset: func(wc io.WriteCloser, w io.Writer) { wc.(*gzip.Writer).Reset(w) },
	}
}

func stdGzipCodec(level int) codec {
	return codec{
		name:  "std-gzip-" + levelName(level),
		new:   func(w io.Writer) io.WriteCloser { zw, _ := stdgzip.NewWriterLevel(w, level); return zw },
		reset: func(wc io.WriteCloser, w io.Writer) { wc.(*stdgzip.Writer).Reset(w) },
	}
}

func zstdCodec(level zstd.EncoderLevel) codec {
	return codec{
		name: "zstd-" + level.String(),
		new: func(w io.Writer) io.WriteCloser {
			zw, _ := zstd.NewWriter(w, zstd.WithEncoderLevel(level), zstd.WithEncoderConcurrency(1))
			return zw
		},
		reset: func(wc io.WriteCloser, w io.Writer) { wc.(*zstd.Encoder).Reset(w) },
	}
}

var codecs = []codec{
	stdGzipCodec(stdgzip.BestSpeed), // what runtime/pprof uses
	stdGzipCodec(stdgzip.DefaultCompression),
	gzipCodec(gzip.StatelessCompression),
	gzipCodec(gzip.BestSpeed),
	gzipCodec(2),
	gzipCodec(3),
	gzipCodec(5),
	gzipCodec(gzip.DefaultCompression),
	gzipCodec(gzip.BestCompression),
	zstdCodec(zstd.SpeedFastest),
	zstdCodec(zstd.SpeedDefault),
	zstdCodec(zstd.SpeedBetterCompression),
}

// BenchmarkCompress compresses real profiles with each codec and reports
// the compressed size (B/profile) and the ratio to the raw protobuf next to
// the time. The Pyroscope ingest endpoint reads gzip (or raw) pprof only, so
// zstd is here for reference.
func BenchmarkCompress(b *testing.B) {
	for _, p := range realProfiles() {
		for _, c := range codecs {
			b.Run(fmt.Sprintf("profile=%s/codec=%s", p.name, c.name), func(b *testing.B) {
				var out bytes.Buffer
				zw := c.new(&out)
				b.SetBytes(int64(len(p.raw)))
				b.ReportAllocs()
				for b.Loop() {
					out.Reset()
					c.reset(zw, &out)
					if _, err := zw.Write(p.raw); err != nil {
						b.Fatal(err)
					}
					if err := zw.Close(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(out.Len()), "B/profile")
				b.ReportMetric(float64(len(p.raw))/float64(out.Len()), "x-smaller")
			})
		}
	}
}

// newGzip returns the writer runtime/pprof compresses with.
func newGzip(w io.Writer) *stdgzip.Writer {
	zw, _ := stdgzip.NewWriterLevel(w, stdgzip.BestSpeed)
	return zw
}
