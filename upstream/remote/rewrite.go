package remote

import (
	"maps"

	"github.com/emberprof/ember/internal/pprofedit"
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
	missing := p.MissingLabels(u.SampleLabels(p.Tags))
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

// rewrite returns data with labels on every sample and without the
// sample types in drop (nor the samples left with nothing).
func rewrite(data []byte, labels map[string]string, drop map[string]bool) ([]byte, error) {
	var keep func(string) bool
	if len(drop) > 0 {
		keep = func(sampleType string) bool { return !drop[sampleType] }
	}
	return pprofedit.Rewrite(data, labels, keep)
}
