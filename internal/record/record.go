// Package record owns the wire format between mailcop stages: one flat
// JSON object per line. Known keys become typed fields; every other key is
// kept, raw, in Extra so that keys users add with jq survive each stage.
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

// Get returns the string value of a key, known or extra (numbers are
// rendered in decimal, extras as their raw JSON unless they are strings),
// and whether it is present. Stages that group or filter by a field named
// on the command line use it.
func (r *Record) Get(key string) (string, bool) {
	if p := r.stringField(key); p != nil {
		return *p, *p != ""
	}
	switch key {
	case "pid":
		return itoa(r.PID), r.PID != 0
	case "attempts":
		return itoa(r.Attempts), r.Attempts != 0
	case "asn":
		return itoa(r.ASN), r.ASN != 0
	}
	for _, f := range r.Extra {
		if f.Key == key {
			if s, ok := unquote(f.Value); ok {
				return s, true
			}
			return string(f.Value), true
		}
	}
	return "", false
}

// stringField returns the address of the string field for key, or nil.
func (r *Record) stringField(key string) *string {
	switch key {
	case "time":
		return &r.Time
	case "host":
		return &r.Host
	case "daemon":
		return &r.Daemon
	case "service":
		return &r.Service
	case "event":
		return &r.Event
	case "outcome":
		return &r.Outcome
	case "reason":
		return &r.Reason
	case "user":
		return &r.User
	case "ip":
		return &r.IP
	case "method":
		return &r.Method
	case "session":
		return &r.Session
	case "pw_hash":
		return &r.PwHash
	case "scope":
		return &r.Scope
	case "country":
		return &r.Country
	case "country_name":
		return &r.CountryName
	case "as_org":
		return &r.ASOrg
	case "city":
		return &r.City
	case "file":
		return &r.File
	case "line":
		return &r.Line
	}
	return nil
}

// intField returns the address of the integer field for key, or nil.
func (r *Record) intField(key string) *int {
	switch key {
	case "pid":
		return &r.PID
	case "attempts":
		return &r.Attempts
	case "asn":
		return &r.ASN
	}
	return nil
}

func itoa(n int) string {
	var b [20]byte
	return string(appendInt(b[:0], n))
}
