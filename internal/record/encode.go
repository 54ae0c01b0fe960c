package record

import (
	"strconv"
)

// AppendJSON appends r as one JSON object (no newline) to dst. Known keys
// come first in a fixed order, then Extra in its order. Strings are
// written as encoding/json writes them with SetEscapeHTML(false).
func (r *Record) AppendJSON(dst []byte) []byte {
	// Each member is written after a comma; the first comma then becomes
	// the opening brace.
	start := len(dst)
	dst = r.appendHead(dst)
	dst = appendVerdict(dst, r.Outcome, r.Reason)
	dst = r.appendMiddle(dst)
	dst = appendNum(dst, `,"attempts":`, r.Attempts)
	dst = r.appendTail(dst)
	return closeObject(dst, start)
}

// The members in their order, in three runs around the verdict (outcome,
// reason) and the attempts: mailcop-parse's workers encode a record
// before its in-order step has counted it (see AppendUnjudged).

func (r *Record) appendHead(dst []byte) []byte {
	dst = appendStr(dst, `,"time":`, r.Time)
	dst = appendStr(dst, `,"host":`, r.Host)
	dst = appendStr(dst, `,"daemon":`, r.Daemon)
	dst = appendStr(dst, `,"service":`, r.Service)
	return appendStr(dst, `,"event":`, r.Event)
}

func appendVerdict(dst []byte, outcome, reason string) []byte {
	dst = appendStr(dst, `,"outcome":`, outcome)
	return appendStr(dst, `,"reason":`, reason)
}

func (r *Record) appendMiddle(dst []byte) []byte {
	dst = appendStr(dst, `,"user":`, r.User)
	dst = appendStr(dst, `,"ip":`, r.IP)
	dst = appendStr(dst, `,"method":`, r.Method)
	dst = appendStr(dst, `,"session":`, r.Session)
	dst = appendNum(dst, `,"pid":`, r.PID)
	dst = appendStr(dst, `,"pw_hash":`, r.PwHash)
	return appendStr(dst, `,"scope":`, r.Scope)
}

func (r *Record) appendTail(dst []byte) []byte {
	dst = appendStr(dst, `,"country":`, r.Country)
	dst = appendStr(dst, `,"country_name":`, r.CountryName)
	dst = appendNum(dst, `,"asn":`, r.ASN)
	dst = appendStr(dst, `,"as_org":`, r.ASOrg)
	dst = appendStr(dst, `,"city":`, r.City)
	dst = appendStr(dst, `,"file":`, r.File)
	dst = appendStr(dst, `,"line":`, r.Line)
	for _, f := range r.Extra {
		dst = append(dst, ',')
		dst = appendString(dst, f.Key)
		dst = append(dst, ':')
		if len(f.Value) == 0 { // a Field built by hand without a value
			dst = append(dst, "null"...)
		} else {
			dst = append(dst, f.Value...)
		}
	}
	return dst
}

// closeObject makes the members written from start on one object.
func closeObject(dst []byte, start int) []byte {
	if len(dst) == start {
		return append(dst, "{}"...)
	}
	dst[start] = '{'
	return append(dst, '}')
}

// Unjudged is a record encoded but for its outcome, reason and attempts,
// which only a later step knows: the offsets, in its encoding, where
// they go.
type Unjudged struct{ Verdict, Attempts int }

// AppendUnjudged appends r's members but Outcome, Reason and Attempts,
// for AppendJudged to complete: the encoding, the costly part, can then
// be done apart from the judging (mailcop-parse encodes in its workers,
// side by side, and judges in its one in-order step).
func (r *Record) AppendUnjudged(dst []byte) ([]byte, Unjudged) {
	start := len(dst)
	dst = r.appendHead(dst)
	var u Unjudged
	u.Verdict = len(dst) - start
	dst = r.appendMiddle(dst)
	u.Attempts = len(dst) - start
	return r.appendTail(dst), u
}

// AppendJudged appends the JSON object of enc, a record's AppendUnjudged,
// with its outcome, reason and attempts: what AppendJSON appends for the
// record with them.
func AppendJudged(dst, enc []byte, u Unjudged, outcome, reason string, attempts int) []byte {
	start := len(dst)
	dst = append(dst, enc[:u.Verdict]...)
	dst = appendVerdict(dst, outcome, reason)
	dst = append(dst, enc[u.Verdict:u.Attempts]...)
	dst = appendNum(dst, `,"attempts":`, attempts)
	dst = append(dst, enc[u.Attempts:]...)
	return closeObject(dst, start)
}

func appendStr(dst []byte, key, v string) []byte {
	if v == "" {
		return dst
	}
	return appendString(append(dst, key...), v)
}

func appendNum(dst []byte, key string, v int) []byte {
	if v == 0 {
		return dst
	}
	return strconv.AppendInt(append(dst, key...), int64(v), 10)
}

func appendInt(dst []byte, n int) []byte { return strconv.AppendInt(dst, int64(n), 10) }
