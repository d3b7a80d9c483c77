// Package queue turns a synchronous exporter into an [upstream.Upstream]:
// a bounded queue in front of a small pool of workers that retry.
//
// Queueing is kept apart from transport, as in OpenTelemetry's exporters:
// an [Exporter] knows how to deliver one job (HTTP, a file), the queue
// knows when. A job is one profile ([Queue.Upload]) or one interval's
// profiles delivered together ([Queue.UploadBatch]). The queue never blocks
// the caller: when it holds more jobs or bytes than allowed it drops the
// oldest queued job and counts its profiles.
//
// Profiles with the same key (application and profile type) are delivered
// one job at a time in the order they were queued, so a profile type's
// intervals reach the destination in order even while one of them is being
// retried.
//
// A job that fails with a retryable error is never given up: it waits in
// the queue for its backoff, without holding a worker, and is tried again
// until it is delivered, pushed out by newer jobs when the queue is over
// its bounds, or dropped when Shutdown's deadline passes. A new job ends
// the backoff of the waiting jobs when it falls due itself, unless the
// destination asked for the wait (Retry-After): during an outage each key
// is tried about once per new job, the load it has when healthy. Any
// delivery ends every wait, so a backlog drains as soon as the destination
// is back.
package queue

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/emberprof/ember/internal/retry"
	"github.com/emberprof/ember/interval"
	"github.com/emberprof/ember/upstream"
)

// Exporter delivers one job, synchronously, honouring ctx.
type Exporter interface {
	// Export delivers job as a whole and returns how many bytes it sent.
	// An error marked with [retry.Retryable] tries the whole job again;
	// any other is final for all of it.
	Export(ctx context.Context, job Job) (sent int, err error)
}

// Job is what an attempt delivers: one profile ([Queue.Upload]) or an
// interval's profiles ([Queue.UploadBatch]).
type Job struct {
	Profiles []*interval.Profile // at least one
	// Body is what Config.Encode made of Profiles as they were queued,
	// the same for every attempt; nil without Encode, and then the
	// profiles' Data is there.
	Body []byte
}

// Single is an [Exporter] for queues fed only by [Queue.Upload]: it
// delivers the one profile of each job. A job of several profiles fails
// without an attempt, since a partial delivery could not be retried
// without sending some profiles twice.
type Single func(ctx context.Context, p *interval.Profile) (sent int, err error)

// Export delivers the job's only profile.
func (f Single) Export(ctx context.Context, job Job) (int, error) {
	if len(job.Profiles) != 1 {
		return 0, fmt.Errorf("%d profiles in one job for an exporter that takes one", len(job.Profiles))
	}
	return f(ctx, job.Profiles[0])
}

// Config sets the queue's bounds and retry policy. Values below one are
// raised to one.
type Config struct {
	// MaxProfiles bounds the profiles of queued jobs, those waiting to be
	// retried included: a batch of an interval's profiles weighs as many
	// as it holds, so the bound means the same for every transport.
	MaxProfiles int
	MaxBytes    int // Bytes of queued and in-flight profile data kept at most.
	Workers     int // Jobs delivered concurrently.
	// Backoff sets how long a job waits after each retryable failure, at
	// most until a newer job falls due; the count of failures restarts
	// when any job is delivered.
	Backoff retry.Backoff
	// Delay holds every job this long before its first attempt, unless a
	// Flush or Shutdown asks for haste. Remote uploads use it to spread a
	// fleet whose intervals end on the same second.
	Delay time.Duration
	// Name prefixes log lines and errors, e.g. "upstream/remote".
	Name string
	// Encode, if set, makes what every attempt of a job sends, once, as
	// the job is queued (an OTLP exporter's request, say): Export finds it
	// in Job.Body, and the queue releases the profiles' Data, holding
	// and counting against MaxBytes only the body. An error with no body
	// fails the job for good at once; with a body, it is logged and the
	// body is queued.
	Encode func(profiles []*interval.Profile) ([]byte, error)
	// Logger receives what the queue has to say; nil discards it.
	Logger interval.Logger
	// Now reads the clock for Stats.LastErrorTime and the log; nil means
	// time.Now. Delay and Backoff are timed by the monotonic clock.
	Now func() time.Time
}

// Queue is an [upstream.Upstream] that delivers through an [Exporter].
type Queue struct {
	cfg Config
	exp Exporter
	log logs

	mu       sync.Mutex
	work     *sync.Cond // signalled when a job may be taken or workers must stop
	pending  []*job     // queued, oldest first
	inflight []*job
	busy     map[string]bool // profile keys with a job in flight
	bytes    int             // data bytes of pending and in-flight jobs
	seq      uint64          // sequence number of the last job queued
	closed   bool            // Shutdown called: Upload drops
	stopping bool            // workers must return
	changed  chan struct{}   // closed and replaced when a job leaves the queue
	alarm    *time.Timer     // calls wake at wakeAt
	wakeAt   time.Time       // when the workers are to look again; zero if not set
	stats    upstream.Stats

	ctx    context.Context // cancelled when Shutdown's deadline passes
	cancel context.CancelFunc
	group  errgroup.Group
}

type job struct {
	batch     []*interval.Profile
	body      []byte   // Config.Encode's, if set
	keys      []string // one per profile: application and type
	seq       uint64
	size      int       // bytes of Data in batch, or of body
	notBefore time.Time // not tried before then: Delay, or the backoff
	failures  int       // retryable failures since the last delivery of any job
	asked     bool      // notBefore is the destination's Retry-After
}

// newJob makes the job that delivers batch, or body if not nil.
func newJob(batch []*interval.Profile, body []byte, seq uint64, notBefore time.Time) *job {
	j := &job{batch: batch, body: body, keys: make([]string, len(batch)), seq: seq, notBefore: notBefore}
	for i, p := range batch {
		j.keys[i] = p.Application + "\x00" + string(p.Type)
		j.size += len(p.Data)
	}
	if body != nil {
		j.size = len(body)
	}
	return j
}

// New starts a queue's workers. Shutdown stops them.
func New(cfg Config, exp Exporter) *Queue {
	cfg.MaxProfiles = max(cfg.MaxProfiles, 1)
	cfg.MaxBytes = max(cfg.MaxBytes, 1)
	cfg.Workers = max(cfg.Workers, 1)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	q := &Queue{
		cfg:     cfg,
		exp:     exp,
		log:     newLogs(cfg.Name, cfg.Logger, cfg.Now),
		busy:    make(map[string]bool),
		changed: make(chan struct{}),
	}
	q.work = sync.NewCond(&q.mu)
	q.ctx, q.cancel = context.WithCancel(context.Background())
	for range cfg.Workers {
		q.group.Go(func() error {
			q.worker()
			return nil
		})
	}
	return q
}

// Upload queues p as a job of its own and returns at once. If the queue is
// then over its job or byte bound, the oldest queued jobs are dropped and
// their profiles counted.
func (q *Queue) Upload(p *interval.Profile) {
	q.UploadBatch([]*interval.Profile{p})
}

// UploadBatch queues the profiles as one job, delivered in one Export call,
// and returns at once. It counts and drops like Upload. The queue owns
// profiles afterwards; an empty batch is ignored.
func (q *Queue) UploadBatch(profiles []*interval.Profile) {
	if len(profiles) == 0 {
		return
	}
	body, encodeErr := q.encode(profiles)
	n := uint64(len(profiles))
	q.mu.Lock()
	q.stats.Enqueued += n
	if q.closed {
		q.stats.Dropped += n
		q.mu.Unlock()
		q.log.dropped(len(profiles), "after shutdown")
		return
	}
	if encodeErr != nil && body == nil {
		q.stats.Failed += n
		q.stats.LastError = encodeErr.Error()
		q.stats.LastErrorTime = q.cfg.Now()
		q.mu.Unlock()
		if q.cfg.Logger != nil {
			q.cfg.Logger.Errorf("%s: %s cannot be sent: %v", q.cfg.Name, describe(profiles), encodeErr)
		}
		return
	}
	q.seq++
	var notBefore time.Time
	if q.cfg.Delay > 0 {
		notBefore = time.Now().Add(q.cfg.Delay)
	}
	j := newJob(profiles, body, q.seq, notBefore)
	for _, w := range q.pending {
		if w.failures > 0 && !w.asked && w.notBefore.After(notBefore) {
			w.notBefore = notBefore
		}
	}
	q.pending = append(q.pending, j)
	q.bytes += j.size
	dropped := q.evictLocked()
	if dropped > 0 {
		q.notifyLocked()
		q.work.Broadcast() // the jobs behind the dropped ones may go
	}
	q.work.Signal()
	q.mu.Unlock()
	if dropped > 0 {
		q.log.dropped(dropped, "queue full")
	}
}

// encode runs Config.Encode, if set, on profiles, logs an error that
// leaves a body, and releases the profiles' Data once there is one.
func (q *Queue) encode(profiles []*interval.Profile) ([]byte, error) {
	if q.cfg.Encode == nil {
		return nil, nil
	}
	body, err := q.cfg.Encode(profiles)
	if body == nil {
		return nil, err
	}
	if err != nil && q.cfg.Logger != nil {
		q.cfg.Logger.Errorf("%s: %v", q.cfg.Name, err)
	}
	for _, p := range profiles {
		p.Data = nil
	}
	return body, nil
}

// Flush waits until every profile queued before the call has been
// delivered, failed for good or dropped, or until ctx is done. Queued
// profiles skip their Delay, not their backoff.
func (q *Queue) Flush(ctx context.Context) error {
	q.mu.Lock()
	target := q.seq
	q.hurryLocked(false)
	for q.oldestLocked() <= target {
		changed := q.changed
		q.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("%s: flush: %w", q.cfg.Name, ctx.Err())
		}
		q.mu.Lock()
	}
	q.mu.Unlock()
	return nil
}

// Shutdown stops taking profiles and delivers what is queued, trying each
// job at once and then as its backoff allows, until ctx is done; then it
// cancels the deliveries in flight and drops what is left. While the
// destination fails, only ctx ends it.
// It returns once every worker has returned, with an error that counts the
// profiles lost while it ran (those lost earlier are in Stats and the log).
// Later calls return nil at once.
func (q *Queue) Shutdown(ctx context.Context) error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.closed = true
	q.hurryLocked(true)
	lostBefore := q.stats.Failed + q.stats.Dropped
	q.stopIfDrainedLocked()
	q.mu.Unlock()

	done := make(chan struct{})
	go func() {
		_ = q.group.Wait()
		close(done)
	}()
	var late error
	select {
	case <-done:
	case <-ctx.Done():
		late = ctx.Err()
		q.mu.Lock()
		q.stopping = true
		q.work.Broadcast()
		q.mu.Unlock()
		q.cancel()
		<-done
	}
	q.cancel()

	q.mu.Lock()
	if q.alarm != nil {
		q.alarm.Stop()
	}
	left := 0
	for _, j := range q.pending {
		left += len(j.batch)
	}
	q.stats.Dropped += uint64(left)
	q.pending = nil
	q.bytes = 0
	q.notifyLocked()
	lost := q.stats.Failed + q.stats.Dropped - lostBefore
	q.mu.Unlock()

	if lost == 0 {
		return nil
	}
	if late != nil {
		return fmt.Errorf("%s: shutdown: %d profiles not delivered (%d still queued when the deadline passed): %w",
			q.cfg.Name, lost, left, late)
	}
	if last := q.Stats().LastError; last != "" {
		return fmt.Errorf("%s: shutdown: %d profiles not delivered; the last error: %s", q.cfg.Name, lost, last)
	}
	return fmt.Errorf("%s: shutdown: %d profiles not delivered", q.cfg.Name, lost)
}

// Stats returns a snapshot of the counters.
func (q *Queue) Stats() upstream.Stats {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.stats
}

// oldestLocked returns the sequence number of the oldest job not yet done,
// or the largest number if there is none.
func (q *Queue) oldestLocked() uint64 {
	oldest := ^uint64(0)
	if len(q.pending) > 0 {
		oldest = q.pending[0].seq
	}
	for _, j := range q.inflight {
		oldest = min(oldest, j.seq)
	}
	return oldest
}

// hurryLocked makes every job queued so far skip the rest of its Delay,
// and with backoff too the rest of its backoff.
func (q *Queue) hurryLocked(backoff bool) {
	for _, j := range q.pending {
		if backoff || j.failures == 0 {
			j.notBefore = time.Time{}
		}
	}
	q.work.Broadcast()
}

// evictLocked drops the oldest queued jobs while the queue is over its
// bounds, counts them and returns how many profiles it dropped.
func (q *Queue) evictLocked() int {
	dropped, queued := 0, 0
	for _, j := range q.pending {
		queued += len(j.batch)
	}
	for len(q.pending) > 0 && (queued > q.cfg.MaxProfiles || q.bytes > q.cfg.MaxBytes) {
		q.bytes -= q.pending[0].size
		dropped += len(q.pending[0].batch)
		queued -= len(q.pending[0].batch)
		q.pending[0] = nil
		q.pending = q.pending[1:]
	}
	q.stats.Dropped += uint64(dropped)
	return dropped
}

// notifyLocked wakes every Flush waiting for a job to leave.
func (q *Queue) notifyLocked() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// stopIfDrainedLocked tells the workers to return once Shutdown has been
// called and nothing is left to deliver.
func (q *Queue) stopIfDrainedLocked() {
	if q.closed && len(q.pending) == 0 && len(q.inflight) == 0 {
		q.stopping = true
		q.work.Broadcast()
	}
}
