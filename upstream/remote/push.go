package remote

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/emberprof/ember/internal/labels"
	"github.com/emberprof/ember/internal/queue"
	"github.com/emberprof/ember/interval"
)

// pushPath is the connect route of Pyroscope's push API.
const pushPath = "/push.v1.PusherService/Push"

// pusher delivers a batch of profiles (one interval's, or a single one) in
// one request to Pyroscope's push.v1.PusherService/Push, spoken in the
// connect protocol's unary form: a POST whose body is the protobuf
// PushRequest, answered with 200 and an empty PushResponse, or with an
// error status and a JSON {"code","message"} body.
//
// A server that answers the push route with 404, 415 or 501 (connect's
// "unimplemented") has no push API, or sits behind something that passes
// only /ingest: the pusher then delivers through /ingest, one request per
// profile, from that batch on, and logs that once.
//
// Retries and duplicates: each profile's ID is the same on every attempt,
// but Pyroscope v1.9.0 does not use it: its distributor gives every
// profile a new UUID (Distributor.sendRequestsToIngester; the newer write
// path's convertProfile in pkg/distributor/write_path/router.go too). So a
// retry after an answer that was lost or came after the attempt's timeout
// is stored a second time. It still counts once: the server's queries keep
// one profile per series and timestamp (pkg/querier/select_merge.go), as
// does compaction (dedupeProfileRowIterator in pkg/phlaredb/compact.go),
// and a retry repeats both. What does count twice is what the server
// meters on receipt: its ingestion rate limit and received-bytes figures.
// The same holds for /ingest. A batch that needs several requests (see
// maxPushRawBytes, or /ingest after the fall back) is retried from the
// first request the server did not accept.
type pusher struct {
	post   *ingester // where and how to POST: the push URL, headers, client
	ingest *ingester // the /ingest fallback
	seed   [16]byte  // makes profile IDs unique to this pusher
	log    interval.Logger

	fellBack atomic.Bool
	once     sync.Once

	// accepted remembers, for a batch whose export failed part of the way
	// through, how many of its profiles (from the start) the server has
	// already accepted, keyed by the batch's first profile: the retry
	// sends only the rest, so a request the rate limit admitted is not
	// spent again on every attempt. Entries go when their batch is
	// delivered; the map is cleared past maxRemembered entries (batches
	// the queue gave up on), which costs at worst one resend.
	mu       sync.Mutex
	accepted map[*interval.Profile]progress
}

// progress is how far the server got with a batch: the first profiles of
// it that were accepted, and the request bytes that carried them.
type progress struct{ profiles, bytes int }

// maxRemembered bounds pusher.accepted.
const maxRemembered = 1024

// newPusher returns a pusher to the server that ingest sends to, with
// ingest's headers, client and timeout.
func newPusher(ingest *ingester, log interval.Logger) *pusher {
	post := *ingest
	post.endpoint = strings.TrimSuffix(ingest.endpoint, "/ingest") + pushPath
	ps := &pusher{post: &post, ingest: ingest, log: log}
	_, _ = rand.Read(ps.seed[:]) // never fails (crypto/rand)
	return ps
}

// errNoPush marks an answer that means the server has no push API.
var errNoPush = errors.New("the server has no push API")

// Export delivers batch in one push request (more if it is too big for
// one, see maxPushRawBytes), or, once the server has turned out to lack
// the push API, one /ingest request per profile. It
// returns the bytes of the accepted request bodies. Errors worth retrying
// are marked with retry.Retryable, and a retry sends the same bytes, the
// profile IDs included.
func (ps *pusher) Export(ctx context.Context, job queue.Job) (int, error) {
	batch := job.Profiles
	if len(batch) == 0 {
		return 0, nil
	}
	key := batch[0]
	done := ps.progress(key)
	rest, sent := batch[done.profiles:], done.bytes
	if !ps.fellBack.Load() {
		for part := range requestsOf(rest) {
			n, err := ps.push(ctx, part)
			if errors.Is(err, errNoPush) {
				ps.fallBack(err)
				break
			}
			if err != nil {
				ps.remember(key, progress{len(batch) - len(rest), sent})
				return 0, err
			}
			sent += n
			rest = rest[len(part):]
		}
	}
	for len(rest) > 0 {
		n, err := ps.ingest.Export(ctx, rest[0])
		if err != nil {
			ps.remember(key, progress{len(batch) - len(rest), sent})
			return 0, err
		}
		sent += n
		rest = rest[1:]
	}
	ps.remember(key, progress{})
	return sent, nil
}

// progress returns how far the server got with the batch starting with
// key.
func (ps *pusher) progress(key *interval.Profile) progress {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.accepted[key]
}

// remember records how far the server got with the batch starting with
// key; the zero progress forgets the batch.
func (ps *pusher) remember(key *interval.Profile, done progress) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if done.profiles == 0 {
		delete(ps.accepted, key)
		return
	}
	if ps.accepted == nil || len(ps.accepted) >= maxRemembered {
		ps.accepted = make(map[*interval.Profile]progress)
	}
	ps.accepted[key] = done
}

// maxPushRawBytes bounds the uncompressed profile bytes of one push
// request. The server's rate limit weighs a request by its uncompressed
// size and refuses, with a retryable 429, one that its token bucket cannot
// hold (Distributor.rateLimit); with the default burst of 2 MiB per tenant
// a bigger request would be refused however long it waited. Half of that
// leaves room for the labels and for the tenant's other senders, and still
// holds a whole interval of most services.
const maxPushRawBytes = 1 << 20

// requestsOf splits batch, in order, into runs of profiles whose
// uncompressed sizes add up to at most maxPushRawBytes; a profile bigger
// than that goes alone, as it would to /ingest.
func requestsOf(batch []*interval.Profile) iter.Seq[[]*interval.Profile] {
	return func(yield func([]*interval.Profile) bool) {
		start, size := 0, 0
		for i, p := range batch {
			n := rawSize(p.Data)
			if i > start && size+n > maxPushRawBytes {
				if !yield(batch[start:i]) {
					return
				}
				start, size = i, 0
			}
			size += n
		}
		if start < len(batch) {
			yield(batch[start:])
		}
	}
}

// rawSize is the uncompressed size of a gzip-compressed profile, as its
// gzip trailer records it (modulo 4 GiB), or data's length if it is not
// gzip.
func rawSize(data []byte) int {
	if len(data) < 18 || data[0] != 0x1f || data[1] != 0x8b {
		return len(data)
	}
	return int(binary.LittleEndian.Uint32(data[len(data)-4:]))
}

// fallBack switches to /ingest for good, and says so once.
func (ps *pusher) fallBack(why error) {
	ps.fellBack.Store(true)
	ps.once.Do(func() {
		if ps.log != nil {
			ps.log.Infof("ember upstream/remote: %v; sending each profile to %s instead", why, ps.ingest.endpoint)
		}
	})
}

// push sends batch as one PushRequest.
func (ps *pusher) push(ctx context.Context, batch []*interval.Profile) (int, error) {
	body, err := ps.encode(batch)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, ps.post.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ps.post.endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("POST %s: %w", ps.post.endpoint, err)
	}
	for k, v := range ps.post.header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/proto")
	req.Header.Set("Connect-Protocol-Version", "1")

	resp, err := ps.post.client.Do(req)
	if err != nil {
		return 0, ps.post.transportError(err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	switch code := resp.StatusCode; {
	case code/100 == 2:
		return len(body), nil
	case code == http.StatusNotFound, code == http.StatusUnsupportedMediaType, code == http.StatusNotImplemented:
		return 0, fmt.Errorf("%w (POST %s: server answered %s)", errNoPush, ps.post.endpoint, resp.Status)
	}
	return 0, ps.post.statusError(resp, msg)
}

// encode builds the PushRequest for batch: one series per profile, each
// with the labels /ingest would give it. The profiles are sent as they
// were queued (Uploader.prepare): no attempt re-encodes one.
func (ps *pusher) encode(batch []*interval.Profile) ([]byte, error) {
	series := make([]pushSeries, 0, len(batch))
	for _, p := range batch {
		for k := range p.Tags {
			if err := labels.CheckKey(k); err != nil {
				return nil, fmt.Errorf("%s %s profile: %w", p.Application, p.Type, err)
			}
		}
		name := profileTypes[p.Type].name
		if name == "" {
			name = string(p.Type)
		}
		series = append(series, pushSeries{labels: seriesLabelsOf(p, name), profile: p.Data, id: profileID(&ps.seed, p)})
	}
	return encodePushRequest(series), nil
}
