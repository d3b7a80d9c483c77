package pprofenc

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"sync"
)

// Mapping is an executable memory mapping of the process: the main binary or
// a shared library.
type Mapping struct {
	Start, Limit, Offset uint64
	File, BuildID        string
}

type mapping struct {
	Mapping
	fake         bool // covers every address; used when none are known
	unsymbolized bool // some location in it could not be symbolized
}

func (e *Encoder) setMappings(ms []Mapping) {
	for _, m := range ms {
		e.mappings = append(e.mappings, mapping{Mapping: m})
	}
	if len(e.mappings) == 0 {
		exe, _ := os.Executable()
		e.mappings = append(e.mappings, mapping{Mapping: Mapping{File: exe}, fake: true})
	}
}

// mappingFor returns the index of the mapping holding addr, or -1.
func (e *Encoder) mappingFor(addr uint64) int {
	for i, m := range e.mappings {
		if m.fake || m.Start <= addr && addr < m.Limit {
			return i
		}
	}
	return -1
}

func (e *Encoder) appendMappings(b []byte) []byte {
	for i, m := range e.mappings {
		s := e.scratch[:0]
		s = appendUint64(s, MappingID, uint64(i)+1)
		s = appendUint64(s, MappingStart, m.Start)
		s = appendUint64(s, MappingLimit, m.Limit)
		s = appendUint64(s, MappingOffset, m.Offset)
		s = appendInt64(s, MappingFilename, e.strings.str(m.File))
		s = appendInt64(s, MappingBuildID, e.strings.str(m.BuildID))
		s = appendBool(s, MappingHasFunctions, !m.unsymbolized)
		e.scratch = s
		b = appendBytes(b, ProfileMapping, s)
	}
	return b
}

var (
	procMapsOnce sync.Once
	procMaps     []Mapping
)

// ProcessMappings returns the executable mappings of this process from
// /proc/self/maps, read once and cached: Go binaries do not load code after
// start, except through cgo's dlopen, which is rare enough to ignore here.
// Elsewhere than Linux it returns nil.
func ProcessMappings() []Mapping {
	procMapsOnce.Do(func() {
		data, err := os.ReadFile("/proc/self/maps")
		if err == nil {
			procMaps = ParseProcMaps(data)
		}
	})
	return procMaps
}

// ParseProcMaps returns the executable, file-backed mappings listed in the
// text of a /proc/PID/maps file. Build IDs are read from the ELF files.
func ParseProcMaps(data []byte) []Mapping {
	var ms []Mapping
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		// 00400000-0040b000 r-xp 00000000 fc:01 787766   /bin/cat
		f := bytes.Fields(sc.Bytes())
		if len(f) < 6 || len(f[1]) < 3 || f[1][2] != 'x' {
			continue
		}
		lo, hi, ok := bytes.Cut(f[0], []byte("-"))
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(string(lo), 16, 64)
		limit, err2 := strconv.ParseUint(string(hi), 16, 64)
		off, err3 := strconv.ParseUint(string(f[2]), 16, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		// The path may contain spaces: it is everything after the inode.
		file := string(bytes.Join(f[5:], []byte(" ")))
		file = trimSuffix(file, " (deleted)")
		if file == "" {
			continue
		}
		ms = append(ms, Mapping{Start: start, Limit: limit, Offset: off, File: file, BuildID: elfBuildID(file)})
	}
	return ms
}

func trimSuffix(s, suffix string) string {
	if len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix {
		return s[:len(s)-len(suffix)]
	}
	return s
}
