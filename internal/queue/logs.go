package queue

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/emberprof/ember/interval"
)

// dropLogEvery is the least time between two log lines about dropped
// profiles; the drops in between are summed into the next line.
const dropLogEvery = time.Minute

// maxDistinct bounds the set of error messages already logged.
const maxDistinct = 64

// logs keeps the queue's logging quiet: drops are rate-limited, and each
// kind of error (see kindOf) is logged once until a delivery succeeds again.
type logs struct {
	name string
	out  interval.Logger
	now  func() time.Time

	mu         sync.Mutex
	lastDrop   time.Time
	unreported int                 // drops not logged yet
	seen       map[string]struct{} // errors logged since the last success
}

func newLogs(name string, out interval.Logger, now func() time.Time) logs {
	return logs{name: name, out: out, now: now, seen: make(map[string]struct{})}
}

// dropped notes n dropped profiles and logs them unless a line about drops
// went out less than dropLogEvery ago.
func (l *logs) dropped(n int, why string) {
	if l.out == nil {
		return
	}
	l.mu.Lock()
	l.unreported += n
	now := l.now()
	if !l.lastDrop.IsZero() && now.Sub(l.lastDrop) < dropLogEvery {
		l.mu.Unlock()
		return
	}
	total := l.unreported
	l.unreported = 0
	l.lastDrop = now
	l.mu.Unlock()
	l.out.Errorf("%s: dropped %d profiles (%s); see Stats().Dropped", l.name, total, why)
}

// failed logs a failed attempt: at error level the first time its message
// is seen since the last success, at debug level after that.
func (l *logs) failed(batch []*interval.Profile, err error, attempt int, final bool) {
	if l.out == nil {
		return
	}
	msg := err.Error()
	key := kindOf(err)
	l.mu.Lock()
	_, old := l.seen[key]
	if !old {
		if len(l.seen) >= maxDistinct {
			clear(l.seen)
		}
		l.seen[key] = struct{}{}
	}
	l.mu.Unlock()
	what := "will retry"
	if final {
		what = "giving up"
	}
	log := l.out.Errorf
	if old {
		log = l.out.Debugf
	}
	log("%s: %s, attempt %d: %s; %s", l.name, describe(batch), attempt, msg, what)
}

// describe names a job's profiles for the log, e.g. "app cpu profile" or
// "app cpu+heap profiles".
func describe(batch []*interval.Profile) string {
	if len(batch) == 1 {
		return fmt.Sprintf("%s %s profile", batch[0].Application, batch[0].Type)
	}
	types := make([]string, len(batch))
	for i, p := range batch {
		types[i] = string(p.Type)
	}
	return fmt.Sprintf("%s %s profiles", batch[0].Application, strings.Join(types, "+"))
}

// succeeded forgets the errors seen, so that a new outage is logged again.
func (l *logs) succeeded() {
	l.mu.Lock()
	if len(l.seen) > 0 {
		clear(l.seen)
	}
	l.mu.Unlock()
}
