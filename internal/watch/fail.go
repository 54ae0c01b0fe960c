package watch

import (
	"slices"
)

// key is an address, a network or an account's hash, in 16 bytes.
type key [16]byte

// fails is what a table keeps per key: about 60 bytes, so that a million
// attackers fit in the budget. The accounts (or, per account, the
// addresses) and the password hashes are kept as 32-bit hashes, the
// first few of each, with how many there were in all.
type fails struct {
	last      int64 // Unix time of the latest failure
	attempts  uint32
	hashed    uint32 // attempts that carried a password hash
	who       [4]uint32
	pw        [4]uint32
	nAccounts uint16 // distinct values in who, counted up to the first 4, then estimated upwards
	nPw       uint16
}

func (f *fails) add(t int64, n, who, pw uint32) {
	f.last = max(f.last, t)
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
func addSmall(set *[4]uint32, v uint32) bool {
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

// guesses is how many distinct wrong passwords were sent, 0 when the log
// said nothing of them.
func (f *fails) guesses() int64 { return int64(f.nPw) }

// failTable is a bounded map of failures. Past its size it forgets the
// oldest quarter: memory stays fixed whatever the attackers do.
type failTable struct {
	m      map[key]fails // values, not pointers: no allocation per entry
	max    int
	cutoff int64 // failures before it are forgotten, even before expire runs
}

func newFailTable(limit int) *failTable {
	return &failTable{m: map[key]fails{}, max: max(limit, 16)}
}

// get returns a copy of k's failures, nil when it has none still recent.
func (t *failTable) get(k key) *fails {
	f, ok := t.m[k]
	if !ok || f.last < t.cutoff {
		return nil
	}
	return &f
}

func (t *failTable) add(k key, at int64, n, who, pw uint32) {
	f, ok := t.m[k]
	if !ok && len(t.m) >= t.max {
		t.shrink()
	}
	f.add(at, n, who, pw)
	t.m[k] = f
}

// expire forgets what failed last before the cutoff.
func (t *failTable) expire(cutoff int64) {
	t.cutoff = cutoff
	for k, f := range t.m {
		if f.last < cutoff {
			delete(t.m, k)
		}
	}
}

// shrink forgets the oldest quarter of the table, found from a sample
// of its times.
func (t *failTable) shrink() {
	sample := make([]int64, 0, 1024)
	for _, f := range t.m {
		sample = append(sample, f.last)
		if len(sample) == cap(sample) {
			break
		}
	}
	slices.Sort(sample)
	cutoff := sample[len(sample)/4]
	for k, f := range t.m {
		if f.last <= cutoff {
			delete(t.m, k)
		}
	}
	if len(t.m) >= t.max {
		// All of one age: forget any quarter.
		n := t.max / 4
		for k := range t.m {
			if n--; n < 0 {
				break
			}
			delete(t.m, k)
		}
	}
}
