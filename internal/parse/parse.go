// Package parse is mailcop-parse: it recognises the auth events in
// postfix and dovecot logs and counts each real attempt once.
package parse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/mailcop/mailcop/internal/record"
)

// Config holds what the log does not say: the year and zone of stamps
// that carry none, and what to emit.
type Config struct {
	// Year is the year of stamps without one; 0 infers it (a stamp never
	// lies more than a day after the reference time).
	Year int
	// Location is the zone of stamps without one (default time.Local).
	Location *time.Location
	// Now is the clock, the reference for year inference on streams.
	Now func() time.Time
	// Since and Until bound the records emitted; zero means unbounded.
	Since, Until time.Time
	// Unmatched emits {"event":"unmatched"} records for dovecot and
	// postfix lines that talk about auth but match no rule.
	Unmatched bool
	// Raw keeps each event's log line in "line" (clear passwords hidden).
	Raw bool
}

// Stats counts what a Parser saw, for -v.
type Stats struct {
	Lines      int // lines read
	Candidates int // lines that mention auth, login or SASL
	Records    int // records emitted
	Failures   int // failed attempts (sum of attempts)
	Logins     int // successful logins
	Unmatched  int // dovecot/postfix auth lines no rule understood
	Bad        int // lines skipped as unusable (too long, invalid JSON)
}

// Parser turns log lines into records. It keeps the counting state across
// inputs, so rotated files read in a row pair their lines too.
type Parser struct {
	cfg     Config
	clock   clock
	counter *counter
	finder  *finder
	emit    func(*record.Record) error
	warn    func(error)
	stats   Stats

	rec      record.Record // the record being built
	in       record.Record // a JSON input line, decoded
	lastTime time.Time
	lastFrac int
	buf      []byte
}

// NewParser returns a parser that hands each record to emit and each
// unusable line (with its position) to warn.
func NewParser(cfg Config, emit func(*record.Record) error, warn func(error)) *Parser {
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Parser{
		cfg:     cfg,
		clock:   clock{year: cfg.Year, loc: cfg.Location},
		counter: newCounter(),
		finder:  newFinder(needles...),
		emit:    emit,
		warn:    warn,
	}
}

// Stats returns the counts so far.
func (p *Parser) Stats() Stats { return p.stats }

// needles are the words every line mailcop reads contains; a line with
// none of them is skipped without being looked at.
var needles = []string{
	"auth",        // auth failed, auth:, auth-worker, authentication, auth=S/T
	"login",       // imap-login and the other login processes (Login:, Logged in)
	"sasl_",       // postfix's sasl_username= of a successful login
	`"MESSAGE":[`, // journald's byte-array messages hide their words
}

// blockSize is how much is read at a time; it also bounds a line.
const blockSize = record.MaxLine

// Read parses all of r. name names it in messages; modTime is the file's
// modification time (zero for streams), the reference for year inference.
// flush is called before each read that may block.
func (p *Parser) Read(r io.Reader, name string, modTime time.Time, flush func() error) error {
	p.clock.ref = modTime
	stream := modTime.IsZero()
	file := name
	if stream {
		file = ""
	}
	buf := make([]byte, blockSize)
	fill := 0
	lineNo := 0
	skipping := false // inside a line too long to keep
	for {
		if flush != nil {
			if err := flush(); err != nil {
				return err
			}
		}
		n, err := r.Read(buf[fill:])
		if stream {
			p.clock.ref = p.cfg.Now()
		}
		fill += n
		data := buf[:fill]
		if skipping {
			first := bytes.IndexByte(data, '\n')
			if first < 0 {
				fill = 0
				data = nil
			} else {
				// The rest of the long line ends at its first newline.
				data = data[first+1:]
				skipping = false
			}
		}
		if end := bytes.LastIndexByte(data, '\n') + 1; end > 0 {
			if perr := p.block(data[:end], name, file, lineNo); perr != nil {
				return perr
			}
			lineNo += bytes.Count(data[:end], []byte{'\n'})
			data = data[end:]
		} else if len(data) == len(buf) {
			lineNo++
			p.stats.Lines++
			p.stats.Bad++
			p.warn(&record.SyntaxError{File: name, Line: lineNo, Msg: fmt.Sprintf("line longer than %d bytes skipped", record.MaxLine)})
			data = nil
			skipping = true
		}
		fill = copy(buf, data)
		if err != nil {
			if fill > 0 && !skipping {
				// A last line without its newline is still a line.
				if perr := p.block(buf[:fill], name, file, lineNo); perr != nil {
					return perr
				}
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("read %s: %w", name, err)
		}
	}
}

// block parses the lines of data (whole lines), skipping fast past those
// with no needle. first is the number of lines before data.
func (p *Parser) block(data []byte, name, file string, first int) error {
	p.stats.Lines += bytes.Count(data, []byte{'\n'})
	if len(data) > 0 && data[len(data)-1] != '\n' {
		p.stats.Lines++
	}
	f := p.finder
	if !f.tuned {
		f.tune(data)
	}
	var next [4]int
	for k := range needles {
		next[k] = f.index(data, 0, k)
	}
	pos := 0
	counted, lineNo := 0, first // line numbers are counted only when needed
	for {
		hit := len(data)
		for k := range needles {
			if next[k] < pos {
				next[k] = f.index(data, pos, k)
			}
			if next[k] < hit {
				hit = next[k]
			}
		}
		if hit == len(data) {
			return nil
		}
		start := bytes.LastIndexByte(data[pos:hit], '\n') + 1 + pos
		end := bytes.IndexByte(data[hit:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += hit
		}
		p.stats.Candidates++
		lineOf := func() int {
			lineNo += bytes.Count(data[counted:start], []byte{'\n'})
			counted = start
			return lineNo + 1
		}
		if err := p.line(trimCR(data[start:end]), name, file, lineOf); err != nil {
			return err
		}
		pos = end + 1
		if pos >= len(data) {
			return nil
		}
	}
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

// line handles one candidate line: a JSON record from mailcop-tail or
// journalctl, or a plain log line.
func (p *Parser) line(line []byte, name, file string, lineNo func() int) error {
	p.rec.Reset()
	if len(line) > 0 && line[0] == '{' {
		if err := p.in.Unmarshal(line); err != nil {
			p.stats.Bad++
			p.warn(&record.SyntaxError{File: name, Line: lineNo(), Msg: "invalid record: " + err.Error()})
			return nil
		}
		if msg, ok := p.journalMessage(); ok {
			return p.journal(msg)
		}
		if p.in.Line == "" {
			p.stats.Bad++
			p.warn(&record.SyntaxError{File: name, Line: lineNo(), Msg: `record has no "line" to parse`})
			return nil
		}
		// Keys the user added upstream travel on with the events.
		p.rec.Extra = append(p.rec.Extra, p.in.Extra...)
		return p.plain([]byte(p.in.Line), p.in.File)
	}
	return p.plain(line, file)
}

// plain parses one log line: envelope, syslog tag, then the daemon's rules.
func (p *Parser) plain(line []byte, file string) error {
	env, msg, ok := p.clock.splitEnvelope(line)
	t, frac := p.lastTime, p.lastFrac
	if ok && !env.time.IsZero() {
		t, frac = env.time, env.fracDigits
		p.lastTime, p.lastFrac = t, frac
	}
	tag, pid, rest, tagged := splitTag(msg)
	if !tagged {
		if env.host != "" {
			return nil // syslog always writes a tag; this is not a daemon's line
		}
		// dovecot's own log files have no tag: "auth-worker(12): ..."
		tag, rest = nil, msg
	}
	return p.message(line, t, frac, env.host, file, tag, pid, rest)
}

// message applies the rules to a message whose envelope is known.
func (p *Parser) message(line []byte, t time.Time, frac int, host, file string, tag []byte, pid int, msg []byte) error {
	var ev event
	var matched, relevant bool
	switch {
	case tag == nil || dovecotTag(tag):
		matched = parseDovecot(tag, msg, &ev)
		relevant = !ev.offTopic
	case isSmtpd(tag):
		matched = parsePostfix(tag, msg, &ev)
		relevant = !matched && postfixTalksAuth(msg)
	default:
		return nil
	}
	if !matched {
		if relevant && p.cfg.Unmatched && p.inPeriod(t) {
			p.stats.Unmatched++
			p.rec.Time = p.formatTime(t, frac)
			p.rec.Host = host
			p.rec.Daemon = ev.daemon
			p.rec.Event = "unmatched"
			p.rec.File = file
			p.rec.Line = text(hidePassword(line))
			return p.out()
		} else if relevant {
			p.stats.Unmatched++
		}
		return nil
	}
	attempts, success := p.counter.count(&ev, host, pid, t)
	if !p.inPeriod(t) {
		return nil
	}
	if attempts > 0 {
		p.fill(&ev, line, t, frac, host, file, pid)
		p.rec.Outcome = "failure"
		p.rec.Reason = ev.reason
		p.rec.Attempts = attempts
		p.stats.Failures += attempts
		if err := p.out(); err != nil {
			return err
		}
	}
	if success {
		p.fill(&ev, line, t, frac, host, file, pid)
		p.rec.Outcome = "success"
		p.rec.Reason = ""
		p.rec.Attempts = 0
		p.stats.Logins++
		return p.out()
	}
	return nil
}

func (p *Parser) fill(ev *event, line []byte, t time.Time, frac int, host, file string, pid int) {
	r := &p.rec
	r.Time = p.formatTime(t, frac)
	r.Host = host
	r.Daemon = ev.daemon
	r.Service = ev.service
	r.Event = "auth"
	r.User = ev.user
	r.IP = ev.ip
	r.Method = ev.method
	r.Session = ev.session
	r.PID = pid
	r.PwHash = ev.pwHash
	r.File = file
	if p.cfg.Raw {
		r.Line = text(hidePassword(line))
	}
}

func (p *Parser) out() error {
	p.stats.Records++
	return p.emit(&p.rec)
}

func (p *Parser) inPeriod(t time.Time) bool {
	if !p.cfg.Since.IsZero() && t.Before(p.cfg.Since) {
		return false
	}
	if !p.cfg.Until.IsZero() && !t.Before(p.cfg.Until) {
		return false
	}
	return true
}

func (p *Parser) formatTime(t time.Time, frac int) string {
	if t.IsZero() {
		return ""
	}
	p.buf = appendTime(p.buf[:0], t.In(p.cfg.Location), frac)
	return string(p.buf)
}

// splitTag reads a syslog tag: "postfix/smtpd[123]: rest" or "dovecot: rest".
func splitTag(msg []byte) (tag []byte, pid int, rest []byte, ok bool) {
	i := 0
	for i < len(msg) {
		c := msg[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '/' || c == '.' {
			i++
			continue
		}
		break
	}
	if i == 0 || i == len(msg) {
		return nil, 0, msg, false
	}
	tag = msg[:i]
	rest = msg[i:]
	if rest[0] == '[' {
		j := bytes.IndexByte(rest, ']')
		if j < 0 {
			return nil, 0, msg, false
		}
		pid, _ = atoi(rest[1:j])
		rest = rest[j+1:]
	}
	if !hasPrefix(rest, ": ") {
		return nil, 0, msg, false
	}
	return tag, pid, rest[2:], true
}

// postfixTalksAuth tells whether a postfix line no rule matched is about
// auth, so that it counts as unmatched (and not every line with "auth" in
// an address does).
func postfixTalksAuth(msg []byte) bool {
	return contains(msg, "SASL") || contains(msg, "sasl_") || contains(msg, " auth=") || contains(msg, " AUTH")
}

// hidePassword removes a password dovecot logged in clear
// (auth_verbose_passwords=plain): it runs to the end of the line.
func hidePassword(line []byte) []byte {
	i := bytes.Index(line, []byte("(given password: "))
	if i < 0 {
		return line
	}
	out := make([]byte, 0, i+32)
	out = append(out, line[:i]...)
	return append(out, "(given password: <hidden>)"...)
}

// journalMessage finds MESSAGE in a journalctl -o json object.
func (p *Parser) journalMessage() ([]byte, bool) {
	for _, f := range p.in.Extra {
		if f.Key != "MESSAGE" {
			continue
		}
		v := f.Value
		if len(v) > 0 && v[0] == '"' {
			var r record.Record
			// Decode the string through the record codec: a one-key object.
			obj := append(append([]byte(`{"line":`), v...), '}')
			if r.Unmarshal(obj) != nil {
				return nil, false
			}
			return []byte(r.Line), true
		}
		if len(v) > 0 && v[0] == '[' {
			return byteArray(v)
		}
		return nil, false
	}
	return nil, false
}

// byteArray decodes journald's [104,101,...] form of a non-UTF-8 message.
func byteArray(v []byte) ([]byte, bool) {
	out := make([]byte, 0, len(v)/3)
	v = bytes.TrimSpace(v[1:])
	for len(v) > 0 && v[0] != ']' {
		n, rest, ok := leadingInt(v)
		if !ok || n > 255 {
			return nil, false
		}
		out = append(out, byte(n))
		v = bytes.TrimLeft(rest, " ,\n\t")
	}
	return out, true
}

// journal handles one journalctl -o json entry.
func (p *Parser) journal(msg []byte) error {
	var t time.Time
	frac := 0
	host, tag := "", []byte(nil)
	pid := 0
	for _, f := range p.in.Extra {
		s, ok := unquoteSimple(f.Value)
		if !ok {
			continue
		}
		switch f.Key {
		case "__REALTIME_TIMESTAMP":
			if us, err := strconv.ParseInt(s, 10, 64); err == nil {
				t = time.UnixMicro(us).In(p.cfg.Location)
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
		t, frac = p.lastTime, p.lastFrac
	} else {
		p.lastTime, p.lastFrac = t, frac
	}
	if tag == nil {
		return nil
	}
	return p.message(msg, t, frac, host, "", tag, pid, msg)
}

// unquoteSimple returns the text of a JSON string without escapes, which
// is what journald writes for its metadata fields.
func unquoteSimple(v []byte) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' || bytes.IndexByte(v, '\\') >= 0 {
		return "", false
	}
	return string(v[1 : len(v)-1]), true
}
