package pprofenc

// The package's protobuf writer, for other small messages Ember sends (such
// as Pyroscope's push request), so that no package needs a protobuf library
// or a second writer of the wire format.

// AppendBytesField appends a length-delimited field holding data: a string
// or bytes field, written even when empty.
func AppendBytesField[T string | []byte](b []byte, field int, data T) []byte {
	return append(AppendMessageHeader(b, field, len(data)), data...)
}

// AppendMessageHeader appends the key and length of a length-delimited
// field whose n content bytes the caller appends next: a sub-message
// written in place, without building it apart and copying it.
func AppendMessageHeader(b []byte, field, n int) []byte {
	return appendVarint(appendKey(b, field, wireBytes), uint64(n))
}

// BytesFieldSize is how many bytes a length-delimited field with n content
// bytes takes, its key and length included.
func BytesFieldSize(field, n int) int {
	return varintLen(uint64(field)<<3|wireBytes) + varintLen(uint64(n)) + n
}
