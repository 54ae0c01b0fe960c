package record

// The values of the fields that take their words from a fixed vocabulary.
// Every stage that writes or tests them names them here, and the README
// lists them: TestVocabularyInREADME keeps the two lists one.

// Event values.
const (
	EventAuth      = "auth"      // an attempt or a login
	EventBan       = "ban"       // fail2ban banned ip
	EventUnban     = "unban"     // fail2ban lifted a ban
	EventUnmatched = "unmatched" // a line about auth no rule understood (mailcop-parse -unmatched)
	EventCoverage  = "coverage"  // what a host's log cannot show (mailcop-parse -unmatched)
)

// Outcome values, of auth events.
const (
	OutcomeFailure = "failure"
	OutcomeSuccess = "success"
)

// Reason values: why an attempt failed, as the log said it.
const (
	ReasonPasswordMismatch    = "password_mismatch" // the account exists
	ReasonUnknownUser         = "unknown_user"      // it does not
	ReasonInvalidCredentials  = "invalid_credentials"
	ReasonAuthFailed          = "auth_failed" // the cause was not logged
	ReasonPlaintextDisabled   = "plaintext_disabled"
	ReasonAuthorizationFailed = "authorization_failed"
	ReasonProxyAuthFailed     = "proxy_auth_failed"
	ReasonUserDisabled        = "user_disabled"
	ReasonLoginDisabled       = "login_disabled"
	ReasonPasswordExpired     = "password_expired"
	ReasonInvalidBase64       = "invalid_base64"
	ReasonAuthDisallowed      = "auth_disallowed"
	ReasonUsernameDisallowed  = "username_disallowed"
	ReasonSSLRequired         = "ssl_required"
	ReasonTemporaryFailure    = "temporary_failure" // postfix gave up waiting for the auth service
)

// Scope values: mailcop-geo writes one instead of a country for an
// address of a reserved block (package scope knows the blocks).
const (
	ScopeUnspecified   = "unspecified"   // 0.0.0.0/8, ::
	ScopeLoopback      = "loopback"      // 127.0.0.0/8, ::1
	ScopePrivate       = "private"       // RFC 1918, fc00::/7 (ULA), fec0::/10
	ScopeShared        = "shared"        // 100.64.0.0/10, carrier-grade NAT
	ScopeLinkLocal     = "link-local"    // 169.254.0.0/16, fe80::/10
	ScopeDocumentation = "documentation" // TEST-NET-1/2/3, 2001:db8::/32, 3fff::/20
	ScopeBenchmarking  = "benchmarking"  // 198.18.0.0/15, 2001:2::/48
	ScopeMulticast     = "multicast"     // 224.0.0.0/4, ff00::/8
	ScopeReserved      = "reserved"      // the rest of IANA's special-purpose registries
)

// The vocabularies in full, in the README's order.
var (
	Events   = []string{EventAuth, EventBan, EventUnban, EventUnmatched, EventCoverage}
	Outcomes = []string{OutcomeFailure, OutcomeSuccess}
	Reasons  = []string{
		ReasonPasswordMismatch, ReasonUnknownUser, ReasonInvalidCredentials, ReasonAuthFailed,
		ReasonPlaintextDisabled, ReasonAuthorizationFailed, ReasonProxyAuthFailed,
		ReasonUserDisabled, ReasonLoginDisabled, ReasonPasswordExpired, ReasonInvalidBase64,
		ReasonAuthDisallowed, ReasonUsernameDisallowed, ReasonSSLRequired, ReasonTemporaryFailure,
	}
	Scopes = []string{
		ScopeUnspecified, ScopeLoopback, ScopePrivate, ScopeShared, ScopeLinkLocal,
		ScopeDocumentation, ScopeBenchmarking, ScopeMulticast, ScopeReserved,
	}
)
