package queue

import (
	"cmp"
	"slices"
	"time"

	"github.com/emberprof/ember/internal/retry"
)

// worker takes jobs until the queue stops. A job waiting for its backoff
// stays queued, so no worker sleeps while others could be delivered.
func (q *Queue) worker() {
	for {
		q.mu.Lock()
		var j *job
		for !q.stopping {
			var next time.Time
			if j, next = q.takeLocked(time.Now()); j != nil {
				break
			}
			q.wakeLocked(next)
			q.work.Wait()
		}
		q.mu.Unlock()
		if j == nil {
			return
		}
		q.finish(j, q.attempt(j))
	}
}

// takeLocked removes and returns the oldest queued job that is due at now
// and none of whose keys has a job in flight or an older job still queued.
// If there is none it returns the earliest time a queued job falls due
// (zero if none waits).
func (q *Queue) takeLocked(now time.Time) (*job, time.Time) {
	var next time.Time
	var older map[string]bool // keys of the jobs passed over
	for i, j := range q.pending {
		due := !j.notBefore.After(now)
		if !due && (next.IsZero() || j.notBefore.Before(next)) {
			next = j.notBefore
		}
		if due && !slices.ContainsFunc(j.keys, func(k string) bool { return q.busy[k] || older[k] }) {
			q.pending = slices.Delete(q.pending, i, i+1)
			for _, k := range j.keys {
				q.busy[k] = true
			}
			q.inflight = append(q.inflight, j)
			return j, time.Time{}
		}
		if older == nil {
			older = make(map[string]bool)
		}
		for _, k := range j.keys {
			older[k] = true
		}
	}
	return nil, next
}

// wakeLocked wakes the workers at the given time, unless that is zero or
// a wake-up is already set for no later.
func (q *Queue) wakeLocked(at time.Time) {
	if at.IsZero() || !q.wakeAt.IsZero() && !q.wakeAt.After(at) {
		return
	}
	q.wakeAt = at
	if q.alarm == nil {
		q.alarm = time.AfterFunc(time.Until(at), q.wake)
		return
	}
	q.alarm.Reset(time.Until(at))
}

// wake lets the workers look for jobs that fell due.
func (q *Queue) wake() {
	q.mu.Lock()
	q.wakeAt = time.Time{}
	q.work.Broadcast()
	q.mu.Unlock()
}

// outcome is how an attempt ended.
type outcome int

const (
	delivered outcome = iota
	retrying          // failed, to be tried again once its backoff passes
	failed            // failed for good
	cancelled         // Shutdown's deadline passed
)

// attempt tries to deliver j once. After a retryable failure it sets when
// j may be tried again; after a success, the jobs waiting for a backoff
// are due at once: the destination is back.
func (q *Queue) attempt(j *job) outcome {
	sent, err := q.exp.Export(q.ctx, Job{Profiles: j.batch, Body: j.body})
	if err == nil {
		q.mu.Lock()
		q.stats.Delivered += uint64(len(j.batch))
		q.stats.BytesSent += uint64(sent)
		for _, w := range q.pending {
			if w.failures > 0 {
				w.failures = 0
				w.notBefore = time.Time{}
			}
		}
		q.mu.Unlock()
		q.log.succeeded()
		return delivered
	}
	if q.ctx.Err() != nil {
		return cancelled
	}
	after, retryable := retry.IsRetryable(err)
	q.mu.Lock()
	q.stats.LastError = err.Error()
	q.stats.LastErrorTime = q.cfg.Now()
	q.mu.Unlock()
	j.failures++
	q.log.failed(j.batch, err, j.failures, !retryable)
	if !retryable {
		return failed
	}
	j.notBefore = time.Now().Add(q.cfg.Backoff.Delay(j.failures, after))
	j.asked = after > 0
	return retrying
}

// finish records how j's attempt ended, frees its keys, and queues it
// again, in its place by age, if it is to be retried.
func (q *Queue) finish(j *job, how outcome) {
	q.mu.Lock()
	switch how {
	case retrying:
		q.stats.Retried++
	case failed:
		q.stats.Failed += uint64(len(j.batch))
	case cancelled:
		q.stats.Dropped += uint64(len(j.batch))
	}
	q.inflight = slices.DeleteFunc(q.inflight, func(x *job) bool { return x == j })
	for _, k := range j.keys {
		delete(q.busy, k)
	}
	dropped := 0
	if how == retrying {
		i, _ := slices.BinarySearchFunc(q.pending, j.seq, func(x *job, seq uint64) int { return cmp.Compare(x.seq, seq) })
		q.pending = slices.Insert(q.pending, i, j)
		dropped = q.evictLocked()
	} else {
		q.bytes -= j.size
	}
	q.notifyLocked()
	q.work.Broadcast()
	q.stopIfDrainedLocked()
	q.mu.Unlock()
	if dropped > 0 {
		q.log.dropped(dropped, "queue full")
	}
}
