package parse

import (
	"time"

	"github.com/mailcop/mailcop/internal/record"
)

// item turns one parsed line into records, applying the counting rule;
// enc holds the encodings of its job's items (see item.encFrom).
func (p *Parser) item(it *item, enc []byte) error {
	if it.warn != nil {
		p.stats.Bad++
		p.warn(it.warn)
		return nil
	}
	if !it.matched {
		if !it.relevant {
			return nil
		}
		p.stats.Unmatched++
		if !p.cfg.Unmatched || !p.inPeriod(it.t) {
			return nil
		}
		p.rec.Reset()
		p.rec.Time = it.timeText
		p.rec.Host = it.host
		p.rec.Daemon = it.ev.daemon
		p.rec.Event = record.EventUnmatched
		p.rec.File = it.file
		p.rec.Line = it.line
		p.rec.Extra = append(p.rec.Extra, it.extra...)
		return p.out()
	}
	if it.ev.kind == kindBan {
		if !p.inPeriod(it.t) {
			return nil
		}
		r := &p.rec
		r.Reset()
		r.Time = it.timeText
		r.Host = it.host
		r.Daemon = it.ev.daemon
		r.Event = it.ev.banEvent
		r.IP = it.ev.ip
		r.File = it.file
		if p.cfg.Raw {
			r.Line = it.line
		}
		r.Extra = append(r.Extra, record.Field{Key: "jail", Value: quoteJSON(it.ev.jail)})
		r.Extra = append(r.Extra, it.extra...)
		return p.out()
	}
	attempts, success := p.counter.count(&it.ev, it.host, it.pid, it.t)
	if !p.inPeriod(it.t) {
		return nil
	}
	if attempts > 0 {
		p.stats.Failures += attempts
		if err := p.judged(it, enc, record.OutcomeFailure, it.ev.reason, attempts); err != nil {
			return err
		}
	}
	if success {
		p.stats.Logins++
		return p.judged(it, enc, record.OutcomeSuccess, "", 0)
	}
	return nil
}

// judged emits the record of it with what counting decided, from its
// worker's encoding when there is one.
func (p *Parser) judged(it *item, enc []byte, outcome, reason string, attempts int) error {
	if it.encTo > 0 {
		p.stats.Records++
		p.buf = record.AppendJudged(p.buf[:0], enc[it.encFrom:it.encTo], it.unjudged, outcome, reason, attempts)
		return p.write(p.buf)
	}
	fillRecord(&p.rec, it, p.cfg.Raw)
	p.rec.Outcome, p.rec.Reason, p.rec.Attempts = outcome, reason, attempts
	return p.out()
}

// fillRecord sets r to the record of it but for what counting decides:
// the outcome, the reason of a failure and its attempts.
func fillRecord(r *record.Record, it *item, raw bool) {
	r.Reset()
	ev := &it.ev
	r.Time = it.timeText
	r.Host = it.host
	r.Daemon = ev.daemon
	r.Service = ev.service
	r.Event = record.EventAuth
	r.User = ev.user
	r.IP = ev.ip
	r.Method = ev.method
	r.Session = ev.session
	r.PID = it.pid
	r.PwHash = ev.pwHash
	r.File = it.file
	if raw {
		r.Line = it.line
	}
	r.Extra = append(r.Extra, it.extra...)
}

func (p *Parser) out() error {
	p.stats.Records++
	if p.write != nil {
		p.buf = p.rec.AppendJSON(p.buf[:0])
		return p.write(p.buf)
	}
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

// quoteJSON renders s as a JSON string.
func quoteJSON(s string) []byte { return record.AppendString(nil, s) }
