package pprofenc

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Field is one field of an encoded protobuf message, as Walk reads it.
type Field struct {
	Num   int    // the field number
	Value uint64 // a varint or fixed-size value
	Bytes []byte // a length-delimited value (string, bytes, sub-message, packed)
	// Start and End bound the field's whole encoding, key included, in the
	// message Walk was given.
	Start, End int
}

// Walk calls fn for each field of the encoded protobuf message msg, in
// order, and stops at the first error fn returns. It is the one reader of
// the wire format in Ember: the encoder writes it, Walk reads it back for
// those who must look inside a profile (label checks, the rewrite).
func Walk(msg []byte, fn func(Field) error) error {
	for i := 0; i < len(msg); {
		f, err := readField(msg, i)
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			return err
		}
		i = f.End
	}
	return nil
}

var (
	errTruncated = errors.New("truncated protobuf field")
	errVarint    = errors.New("malformed protobuf varint")
)

// readField reads the field that starts at msg[start].
func readField(msg []byte, start int) (Field, error) {
	b := msg[start:]
	key, n := binary.Uvarint(b)
	if n <= 0 {
		return Field{}, errVarint
	}
	f := Field{Num: int(key >> 3), Start: start}
	switch key & 7 {
	case wireVarint:
		v, vn := binary.Uvarint(b[n:])
		if vn <= 0 {
			return Field{}, errVarint
		}
		f.Value, n = v, n+vn
	case wireBytes:
		l, ln := binary.Uvarint(b[n:])
		if ln <= 0 || l > uint64(len(b)-n-ln) {
			return Field{}, errTruncated
		}
		f.Bytes, n = b[n+ln:n+ln+int(l)], n+ln+int(l)
	case 1: // fixed64
		if len(b)-n < 8 {
			return Field{}, errTruncated
		}
		f.Value, n = binary.LittleEndian.Uint64(b[n:]), n+8
	case 5: // fixed32
		if len(b)-n < 4 {
			return Field{}, errTruncated
		}
		f.Value, n = uint64(binary.LittleEndian.Uint32(b[n:])), n+4
	default:
		return Field{}, fmt.Errorf("unsupported protobuf wire type %d", key&7)
	}
	f.End = start + n
	return f, nil
}

// ReadLabel returns the string-table indices of a Label message's key and
// str; an absent one is 0 (the empty string), as in any proto3 message.
// A numeric label has str 0.
func ReadLabel(label []byte) (key, str uint64, err error) {
	err = Walk(label, func(f Field) error {
		switch f.Num {
		case LabelKey:
			key = f.Value
		case LabelStr:
			str = f.Value
		}
		return nil
	})
	return key, str, err
}
