package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxAnswerBytes bounds a query answer read into memory.
const maxAnswerBytes = 1 << 30

// A Querier calls the server's query API (connect endpoints such as
// /querier.v1.QuerierService/SelectMergeProfile) with the address,
// credentials, tenant, headers and HTTP client rules an Uploader uses, so
// tools reading profiles back share the settings of the processes that
// sent them. It is safe for concurrent use.
type Querier struct {
	base   *url.URL
	header http.Header
	client *http.Client
}

// NewQuerier checks cfg's address and credentials and returns a Querier;
// the delivery fields (queue, workers, attempts, jitter) are not used.
func NewQuerier(cfg Config) (*Querier, error) {
	ingest, header, err := server(cfg)
	if err != nil {
		return nil, err
	}
	q := &Querier{base: ingest, header: header, client: cfg.HTTPClient}
	q.base.Path = strings.TrimSuffix(q.base.Path, "/ingest")
	if q.client == nil {
		q.client = ownClient(cfg, 1)
	}
	return q, nil
}

// Call POSTs body, of type contentType, to path under the server's address
// and returns the answer's body. An answer other than 2xx is an error with
// the server's message; errors never show credentials.
func (q *Querier) Call(ctx context.Context, path, contentType string, body []byte) ([]byte, error) {
	endpoint := withPath(q.base, path).String()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range q.header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := q.client.Do(req)
	if err != nil {
		if urlErr := (*url.Error)(nil); errors.As(err, &urlErr) {
			err = urlErr.Err // its URL is endpoint, said once below
		}
		return nil, fmt.Errorf("POST %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return nil, fmt.Errorf("POST %s: reading the answer: %w", endpoint, err)
	}
	if resp.StatusCode/100 != 2 {
		msg := serverMessage(answer)
		if resp.StatusCode == http.StatusUnauthorized && strings.Contains(msg, "no org id") {
			msg += " (the server is multi-tenant: set the tenant ID)"
		}
		return nil, fmt.Errorf("POST %s: server answered %s: %s", endpoint, resp.Status, msg)
	}
	return answer, nil
}
