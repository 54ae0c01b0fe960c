package record

import (
	"sync/atomic"
)

// The values of most string fields come from a small vocabulary (daemon,
// service, country, ...) or repeat line after line (host, file). Their
// strings are shared through the intern table, so decoding them allocates
// nothing once warm, and a stage that keeps one (as a map key, say) keeps a
// few bytes rather than the record's whole string block. The fields in
// copied vary too much to cache: they are copied, all into one string.
var copied = [...]fieldID{fTime, fUser, fIP, fSession, fPwHash, fLine}

// slot is the index in copied of each field there, else -1.
var slot = func() (t [nFields]int8) {
	for id := range t {
		t[id] = -1
	}
	for i, id := range copied {
		t[id] = int8(i)
	}
	return t
}()

// The intern table is a lossy, lock-free cache: a slot holds the last
// string that hashed to it, so memory stays bounded whatever the input,
// and goroutines share it without locks (strings are immutable).
const (
	internSlots = 1024
	internMax   = 64 // longer values are rare and not worth a slot
)

var internTab [internSlots]atomic.Pointer[string]

func intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > internMax {
		return string(b)
	}
	slot := &internTab[internHash(b)]
	if p := slot.Load(); p != nil && *p == string(b) {
		return *p
	}
	s := string(b)
	slot.Store(&s)
	return s
}

// internHash hashes a value from its length and three of its bytes, in
// constant time. That spreads a vocabulary well enough (the equality test
// in intern keeps it exact), and an attacker who makes values collide only
// makes them miss, which costs an allocation, no more.
func internHash(b []byte) uint {
	h := uint64(len(b))<<24 | uint64(b[0])<<16 | uint64(b[len(b)/2])<<8 | uint64(b[len(b)-1])
	return uint((h * 0x9e3779b97f4a7c15) >> (64 - 10)) // internSlots is 1<<10
}
