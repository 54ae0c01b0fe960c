package record

import (
	"bytes"
	"encoding/base64"
)

// A log line travels from mailcop-tail to mailcop-parse as the record
// {"file":F,"line":L}, or {"line":L} when it has no file. Both halves of
// that record live here: LineEncoder writes it, PlainLineRecord reads it
// back in place, and line_test.go checks each against the other and
// against Unmarshal.

// LineEncoder writes the records of log lines. It keeps the encoded start
// of the record, which only changes with the file, so a line costs the
// escaping of its own bytes and no more.
type LineEncoder struct {
	file   string
	prefix []byte // `{"file":F,"line":` or `{"line":`; nil before the first line
}

// Append appends the record of line, read from file ("" for none), to dst
// without a newline. A line with bytes that are not UTF-8 cannot travel in
// a JSON string as it is: "line" then has U+FFFD in their place (as
// encoding/json writes them) and "line_b64" the exact bytes, in standard
// base64 with padding.
func (e *LineEncoder) Append(dst []byte, file string, line []byte) []byte {
	if e.prefix == nil || file != e.file {
		e.file = file
		e.prefix = append(e.prefix[:0], '{')
		if file != "" {
			e.prefix = append(AppendString(append(e.prefix, `"file":`...), file), ',')
		}
		e.prefix = append(e.prefix, `"line":`...)
	}
	dst, valid := AppendBytes(append(dst, e.prefix...), line)
	if !valid {
		dst = append(dst, `,"line_b64":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, line)
		dst = append(dst, '"')
	}
	return append(dst, '}')
}

// PlainLineRecord recognises the record LineEncoder writes for a log
// line, {"file":F,"line":L} or {"line":L}, when neither string holds a
// byte that JSON escapes or that is not ASCII, the usual case: F and L
// are then b's own bytes, with nothing to decode or copy. Any other
// record is not ok, and is Unmarshal's.
//
// F and L alias b: a caller that keeps either past the next read into b
// copies it (see the package comment).
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
