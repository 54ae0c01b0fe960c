package count

// pairSet is a set of uint64, the (group, dimension, value) triples of the
// distinct counts. It is a flat table with linear probing: 8 bytes a slot,
// under 3/4 full, so 11 to 21 bytes a pair where a Go map takes 24 to 38;
// the pairs are most of count's memory when many addresses meet many
// accounts. The values are numbered by count, not chosen by the input,
// so an attacker cannot aim at collisions.
type pairSet struct {
	slots []uint64 // 0 is empty; keys are stored plus one
	n     int
	shift uint // 64 - log2(len(slots))
}

// add inserts k and reports whether it was new.
func (s *pairSet) add(k uint64) bool {
	if s.n >= len(s.slots)/4*3 {
		s.grow()
	}
	k++
	mask := uint64(len(s.slots) - 1)
	for i := s.home(k); ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return false
		case 0:
			s.slots[i] = k
			s.n++
			return true
		}
	}
}

// home is the slot a key hashes to: Fibonacci hashing, the top bits of
// the product, which mixes the group (high bits) and value (low bits).
func (s *pairSet) home(k uint64) uint64 { return (k * 0x9e3779b97f4a7c15) >> s.shift }

func (s *pairSet) grow() {
	old := s.slots
	size := max(2*len(old), 1024)
	s.slots = make([]uint64, size)
	s.shift = 64
	for n := size; n > 1; n >>= 1 {
		s.shift--
	}
	mask := uint64(size - 1)
	for _, k := range old {
		if k == 0 {
			continue
		}
		i := s.home(k)
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = k
	}
}

func (s *pairSet) len() int { return s.n }
