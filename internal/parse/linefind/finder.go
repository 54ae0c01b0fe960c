// Package linefind finds, in a block of text, the lines that hold one of a
// few words, fast: mailcop-parse reads only those.
package linefind

import "bytes"

// Finder locates the lines worth parsing: those holding one of a few
// words. It runs over whole buffers, so its speed is the parser's speed on
// the 90% of a mail log that is not about auth.
//
// bytes.Index looks for a word's first byte and then checks the rest; on
// text where that byte is common ('a' of "auth" is, in English and in
// logs) it stops every few bytes. The finder instead looks for each word's
// rarest byte, as measured on the input itself, with bytes.IndexByte,
// which scans 32 bytes a step, and checks the word around it.
//
// Where the CPU has AVX2, probe goes faster still: it tests a pair of
// bytes of every word at once, 32 positions a step, in one pass (the
// pivot groups need one pass each); the pair is the one that occurs least
// often together in the input.
//
// The assembly is kept because it pays: on a generated log probe finds the
// same lines 4 times as fast as the pivot groups (BenchmarkFinder), which
// saves mailcop-parse a tenth to a fifth of its CPU time. TestFinder and FuzzFinder
// hold both ways to bytes.Contains. An AVX-512 twin was measured and
// dropped: it saved nothing more.
type Finder struct {
	words   [][]byte
	groups  []pivotGroup
	sampled int // bytes the tuning saw

	probing  bool       // probe is used, not the pivot groups
	at       []int      // index in each word of its pair's first byte
	table    probeTable // the pairs, as probe reads them
	newlines int        // with probe: newlines in the bytes looked at since start
}

// probeSlots is how many words probe tests; the assembly knows it.
const probeSlots = 6

// probeTable is laid out for probe: each word's pair of bytes, repeated
// 32 times, and the distance between them. Unused slots repeat slot 0.
// Newlines are counted on the way, which saves a pass over the block.
// The assembly reads the fields at fixed offsets: TestProbeTableLayout
// holds them.
type probeTable struct {
	first   [probeSlots][32]byte
	second  [probeSlots][32]byte
	dist    [probeSlots]int
	maxDist int
	newline [32]byte
}

// pivotGroup is the words that share a pivot: the same byte at the same
// index. One scan for the byte serves them all.
type pivotGroup struct {
	b     byte
	k     int   // index of b in each word
	words []int // into Finder.words
	next  int   // next match at or after the last search, in the current block
}

// New returns a finder of the words, each 1 to 16 bytes long.
func New(words ...string) *Finder {
	f := &Finder{}
	for _, w := range words {
		if len(w) == 0 || len(w) > maxWord {
			panic("linefind: word of length 0 or over maxWord: " + w)
		}
		f.words = append(f.words, []byte(w))
	}
	f.tune(nil)
	return f
}

// TuneOn tunes on data unless a large enough sample was seen already: a
// live stream's first block may be a single line.
func (f *Finder) TuneOn(data []byte) {
	if f.sampled < 64<<10 && len(data) > f.sampled {
		f.tune(data)
	}
}

// tune picks each word's rarest byte from the frequencies in sample, and
// groups the words by it.
func (f *Finder) tune(sample []byte) {
	var freq [256]int
	for _, c := range sample {
		freq[c]++
	}
	f.groups = f.groups[:0]
	for i, w := range f.words {
		best := 0
		for k := range w {
			if freq[w[k]] < freq[w[best]] {
				best = k
			}
		}
		found := false
		for g := range f.groups {
			if f.groups[g].b == w[best] && f.groups[g].k == best {
				f.groups[g].words = append(f.groups[g].words, i)
				found = true
			}
		}
		if !found {
			f.groups = append(f.groups, pivotGroup{b: w[best], k: best, words: []int{i}})
		}
	}
	f.sampled = len(sample)
	f.tuneProbe(sample, &freq)
}

// tuneProbe picks for each word the pair of its bytes that occurs least
// often in the sample at the pair's distance: "-login"'s '-' and 'g' are
// rare bytes, but "-signature" and "-digest" hold them 3 apart too. Ties
// (an empty sample) go to the rarest product of the two bytes' frequencies.
func (f *Finder) tuneProbe(sample []byte, freq *[256]int) {
	f.probing = haveProbe && len(f.words) > 0 && len(f.words) <= probeSlots
	if len(f.words) == 0 || len(f.words) > probeSlots {
		return
	}
	// Counting pairs costs a pass per byte of each word: a slice of the
	// sample does.
	sample = sample[:min(len(sample), 64<<10)]
	f.at = f.at[:0]
	f.table.maxDist = 0
	for k := range probeSlots {
		w := f.words[0]
		if k < len(f.words) {
			w = f.words[k]
		}
		bi, bj := 0, 0
		if len(w) > 1 {
			bj = 1
		}
		seen := pairCounts(sample, w)
		odds := func(i, j int) uint64 { return uint64(freq[w[i]]+1) * uint64(freq[w[j]]+1) }
		for i := range w {
			for j := i + 1; j < len(w); j++ {
				if seen[i][j] < seen[bi][bj] || seen[i][j] == seen[bi][bj] && odds(i, j) < odds(bi, bj) {
					bi, bj = i, j
				}
			}
		}
		if k < len(f.words) {
			f.at = append(f.at, bi)
		}
		for n := range 32 {
			f.table.first[k][n] = w[bi]
			f.table.second[k][n] = w[bj]
		}
		f.table.dist[k] = bj - bi
		f.table.maxDist = max(f.table.maxDist, bj-bi)
	}
	for n := range 32 {
		f.table.newline[n] = '\n'
	}
}

// Start readies the finder for a new block.
func (f *Finder) Start() {
	f.newlines = 0
	for g := range f.groups {
		f.groups[g].next = -1
	}
}

// First returns a position inside the first word that lies at or after
// from in data, or len(data) when there is none. Calls for one block must
// not go back.
func (f *Finder) First(data []byte, from int) int {
	if f.probing {
		return f.probeFirst(data, from)
	}
	hit := len(data)
	for g := range f.groups {
		pg := &f.groups[g]
		if pg.next < from {
			pg.next = f.scan(data, from, pg)
		}
		hit = min(hit, pg.next)
	}
	return hit
}

// Newlines returns, when the finder uses probe, the newlines in the bytes
// First went past since Start: all of the block's but those of the lines
// the caller read from each hit on. Without probe, counted is false and
// the caller counts them itself.
func (f *Finder) Newlines() (n int, counted bool) {
	return f.newlines, f.probing
}

// pairCounts counts, for each pair of bytes w[i] and w[j] (i < j), the
// positions x of sample that hold w[i] at x and w[j] at x+j-i. Words are
// short: maxWord bounds them.
func pairCounts(sample, w []byte) *[maxWord][maxWord]int {
	var seen [maxWord][maxWord]int
	for i := range w {
		for x := 0; ; x++ {
			k := bytes.IndexByte(sample[x:], w[i])
			if k < 0 {
				break
			}
			x += k
			for j := i + 1; j < len(w) && x+j-i < len(sample); j++ {
				if sample[x+j-i] == w[j] {
					seen[i][j]++
				}
			}
		}
	}
	return &seen
}

// maxWord is the longest word a finder takes.
const maxWord = 16

// probeFirst is first with probe: each position probe finds is checked
// for a whole word; the few bytes at the end probe cannot load past are
// checked one by one. It counts the newlines before the position it
// returns; no word holds one, so a position that is not a word's skips
// none.
func (f *Finder) probeFirst(data []byte, from int) int {
	for from < len(data) {
		var x, newlines int
		var found bool
		x, found, newlines = probe256(data[from:], &f.table)
		x += from
		f.newlines += newlines
		if !found {
			for ; x < len(data); x++ {
				if f.wordAt(data, x) {
					return x
				}
				if data[x] == '\n' {
					f.newlines++
				}
			}
			break
		}
		if f.wordAt(data, x) {
			return x
		}
		from = x + 1
	}
	return len(data)
}

// wordAt tells whether x is the position of some word's pair in data,
// that is whether that word is there whole.
func (f *Finder) wordAt(data []byte, x int) bool {
	for k, w := range f.words {
		s := x - f.at[k]
		if s >= 0 && s+len(w) <= len(data) && data[s] == w[0] && string(data[s:s+len(w)]) == string(w) {
			return true
		}
	}
	return false
}

// scan finds the first word of pg at or after from.
func (f *Finder) scan(data []byte, from int, pg *pivotGroup) int {
	pos := from + pg.k
	if len(pg.words) == 1 {
		// The common case, without the loop over the group's words.
		w := f.words[pg.words[0]]
		first := w[0]
		for pos < len(data) {
			j := bytes.IndexByte(data[pos:], pg.b)
			if j < 0 {
				break
			}
			at := pos + j - pg.k
			// The first byte rules out most hits before a full compare.
			if data[at] == first && at+len(w) <= len(data) && string(data[at:at+len(w)]) == string(w) {
				return at
			}
			pos += j + 1
		}
		return len(data)
	}
	for pos < len(data) {
		j := bytes.IndexByte(data[pos:], pg.b)
		if j < 0 {
			break
		}
		at := pos + j - pg.k
		for _, i := range pg.words {
			w := f.words[i]
			if data[at] == w[0] && at+len(w) <= len(data) && string(data[at:at+len(w)]) == string(w) {
				return at
			}
		}
		pos += j + 1
	}
	return len(data)
}
