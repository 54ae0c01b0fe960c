package parse

import "bytes"

// finder locates the lines worth parsing: those holding one of a few
// words. It runs over whole buffers, so its speed is the parser's speed on
// the 90% of a mail log that is not about auth.
//
// bytes.Index looks for a word's first byte and then checks the rest; on
// text where that byte is common ('a' of "auth" is, in English and in
// logs) it stops every few bytes. The finder instead looks for each word's
// rarest byte, as measured on the input itself, with bytes.IndexByte,
// which scans 32 bytes a step, and checks the word around it.
type finder struct {
	words   [][]byte
	groups  []pivotGroup
	sampled int // bytes the tuning saw
}

// pivotGroup is the words that share a pivot: the same byte at the same
// index. One scan for the byte serves them all.
type pivotGroup struct {
	b     byte
	k     int   // index of b in each word
	words []int // into finder.words
	next  int   // next match at or after the last search, in the current block
}

func newFinder(words ...string) *finder {
	f := &finder{}
	for _, w := range words {
		f.words = append(f.words, []byte(w))
	}
	f.tune(nil)
	return f
}

// tuneOn tunes on data unless a large enough sample was seen already: a
// live stream's first block may be a single line.
func (f *finder) tuneOn(data []byte) {
	if f.sampled < 64<<10 && len(data) > f.sampled {
		f.tune(data)
	}
}

// tune picks each word's rarest byte from the frequencies in sample, and
// groups the words by it.
func (f *finder) tune(sample []byte) {
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
}

// start readies the finder for a new block.
func (f *finder) start() {
	for g := range f.groups {
		f.groups[g].next = -1
	}
}

// first returns the position of the first word at or after from in data,
// or len(data) when there is none. Calls for one block must not go back.
func (f *finder) first(data []byte, from int) int {
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

// scan finds the first word of pg at or after from.
func (f *finder) scan(data []byte, from int, pg *pivotGroup) int {
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

// needles are the words every line mailcop reads contains; a line with
// none of them is skipped without being looked at.
var needles = [...]string{
	"auth",        // auth failed, auth:, auth-worker, authentication, auth=S/T
	"-login",      // dovecot's login processes: imap-login, pop3-login, ... (Login:, failures)
	"sasl_",       // postfix's sasl_username= of a successful login
	"NOTICE",      // fail2ban's Ban, Restore Ban and Unban notices (0.9 and later)
	"WARNING",     // the same in fail2ban 0.8
	`"MESSAGE":[`, // journald's byte-array messages hide their words
}
