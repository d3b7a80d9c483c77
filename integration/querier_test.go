package integration_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// querier calls the server's query API, querier.v1.QuerierService, with
// JSON over HTTP. Times go over the wire in Unix milliseconds.
type querier struct {
	base   string // server URL, without a trailing slash
	tenant string // X-Scope-OrgID; empty sends none
	client *http.Client
}

func newQuerier(base, tenant string) *querier {
	return &querier{base: base, tenant: tenant, client: &http.Client{Timeout: 30 * time.Second}}
}

// queryError is a non-2xx answer from the server.
type queryError struct {
	Status int
	Body   string
}

func (e *queryError) Error() string {
	return fmt.Sprintf("query API: HTTP %d: %s", e.Status, e.Body)
}

// call calls method once, or again after an answer of 500 or more: the
// server's queriers sometimes fail a query for a moment under load
// ("canceled: stream error ... CANCEL"), and queries are reads, safe to
// repeat. Up to four tries, about 1.75 s in all.
func (q *querier) call(ctx context.Context, method string, req, resp any) error {
	wait := 250 * time.Millisecond
	for try := 1; ; try++ {
		err := q.callOnce(ctx, method, req, resp)
		var qe *queryError
		if try == 4 || !errors.As(err, &qe) || qe.Status < 500 {
			return err
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return err
		}
		wait *= 2
	}
}

func (q *querier) callOnce(ctx context.Context, method string, req, resp any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, q.base+"/querier.v1.QuerierService/"+method, bytes.NewReader(body))
	if err != nil {
		return err
	}
	r.Header.Set("Content-Type", "application/json")
	if q.tenant != "" {
		r.Header.Set("X-Scope-OrgID", q.tenant)
	}
	res, err := q.client.Do(r)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return &queryError{Status: res.StatusCode, Body: string(data)}
	}
	if err := json.Unmarshal(data, resp); err != nil {
		return fmt.Errorf("query API: %s: decoding %q: %w", method, data, err)
	}
	return nil
}

// unixMilli is t as the query API takes times: Unix milliseconds.
func unixMilli(t time.Time) int64 { return t.UnixMilli() }

// profileType is one entry of ProfileTypes' answer.
type profileType struct {
	ID         string `json:"ID"`
	Name       string `json:"name"`
	SampleType string `json:"sampleType"`
	SampleUnit string `json:"sampleUnit"`
	PeriodType string `json:"periodType"`
	PeriodUnit string `json:"periodUnit"`
}

// ProfileTypes lists the profile types with data between start and end.
func (q *querier) ProfileTypes(ctx context.Context, start, end time.Time) ([]profileType, error) {
	var resp struct {
		ProfileTypes []profileType `json:"profileTypes"`
	}
	err := q.call(ctx, "ProfileTypes", map[string]any{"start": unixMilli(start), "end": unixMilli(end)}, &resp)
	return resp.ProfileTypes, err
}

// LabelNames lists label names of the series the matchers select.
func (q *querier) LabelNames(ctx context.Context, matchers []string, start, end time.Time) ([]string, error) {
	var resp struct {
		Names []string `json:"names"`
	}
	err := q.call(ctx, "LabelNames", map[string]any{"matchers": matchers, "start": unixMilli(start), "end": unixMilli(end)}, &resp)
	return resp.Names, err
}

// LabelValues lists the values of label name in the series the matchers select.
func (q *querier) LabelValues(ctx context.Context, name string, matchers []string, start, end time.Time) ([]string, error) {
	var resp struct {
		Names []string `json:"names"`
	}
	err := q.call(ctx, "LabelValues", map[string]any{"name": name, "matchers": matchers, "start": unixMilli(start), "end": unixMilli(end)}, &resp)
	return resp.Names, err
}

// labelPair is one label of a series.
type labelPair struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// labels maps a series' label pairs by name.
func labels(pairs []labelPair) map[string]string {
	m := make(map[string]string, len(pairs))
	for _, p := range pairs {
		m[p.Name] = p.Value
	}
	return m
}

// Series returns the label sets of the series the matchers select.
func (q *querier) Series(ctx context.Context, matchers []string, start, end time.Time) ([]map[string]string, error) {
	var resp struct {
		LabelsSet []struct {
			Labels []labelPair `json:"labels"`
		} `json:"labelsSet"`
	}
	err := q.call(ctx, "Series", map[string]any{"matchers": matchers, "start": unixMilli(start), "end": unixMilli(end)}, &resp)
	sets := make([]map[string]string, 0, len(resp.LabelsSet))
	for _, s := range resp.LabelsSet {
		sets = append(sets, labels(s.Labels))
	}
	return sets, err
}

// SelectMergeStacktraces merges every profile of profileTypeID that
// selector picks between start and end into one flame graph.
func (q *querier) SelectMergeStacktraces(ctx context.Context, profileTypeID, selector string, start, end time.Time) (*flamegraph, error) {
	var resp struct {
		Flamegraph flamegraph `json:"flamegraph"`
	}
	err := q.call(ctx, "SelectMergeStacktraces", map[string]any{
		"profileTypeID": profileTypeID, "labelSelector": selector,
		"start": unixMilli(start), "end": unixMilli(end), "maxNodes": 65536,
	}, &resp)
	return &resp.Flamegraph, err
}

// point is one value of a series at a time.
type point struct {
	Value     float64
	Timestamp time.Time
}

// series is one answer of SelectSeries: the points of one label group.
type series struct {
	Labels map[string]string
	Points []point
}

// SelectSeries sums the values of profileTypeID's profiles that selector
// picks into steps of step, one series per distinct value of groupBy.
func (q *querier) SelectSeries(ctx context.Context, profileTypeID, selector string, start, end time.Time, step time.Duration, groupBy ...string) ([]series, error) {
	var resp struct {
		Series []struct {
			Labels []labelPair `json:"labels"`
			Points []struct {
				Value     float64 `json:"value"`
				Timestamp jsonInt `json:"timestamp"`
			} `json:"points"`
		} `json:"series"`
	}
	if groupBy == nil {
		groupBy = []string{}
	}
	err := q.call(ctx, "SelectSeries", map[string]any{
		"profileTypeID": profileTypeID, "labelSelector": selector,
		"start": unixMilli(start), "end": unixMilli(end), "step": step.Seconds(), "groupBy": groupBy,
	}, &resp)
	out := make([]series, 0, len(resp.Series))
	for _, s := range resp.Series {
		ps := make([]point, 0, len(s.Points))
		for _, p := range s.Points {
			ps = append(ps, point{Value: p.Value, Timestamp: time.UnixMilli(int64(p.Timestamp))})
		}
		out = append(out, series{Labels: labels(s.Labels), Points: ps})
	}
	return out, err
}

// jsonInt reads a 64-bit integer that protobuf's JSON mapping writes as a
// string ("123"); plain numbers are read as well.
type jsonInt int64

func (n *jsonInt) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not an integer: %s", b)
	}
	*n = jsonInt(v)
	return nil
}
