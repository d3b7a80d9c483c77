// Package envconfig reads Ember's settings from the environment variables
// that the Pyroscope agents and SDKs document, so that a service configured
// for another Pyroscope client works with Ember unchanged.
//
// It only parses: the caller decides which values an explicit
// configuration overrides. A malformed variable is an error that names it.
package envconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/emberprof/ember/internal/labels"
)

// The variables read, in the order the README's table lists them.
const (
	AppName         = "PYROSCOPE_APPLICATION_NAME"
	OTelServiceName = "OTEL_SERVICE_NAME" // fallback for AppName
	ServerAddress   = "PYROSCOPE_SERVER_ADDRESS"
	// AdhocServerAddress, as in pyroscope-go, replaces the server address
	// even when the configuration sets one: a way to point a deployed
	// binary at another server for a while.
	AdhocServerAddress = "PYROSCOPE_ADHOC_SERVER_ADDRESS"
	AuthToken          = "PYROSCOPE_AUTH_TOKEN"
	BasicAuthUser      = "PYROSCOPE_BASIC_AUTH_USER"
	BasicAuthPassword  = "PYROSCOPE_BASIC_AUTH_PASSWORD"
	TenantID           = "PYROSCOPE_TENANT_ID"
	Labels             = "PYROSCOPE_LABELS"
	HTTPHeaders        = "PYROSCOPE_HTTP_HEADERS"
	UploadInterval     = "PYROSCOPE_UPLOAD_INTERVAL"
	ProfileTypes       = "PYROSCOPE_PROFILE_TYPES"
	OutputDir          = "EMBER_OUTPUT_DIR"
)

// Values holds what the environment set; zero values mean unset.
type Values struct {
	AppName           string
	AppNameFrom       string // the variable AppName came from
	ServerAddress     string
	AdhocAddress      string // overrides any other server address
	AuthToken         string
	BasicAuthUser     string
	BasicAuthPassword string
	TenantID          string
	Tags              map[string]string
	HTTPHeaders       map[string]string
	UploadRate        time.Duration
	ProfileTypes      []string
	OutputDir         string
}

// Read collects the variables through lookup (os.LookupEnv in production).
// Empty variables count as unset.
func Read(lookup func(string) (string, bool)) (Values, error) {
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	v := Values{
		ServerAddress:     get(ServerAddress),
		AdhocAddress:      get(AdhocServerAddress),
		AuthToken:         get(AuthToken),
		BasicAuthUser:     get(BasicAuthUser),
		BasicAuthPassword: get(BasicAuthPassword),
		TenantID:          get(TenantID),
		OutputDir:         get(OutputDir),
	}
	if v.AppName = get(AppName); v.AppName != "" {
		v.AppNameFrom = AppName
	} else if v.AppName = get(OTelServiceName); v.AppName != "" {
		v.AppNameFrom = OTelServiceName
	}
	var err error
	if v.Tags, err = labels.ParsePairs(get(Labels)); err != nil {
		return Values{}, fmt.Errorf("%s=%q: %w", Labels, get(Labels), err)
	}
	if v.HTTPHeaders, err = parseHeaders(get(HTTPHeaders)); err != nil {
		// Header values are secrets: the error says where, never what.
		return Values{}, fmt.Errorf("%s (value not shown, %d bytes): %w", HTTPHeaders, len(get(HTTPHeaders)), err)
	}
	if v.UploadRate, err = ParseInterval(get(UploadInterval)); err != nil {
		return Values{}, fmt.Errorf("%s=%q: %w", UploadInterval, get(UploadInterval), err)
	}
	v.ProfileTypes = splitList(get(ProfileTypes))
	return v, nil
}

// parseHeaders reads a JSON object of strings, as the Java agent does. Its
// errors hold no part of s.
func parseHeaders(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	var h map[string]string
	if err := json.Unmarshal([]byte(s), &h); err != nil {
		const want = `want a JSON object of strings such as {"X-Header": "value"}`
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, fmt.Errorf("%s; not JSON at byte %d", want, syntax.Offset)
		}
		return nil, errors.New(want)
	}
	return h, nil
}

// ParseInterval reads a Go duration ("10s", "1m30s") or a number of
// seconds ("10", "1.5"); "" is zero. The result is positive.
func ParseInterval(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		secs, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || !decimal(s) {
			return 0, fmt.Errorf("want a duration such as 15s or 1m30s, or a number of seconds such as 15 or 1.5")
		}
		if secs > maxSeconds {
			return 0, fmt.Errorf("%s seconds is too long (at most %d)", s, int64(maxSeconds))
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d <= 0 {
		return 0, fmt.Errorf("want a positive duration")
	}
	return d, nil
}

// decimal reports whether s is digits with at most one '.', as in "15"
// or "1.5" (ParseFloat also takes "1e3", "0x1p4", "Inf" and "NaN").
func decimal(s string) bool {
	digits, dots := 0, 0
	for _, c := range []byte(s) {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}

// maxSeconds bounds a number of seconds so that it fits a time.Duration.
const maxSeconds = float64(math.MaxInt64 / int64(time.Second))

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
