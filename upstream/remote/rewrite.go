package remote

import (
	"bytes"
	"fmt"

	"github.com/google/pprof/profile"

	emberlabels "github.com/emberprof/ember/internal/labels"
	"github.com/emberprof/ember/internal/pprofenc"
	"github.com/emberprof/ember/interval"
)

// rewrite decodes a gzipped pprof, sets labels on every sample, removes the
// sample types in drop (and the samples left with nothing), and encodes it
// again. It runs only when a profile needs it: tags that cannot go in the
// series name, or sample types the user did not ask for.
func rewrite(data []byte, labels map[string]string, drop map[string]bool) ([]byte, error) {
	p, err := profile.ParseData(data)
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

// cutOnce removes the sample types p does not ask for, once, as p is
// queued: the cut bytes are what every attempt sends, on either transport,
// so no retry decodes and encodes p again. The Uploader owns p, so p is
// changed in place and its SampleTypes cleared. A profile that cannot be
// cut is left as it is, and the transport reports why.
func cutOnce(p *interval.Profile) {
	drop := dropSampleTypes(p.Type, p.SampleTypes)
	if len(drop) == 0 {
		return
	}
	data, err := rewrite(p.Data, nil, drop)
	if err != nil {
		return
	}
	p.Data, p.SampleTypes = data, nil
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
