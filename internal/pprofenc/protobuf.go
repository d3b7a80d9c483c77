package pprofenc

// The profile.proto wire format needs only three things: varints, the
// length-delimited type for strings, packed numbers and sub-messages, and
// field keys. These helpers append them to a byte slice.

const (
	wireVarint = 0
	wireBytes  = 2
)

func appendVarint(b []byte, x uint64) []byte {
	for x >= 0x80 {
		b = append(b, byte(x)|0x80)
		x >>= 7
	}
	return append(b, byte(x))
}

func appendKey(b []byte, field, wire int) []byte {
	return appendVarint(b, uint64(field)<<3|uint64(wire))
}

// appendUint64 writes a varint field, leaving zero (the default) out.
func appendUint64(b []byte, field int, x uint64) []byte {
	if x == 0 {
		return b
	}
	return appendVarint(appendKey(b, field, wireVarint), x)
}

func appendInt64(b []byte, field int, x int64) []byte {
	return appendUint64(b, field, uint64(x))
}

func appendBool(b []byte, field int, x bool) []byte {
	if !x {
		return b
	}
	return appendUint64(b, field, 1)
}

// appendBytes writes a length-delimited field; unlike numbers, empty strings
// are written, because the string table is positional.
func appendBytes(b []byte, field int, data []byte) []byte {
	b = appendKey(b, field, wireBytes)
	b = appendVarint(b, uint64(len(data)))
	return append(b, data...)
}

func appendString(b []byte, field int, s string) []byte {
	b = appendKey(b, field, wireBytes)
	b = appendVarint(b, uint64(len(s)))
	return append(b, s...)
}

func varintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// appendPackedUint64 writes xs as one packed repeated field.
func appendPackedUint64(b []byte, field int, xs []uint64) []byte {
	if len(xs) == 0 {
		return b
	}
	n := 0
	for _, x := range xs {
		n += varintLen(x)
	}
	b = appendKey(b, field, wireBytes)
	b = appendVarint(b, uint64(n))
	for _, x := range xs {
		b = appendVarint(b, x)
	}
	return b
}

// appendPackedInt64 writes xs as one packed repeated field.
func appendPackedInt64(b []byte, field int, xs []int64) []byte {
	if len(xs) == 0 {
		return b
	}
	n := 0
	for _, x := range xs {
		n += varintLen(uint64(x))
	}
	b = appendKey(b, field, wireBytes)
	b = appendVarint(b, uint64(n))
	for _, x := range xs {
		b = appendVarint(b, uint64(x))
	}
	return b
}
