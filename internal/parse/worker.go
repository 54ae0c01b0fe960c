package parse

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"time"

	"github.com/mailcop/mailcop/internal/parse/linefind"
	"github.com/mailcop/mailcop/internal/record"
)

// worker finds and parses the candidate lines of blocks. Workers run side
// by side on different blocks, each block read knowing nothing of the
// lines before it, unless told (block's before): what the result depends
// on is the block, never which worker read which block before. The rest
// of a worker's state is caches (the finder's tuning, interned strings).
type worker struct {
	cfg      Config
	clock    clock
	finder   *linefind.Finder
	in       record.Record // a JSON input line, decoded
	tailFile string        // the file of the last mailcop-tail record
	lastTime time.Time     // the block's last stamp so far
	lastFrac int
	anchored bool // the block was read knowing the lines before it
	buf      []byte
	items    []item
	strs     *interner

	// encode: the Parser wants records encoded, and the worker encodes
	// what it can of them into enc (see item.encFrom).
	encode bool
	enc    []byte
	out    record.Record

	// The text of the last time formatted: many events share a second.
	textTime time.Time
	textFrac int
	text     string
}

// item is one parsed candidate line, ready for the counting rule.
type item struct {
	ev       event
	matched  bool // a rule recognised it
	relevant bool // not matched, but talks about auth: "unmatched"
	t        time.Time
	timeText string
	host     string
	file     string
	pid      int
	// inherit: the line has no stamp and none came before it in its
	// block: it takes the last stamp before the block, which only the
	// sequencer knows.
	inherit bool
	line    string              // the log line (password hidden), when output needs it
	extra   []record.Field      // keys a user added upstream, carried along
	warn    *record.SyntaxError // the line is unusable; Line counts within its block

	// The line's record, encoded by its worker but for what counting
	// decides (record.AppendUnjudged), is enc[encFrom:encTo] of its job;
	// encTo is 0 when the in-order step is to encode it.
	encFrom, encTo int
	unjudged       record.Unjudged
}

func newWorker(cfg Config) *worker {
	return &worker{
		cfg:    cfg,
		clock:  clock{year: cfg.Year, loc: cfg.Location},
		finder: linefind.New(needles[:]...),
		strs:   newInterner(),
	}
}

// block parses the candidate lines of j.data, skipping fast past the
// lines with no needle. before is what the lines before the block left,
// when known; nil reads the block on its own (see item.inherit and
// job.guessed).
func (w *worker) block(j *job, name, file string, before *lineOrder) {
	data := j.data
	w.clock.ref = j.ref
	w.lastTime, w.lastFrac, w.anchored = time.Time{}, 0, before != nil
	if before != nil {
		w.lastTime, w.lastFrac = before.time, before.frac
		w.clock.startBlock(before.clock)
	} else {
		w.clock.startBlock(time.Time{})
	}
	w.items = j.items[:0]
	w.enc = j.enc[:0]
	f := w.finder
	f.TuneOn(data)
	f.Start()
	readNewlines := 0 // of the lines read
	pos := 0
	counted, lineNo := 0, 0 // line numbers (within the block) are counted only when needed
	for pos < len(data) {
		hit := f.First(data, pos)
		if hit == len(data) {
			break
		}
		start := lastByte(data[pos:hit], '\n') + 1 + pos
		end := bytes.IndexByte(data[hit:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += hit
			readNewlines++
		}
		j.cands++
		lineOf := func() int {
			lineNo += bytes.Count(data[counted:start], []byte{'\n'})
			counted = start
			return lineNo + 1
		}
		w.line(trimCR(data[start:end]), name, file, lineOf)
		pos = end + 1
	}
	// With probe, the finder counted the newlines of the bytes it looked
	// at, which are all but the lines read: a pass over the block saved.
	if skipped, ok := f.Newlines(); ok {
		j.lines = skipped + readNewlines
	} else {
		j.lines = bytes.Count(data, []byte{'\n'})
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		j.lines++
	}
	j.items = w.items
	w.items = nil
	j.enc = w.enc
	w.enc = nil
	j.guessed = w.clock.guessed
	j.after = lineOrder{time: w.lastTime, frac: w.lastFrac, clock: w.clock.last}
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

// line handles one candidate line: a JSON record from mailcop-tail or
// journalctl, or a plain log line.
func (w *worker) line(line []byte, name, file string, lineNo func() int) {
	if len(line) == 0 || line[0] != '{' || hasPrefix(line, exporterPrefix) {
		if w.hasNUL(line, name, lineNo) {
			return
		}
		w.plain(line, file, nil)
		return
	}
	if !worthDecoding(line) {
		return
	}
	if f, l, ok := record.PlainLineRecord(line); ok {
		// mailcop-tail's usual record: the line is read in place.
		if string(f) != w.tailFile {
			w.tailFile = string(f)
		}
		w.plain(l, w.tailFile, nil)
		return
	}
	if err := w.in.Unmarshal(line); err != nil {
		w.items = append(w.items, item{warn: &record.SyntaxError{File: name, Line: lineNo(), Msg: "invalid record: " + err.Error()}})
		return
	}
	if msg, ok := w.journalMessage(); ok {
		if w.hasNUL(msg, name, lineNo) {
			return
		}
		w.journal(msg)
		return
	}
	if w.in.Line == "" {
		w.items = append(w.items, item{warn: &record.SyntaxError{File: name, Line: lineNo(), Msg: `record has no "line" to parse`}})
		return
	}
	// Keys the user added upstream travel on with the events; line_b64,
	// mailcop-tail's exact bytes of a line that is not UTF-8, is read
	// instead of the line it stands for.
	line = []byte(w.in.Line)
	var extra []record.Field
	for _, f := range w.in.Extra {
		if f.Key == "line_b64" {
			if raw, ok := decodeB64(f.Value); ok {
				line = raw
			}
			continue
		}
		extra = append(extra, f)
	}
	if w.hasNUL(line, name, lineNo) {
		return
	}
	w.plain(line, w.in.File, extra)
}

// hasNUL skips and names a line holding NUL bytes: no daemon writes
// them, a file damaged by a crash does, and what the line would give
// could not be trusted.
func (w *worker) hasNUL(line []byte, name string, lineNo func() int) bool {
	if bytes.IndexByte(line, 0) < 0 {
		return false
	}
	w.items = append(w.items, item{warn: &record.SyntaxError{File: name, Line: lineNo(), Msg: "line with NUL bytes skipped"}})
	return true
}

// plain parses one log line: envelope, syslog tag, then the daemon's rules.
func (w *worker) plain(line []byte, file string, extra []record.Field) {
	if w.exporter(line, line, false, "", file, extra) {
		return
	}
	env, msg, ok := w.clock.splitEnvelope(line)
	t, frac := w.lastTime, w.lastFrac
	if ok && !env.time.IsZero() {
		t, frac = env.time, env.fracDigits
		w.lastTime, w.lastFrac = t, frac
	}
	if isFail2ban(msg) || isFail2ban([]byte(env.host)) {
		// fail2ban's own log has no host: its logger name took that place.
		if isFail2ban([]byte(env.host)) {
			env.host = ""
		}
		w.fail2ban(line, t, frac, env.host, file, msg, extra)
		return
	}
	tag, pid, rest, tagged := splitTag(msg)
	if !tagged {
		if env.host != "" {
			return // syslog always writes a tag; this is not a daemon's line
		}
		// dovecot's own log files have no tag: "auth-worker(12): ..."
		tag, rest = nil, msg
	}
	if js, ok := exporterInLog(tag, rest); ok && w.exporter(line, js, true, env.host, file, extra) {
		return
	}
	w.message(line, t, frac, env.host, file, tag, pid, rest, extra)
}

// message applies the rules to a message whose envelope is known.
func (w *worker) message(line []byte, t time.Time, frac int, host, file string, tag []byte, pid int, msg []byte, extra []record.Field) {
	// The item is built in place: it is big, and most candidates become one.
	w.items = append(w.items, item{t: t, host: host, file: file, pid: pid, extra: extra})
	it := &w.items[len(w.items)-1]
	it.ev.strs = w.strs
	switch {
	case tag == nil || dovecotLine(tag, msg):
		it.matched = parseDovecot(tag, msg, &it.ev)
		it.relevant = !it.matched && !it.ev.offTopic
	case isSmtpd(tag):
		it.matched = parsePostfix(tag, msg, &it.ev)
		it.relevant = !it.matched && postfixTalksAuth(msg)
	}
	if !it.matched && !it.relevant || it.matched && it.ev.kind == kindIgnore && !it.ev.saslWarning {
		// Not a daemon of ours, nothing about auth, or recognised and
		// nothing for the counting rule.
		w.items = w.items[:len(w.items)-1]
		return
	}
	it.timeText = w.timeText(t, frac)
	it.inherit = t.IsZero() && !w.anchored
	it.ev.strs = nil // the interner is the worker's: not for the sequencer
	if w.cfg.Raw || (w.cfg.Unmatched && it.relevant) {
		it.line = text(hidePassword(line))
	}
	w.encodeItem(it)
}

// encodeItem encodes the record of a failed attempt's or a login's line,
// when it is known here: not for a line whose time only the in-order step
// knows, nor for the exporter's events, whose address, session and reason
// counting may complete from its other events.
func (w *worker) encodeItem(it *item) {
	if !w.encode || !it.matched || it.inherit || it.ev.src == srcExporter {
		return
	}
	if it.ev.kind != kindAttempt && it.ev.kind != kindLogin {
		// Summaries and postfix's disconnect lines mostly add nothing to
		// what their session's lines counted (on a generated log, 37 %
		// and 8 % of them make a record): the in-order step encodes those
		// few.
		return
	}
	fillRecord(&w.out, it, w.cfg.Raw)
	it.encFrom = len(w.enc)
	w.enc, it.unjudged = w.out.AppendUnjudged(w.enc)
	it.encTo = len(w.enc)
}

// fail2ban handles a line of fail2ban's, which is a ban notice or nothing.
func (w *worker) fail2ban(line []byte, t time.Time, frac int, host, file string, msg []byte, extra []record.Field) {
	it := item{t: t, host: host, file: file, extra: extra}
	it.ev.strs = w.strs
	if !parseFail2ban(msg, &it.ev) {
		return
	}
	it.ev.strs = nil
	it.matched = true
	it.timeText = w.timeText(t, frac)
	it.inherit = t.IsZero() && !w.anchored
	if w.cfg.Raw {
		it.line = text(line)
	}
	w.items = append(w.items, it)
}

// timeText formats t, reusing the last text when the second repeats.
func (w *worker) timeText(t time.Time, frac int) string {
	if t.IsZero() {
		return ""
	}
	if !t.Equal(w.textTime) || frac != w.textFrac || w.text == "" {
		w.buf = appendTime(w.buf[:0], t.In(w.cfg.Location), frac)
		w.textTime, w.textFrac, w.text = t, frac, string(w.buf)
	}
	return w.text
}

// decodeB64 decodes a JSON string of standard base64.
func decodeB64(v []byte) ([]byte, bool) {
	s, ok := record.Unquote(v)
	if !ok {
		return nil, false
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	return raw, err == nil
}

// journal handles one journalctl -o json entry.
func (w *worker) journal(msg []byte) {
	var t time.Time
	frac := 0
	host, tag := "", []byte(nil)
	pid := 0
	for _, f := range w.in.Extra {
		s, ok := record.Unquote(f.Value)
		if !ok {
			continue
		}
		switch f.Key {
		case "__REALTIME_TIMESTAMP":
			if us, err := strconv.ParseInt(s, 10, 64); err == nil {
				t = time.UnixMicro(us).In(w.cfg.Location)
				frac = 6
			}
		case "_HOSTNAME":
			host = s
		case "SYSLOG_IDENTIFIER":
			tag = []byte(s)
		case "_PID", "SYSLOG_PID":
			if n, ok := atoi([]byte(s)); ok && (pid == 0 || f.Key == "SYSLOG_PID") {
				pid = n
			}
		}
	}
	if t.IsZero() {
		t, frac = w.lastTime, w.lastFrac
	} else {
		w.lastTime, w.lastFrac = t, frac
	}
	if tag == nil {
		return
	}
	if js, ok := exporterInLog(tag, msg); ok && w.exporter(msg, js, true, host, "", nil) {
		return
	}
	w.message(msg, t, frac, host, "", tag, pid, msg, nil)
}
