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

// takeLocked removes and returns the oldest queued job whose key has no job
// in flight, or nil.
func (q *Queue) takeLocked() *job {
	for i, j := range q.pending {
		if q.busy[j.key] {
			continue
		}
		q.pending = slices.Delete(q.pending, i, i+1)
		q.busy[j.key] = true
		q.inflight = append(q.inflight, j)
		return j
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
		sent, err := q.exp.Export(q.ctx, j.p)
		if err == nil {
			q.mu.Lock()
			q.stats.Delivered++
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
		q.log.failed(j.p, err, attempt, final)
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
		q.stats.Failed++
	case cancelled:
		q.stats.Dropped++
	}
	q.inflight = slices.DeleteFunc(q.inflight, func(x *job) bool { return x == j })
	delete(q.busy, j.key)
	q.bytes -= j.size
	q.notifyLocked()
	q.work.Broadcast()
	q.stopIfDrainedLocked()
}
