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
	dst = appendStr(dst, `,"time":`, r.Time)
	dst = appendStr(dst, `,"host":`, r.Host)
	dst = appendStr(dst, `,"daemon":`, r.Daemon)
	dst = appendStr(dst, `,"service":`, r.Service)
	dst = appendStr(dst, `,"event":`, r.Event)
	dst = appendStr(dst, `,"outcome":`, r.Outcome)
	dst = appendStr(dst, `,"reason":`, r.Reason)
	dst = appendStr(dst, `,"user":`, r.User)
	dst = appendStr(dst, `,"ip":`, r.IP)
	dst = appendStr(dst, `,"method":`, r.Method)
	dst = appendStr(dst, `,"session":`, r.Session)
	dst = appendNum(dst, `,"pid":`, r.PID)
	dst = appendStr(dst, `,"pw_hash":`, r.PwHash)
	dst = appendStr(dst, `,"scope":`, r.Scope)
	dst = appendNum(dst, `,"attempts":`, r.Attempts)
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
	if len(dst) == start {
		return append(dst, "{}"...)
	}
	dst[start] = '{'
	return append(dst, '}')
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
