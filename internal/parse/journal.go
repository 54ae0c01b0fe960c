package parse

import (
	"bytes"

	"github.com/mailcop/mailcop/internal/record"
)

// journalMessage finds MESSAGE in a journalctl -o json object.
func (w *worker) journalMessage() ([]byte, bool) {
	for _, f := range w.in.Extra {
		if f.Key != "MESSAGE" {
			continue
		}
		v := f.Value
		if msg, ok := record.Unquote(v); ok {
			return []byte(msg), true
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
