package remote

import (
	"bytes"
	"fmt"
	"maps"

	"github.com/google/pprof/profile"

	emberlabels "github.com/emberprof/ember/internal/labels"
	"github.com/emberprof/ember/internal/pprofenc"
	"github.com/emberprof/ember/interval"
)

// SampleLabels returns the tags that must travel as labels on every
// sample: those whose value a series name cannot hold (see [seriesName]),
// which /ingest can deliver no other way. The push transport sends every
// tag as a label of its own, but it falls back to /ingest on an old
// server, so the answer is the same for both; on push, a sample label
// equal to a series label changes nothing (the server keeps the series
// label). Ember's session asks once, at start, and builds every profile
// with them (upstream.SampleLabeler).
func (u *Uploader) SampleLabels(tags map[string]string) map[string]string {
	var odd map[string]string
	for k, v := range tags {
		if !fitsInName(v) {
			if odd == nil {
				odd = make(map[string]string)
			}
			odd[k] = v
		}
	}
	return odd
}

// prepare makes p what every attempt sends, once, as p is queued. A
// profile from Ember's session arrives finished: cut to its sample types
// and with [Uploader.SampleLabels] on its samples. One from another
// producer is cut and labelled here, in one decode and one encode, so that
// no attempt re-encodes it. The Uploader owns p, so p is changed in place.
// A profile that cannot be decoded is left as it is, and the server's
// answer to it says why.
func (u *Uploader) prepare(p *interval.Profile) {
	drop := dropSampleTypes(p.Type, p.SampleTypes)
	missing := make(map[string]string)
	for k, v := range u.SampleLabels(p.Tags) {
		if have, ok := p.SampleLabels[k]; !ok || have != v {
			missing[k] = v
		}
	}
	if len(drop) == 0 && len(missing) == 0 {
		return
	}
	data, err := rewrite(p.Data, missing, drop)
	if err != nil {
		return
	}
	p.Data, p.SampleTypes = data, nil
	if len(missing) > 0 {
		p.SampleLabels = maps.Clone(p.SampleLabels)
		if p.SampleLabels == nil {
			p.SampleLabels = make(map[string]string, len(missing))
		}
		maps.Copy(p.SampleLabels, missing)
	}
}

// rewrite decodes a gzipped pprof, sets labels on every sample, removes the
// sample types in drop (and the samples left with nothing), and encodes it
// again.
func rewrite(data []byte, labels map[string]string, drop map[string]bool) ([]byte, error) {
	p, err := profile.ParseData(data)
	if err == nil {
		err = p.CheckValid() // Write dereferences what parsing let through
	}
	if err != nil {
		return nil, fmt.Errorf("decode profile: %w", err)
	}
	if len(drop) > 0 {
		dropSamples(p, drop)
	}
	emberlabels.SetOnSamples(p, labels)
	var buf bytes.Buffer
	buf.Grow(len(data))
	if err := pprofenc.Compress(&buf, p.WriteUncompressed); err != nil {
		return nil, fmt.Errorf("encode profile: %w", err)
	}
	return buf.Bytes(), nil
}

// dropSamples removes the sample types in drop from p.
func dropSamples(p *profile.Profile, drop map[string]bool) {
	var keep []int
	var types []*profile.ValueType
	for i, st := range p.SampleType {
		if !drop[st.Type] {
			keep = append(keep, i)
			types = append(types, st)
		}
	}
	p.SampleType = types
	if drop[p.DefaultSampleType] {
		p.DefaultSampleType = ""
	}
	samples := p.Sample[:0]
	for _, s := range p.Sample {
		values := make([]int64, len(keep))
		nonzero := false
		for j, i := range keep {
			values[j] = s.Value[i]
			nonzero = nonzero || values[j] != 0
		}
		if nonzero {
			s.Value = values
			samples = append(samples, s)
		}
	}
	p.Sample = samples
}
