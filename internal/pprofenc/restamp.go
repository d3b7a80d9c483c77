package pprofenc

import (
	"encoding/binary"
	"hash/crc32"
	"time"
)

// Profile fields that say when a profile was taken (profile.proto).
const (
	fieldTimeNanos     = 9
	fieldDurationNanos = 10
)

// Restamp returns gz, a gzip-compressed pprof profile, with its time_nanos
// set to start and its duration_nanos to d, without decompressing it.
//
// It relies on two guarantees of the formats: a gzip file may hold several
// members, which readers decompress as one concatenated stream (Go's and
// klauspost's gzip readers do so by default, as do google/pprof and the
// Pyroscope server), and a protobuf scalar field that appears twice takes
// its last value. So appending a small member that holds only the two
// fields overrides whatever the profile said. That makes every profile of
// an interval carry the interval's own start, whoever wrote it (the
// runtime's CPU profiler starts a little after the cut; delta profilers
// stamp their own clock), at the cost of about 40 bytes and no parsing.
//
// gz itself is not modified: the result is a new slice.
func Restamp(gz []byte, start time.Time, d time.Duration) []byte {
	var fields [2 * (1 + binary.MaxVarintLen64)]byte
	payload := appendVarint(appendKey(fields[:0], fieldTimeNanos, wireVarint), uint64(start.UnixNano()))
	payload = appendVarint(appendKey(payload, fieldDurationNanos, wireVarint), uint64(d.Nanoseconds()))

	out := make([]byte, len(gz), len(gz)+storedMemberLen(len(payload)))
	copy(out, gz)
	return appendStoredMember(out, payload)
}

// storedMemberLen is the size of a gzip member holding n stored bytes:
// a 10-byte header, one 5-byte stored deflate block, the data, and an
// 8-byte trailer.
func storedMemberLen(n int) int { return 10 + 5 + n + 8 }

// appendStoredMember appends a gzip member (RFC 1952) whose deflate stream
// (RFC 1951) is a single final stored block holding data, which must be
// shorter than 64 KiB.
func appendStoredMember(b, data []byte) []byte {
	b = append(b,
		0x1f, 0x8b, // gzip magic
		8,          // compression method: deflate
		0,          // flags: none
		0, 0, 0, 0, // modification time: unknown
		0,    // extra flags
		0xff, // operating system: unknown
	)
	n := uint16(len(data))
	b = append(b, 1) // BFINAL=1, BTYPE=00 (stored)
	b = binary.LittleEndian.AppendUint16(b, n)
	b = binary.LittleEndian.AppendUint16(b, ^n)
	b = append(b, data...)
	b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(data))
	return binary.LittleEndian.AppendUint32(b, uint32(len(data)))
}
