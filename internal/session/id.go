package session

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
)

// IDTag is the tag carrying the session ID, under the name the Pyroscope
// SDKs use.
const IDTag = "__session_id__"

// ID returns this process's session ID: 16 hex digits from crypto/rand,
// drawn once per process, so that restarts and processes sharing a host
// never share a series.
var ID = sync.OnceValue(func() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
})
