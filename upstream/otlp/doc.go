// Package otlp delivers Ember's profiles to an OpenTelemetry receiver
// (the Collector, or any backend that speaks OTLP profiles) over OTLP/HTTP.
//
// Each interval's profiles go out as one ExportProfilesServiceRequest, a
// gzip-compressed protobuf POSTed to {Endpoint}/v1development/profiles with
// the OTLP-Profiles-Development-Version header. The profiles signal is in
// development: a receiver built for another version answers 400 naming that
// header, which this package reports as [ErrVersionRefused] and does not
// retry.
//
// The mapping from pprof:
//   - one resource per application, with service.name and the series tags
//     as attributes, and the instrumentation scope github.com/emberprof/ember;
//   - one OTLP profile per pprof sample type (OTLP profiles carry one each),
//     with the attribute ember.profile.type naming the runtime profile, since
//     mutex and block profiles share their sample types;
//   - samples keep their stacks and values; pprof labels become sample
//     attributes, except span_id (and trace_id with it) which become the
//     sample's link to the span; numeric labels keep their units;
//   - what happened during the interval (CPU, allocations, mutex and block
//     contention) is a delta: time is the interval's start, duration its
//     length. What was there at its end (in-use memory, goroutines) is a
//     gauge: time is the interval's end, with no duration.
//
// The data model is the Collector's pdata/pprofile: the receiver itself
// decodes with it, it carries the development version it speaks, and it
// moves with the proto. All tables of one request share one dictionary.
//
// Delivery is upstream/remote's: the same bounded queue, retries with
// backoff and jitter for network errors and the answers OTLP/HTTP calls
// retryable (429, 502, 503, 504, honouring Retry-After), and the same
// Stats. Requests go out one at a time, in order.
package otlp
