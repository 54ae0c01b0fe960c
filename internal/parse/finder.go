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
	pivot   []int // index in each word of its rarest byte
	sampled int   // bytes the tuning saw
}

func newFinder(words ...string) *finder {
	f := &finder{}
	for _, w := range words {
		f.words = append(f.words, []byte(w))
		f.pivot = append(f.pivot, 0)
	}
	return f
}

// tuneOn tunes on data unless a large enough sample was seen already: a
// live stream's first block may be a single line.
func (f *finder) tuneOn(data []byte) {
	if f.sampled < 64<<10 && len(data) > f.sampled {
		f.tune(data)
	}
}

// tune picks each word's rarest byte from the frequencies in sample.
func (f *finder) tune(sample []byte) {
	var freq [256]int
	for _, c := range sample {
		freq[c]++
	}
	for i, w := range f.words {
		best := 0
		for k := range w {
			if freq[w[k]] < freq[w[best]] {
				best = k
			}
		}
		f.pivot[i] = best
	}
	f.sampled = len(sample)
}

// index returns the position of word i at or after from in data, or
// len(data) when there is none.
func (f *finder) index(data []byte, from, i int) int {
	w, k := f.words[i], f.pivot[i]
	pos := from + k
	for pos < len(data) {
		j := bytes.IndexByte(data[pos:], w[k])
		if j < 0 {
			break
		}
		at := pos + j - k
		// The first byte rules out most hits before a full compare.
		if at >= from && at+len(w) <= len(data) && data[at] == w[0] && string(data[at:at+len(w)]) == string(w) {
			return at
		}
		pos += j + 1
	}
	return len(data)
}

// needles are the words every line mailcop reads contains; a line with
// none of them is skipped without being looked at.
var needles = [...]string{
	"auth",        // auth failed, auth:, auth-worker, authentication, auth=S/T
	"login",       // imap-login and the other login processes (Login:, Logged in)
	"sasl_",       // postfix's sasl_username= of a successful login
	" Ban ",       // fail2ban's ban notices (and Restore Ban)
	" Unban ",     // and unban notices
	`"MESSAGE":[`, // journald's byte-array messages hide their words
}
