package pprofenc

import (
	"bytes"
	"testing"
)

// TestWireHelpersNestMessages writes a message holding a sub-message with
// the exported helpers and reads it back with Walk: sizes, keys and
// contents must agree, empty strings included.
func TestWireHelpersNestMessages(t *testing.T) {
	long := bytes.Repeat([]byte{0xAB}, 300) // a length that needs two varint bytes
	inner := BytesFieldSize(1, len("name")) + BytesFieldSize(2, 0) + BytesFieldSize(3, len(long))
	msg := AppendMessageHeader(nil, 7, inner)
	msg = AppendBytesField(msg, 1, "name")
	msg = AppendBytesField(msg, 2, "")
	msg = AppendBytesField(msg, 3, long)
	if got, want := len(msg), BytesFieldSize(7, inner); got != want {
		t.Fatalf("encoded %d bytes, BytesFieldSize says %d", got, want)
	}
	var outer []Field
	if err := Walk(msg, func(f Field) error { outer = append(outer, f); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(outer) != 1 || outer[0].Num != 7 || len(outer[0].Bytes) != inner {
		t.Fatalf("outer fields = %+v, want one field 7 of %d bytes", outer, inner)
	}
	var got []Field
	if err := Walk(outer[0].Bytes, func(f Field) error { got = append(got, f); return nil }); err != nil {
		t.Fatal(err)
	}
	want := [][]byte{[]byte("name"), {}, long}
	if len(got) != len(want) {
		t.Fatalf("%d inner fields, want %d", len(got), len(want))
	}
	for i, f := range got {
		if f.Num != i+1 || !bytes.Equal(f.Bytes, want[i]) {
			t.Errorf("inner field %d = (%d, %q), want (%d, %q)", i, f.Num, f.Bytes, i+1, want[i])
		}
	}
}
