package parse

// kind says what a recognised line stands for in the counting rule.
type kind uint8

const (
	kindIgnore       kind = iota // recognised, and not an auth event (no auth attempts, TLS failures, ...)
	kindAttempt                  // one failed attempt: an auth-process, PAM or postfix SASL line
	kindSummary                  // a connection's failures: dovecot login summary
	kindDisconnect               // postfix "disconnect from ... auth=S/T"
	kindLogin                    // a successful login
	kindBan                      // fail2ban banned or unbanned an address
	kindPassdbResult             // dovecot's exporter: a passdb's verdict, the reason of the attempt to come
)

// source tells which program's view of an attempt a line is, so that the
// twins of one attempt (dovecot's auth line, PAM's line, postfix's warning)
// pair with each other and not with their own kind.
type source uint8

const (
	srcDovecotAuth source = iota
	srcPAM
	srcPostfix
	srcExporter // dovecot's event exporter
	srcCount
)

// event is one recognised line, before the counting rule decides how many
// attempts it adds.
type event struct {
	kind    kind
	src     source
	daemon  string
	service string
	reason  string
	user    string
	ip      string
	method  string
	session string
	pwHash  string
	passdb  string // which passdb spoke: several passdbs may judge one attempt

	attempts int // kindSummary: attempts the line claims
	secs     int // kindSummary: length of the session in seconds, -1 when not logged
	authOK   int // kindDisconnect: auth=S/T
	authAll  int

	jail     string // kindBan: fail2ban's jail
	banEvent string // kindBan: "ban" or "unban"

	// saslWarning marks any postfix "SASL ... authentication failed"
	// warning, counted or not: its connection's auth=S/T includes it.
	saslWarning bool

	// proxyIP and proxyPort are the address the connection really came
	// from (the exporter's real_remote_ip and port), when a trusted proxy
	// passed on the client's: 2.4's login_aborted names only that one.
	proxyIP   string
	proxyPort int

	// strs makes the strings; it may be nil (no interning).
	strs *interner

	// offTopic marks a line of a process that has nothing to do with
	// auth (imap, lmtp, ...): not matched, and not "unmatched" either.
	offTopic bool
}
