package queue

import (
	"slices"
	"time"

	"github.com/emberprof/ember/internal/retry"
)

// worker takes jobs until the queue stops.
func (q *Queue) worker() {
	for {
		q.mu.Lock()
		var j *job
		for !q.stopping {
			if j = q.takeLocked(); j != nil {
				break
			}
			q.work.Wait()
		}
		if j == nil {
			q.mu.Unlock()
			return
		}
		var hurry chan struct{} // nil: no Delay for j
		if j.seq > q.hurried {
			hurry = q.hurry
		}
		q.mu.Unlock()

		q.finish(j, q.deliver(j, hurry))
	}
}

// takeLocked removes and returns the oldest queued job none of whose keys
// has a job in flight or an older job still queued, or nil.
func (q *Queue) takeLocked() *job {
	var older map[string]bool // keys of the jobs passed over
	for i, j := range q.pending {
		if !slices.ContainsFunc(j.keys, func(k string) bool { return q.busy[k] || older[k] }) {
			q.pending = slices.Delete(q.pending, i, i+1)
			for _, k := range j.keys {
				q.busy[k] = true
			}
			q.inflight = append(q.inflight, j)
			return j
		}
		if older == nil {
			older = make(map[string]bool)
		}
		for _, k := range j.keys {
			older[k] = true
		}
	}
	return nil
}

// outcome is how a delivery ended.
type outcome int

const (
	delivered outcome = iota
	failed            // given up on after an error
	cancelled         // Shutdown's deadline passed
)

// deliver runs the attempts for one job.
func (q *Queue) deliver(j *job, hurry <-chan struct{}) outcome {
	if wait := j.queued.Add(q.cfg.Delay).Sub(q.cfg.Now()); hurry != nil && q.cfg.Delay > 0 && wait > 0 {
		if !q.sleep(wait, hurry) {
			return cancelled
		}
	}
	for attempt := 1; ; attempt++ {
		sent, err := q.exp.Export(q.ctx, j.batch)
		if err == nil {
			q.mu.Lock()
			q.stats.Delivered += uint64(len(j.batch))
			q.stats.BytesSent += uint64(sent)
			q.mu.Unlock()
			q.log.succeeded()
			return delivered
		}
		if q.ctx.Err() != nil {
			return cancelled
		}
		after, retryable := retry.IsRetryable(err)
		final := !retryable || attempt >= q.cfg.MaxAttempts
		q.mu.Lock()
		q.stats.LastError = err.Error()
		q.stats.LastErrorTime = q.cfg.Now()
		if !final {
			q.stats.Retried++
		}
		q.mu.Unlock()
		q.log.failed(j.batch, err, attempt, final)
		if final {
			return failed
		}
		if !q.sleep(q.cfg.Backoff.Delay(attempt, after), nil) {
			return cancelled
		}
	}
}

// sleep waits for d, or until hurry is closed; it reports false if the
// queue's context was cancelled first.
func (q *Queue) sleep(d time.Duration, hurry <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-hurry:
		return true
	case <-q.ctx.Done():
		return false
	}
}

// finish records how j ended and frees its key.
func (q *Queue) finish(j *job, how outcome) {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch how {
	case failed:
		q.stats.Failed += uint64(len(j.batch))
	case cancelled:
		q.stats.Dropped += uint64(len(j.batch))
	}
	q.inflight = slices.DeleteFunc(q.inflight, func(x *job) bool { return x == j })
	for _, k := range j.keys {
		delete(q.busy, k)
	}
	q.bytes -= j.size
	q.notifyLocked()
	q.work.Broadcast()
	q.stopIfDrainedLocked()
}
