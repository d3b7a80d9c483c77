package pgo

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A Selector picks samples by their labels, as a Pyroscope (Prometheus)
// label selector such as {handler="/api",region!="eu"} does. Every matcher
// must hold; a label a sample lacks has the value "".
type Selector []Matcher

// A Matcher tests one label: Op is one of =, !=, =~ and !~, the last two
// with a regular expression that must match the whole value.
type Matcher struct {
	Name, Op, Value string
	re              *regexp.Regexp
}

// ParseSelector reads a selector: `{name="value", ...}`, with values in Go
// (or PromQL) double-quoted string syntax. "" and "{}" select everything.
func ParseSelector(s string) (Selector, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return nil, nil
	}
	if !strings.HasPrefix(in, "{") || !strings.HasSuffix(in, "}") {
		return nil, fmt.Errorf("label selector %q: want {name=\"value\", ...}", s)
	}
	in = strings.TrimSpace(in[1 : len(in)-1])
	var sel Selector
	for in != "" {
		m, rest, err := parseMatcher(in)
		if err != nil {
			return nil, fmt.Errorf("label selector %q: %w", s, err)
		}
		sel = append(sel, m)
		in = strings.TrimSpace(rest)
		if in != "" {
			if in[0] != ',' {
				return nil, fmt.Errorf("label selector %q: want ',' before %q", s, in)
			}
			in = strings.TrimSpace(in[1:])
		}
	}
	return sel, nil
}

// parseMatcher reads one matcher from the start of s.
func parseMatcher(s string) (Matcher, string, error) {
	i := 0
	for i < len(s) && (s[i] == '_' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || i > 0 && s[i] >= '0' && s[i] <= '9') {
		i++
	}
	if i == 0 {
		return Matcher{}, "", fmt.Errorf("want a label name at %q", s)
	}
	m := Matcher{Name: s[:i]}
	s = strings.TrimSpace(s[i:])
	for _, op := range []string{"=~", "!~", "!=", "="} {
		if strings.HasPrefix(s, op) {
			m.Op = op
			break
		}
	}
	if m.Op == "" {
		return Matcher{}, "", fmt.Errorf("label %s: want =, !=, =~ or !~ at %q", m.Name, s)
	}
	s = strings.TrimSpace(s[len(m.Op):])
	quoted, err := strconv.QuotedPrefix(s)
	if err != nil || quoted[0] != '"' {
		return Matcher{}, "", fmt.Errorf("label %s: want a double-quoted value at %q", m.Name, s)
	}
	m.Value, _ = strconv.Unquote(quoted)
	if m.Op == "=~" || m.Op == "!~" {
		if m.re, err = regexp.Compile("^(?:" + m.Value + ")$"); err != nil {
			return Matcher{}, "", fmt.Errorf("label %s: %w", m.Name, err)
		}
	}
	return m, s[len(quoted):], nil
}

// String returns the selector in the syntax ParseSelector reads.
func (s Selector) String() string {
	parts := make([]string, len(s))
	for i, m := range s {
		parts[i] = m.Name + m.Op + strconv.Quote(m.Value)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// matches reports whether a sample with the given (key, value) string
// labels is selected.
func (s Selector) matches(labels [][2][]byte) bool {
	for _, m := range s {
		var v []byte
		for _, l := range labels {
			if string(l[0]) == m.Name {
				v = l[1]
				break
			}
		}
		var ok bool
		switch m.Op {
		case "=":
			ok = bytes.Equal(v, []byte(m.Value))
		case "!=":
			ok = !bytes.Equal(v, []byte(m.Value))
		case "=~":
			ok = m.re.Match(v)
		case "!~":
			ok = !m.re.Match(v)
		}
		if !ok {
			return false
		}
	}
	return true
}
