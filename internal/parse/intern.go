package parse

import "bytes"

// interner hands out one string per distinct text: log fields repeat
// (users, addresses, methods), and a map lookup keyed by the bytes costs
// no allocation where a new string does. It forgets all past a bound.
type interner struct {
	strs map[string]string
	ips  map[string]string
}

const internMax = 1 << 16

func newInterner() *interner {
	return &interner{strs: make(map[string]string), ips: make(map[string]string)}
}

// str is text(b), interned.
func (ev *event) str(b []byte) string {
	if ev.strs == nil {
		return text(b)
	}
	return intern(ev.strs.strs, b, text)
}

// upper is str of b in upper case: SASL mechanisms, logged either way.
func (ev *event) upper(b []byte) string {
	for _, c := range b {
		if c >= 'a' && c <= 'z' {
			return ev.str(bytes.ToUpper(b))
		}
	}
	return ev.str(b)
}

// intern returns m's string for b, made by mk the first time. The map is
// emptied once it holds internMax strings: the bound on its memory.
func intern(m map[string]string, b []byte, mk func([]byte) string) string {
	if s, ok := m[string(b)]; ok {
		return s
	}
	if len(m) >= internMax {
		clear(m)
	}
	s := mk(b)
	m[string(b)] = s
	return s
}
