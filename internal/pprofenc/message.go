package pprofenc

// AppendString appends a string field to the protobuf message b, for
// tools that send small messages of their own, such as query requests.
func AppendString(b []byte, field int, s string) []byte { return appendString(b, field, s) }

// AppendInt64 appends a varint field to the protobuf message b, leaving
// zero (the default) out.
func AppendInt64(b []byte, field int, x int64) []byte { return appendInt64(b, field, x) }
