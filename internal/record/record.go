// Package record owns the wire format between mailcop stages: one flat
// JSON object per line. Known keys become typed fields; every other key is
// kept, raw, in Extra so that keys users add with jq survive each stage.
//
// # What a consumer may keep
//
// Reading reuses memory: the line LineReader.Next returns, the file and
// line PlainLineRecord returns (they alias that line), and the Extra of a
// Record that Unmarshal (or Reader.Scan) fills are valid only until the
// next read. Every consumer relies on one rule: a value that outlives the
// next read is copied (Clone for a whole Record, string(b) or bytes.Clone
// for a slice). The string fields of a Record are the exception: they
// never alias the input and can be kept as they are.
package record

// Record is one event (or, from mailcop-tail, one raw line). A key whose
// field holds the zero value is left out of the JSON.
type Record struct {
	Time        string // RFC 3339 with offset
	Host        string
	Daemon      string // dovecot, postfix, fail2ban
	Service     string // imap, pop3, submission, smtp, managesieve, ...
	Event       string // auth, ban, unban, unmatched
	Outcome     string // failure, success
	Reason      string // password_mismatch, unknown_user, auth_failed, ...
	User        string
	IP          string
	Method      string
	Session     string
	PID         int
	PwHash      string
	Scope       string
	Attempts    int
	Country     string
	CountryName string
	ASN         int
	ASOrg       string
	City        string
	File        string
	Line        string

	// Extra holds the keys this package does not know, in input order,
	// each with its JSON value exactly as read.
	Extra []Field
}

// Field is a key this package does not know, with its raw JSON value.
type Field struct {
	Key   string
	Value []byte // valid JSON
}

// Reset clears r for reuse, keeping Extra's storage.
func (r *Record) Reset() {
	extra := r.Extra[:0]
	*r = Record{Extra: extra}
}

// Clone returns a deep copy of r, to keep beyond the next Unmarshal into r
// (which reuses Extra's storage). Strings are immutable and are shared.
func (r *Record) Clone() *Record {
	c := *r
	c.Extra = nil
	if len(r.Extra) > 0 {
		c.Extra = make([]Field, len(r.Extra))
		for i, f := range r.Extra {
			c.Extra[i] = Field{Key: f.Key, Value: append([]byte(nil), f.Value...)}
		}
	}
	return &c
}

// Get returns the string value of a key, known or extra (numbers are
// rendered in decimal, extras as their raw JSON unless they are strings),
// and whether it is present. An extra key whose value is null is absent,
// as a known key's would be. Stages that group or filter by a field named
// on the command line use it.
func (r *Record) Get(key string) (string, bool) {
	id := lookup(key)
	if p := r.str(id); p != nil {
		return *p, *p != ""
	}
	if p := r.num(id); p != nil && *p != 0 {
		return itoa(*p), true
	}
	if id != fUnknown {
		return "", false
	}
	for _, f := range r.Extra {
		if f.Key == key {
			if s, ok := unquote(f.Value); ok {
				return s, true
			}
			if string(f.Value) == "null" {
				return "", false
			}
			return string(f.Value), true
		}
	}
	return "", false
}

func itoa(n int) string {
	var b [20]byte
	return string(appendInt(b[:0], n))
}
