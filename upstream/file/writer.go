package file

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/emberprof/ember/internal/pprofedit"
	"github.com/emberprof/ember/interval"
)

// stampLayout is a file name's time format: UTC, sortable, readable, to
// the millisecond, so that the last interval, cut at Stop and often
// shorter than a second, shows its true from and until.
const stampLayout = "20060102T150405.000Z"

// ours matches the names this package writes (and wrote before names had
// milliseconds) and captures the interval, which orders them oldest first.
var ours = regexp.MustCompile(`\.(\d{8}T\d{6}(?:\.\d{3})?Z-\d{8}T\d{6}(?:\.\d{3})?Z)(\.\d+)?\.pb\.gz$`)

// tempPrefix starts the names of files being written.
const tempPrefix = ".ember-"

// writer is the Exporter that writes files. Only the queue's one worker
// calls it, so it needs no lock.
type writer struct {
	dir      string
	maxFiles int
	maxBytes int64
	files    []entry // Ember files in dir, oldest first
	total    int64   // their bytes
}

type entry struct {
	name     string
	interval string // FROM-UNTIL from the name
	size     int64
}

func newWriter(dir string, maxFiles int, maxBytes int64) (*writer, error) {
	w := &writer{dir: dir, maxFiles: maxFiles, maxBytes: maxBytes}
	list, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, de := range list {
		info, err := de.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		name := de.Name()
		if strings.HasPrefix(name, tempPrefix) && time.Since(info.ModTime()) > time.Hour {
			_ = os.Remove(filepath.Join(dir, name)) // left by a crash
			continue
		}
		if m := ours.FindStringSubmatch(name); m != nil {
			w.files = append(w.files, entry{name: name, interval: m[1], size: info.Size()})
			w.total += info.Size()
		}
	}
	slices.SortStableFunc(w.files, byInterval)
	return w, nil
}

// byInterval orders entries oldest first, then by name.
func byInterval(a, b entry) int {
	return strings.Compare(a.interval+"\x00"+a.name, b.interval+"\x00"+b.name)
}

// Export writes p to a new file and enforces the caps.
func (w *writer) Export(_ context.Context, p *interval.Profile) (int, error) {
	base := fileBase(p)
	data, err := withTags(p.Data, p.MissingLabels(p.Tags))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", base, err)
	}
	tmp, err := w.writeTemp(data)
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp)
	name, err := w.place(tmp, base)
	if err != nil {
		return 0, err
	}
	w.files = append(w.files, entry{name: name, interval: ours.FindStringSubmatch(name)[1], size: int64(len(data))})
	w.total += int64(len(data))
	w.trim()
	return len(data), nil
}

// withTags returns the profile with tags as labels on every sample, for
// `go tool pprof -tagfocus`; without tags, the profile as it is. Only
// profiles from producers other than Ember's session need it.
func withTags(data []byte, tags map[string]string) ([]byte, error) {
	if len(tags) == 0 {
		return data, nil
	}
	return pprofedit.Rewrite(data, tags, nil)
}

// fileBase returns APP.TYPE.FROM-UNTIL for p.
func fileBase(p *interval.Profile) string {
	return safe(p.Application) + "." + safe(string(p.Type)) + "." +
		p.From.UTC().Format(stampLayout) + "-" + p.Until.UTC().Format(stampLayout)
}

// safe keeps letters, digits, '-', '_' and inner dots of s, replacing the
// rest with '_', so a name cannot leave the directory or hide.
func safe(s string) string {
	if s == "" {
		return "_"
	}
	b := []byte(s)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' && i > 0
		if !ok {
			b[i] = '_'
		}
	}
	return string(b)
}

// writeTemp writes data to a new temporary file in the directory and
// syncs it, so that the name it gets later always holds a whole profile.
func (w *writer) writeTemp(data []byte) (string, error) {
	f, err := os.CreateTemp(w.dir, tempPrefix+"*.tmp")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// place gives tmp its final name, base.pb.gz or, if that exists,
// base.N.pb.gz, never replacing a file. It returns the name chosen.
func (w *writer) place(tmp, base string) (string, error) {
	for n := 1; n < 1000; n++ {
		name := base + ".pb.gz"
		if n > 1 {
			name = fmt.Sprintf("%s.%d.pb.gz", base, n)
		}
		err := os.Link(tmp, filepath.Join(w.dir, name))
		if err == nil {
			return name, nil
		}
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		// No hard links here: fall back to a rename, checking first.
		if _, serr := os.Lstat(filepath.Join(w.dir, name)); serr == nil {
			continue
		}
		if err := os.Rename(tmp, filepath.Join(w.dir, name)); err != nil {
			return "", err
		}
		return name, nil
	}
	return "", fmt.Errorf("%s: too many files with this name", base)
}

// trim removes the oldest files until the caps hold, keeping the newest.
func (w *writer) trim() {
	for len(w.files) > 1 && (len(w.files) > w.maxFiles || w.total > w.maxBytes) {
		old := w.files[0]
		_ = os.Remove(filepath.Join(w.dir, old.name))
		w.files = w.files[1:]
		w.total -= old.size
	}
}
