package record

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// str decodes the string at d.pos (its opening quote). The result aliases
// d.data when the string needs no decoding (the common case); else it is
// decoded onto the end of d.scratch.
func (d *decoder) str() ([]byte, error) {
	data := d.data
	start := d.pos + 1
	i := start
	for {
		i = skipPlainBytes(data, i)
		if i == len(data) {
			break
		}
		c := data[i]
		if c == '"' {
			d.pos = i + 1
			return data[start:i], nil
		}
		if c < utf8.RuneSelf {
			break
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	mark := len(d.scratch)
	d.scratch = append(d.scratch, data[start:i]...)
	for i < len(data) {
		c := data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return d.scratch[mark:], nil
		case c == '\\':
			n, err := d.unescape(i)
			if err != nil {
				return nil, err
			}
			i = n
		case c < 0x20:
			return nil, badCharIn(c, i, " in string")
		case c < utf8.RuneSelf:
			d.scratch = append(d.scratch, c)
			i++
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				d.scratch = append(d.scratch, "\uFFFD"...)
			} else {
				d.scratch = append(d.scratch, data[i:i+size]...)
			}
			i += size
		}
	}
	return nil, errEnd
}

// unescape decodes the escape at data[i] onto d.scratch and returns the
// index after it. Surrogates are paired as encoding/json pairs them: a
// valid pair makes one rune, anything else U+FFFD.
func (d *decoder) unescape(i int) (int, error) {
	data := d.data
	if i+1 >= len(data) {
		return 0, errEnd
	}
	var c byte
	switch data[i+1] {
	case '"', '\\', '/':
		c = data[i+1]
	case 'b':
		c = '\b'
	case 'f':
		c = '\f'
	case 'n':
		c = '\n'
	case 'r':
		c = '\r'
	case 't':
		c = '\t'
	case 'u':
		r, err := hex4(data, i+2)
		if err != nil {
			return 0, err
		}
		i += 6
		if utf16.IsSurrogate(r) {
			r2 := rune(-1)
			if i+1 < len(data) && data[i] == '\\' && data[i+1] == 'u' {
				r2, _ = hex4(data, i+2) // a bad escape fails on the next turn
			}
			if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
				r = pair
				i += 6
			} else {
				r = utf8.RuneError
			}
		}
		d.scratch = utf8.AppendRune(d.scratch, r)
		return i, nil
	default:
		return 0, badCharIn(data[i+1], i+1, " in string escape")
	}
	d.scratch = append(d.scratch, c)
	return i + 2, nil
}

// hex4 reads the four hex digits of a \u escape at data[i:].
func hex4(data []byte, i int) (rune, error) {
	var r rune
	for j := i; j < i+4; j++ {
		if j >= len(data) {
			return -1, errEnd
		}
		c := data[j]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1, badCharIn(data[j], j, " in \\u escape")
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}

// skip validates the value at d.pos and moves past it; depth is the
// nesting around it. invalid reports bytes of invalid UTF-8 in strings.
func (d *decoder) skip(depth int) (invalid bool, err error) {
	if d.pos == len(d.data) {
		return false, errEnd
	}
	switch c := d.data[d.pos]; c {
	case '"':
		return d.skipString()
	case 't':
		return false, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return false, d.literal("null")
	case '{', '[':
		if depth >= maxDepth {
			return false, fmt.Errorf("nesting deeper than %d at offset %d", maxDepth, d.pos)
		}
		closing := byte(']')
		if c == '{' {
			closing = '}'
		}
		d.pos++
		d.space()
		if d.pos < len(d.data) && d.data[d.pos] == closing {
			d.pos++
			return false, nil
		}
		for {
			if c == '{' {
				if err := d.expect('"'); err != nil {
					return false, err
				}
				bad, err := d.skipString()
				if err != nil {
					return false, err
				}
				invalid = invalid || bad
				d.space()
				if err := d.expect(':'); err != nil {
					return false, err
				}
				d.pos++
				d.space()
			}
			bad, err := d.skip(depth + 1)
			if err != nil {
				return false, err
			}
			invalid = invalid || bad
			d.space()
			if d.pos == len(d.data) {
				return false, errEnd
			}
			switch d.data[d.pos] {
			case ',':
				d.pos++
				d.space()
			case closing:
				d.pos++
				return invalid, nil
			default:
				return false, d.badChar()
			}
		}
	default:
		if c == '-' || '0' <= c && c <= '9' {
			_, err := d.number()
			return false, err
		}
		return false, d.badChar()
	}
}

// expect checks that the byte at d.pos is c.
func (d *decoder) expect(c byte) error {
	if d.pos == len(d.data) {
		return errEnd
	}
	if d.data[d.pos] != c {
		return d.badChar()
	}
	return nil
}

// skipString validates the string at d.pos without decoding it.
func (d *decoder) skipString() (invalid bool, err error) {
	data := d.data
	i := d.pos + 1
	for {
		if i = skipPlainBytes(data, i); i == len(data) {
			break
		}
		c := data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return invalid, nil
		case c == '\\':
			if i+1 >= len(data) {
				return false, errEnd
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if _, err := hex4(data, i+2); err != nil {
					return false, err
				}
				i += 6
			default:
				return false, badCharIn(data[i+1], i+1, " in string escape")
			}
		case c < 0x20:
			return false, badCharIn(c, i, " in string")
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				invalid = true
			}
			i += size
		}
	}
	return false, errEnd
}

// number moves past the JSON number at d.pos and says whether it was
// written as an integer (no fraction, no exponent).
func (d *decoder) number() (integer bool, err error) {
	data := d.data
	i := d.pos
	if data[i] == '-' {
		i++
	}
	digits := func() error {
		if i == len(data) {
			return errEnd
		}
		if c := data[i]; c < '0' || c > '9' {
			return badCharIn(c, i, "")
		}
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		return nil
	}
	if i < len(data) && data[i] == '0' {
		i++ // no leading zeros: "01" stops here and fails as garbage
	} else if err := digits(); err != nil {
		return false, err
	}
	integer = true
	if i < len(data) && data[i] == '.' {
		integer = false
		i++
		if err := digits(); err != nil {
			return false, err
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		integer = false
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if err := digits(); err != nil {
			return false, err
		}
	}
	d.pos = i
	return integer, nil
}

// literal moves past lit (true, false or null) at d.pos.
func (d *decoder) literal(lit string) error {
	for j := 0; j < len(lit); j++ {
		if d.pos == len(d.data) {
			return errEnd
		}
		if d.data[d.pos] != lit[j] {
			return d.badChar()
		}
		d.pos++
	}
	return nil
}

// space skips JSON whitespace (only these four bytes).
func (d *decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func startsValue(c byte) bool {
	switch c {
	case '{', '[', '"', '-', 't', 'f', 'n', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return true
	}
	return false
}

func (d *decoder) badChar() error { return badCharIn(d.data[d.pos], d.pos, "") }

// badCharIn reports byte c at offset off (counted from 0) as unexpected.
func badCharIn(c byte, off int, where string) error {
	var q string
	if c < utf8.RuneSelf {
		q = strconv.QuoteRune(rune(c))
	} else {
		q = fmt.Sprintf(`'\x%02x'`, c)
	}
	return fmt.Errorf("invalid character %s%s at offset %d", q, where, off)
}
