package record

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxDepth is encoding/json's nesting limit (the record counts as one
// level); the same limit keeps the same inputs valid, and bounds the
// recursion of skip.
const maxDepth = 10000

var (
	errEnd       = errors.New("unexpected end of JSON input")
	errNotObject = errors.New("not a JSON object")
)

// decoder holds the state of one Unmarshal. It lives on the stack.
type decoder struct {
	data []byte
	pos  int

	// The values of the fields that are not interned are collected in
	// vals (pointing into data, or into scratch when they had to be
	// decoded) and copied at the end into one string: one allocation for
	// the record instead of one per field, and nothing aliases data, which
	// the caller reuses.
	vals    [len(copied)][]byte
	inVals  uint8  // bit i: vals[i] is the value of field copied[i]
	scratch []byte // strings that had escapes or invalid UTF-8; rare

	// extraIndex finds duplicate unknown keys in records with many of
	// them, where a linear search would make a hostile line quadratic.
	extraIndex map[string]int
}

// Unmarshal decodes one JSON object into r (which it resets first).
// Known keys must have their type (strings, integers); null counts as
// absent; any other key is kept raw in Extra. A later duplicate key wins,
// as with encoding/json. The strings set in r do not alias data. r.Extra's
// storage (the slice and each Value) is reused: Clone a record to keep it.
// On error r is left reset.
func (r *Record) Unmarshal(data []byte) error {
	r.Reset()
	d := decoder{data: data}
	if err := d.object(r); err != nil {
		r.Reset()
		return err
	}
	if d.inVals == 0 {
		return nil
	}
	// strings.Builder hands over its buffer without a copy: one exact
	// allocation for all the fields.
	n := 0
	for i := range copied {
		if d.inVals&(1<<i) != 0 {
			n += len(d.vals[i])
		}
	}
	var b strings.Builder
	b.Grow(n)
	for i := range copied {
		if d.inVals&(1<<i) != 0 {
			b.Write(d.vals[i])
		}
	}
	s := b.String()
	off := 0
	for i, id := range copied {
		if d.inVals&(1<<i) != 0 {
			end := off + len(d.vals[i])
			*r.str(id) = s[off:end]
			off = end
		}
	}
	return nil
}

func (d *decoder) object(r *Record) error {
	d.space()
	if d.pos == len(d.data) {
		return errEnd
	}
	if c := d.data[d.pos]; c != '{' {
		if startsValue(c) {
			return errNotObject
		}
		return d.badChar()
	}
	d.pos++
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return d.end()
	}
	for {
		if err := d.member(r); err != nil {
			return err
		}
		if d.pos < len(d.data) && d.data[d.pos] == ',' {
			d.pos++
			d.space()
			continue
		}
		d.space()
		if d.pos == len(d.data) {
			return errEnd
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
			d.space()
		case '}':
			d.pos++
			return d.end()
		default:
			return d.badChar()
		}
	}
}

// end accepts only whitespace after the object.
func (d *decoder) end() error {
	d.space()
	if d.pos < len(d.data) {
		return d.badChar()
	}
	return nil
}

// member decodes one key and its value into r. It takes the common case,
// `"key":"value"` with nothing to unescape, without a call to str: with
// short values, calls are a good part of the cost.
func (d *decoder) member(r *Record) error {
	data := d.data
	i := d.pos
	if i == len(data) {
		return errEnd
	}
	if data[i] != '"' {
		return d.badChar()
	}
	mark := len(d.scratch)
	var key []byte
	if j := skipPlainBytes(data, i+1); j < len(data) && data[j] == '"' {
		key = data[i+1 : j]
		d.pos = j + 1
	} else {
		var err error
		if key, err = d.str(); err != nil {
			return err
		}
	}
	if d.pos < len(data) && data[d.pos] == ':' {
		d.pos++
	} else {
		d.space()
		if d.pos == len(data) {
			return errEnd
		}
		if data[d.pos] != ':' {
			return d.badChar()
		}
		d.pos++
	}
	d.space()
	id := lookup(key)
	if i := d.pos; i < len(data) && data[i] == '"' && id != fUnknown && !isInt(id) {
		if j := skipPlainBytes(data, i+1); j < len(data) && data[j] == '"' {
			d.scratch = d.scratch[:mark]
			d.pos = j + 1
			d.setStr(r, id, data[i+1:j])
			return nil
		}
	}
	if id == fUnknown {
		f := d.extra(r, key)
		d.scratch = d.scratch[:mark] // an escaped key was decoded there
		return d.raw(f)
	}
	d.scratch = d.scratch[:mark]
	if isInt(id) {
		return d.intValue(r.num(id), id)
	}
	return d.strValue(r, id)
}

func (d *decoder) strValue(r *Record, id fieldID) error {
	if d.pos == len(d.data) {
		return errEnd
	}
	switch c := d.data[d.pos]; {
	case c == '"':
	case c == 'n':
		if err := d.literal("null"); err != nil {
			return err
		}
		*r.str(id) = ""
		if i := slot[id]; i >= 0 {
			d.inVals &^= 1 << i
		}
		return nil
	case startsValue(c):
		return fmt.Errorf("%q: want a string", fieldNames[id])
	default:
		return d.badChar()
	}
	mark := len(d.scratch)
	v, err := d.str()
	if err != nil {
		return err
	}
	if d.setStr(r, id, v) {
		d.scratch = d.scratch[:mark]
	}
	return nil
}

// setStr sets string field id to v, and says whether v may be forgotten
// (it was interned). Otherwise v must stay valid until the end of
// Unmarshal; it does even in scratch, which is only ever cut back to marks
// taken after v was put there (and a reallocation leaves the old array as
// it was).
func (d *decoder) setStr(r *Record, id fieldID, v []byte) bool {
	i := slot[id]
	if i < 0 {
		*r.str(id) = intern(v)
		return true
	}
	d.vals[i] = v
	d.inVals |= 1 << i
	return false
}

func (d *decoder) intValue(p *int, id fieldID) error {
	if d.pos == len(d.data) {
		return errEnd
	}
	switch c := d.data[d.pos]; {
	case c == 'n':
		if err := d.literal("null"); err != nil {
			return err
		}
		*p = 0
		return nil
	case c == '-' || '0' <= c && c <= '9':
	case startsValue(c):
		return fmt.Errorf("%q: want an integer", fieldNames[id])
	default:
		return d.badChar()
	}
	start := d.pos
	integer, err := d.number()
	if err != nil {
		return err
	}
	if !integer {
		return fmt.Errorf("%q: want an integer", fieldNames[id])
	}
	n, ok := parseInt(d.data[start:d.pos])
	if !ok {
		return fmt.Errorf("%q: integer out of range", fieldNames[id])
	}
	*p = n
	return nil
}

// parseInt converts a JSON integer (already validated) to an int.
func parseInt(b []byte) (int, bool) {
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	limit := uint64(1)<<(strconv.IntSize-1) - 1
	if neg {
		limit++
	}
	var n uint64
	for _, c := range b {
		if n > (limit-uint64(c-'0'))/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if neg {
		return int(-n), true
	}
	return int(n), true
}

// extra returns the Field for an unknown key: the existing one when the key
// repeats, else a new one that reuses the storage of a previous record.
func (d *decoder) extra(r *Record, key []byte) *Field {
	if d.extraIndex != nil {
		if i, ok := d.extraIndex[string(key)]; ok {
			return &r.Extra[i]
		}
	} else {
		for i := range r.Extra {
			if r.Extra[i].Key == string(key) {
				return &r.Extra[i]
			}
		}
	}
	n := len(r.Extra)
	if n < cap(r.Extra) {
		r.Extra = r.Extra[:n+1]
		// Records in a stream tend to carry the same extra keys in the
		// same order: keeping the old key string saves its allocation.
		if r.Extra[n].Key != string(key) {
			r.Extra[n].Key = string(key)
		}
	} else {
		r.Extra = append(r.Extra, Field{Key: string(key)})
	}
	f := &r.Extra[n]
	if d.extraIndex != nil {
		d.extraIndex[f.Key] = n
	} else if n+1 >= 16 {
		d.extraIndex = make(map[string]int, 2*(n+1))
		for i := range r.Extra {
			d.extraIndex[r.Extra[i].Key] = i
		}
	}
	return f
}

// raw validates the value at d.pos and copies it, as written, into f.
func (d *decoder) raw(f *Field) error {
	start := d.pos
	invalid, err := d.skip(1)
	if err != nil {
		return err
	}
	if invalid {
		f.Value = appendValidUTF8(f.Value[:0], d.data[start:d.pos])
	} else {
		f.Value = append(f.Value[:0], d.data[start:d.pos]...)
	}
	return nil
}

// appendValidUTF8 copies a valid JSON text, writing each byte of invalid
// UTF-8 (which can only sit inside strings) as \ufffd, the value
// encoding/json reads for it anyway: our output is always valid UTF-8.
func appendValidUTF8(dst, src []byte) []byte {
	start := 0
	for i := 0; i < len(src); {
		if src[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, src[start:i]...)
			dst = append(dst, `\ufffd`...)
			start = i + 1
		}
		i += size
	}
	return append(dst, src[start:]...)
}

// unquote decodes a JSON string value, as Get returns it.
func unquote(raw []byte) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	d := decoder{data: raw}
	v, err := d.str()
	if err != nil || d.pos != len(raw) {
		return "", false
	}
	return string(v), true
}
