package remote

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxAnswerBytes bounds a query answer read into memory.
const maxAnswerBytes = 1 << 30

// A Querier calls the server's query API (connect endpoints such as
// /querier.v1.QuerierService/SelectMergeProfile) with the address,
// credentials, tenant, headers, redirect rules and redaction of secrets an
// Uploader uses, so tools reading profiles back share the settings of the
// processes that sent them. It is safe for concurrent use.
type Querier struct {
	base   string // the server's URL, without user info or trailing slash
	header http.Header
	client *http.Client
	redact *redactor
}

// NewQuerier checks cfg's address and credentials and returns a Querier;
// the delivery fields (queue, workers, attempts, jitter, transport) are
// not used.
func NewQuerier(cfg Config) (*Querier, error) {
	if err := applyAliases(&cfg); err != nil {
		return nil, err
	}
	ingest, header, redact, err := server(cfg)
	if err != nil {
		return nil, err
	}
	q := &Querier{
		base:   strings.TrimSuffix(ingest.String(), "/ingest"),
		header: header,
		client: cfg.HTTPClient,
		redact: redact,
	}
	if q.client == nil {
		q.client = newClient(1)
	} else {
		q.client = withRedirectPolicy(q.client)
	}
	return q, nil
}

// Call POSTs body, of type contentType, to path under the server's address
// and returns the answer's body. An answer other than 2xx is an error with
// the server's message. Errors never show credentials; a call that ctx
// ended wraps ctx's error.
func (q *Querier) Call(ctx context.Context, path, contentType string, body []byte) ([]byte, error) {
	endpoint := q.base + path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, q.redact.error(err)
	}
	for k, v := range q.header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := q.client.Do(req)
	if err == nil {
		defer resp.Body.Close()
		var answer []byte
		answer, err = io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
		if err == nil && resp.StatusCode/100 == 2 {
			return answer, nil
		}
		if err == nil {
			msg := serverMessage(answer, q.redact.text)
			if resp.StatusCode == http.StatusUnauthorized && strings.Contains(msg, "no org id") {
				msg += " (the server is multi-tenant: set the tenant ID)"
			}
			return nil, fmt.Errorf("POST %s: server answered %s: %s", endpoint, q.redact.text(resp.Status), msg)
		}
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("POST %s: %w", endpoint, ctx.Err())
	}
	return nil, q.redact.error(fmt.Errorf("POST %s: %w", endpoint, err))
}
