package pprofenc

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// TestWalkReadsWhatTheEncoderWrites: every kind of field the encoder's
// helpers append comes back from Walk with its number, value and bounds.
func TestWalkReadsWhatTheEncoderWrites(t *testing.T) {
	var msg []byte
	msg = appendVarint(appendKey(msg, 1, wireVarint), 300)
	msg = appendString(msg, 6, "inuse_space")
	msg = binary.LittleEndian.AppendUint64(appendKey(msg, 3, 1), 0x0102030405060708)
	msg = binary.LittleEndian.AppendUint32(appendKey(msg, 4, 5), 0x0a0b0c0d)
	msg = appendBytes(msg, 2, nil)

	var got []Field
	if err := Walk(msg, func(f Field) error { got = append(got, f); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		num   int
		value uint64
		bytes string
	}{{1, 300, ""}, {6, 0, "inuse_space"}, {3, 0x0102030405060708, ""}, {4, 0x0a0b0c0d, ""}, {2, 0, ""}}
	if len(got) != len(want) {
		t.Fatalf("%d fields, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Num != w.num || got[i].Value != w.value || !bytes.Equal(got[i].Bytes, []byte(w.bytes)) {
			t.Errorf("field %d = %+v, want %+v", i, got[i], w)
		}
	}
	if got[0].Start != 0 || got[len(got)-1].End != len(msg) {
		t.Errorf("fields span [%d, %d), message has %d bytes", got[0].Start, got[len(got)-1].End, len(msg))
	}
}

func TestWalkRejectsDamagedMessages(t *testing.T) {
	for name, msg := range map[string][]byte{
		"length past the end": {0x0a, 0x05, 'a'},
		"unterminated varint": {0x08, 0x80},
		"short fixed64":       {0x09, 1, 2, 3},
		"short fixed32":       {0x0d, 1},
		"group wire type":     {0x0b},
		"unterminated key":    {0x80},
	} {
		if err := Walk(msg, func(Field) error { return nil }); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// FuzzWalk: on any input, the fields Walk reports tile the message from
// the start, each within it, and reach its end when Walk succeeds.
func FuzzWalk(f *testing.F) {
	f.Add([]byte{0x48, 0x01})
	f.Add([]byte{0x0a, 0x05, 'a'})
	f.Add([]byte{0x09, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Fuzz(func(t *testing.T, msg []byte) {
		end := 0
		err := Walk(msg, func(f Field) error {
			if f.Start != end || f.End <= f.Start || f.End > len(msg) {
				t.Fatalf("field [%d, %d) after offset %d in a %d-byte message", f.Start, f.End, end, len(msg))
			}
			end = f.End
			return nil
		})
		if err == nil && end != len(msg) {
			t.Fatalf("Walk succeeded but stopped at %d of %d bytes", end, len(msg))
		}
	})
}
