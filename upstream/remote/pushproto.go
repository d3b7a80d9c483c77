package remote

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/emberprof/ember/internal/pprofenc"
	"github.com/emberprof/ember/interval"
)

// The push request, as Pyroscope's push/v1/push.proto and types/v1 define
// it (github.com/grafana/pyroscope/api, checked at v1.0.0):
//
//	PushRequest      { repeated RawProfileSeries series = 1; }
//	RawProfileSeries { repeated LabelPair labels = 1; repeated RawSample samples = 2; }
//	LabelPair        { string name = 1; string value = 2; }
//	RawSample        { bytes raw_profile = 1; string ID = 2; }
//
// Four messages of strings and bytes: they are written here with
// internal/pprofenc's protobuf writer rather than with the server's api
// module, whose generated code brings connect, gRPC and protobuf into the
// module of every program that imports Ember.
const (
	pushRequestSeries = 1
	seriesLabels      = 1
	seriesSamples     = 2
	labelPairName     = 1
	labelPairValue    = 2
	rawSampleProfile  = 1
	rawSampleID       = 2
)

// labelPair is one label of a series.
type labelPair struct{ name, value string }

// pushSeries is one RawProfileSeries of a push request, with one profile.
type pushSeries struct {
	labels  []labelPair // sorted by name
	profile []byte      // gzipped pprof
	id      string      // the profile's UUID
}

// encodePushRequest writes a PushRequest holding series, in one
// allocation of the exact size.
func encodePushRequest(series []pushSeries) []byte {
	n := 0
	for _, s := range series {
		n += pprofenc.BytesFieldSize(pushRequestSeries, s.size())
	}
	b := make([]byte, 0, n)
	for _, s := range series {
		b = pprofenc.AppendMessageHeader(b, pushRequestSeries, s.size())
		for _, l := range s.labels {
			b = pprofenc.AppendMessageHeader(b, seriesLabels, l.size())
			b = pprofenc.AppendBytesField(b, labelPairName, l.name)
			b = pprofenc.AppendBytesField(b, labelPairValue, l.value)
		}
		b = pprofenc.AppendMessageHeader(b, seriesSamples, s.sampleSize())
		b = pprofenc.AppendBytesField(b, rawSampleProfile, s.profile)
		b = pprofenc.AppendBytesField(b, rawSampleID, s.id)
	}
	return b
}

func (l labelPair) size() int {
	return pprofenc.BytesFieldSize(labelPairName, len(l.name)) + pprofenc.BytesFieldSize(labelPairValue, len(l.value))
}

func (s pushSeries) sampleSize() int {
	return pprofenc.BytesFieldSize(rawSampleProfile, len(s.profile)) + pprofenc.BytesFieldSize(rawSampleID, len(s.id))
}

func (s pushSeries) size() int {
	n := pprofenc.BytesFieldSize(seriesSamples, s.sampleSize())
	for _, l := range s.labels {
		n += pprofenc.BytesFieldSize(seriesLabels, l.size())
	}
	return n
}

// seriesLabels returns the labels of p's series as the server's /ingest
// handler sets them for the same profile (pkg/og/convert/pprof/profile.go,
// RawProfile.createLabels, in Pyroscope v1.9.0), so that both transports
// fill the same series: __name__ is the profile type's name, __delta__
// "false" says the values are already per-interval (the server would
// otherwise compute deltas of alloc_* itself and drop the first profile),
// service_name is the application, pyroscope_spy is "gospy", and the tags
// follow. A tag named like one of the server's labels replaces it.
func seriesLabelsOf(p *interval.Profile, name string) []labelPair {
	ls := make([]labelPair, 0, 4+len(p.Tags))
	base := [...]labelPair{
		{"__name__", name}, {"__delta__", "false"}, {"service_name", p.Application}, {"pyroscope_spy", "gospy"},
	}
	for _, l := range base {
		if _, ok := p.Tags[l.name]; !ok {
			ls = append(ls, l)
		}
	}
	for k, v := range p.Tags {
		ls = append(ls, labelPair{k, v})
	}
	slices.SortFunc(ls, func(a, b labelPair) int { return strings.Compare(a.name, b.name) })
	return ls
}

// profileID returns the UUID that p carries in a push request. It is made
// from seed (random, one per Uploader) and what tells p apart from every
// other profile of that Uploader: its application, type, tags and
// interval. So it is the same on every attempt to deliver p, with no state
// kept, and unique across processes. The UUID is of version 8 (RFC 9562:
// custom), as the server parses but does not interpret it.
func profileID(seed *[16]byte, p *interval.Profile) string {
	h := sha256.New()
	h.Write(seed[:])
	var num [8]byte
	field := func(s string) {
		binary.LittleEndian.PutUint64(num[:], uint64(len(s)))
		h.Write(num[:])
		h.Write([]byte(s))
	}
	field(p.Application)
	field(string(p.Type))
	for _, t := range []int64{p.From.UnixNano(), p.Until.UnixNano()} {
		binary.LittleEndian.PutUint64(num[:], uint64(t))
		h.Write(num[:])
	}
	keys := make([]string, 0, len(p.Tags))
	for k := range p.Tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		field(k)
		field(p.Tags[k])
	}
	var id [16]byte
	copy(id[:], h.Sum(nil))
	id[6] = id[6]&0x0f | 0x80 // version 8
	id[8] = id[8]&0x3f | 0x80 // RFC 9562 variant
	var s [36]byte
	hex.Encode(s[0:8], id[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], id[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], id[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], id[8:10])
	s[23] = '-'
	hex.Encode(s[24:], id[10:])
	return string(s[:])
}
