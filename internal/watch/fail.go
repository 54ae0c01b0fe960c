package watch

import (
	"slices"
)

// key is an IPv4 address, an IPv6 /64, a network or an account's hash,
// in 8 bytes: each table holds one kind only.
type key uint64

// fails is what a table keeps per key: 44 bytes, so that a million
// attackers fit in the budget. The accounts (or, per account, the
// addresses) and the password hashes are kept as 32-bit hashes, the
// first few of each, with how many there were in all.
type fails struct {
	last      uint32 // Unix time of the latest failure (good until 2106)
	attempts  uint32
	hashed    uint32 // attempts that carried a password hash
	who       [3]uint32
	pw        [3]uint32
	nAccounts uint16 // distinct values in who, counted up to the first 3, then estimated upwards
	nPw       uint16
	judged    uint32 // Unix time of the latest failure the auth service judged (not a give-up)
}

func (f *fails) add(t int64, n, who, pw uint32) {
	f.last = max(f.last, uint32(max(t, 0)))
	f.attempts = satAdd(f.attempts, n)
	if who != 0 && addSmall(&f.who, who) {
		f.nAccounts = min(f.nAccounts+1, 0xffff)
	}
	if pw != 0 {
		f.hashed = satAdd(f.hashed, n)
		if addSmall(&f.pw, pw) {
			f.nPw = min(f.nPw+1, 0xffff)
		}
	}
}

// addSmall adds v to a small set and reports whether it was new. Once
// the set is full every value not in it counts as new: the count then
// says "at least", which is what the rules ask.
func addSmall(set *[3]uint32, v uint32) bool {
	for i, x := range set {
		switch x {
		case v:
			return false
		case 0:
			set[i] = v
			return true
		}
	}
	return true
}

func satAdd(a, b uint32) uint32 {
	if a+b < a {
		return ^uint32(0)
	}
	return a + b
}

// others is how many accounts other than user the failures were on.
func (f *fails) others(user uint32) int64 {
	n := int64(f.nAccounts)
	if slices.Contains(f.who[:], user) {
		n--
	}
	return n
}

// stale reports failures that all sent one and the same password: a
// phone with an old one, not a guesser (PowerDNS's weakforced counts
// distinct passwords for the same reason).
func (f *fails) stale() bool {
	return f.attempts >= 2 && f.hashed == f.attempts && f.nPw == 1
}

// guesses is how many distinct wrong passwords were sent, 0 unless the
// log gave the hash of every one.
func (f *fails) guesses() int64 {
	if f.hashed != f.attempts {
		return 0
	}
	return int64(f.nPw)
}

// counter is what the (account, AS) table keeps: 8 bytes.
type counter struct {
	last     uint32
	attempts uint32
}

func (f fails) at() uint32   { return f.last }
func (c counter) at() uint32 { return c.last }

// table is a bounded map of failures. Past its size it forgets the
// oldest quarter: memory stays fixed whatever the attackers do.
type table[V interface{ at() uint32 }] struct {
	m      map[key]V // values, not pointers: no allocation per entry
	max    int
	cutoff uint32 // failures before it are forgotten, even before expire runs
}

type failTable = table[fails]

func newTable[V interface{ at() uint32 }](limit int) *table[V] {
	return &table[V]{m: map[key]V{}, max: max(limit, 16)}
}

// get returns a copy of k's entry, nil when it has none still recent.
func (t *table[V]) get(k key) *V {
	v, ok := t.m[k]
	if !ok || v.at() < t.cutoff {
		return nil
	}
	return &v
}

// entry returns a copy of k's entry to change and put back, the zero
// value when it has none, making room for it first then. (A callback
// given a pointer to it would move it to the heap at every failure: the
// daily report feeds every record of the day through here.)
func (t *table[V]) entry(k key) V {
	v, ok := t.m[k]
	if !ok && len(t.m) >= t.max {
		t.shrink()
	}
	return v
}

func (t *table[V]) put(k key, v V) { t.m[k] = v }

func addFailure(t *failTable, k key, at int64, n, who, pw uint32, judged bool) {
	f := t.entry(k)
	f.add(at, n, who, pw)
	if judged {
		f.judged = max(f.judged, uint32(max(at, 0)))
	}
	t.put(k, f)
}

// expire forgets what failed last before the cutoff.
func (t *table[V]) expire(before int64) {
	t.cutoff = uint32(max(before, 0))
	t.keep(func(v V) bool { return v.at() >= t.cutoff })
}

// shrink forgets the oldest quarter of the table, found from a sample
// of its times.
func (t *table[V]) shrink() {
	sample := make([]uint32, 0, 1024)
	for _, v := range t.m {
		sample = append(sample, v.at())
		if len(sample) == cap(sample) {
			break
		}
	}
	slices.Sort(sample)
	cutoff := sample[len(sample)/4]
	t.keep(func(v V) bool { return v.at() > cutoff })
	if len(t.m) >= t.max {
		// All of one age: forget any quarter.
		n := t.max / 4
		t.keep(func(V) bool { n--; return n < 0 })
	}
}

// keep keeps the entries keep accepts, in a new map when it forgets
// many: a map that deletes a lot fills with tombstones, and its lookups
// slow down several times over.
func (t *table[V]) keep(keep func(V) bool) {
	drop := 0
	for _, v := range t.m {
		if !keep(v) {
			drop++
		}
	}
	if drop == 0 {
		return
	}
	if drop < len(t.m)/8 {
		for k, v := range t.m {
			if !keep(v) {
				delete(t.m, k)
			}
		}
		return
	}
	m := make(map[key]V, len(t.m)-drop)
	for k, v := range t.m {
		if keep(v) {
			m[k] = v
		}
	}
	t.m = m
}
