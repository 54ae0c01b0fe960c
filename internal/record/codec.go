package record

// The codec is hand-written for this one flat shape: every stage decodes
// and encodes each record, and encoding/json's reflection costs several
// microseconds and a dozen allocations per record. Its semantics are
// encoding/json's (see the fuzz tests, which compare the two).

// fieldID names a known key. The order is the order of AppendJSON.
type fieldID uint8

const (
	fUnknown fieldID = iota
	fTime
	fHost
	fDaemon
	fService
	fEvent
	fOutcome
	fReason
	fUser
	fIP
	fMethod
	fSession
	fPID
	fPwHash
	fScope
	fAttempts
	fCountry
	fCountryName
	fASN
	fASOrg
	fCity
	fFile
	fLine
	nFields
)

// fieldNames are the JSON keys, for error messages.
var fieldNames = [nFields]string{
	fTime: "time", fHost: "host", fDaemon: "daemon", fService: "service",
	fEvent: "event", fOutcome: "outcome", fReason: "reason", fUser: "user",
	fIP: "ip", fMethod: "method", fSession: "session", fPID: "pid",
	fPwHash: "pw_hash", fScope: "scope", fAttempts: "attempts",
	fCountry: "country", fCountryName: "country_name", fASN: "asn",
	fASOrg: "as_org", fCity: "city", fFile: "file", fLine: "line",
}

// lookup maps a key to its field. It is generic so that neither the
// decoder's []byte nor Get's string has to be converted (and copied).
func lookup[T string | []byte](key T) fieldID {
	switch string(key) {
	case "time":
		return fTime
	case "host":
		return fHost
	case "daemon":
		return fDaemon
	case "service":
		return fService
	case "event":
		return fEvent
	case "outcome":
		return fOutcome
	case "reason":
		return fReason
	case "user":
		return fUser
	case "ip":
		return fIP
	case "method":
		return fMethod
	case "session":
		return fSession
	case "pid":
		return fPID
	case "pw_hash":
		return fPwHash
	case "scope":
		return fScope
	case "attempts":
		return fAttempts
	case "country":
		return fCountry
	case "country_name":
		return fCountryName
	case "asn":
		return fASN
	case "as_org":
		return fASOrg
	case "city":
		return fCity
	case "file":
		return fFile
	case "line":
		return fLine
	}
	return fUnknown
}

func isInt(id fieldID) bool { return id == fPID || id == fAttempts || id == fASN }

// str returns the string field id names, or nil for an integer field.
func (r *Record) str(id fieldID) *string {
	switch id {
	case fTime:
		return &r.Time
	case fHost:
		return &r.Host
	case fDaemon:
		return &r.Daemon
	case fService:
		return &r.Service
	case fEvent:
		return &r.Event
	case fOutcome:
		return &r.Outcome
	case fReason:
		return &r.Reason
	case fUser:
		return &r.User
	case fIP:
		return &r.IP
	case fMethod:
		return &r.Method
	case fSession:
		return &r.Session
	case fPwHash:
		return &r.PwHash
	case fScope:
		return &r.Scope
	case fCountry:
		return &r.Country
	case fCountryName:
		return &r.CountryName
	case fASOrg:
		return &r.ASOrg
	case fCity:
		return &r.City
	case fFile:
		return &r.File
	case fLine:
		return &r.Line
	}
	return nil
}

// num returns the integer field id names, or nil for a string field.
func (r *Record) num(id fieldID) *int {
	switch id {
	case fPID:
		return &r.PID
	case fAttempts:
		return &r.Attempts
	case fASN:
		return &r.ASN
	}
	return nil
}
