package record

import (
	"bytes"
)

// PlainLineRecord recognises the record mailcop-tail writes for a log
// line, {"file":F,"line":L} or {"line":L}, when neither string holds a
// byte that JSON escapes or that is not ASCII, the usual case: F and L
// are then b's own bytes, with nothing to decode or copy. Any other
// record is not ok, and is Unmarshal's.
func PlainLineRecord(b []byte) (file, line []byte, ok bool) {
	rest, ok := bytes.CutPrefix(b, []byte(`{"file":"`))
	if ok {
		j := skipPlainBytes(rest, 0)
		if j == len(rest) || rest[j] != '"' {
			return nil, nil, false
		}
		file = rest[:j]
		if rest, ok = bytes.CutPrefix(rest[j+1:], []byte(`,"line":"`)); !ok {
			return nil, nil, false
		}
	} else if rest, ok = bytes.CutPrefix(b, []byte(`{"line":"`)); !ok {
		return nil, nil, false
	}
	j := skipPlainBytes(rest, 0)
	if j != len(rest)-2 || rest[j] != '"' || rest[j+1] != '}' {
		return nil, nil, false
	}
	return file, rest[:j], true
}
