package file

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/emberprof/ember/interval"
)

// parseLayout reads a name's times, with or without milliseconds.
const parseLayout = "20060102T150405Z"

// Find returns the paths of the files in dir that hold app's profiles of
// type typ for an interval overlapping [from, until), oldest first: the
// files a Sink writes for them, named as the package documentation says.
func Find(dir, app string, typ interval.Type, from, until time.Time) ([]string, error) {
	list, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	prefix := safe(app) + "." + safe(string(typ)) + "."
	var found []entry
	for _, de := range list {
		name := de.Name()
		m := ours.FindStringSubmatchIndex(name)
		// The prefix, whose final dot starts the match, must be all that
		// comes before the interval, so that app "a" does not find app
		// "a.b"'s files.
		if m == nil || m[0] != len(prefix)-1 || !strings.HasPrefix(name, prefix) || !de.Type().IsRegular() {
			continue
		}
		span := name[m[2]:m[3]]
		// Parsing reads the milliseconds when a name has them.
		first, last, _ := strings.Cut(span, "-")
		start, err1 := time.Parse(parseLayout, first)
		end, err2 := time.Parse(parseLayout, last)
		if err1 != nil || err2 != nil || !end.After(from) || !start.Before(until) {
			continue
		}
		found = append(found, entry{name: name, interval: span})
	}
	slices.SortFunc(found, byInterval)
	paths := make([]string, len(found))
	for i, e := range found {
		paths[i] = filepath.Join(dir, e.name)
	}
	return paths, nil
}
