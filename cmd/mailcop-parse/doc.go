// Mailcop-parse recognises the authentication events in postfix and
// dovecot logs — failed attempts and successful logins — and writes one
// JSON record per event, counting each real attempt once.
//
// Usage:
//
//	mailcop-parse [-since when] [-until when] [-year yyyy] [-tz zone]
//	              [-unmatched] [-raw] [-v] [file ...]
//
// It reads the files named, or standard input ("-"). Each line may be a
// plain log line (classic syslog, RFC 3339 rsyslog, journalctl's short
// formats, dovecot's own log_path files, TAI64N, docker logs -t and
// compose prefixes), a mailcop-tail record {"file":...,"line":...} whose
// other keys travel on to the events, a journalctl -o json entry, or an
// event of dovecot's event exporter (format = json: auth_request_finished,
// auth_passdb_request_finished, 2.4's login_aborted), bare as 2.4's file
// driver writes it, in a mailcop-tail record (mailcop-tail -listen), or in
// dovecot's log through the exporter's log driver ("stats: {...}").
//
// A line that is not an auth event is skipped, without error. A line that
// cannot be used at all (over 1 MiB, invalid JSON) is named on stderr with
// its file and line and skipped; the run goes on and exits 1 at the end.
//
// The flags:
//
//	-since when   only events at or after when: a duration back from now
//	              (24h), a time (2026-11-26, 2026-11-26 08:00, RFC 3339),
//	              today or yesterday (calendar days in the local zone)
//	-until when   only events before when
//	-year yyyy    year of stamps that carry none (default: inferred; no
//	              stamp lies more than a day after the file's modification
//	              time, or after now on a stream)
//	-tz zone      zone of stamps that carry none (default $TZ, else local)
//	-unmatched    also write {"event":"unmatched","line":...} for dovecot
//	              and postfix lines about auth that no rule understood,
//	              and at the end {"event":"coverage","reason":
//	              "auth_not_logged","host":...} for a host whose log has
//	              dovecot login-process lines and no auth-process line
//	-raw          keep each event's log line in "line" (a password logged
//	              in clear is hidden)
//	-v            at the end, print how many lines were read, were about
//	              auth, became records, failed attempts, logins, unmatched
//	              and unusable lines; and a hint when dovecot's auth
//	              process logged nothing: the failed attempts of a session
//	              that ends in a login are then invisible, and
//	              auth_verbose = yes (or any auth_verbose_passwords other
//	              than no, sha1:6 also giving pw_hash) shows them
//
// # Counting
//
// One failed attempt may leave several lines: dovecot's auth process,
// its login process's summary of the session ("auth failed, 3 attempts"),
// PAM, and postfix's warning and disconnect summary when postfix asks
// dovecot. Records are written at once, never held back; a summary adds
// only what the lines of its session did not, and twin lines of one
// attempt count once. The sum of "attempts" is the number of attempts:
//
//	$ mailcop-parse -year 2026 -tz UTC <<'EOF'
//	Nov 25 06:25:01 mx1 dovecot: auth: sql(info@example.com,203.0.113.5,<AbCdEf012345>): Password mismatch
//	Nov 25 06:25:09 mx1 dovecot: imap-login: Disconnected (auth failed, 3 attempts in 10 secs): user=<info@example.com>, method=PLAIN, rip=203.0.113.5, lip=192.0.2.1, TLS, session=<AbCdEf012345>
//	EOF
//	{"time":"2026-11-25T06:25:01+00:00","host":"mx1","daemon":"dovecot","event":"auth","outcome":"failure","reason":"password_mismatch","user":"info@example.com","ip":"203.0.113.5","session":"AbCdEf012345","attempts":1}
//	{"time":"2026-11-25T06:25:09+00:00","host":"mx1","daemon":"dovecot","service":"imap","event":"auth","outcome":"failure","reason":"auth_failed","user":"info@example.com","ip":"203.0.113.5","method":"PLAIN","session":"AbCdEf012345","attempts":2}
//
// Postfix's warning and its connection's summary are one attempt; a login
// is a record with "outcome":"success":
//
//	$ mailcop-parse -year 2026 -tz UTC <<'EOF'
//	Nov 25 06:28:00 mx1 postfix/submission/smtpd[11538]: warning: unknown[198.51.100.7]: SASL LOGIN authentication failed: UGFzc3dvcmQ6
//	Nov 25 06:28:01 mx1 postfix/submission/smtpd[11538]: disconnect from unknown[198.51.100.7] ehlo=1 auth=0/1 quit=1 commands=2/3
//	Nov 25 06:29:00 mx1 dovecot: imap-login: Login: user=<joe@example.com>, method=PLAIN, rip=198.51.100.50, lip=192.0.2.1, mpid=4242, TLS, session=<kJ3mL9x2AQDGM2Zk>
//	EOF
//	{"time":"2026-11-25T06:28:00+00:00","host":"mx1","daemon":"postfix","service":"submission","event":"auth","outcome":"failure","reason":"auth_failed","ip":"198.51.100.7","method":"LOGIN","pid":11538,"attempts":1}
//	{"time":"2026-11-25T06:29:00+00:00","host":"mx1","daemon":"dovecot","service":"imap","event":"auth","outcome":"success","user":"joe@example.com","ip":"198.51.100.50","method":"PLAIN","session":"kJ3mL9x2AQDGM2Zk"}
//
// Usernames are the attacker's text: each field is read where dovecot
// puts it, so a name cannot move an attempt to another address:
//
//	$ mailcop-parse -year 2026 -tz UTC <<'EOF'
//	Nov 25 06:31:00 mx1 dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<x>, rip=6.6.6.6, y>, method=PLAIN, rip=203.0.113.70, lip=192.0.2.1
//	EOF
//	{"time":"2026-11-25T06:31:00+00:00","host":"mx1","daemon":"dovecot","service":"imap","event":"auth","outcome":"failure","reason":"auth_failed","user":"x>, rip=6.6.6.6, y","ip":"203.0.113.70","method":"PLAIN","attempts":1}
//
// # Exit status
//
// 0 when all went well, 1 when an input could not be read or a line was
// unusable (the other lines are still parsed), 2 for a mistake in the
// command line.
//
// # Examples
//
// Today's failed attempts per address, with jq:
//
//	mailcop-parse -since today /var/log/mail.log | jq -r 'select(.outcome=="failure") | .ip' | sort | uniq -c | sort -n
//
// Everything rotated logs hold, oldest first:
//
//	mailcop-tail -a | mailcop-parse | mailcop-count -by ip -format table
package main
