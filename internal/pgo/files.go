package pgo

import (
	"bytes"
	"fmt"
	"os"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/emberprof/ember/interval"
	"github.com/emberprof/ember/upstream/file"
)

// FromDir merges service's CPU profile files in dir (as upstream/file
// writes them) for intervals overlapping [from, until), with MergeFiles.
// service is an application name as in ember.Config.ApplicationName; tags
// in it, as in "shop{env=prod}", select samples by the labels the files
// carry them as, as do sel's matchers.
func FromDir(dir, service string, sel Selector, from, until time.Time, workers int) (*Merger, error) {
	app, sel, err := serviceSelector(service, sel)
	if err != nil {
		return nil, err
	}
	paths, err := file.Find(dir, app, interval.TypeCPU, from, until)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no CPU profile files of %s between %s and %s in %s (names such as %s.cpu.FROM-UNTIL.pb.gz)",
			app, from.Format(time.RFC3339), until.Format(time.RFC3339), dir, app)
	}
	return MergeFiles(paths, sel, workers)
}

// MergeFiles merges the CPU profile files at paths with workers goroutines
// (at least one), each merging its own contiguous share of the files into
// its own Merger; the shares are then merged in order, so the result does
// not depend on scheduling. Files that are not CPU profiles are an error
// naming the file.
func MergeFiles(paths []string, sel Selector, workers int) (*Merger, error) {
	workers = max(1, min(workers, len(paths)))
	parts := make([]*Merger, workers)
	var g errgroup.Group
	for w := range workers {
		share := paths[w*len(paths)/workers : (w+1)*len(paths)/workers]
		g.Go(func() error {
			m := NewMerger(sel)
			parts[w] = m
			var buf bytes.Buffer
			for _, path := range share {
				if err := readFile(&buf, path); err != nil {
					return err
				}
				if err := m.Add(buf.Bytes()); err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if workers == 1 {
		return parts[0], nil
	}
	// Each share is written as a trimmed profile and added to the first:
	// the shares are small, and Add is the one way into a Merger.
	all := parts[0]
	var buf bytes.Buffer
	for _, part := range parts[1:] {
		buf.Reset()
		if _, err := part.Write(&buf); err != nil {
			return nil, err
		}
		if err := all.absorb(part, buf.Bytes()); err != nil {
			return nil, err
		}
	}
	return all, nil
}

// absorb adds the trimmed profile written from part, and part's counts of
// what it read. Part has applied the selector already; the trimmed
// profile has no labels to apply it to again.
func (m *Merger) absorb(part *Merger, trimmed []byte) error {
	st, sel := m.stats, m.sel
	m.sel = nil
	err := m.Add(trimmed)
	m.sel = sel
	if err != nil {
		return err
	}
	ps := part.stats
	st.Profiles += ps.Profiles
	st.InputBytes += ps.InputBytes
	st.Samples += ps.Samples
	st.Selected += ps.Selected
	st.CPU += ps.CPU
	m.stats = st
	return nil
}

// readFile reads the file at path into buf, reusing its memory.
func readFile(buf *bytes.Buffer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf.Reset()
	_, err = buf.ReadFrom(f)
	return err
}
