package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Unmarshal decodes one JSON object into r (which it resets first).
// Known keys must have their type (strings, integers); null counts as
// absent; any other key is kept raw in Extra. A later duplicate key wins,
// as with encoding/json.
func (r *Record) Unmarshal(data []byte) error {
	r.Reset()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("not a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if p := r.stringField(key); p != nil {
			if string(raw) == "null" {
				*p = ""
				continue
			}
			if err := json.Unmarshal(raw, p); err != nil {
				return fmt.Errorf("%q: want a string", key)
			}
			continue
		}
		if p := r.intField(key); p != nil {
			if string(raw) == "null" {
				*p = 0
				continue
			}
			n, err := strconv.Atoi(string(raw))
			if err != nil {
				return fmt.Errorf("%q: want an integer", key)
			}
			*p = n
			continue
		}
		r.setExtra(key, raw)
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON object")
	}
	return nil
}

func (r *Record) setExtra(key string, raw []byte) {
	for i := range r.Extra {
		if r.Extra[i].Key == key {
			r.Extra[i].Value = append(r.Extra[i].Value[:0], raw...)
			return
		}
	}
	r.Extra = append(r.Extra, Field{Key: key, Value: append([]byte(nil), raw...)})
}

// AppendJSON appends r as one JSON object (no newline) to dst. Known keys
// come first in a fixed order, then Extra in its order.
func (r *Record) AppendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	first := true
	str := func(k, v string) {
		if v == "" {
			return
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = appendString(dst, v)
	}
	num := func(k string, v int) {
		if v == 0 {
			return
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = appendInt(dst, v)
	}
	str("time", r.Time)
	str("host", r.Host)
	str("daemon", r.Daemon)
	str("service", r.Service)
	str("event", r.Event)
	str("outcome", r.Outcome)
	str("reason", r.Reason)
	str("user", r.User)
	str("ip", r.IP)
	str("method", r.Method)
	str("session", r.Session)
	num("pid", r.PID)
	str("pw_hash", r.PwHash)
	str("scope", r.Scope)
	num("attempts", r.Attempts)
	str("country", r.Country)
	str("country_name", r.CountryName)
	num("asn", r.ASN)
	str("as_org", r.ASOrg)
	str("city", r.City)
	str("file", r.File)
	str("line", r.Line)
	for _, f := range r.Extra {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendString(dst, f.Key)
		dst = append(dst, ':')
		dst = append(dst, f.Value...)
	}
	return append(dst, '}')
}

func appendInt(dst []byte, n int) []byte { return strconv.AppendInt(dst, int64(n), 10) }

// appendString writes s as a JSON string without HTML escaping: mail logs
// are full of <user@host>, and \u003c helps nobody reading them.
func appendString(dst []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return append(dst, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

func unquote(raw []byte) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}
