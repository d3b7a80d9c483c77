package remote

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/emberprof/ember/internal/retry"
)

// redactedText stands in for a secret in everything Ember says.
const redactedText = "[redacted]"

// redactor removes the configured secrets from text. New builds one from
// the configuration, and every error an upload returns passes through it
// (see [redactor.error]), so that neither what a server answers (its
// status line, its body, a redirect's target) nor a URL can bring a secret
// into a log line, Stats().LastError or Shutdown's error.
//
// Each secret is removed as sent and in the forms a server echoing it is
// likely to use: URL query and path escaping, Go and JSON string escaping,
// control characters shown as spaces, and, for base64 values, without
// their '=' padding. A secret transformed otherwise (say, base64-encoded by
// the server) is not recognised. Short values are removed too, wherever
// they appear, so a one-character header value makes messages hard to
// read but never leaks.
type redactor struct {
	r *strings.Replacer // nil: no secrets
}

// newRedactor returns a redactor for the given secrets; empty ones are
// ignored.
func newRedactor(secrets ...string) *redactor {
	var forms []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		quoted, _ := json.Marshal(s)
		forms = append(forms, s,
			url.QueryEscape(s), url.PathEscape(s),
			strings.Trim(strconv.Quote(s), `"`), strings.Trim(string(quoted), `"`),
			printable(s), strings.TrimRight(s, "="))
	}
	forms = slices.DeleteFunc(forms, func(f string) bool { return f == "" })
	if len(forms) == 0 {
		return &redactor{}
	}
	// Longest first: at each position the Replacer takes the first form
	// that matches, so a secret is never cut by a shorter one inside it.
	slices.SortFunc(forms, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	forms = slices.Compact(forms)
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, redactedText)
	}
	return &redactor{r: strings.NewReplacer(pairs...)}
}

// text returns s without the secrets. A nil redactor removes nothing.
func (r *redactor) text(s string) string {
	if r == nil || r.r == nil {
		return s
	}
	return r.r.Replace(s)
}

// error returns err as Ember reports it: its message without the secrets,
// the kind of failure it is (see [failure]), and whether to retry. Nothing
// of err's chain is kept, so no one can unwrap the unredacted text.
func (r *redactor) error(err error) error {
	kind := "other"
	var f *failure
	if errors.As(err, &f) {
		kind = f.kind
	}
	out := &failure{msg: r.text(err.Error()), kind: kind}
	if after, ok := retry.IsRetryable(err); ok {
		return retry.Retryable(out, after)
	}
	return out
}

// printable returns s with every non-printable rune replaced by a space,
// as server messages are shown.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, s)
}
