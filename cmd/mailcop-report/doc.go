// Mailcop-report shows password attacks to people: as they happen, one
// line per attempt, or at the end of its input as a summary — on the
// terminal, as an HTML page, or as a daily email ready for sendmail.
//
// Usage:
//
//	mailcop-report [-live | -html | -mail [-to addr,...] [-from addr] | -fail2ban]
//	               [-lang en|fr] [-top n] [-tz zone] [-host name]
//	               [-match word] [-color auto|always|never]
//	               [-warnings file] [file ...]
//	mailcop-report -alert [-learn] [-state-dir dir] [-to addr,...] [-from addr]
//	               [-notify 'cmd arg...'] [-quiet d] [-gather d] [-lang en|fr]
//	               [-tz zone] [-host name] [file ...]
//
// It reads the files named, or standard input, one JSON object per line
// as mailcop-parse writes them, with or without the country and network
// fields mailcop-geo adds. Records with "event":"auth" are failed attempts
// ("outcome":"failure", each for its "attempts") and logins ("success");
// "ban" and "unban" records are fail2ban's (see below); "unmatched"
// records are the auth lines mailcop-parse did not understand
// (mailcop-parse -unmatched). Other records are skipped. A line that is
// not a JSON object is reported with its file and line number and
// skipped; the others still count and the exit status is 1.
//
// The flags:
//
//	-live         one line per failed attempt as it comes; an alert line for
//	              a login worth a look. Colour only on a terminal
//	-html         the summary as one self-contained HTML page: inline styles,
//	              bar charts of table cells, no script, nothing fetched
//	-mail         the summary as a complete email for sendmail -t -oi:
//	              From, To, Subject (the server and the attempt count), Date,
//	              Message-ID, Auto-Submitted, and multipart/alternative with
//	              the text and the HTML
//	-fail2ban     one line per failed attempt as it comes, for fail2ban's
//	              mailcop filter (see below)
//	-to addr,...  recipients of -mail (default $MAILCOP_TO); a bare name
//	              (root) is a local mailbox, as for sendmail -t
//	-from addr    sender of -mail (default $MAILCOP_FROM, else
//	              mailcop <root@this host>)
//	-lang l       en (default) or fr, whose headings follow the old French
//	              daily mail: "Top 10 des pays", "Dernières attaques"
//	-top n        rows per table, and last attempts shown (default 10)
//	-tz zone      time zone of the times shown (default $TZ, else local)
//	-host name    only the records of this server (and those naming none,
//	              as dovecot's own log), and its name in the title and
//	              subject (default: the host the records name when they all
//	              name one, else this machine's name)
//	-match word   only records whose address is word, starts with it
//	              (45.155.) or lies in it (45.155.0.0/16), whose account
//	              holds it (any case), whose country is it (code or name) or
//	              whose AS is it (AS4134); with -live, their logins too
//	-color when   auto (default), always or never
//	-warnings file
//	              lines that head the summary in a Warnings section: what
//	              the stages upstream said on stderr, as the daily mail
//	              passes them (the first 20 are shown)
//	-alert        watch: judge each login against the recent failures and
//	              the account's history of logins, and send those worth an
//	              alarm by mail and to -notify within a minute (see below)
//	-learn        with -alert: learn the histories from the input, alarm
//	              for nothing (the first start, on mailcop-tail -a)
//	-state-dir d  where -alert keeps its state (default $MAILCOP_STATE_DIR,
//	              else /var/lib/mailcop); with a summary (-mail, -html or
//	              the text), the watch's alarms of the period join its
//	              possible compromises, with the watch's reasons
//	-notify cmd   with -alert: also run cmd (words split at spaces, no
//	              shell) for each alarm, the alarm as one JSON object on
//	              its standard input
//	-quiet d      with -alert: the same account and address alarm at most
//	              once in d (default 24h)
//	-gather d     with -alert: how long the first alarm waits for others
//	              to share its mail (default 10s, at most 50s)
//	-sendmail cmd with -alert: the mail command, run as cmd -t -oi
//	              (default $MAILCOP_SENDMAIL, else sendmail)
//
// # Watching
//
// -alert is the end of the follow pipeline run by the mailcop-watch
// service (mailcop-tail -f -state ... | mailcop-parse | mailcop-geo |
// mailcop-report -alert). Each login is judged on the failures of the
// last 7 days (per address, per IPv6 /64, per /24 or /48 network, per
// account and AS) and on the account's logins of the last 90 days
// (countries, ASes, networks, clients). A login worth an alarm (after a
// brute force or a spray, from an AS attacking the account, from a
// network that attacked other accounts, from a country the account never
// used, or two countries in less time than a plane takes) leaves as one
// mail with the others of its burst, within -gather of its line, and to
// the -notify command. The same account and address alarm once per
// -quiet. A mail that fails is tried again, 30 s later, then at doubling
// intervals up to 10 minutes, and said on stderr; at the end the alarms
// not sent stay in the state and go at the next start. The state,
// watch.ndjson in -state-dir, is NDJSON for jq, written atomically (mode
// 0600), and holds the histories, the recent attackers, the alarms raised
// and those not delivered. SIGINT and SIGTERM end the watch with the
// state saved.
//
// # The live view
//
// One line per record as it arrives — time, account, address, country —
// as the old mailcop -f printed it; a record standing for several
// attempts ends in "x3". A login from an address that failed before is an
// alert line: "!!" for a possible compromise, "!" when it looks like the
// owner after a slip (see below), and "!" too, once a day per address, for
// a login to an account under attack from an address that never failed.
// Logins are judged as -alert judges them (see Watching), on the failures
// of the last 7 days and the logins seen since the view started, in
// bounded memory: the "!!" classes include a network that attacked other
// accounts, a country new to an account with enough history, and two
// countries in less time than travel takes; "!" a new AS in a known
// country, and failures from a network the account has used for a day
// or more (an office's NAT, a carrier's CGNAT address). Bans show as they come. Output is written as soon as the input pauses,
// so mailcop-tail -f | mailcop-parse | mailcop-report -live is live.
//
//	$ mailcop-report -live -tz UTC <<'EOF'
//	{"time":"2026-11-25T09:38:02+00:00","host":"mx1","event":"auth","outcome":"failure","reason":"password_mismatch","user":"bob@example.com","ip":"198.51.100.23","attempts":1,"country":"NL","country_name":"Netherlands"}
//	{"time":"2026-11-25T09:38:20+00:00","host":"mx1","service":"imap","event":"auth","outcome":"failure","reason":"auth_failed","user":"bob@example.com","ip":"198.51.100.23","attempts":3,"country":"NL","country_name":"Netherlands"}
//	{"time":"2026-11-25T09:40:11+00:00","host":"mx1","service":"pop3","event":"auth","outcome":"failure","reason":"unknown_user","user":"\u001b]0;pwned\u0007admin","ip":"203.0.113.5","attempts":1,"country":"CN","country_name":"China"}
//	{"time":"2026-11-25T10:24:51+00:00","host":"mx1","service":"imap","event":"auth","outcome":"success","user":"bob@example.com","ip":"198.51.100.23","country":"NL","country_name":"Netherlands"}
//	EOF
//	Nov 25 09:38:02 bob@example.com                     198.51.100.23    NL, Netherlands
//	Nov 25 09:38:20 bob@example.com                     198.51.100.23    NL, Netherlands  x3
//	Nov 25 09:40:11 \x1b]0;pwned\x07admin               203.0.113.5      CN, China
//	Nov 25 10:24:51 bob@example.com                     198.51.100.23    NL, Netherlands  !! login imap: after 4 failed attempts on this account from this address
//
// # The summary
//
// At the end of its input: the period (the first and last record's
// times), the attempts, addresses, accounts and countries, then these
// sections, each left out when it has nothing to show:
//
//   - Possible compromises: logins the watch (-alert) would raise an alarm
//     for, judged by its rules on the records before them: from an
//     address that failed three times or more on this account (brute) or
//     on other accounts too (spray), from a network or an AS that
//     attacked, from a new country or faster than travel allows; with the
//     watch's reasons.
//   - Logins after a few failures: what the watch keeps silent, one or two
//     failures from the address first (a typo?), failures that all sent
//     one and the same password hash (a client with an old password), or
//     failures from a network the account has used for a day (an office's
//     NAT). Listed, not raised.
//   - Servers, when the records name several hosts.
//   - The top countries (reserved addresses under their scope), addresses
//     (with accounts tried, country and AS), accounts (with how many
//     addresses tried each and whether the account exists: a
//     password_mismatch or a login proves it, unknown_user alone disproves
//     it, "?" when the log did not say) and networks (/24, /64).
//   - Attempts per hour as a bar chart (per day over more than two days).
//   - Clients sending the same wrong password hash again and again
//     (dovecot's auth_verbose_passwords).
//   - The last attempts.
//   - With fail2ban records: the addresses it banned, with how many
//     attempts each made, and the loudest attackers it did not ban.
//   - Parser coverage: how many auth lines mailcop-parse did not
//     understand, with a few of them.
//
// For example:
//
//	$ mailcop-report -tz UTC -top 2 <<'EOF'
//	{"time":"2026-11-25T09:38:02+00:00","host":"mx1","event":"auth","outcome":"failure","reason":"password_mismatch","user":"bob@example.com","ip":"198.51.100.23","attempts":1,"country":"NL","country_name":"Netherlands"}
//	{"time":"2026-11-25T09:38:20+00:00","host":"mx1","service":"imap","event":"auth","outcome":"failure","reason":"auth_failed","user":"bob@example.com","ip":"198.51.100.23","attempts":3,"country":"NL","country_name":"Netherlands"}
//	{"time":"2026-11-25T09:40:11+00:00","host":"mx1","service":"pop3","event":"auth","outcome":"failure","reason":"unknown_user","user":"\u001b]0;pwned\u0007admin","ip":"203.0.113.5","attempts":1,"country":"CN","country_name":"China"}
//	{"time":"2026-11-25T10:24:51+00:00","host":"mx1","service":"imap","event":"auth","outcome":"success","user":"bob@example.com","ip":"198.51.100.23","country":"NL","country_name":"Netherlands"}
//	EOF
//	mailcop report for mx1
//	======================
//
//	Start: 2026-11-25 09:38:02 UTC
//	End:   2026-11-25 10:24:51 UTC
//
//	5 failed attempts from 2 addresses against 2 accounts, in 2 countries
//	1 successful login; 1 from addresses that had failed before
//	1 possible compromise: see below.
//
//	Possible compromises
//	--------------------
//	  TIME                 ACCOUNT          ADDRESS        COUNTRY          SERVICE  WHY
//	  2026-11-25 10:24:51  bob@example.com  198.51.100.23  NL, Netherlands  imap     after 4 failed attempts on this account from this address
//
//	Top 2 countries
//	---------------
//	  ATTEMPTS  ADDRESSES  COUNTRY
//	         4          1  NL, Netherlands
//	         1          1  CN, China
//
//	Top 2 addresses
//	---------------
//	  ADDRESS        ATTEMPTS  ACCOUNTS  COUNTRY
//	  198.51.100.23         4         1  NL, Netherlands
//	  203.0.113.5           1         1  CN, China
//
//	Top 2 accounts
//	--------------
//	  ATTEMPTS  ADDRESSES  EXISTS  ACCOUNT
//	         4          1  yes     bob@example.com
//	         1          1  no      \x1b]0;pwned\x07admin
//
//	Top 2 networks
//	--------------
//	  NETWORK          ATTEMPTS  ADDRESSES
//	  198.51.100.0/24         4          1
//	  203.0.113.0/24          1          1
//
//	Attempts per hour
//	-----------------
//	  HOUR   ATTEMPTS
//	  09:00         5  ########################################
//
//	Last 2 attempts
//	---------------
//	  TIME                 ACCOUNT                ADDRESS        COUNTRY          ATTEMPTS
//	  2026-11-25 09:38:20  bob@example.com        198.51.100.23  NL, Netherlands         3
//	  2026-11-25 09:40:11  \x1b]0;pwned\x07admin  203.0.113.5    CN, China               1
//
// Everything taken from the log is made safe before it is printed:
// control characters, escape sequences, bidi overrides and other
// invisible characters are shown escaped (\x1b, \u202e), a backslash as
// \\, and text longer than a column allows is cut, marked with "…". The
// HTML escapes it again; no mail header can be split by it.
//
// # fail2ban
//
// When fail2ban's log goes through mailcop-parse with the mail log, its
// bans become records such as
//
//	{"time":"2026-11-25T08:14:40+00:00","daemon":"fail2ban","event":"ban","ip":"45.155.205.233","jail":"dovecot"}
//
// ("event":"unban" for unbans; "restored":true for a ban fail2ban restored
// at start-up), and the summary lists them.
//
// The other way round, -fail2ban feeds fail2ban: one line per failed
// attempt, a record standing for 3 attempts written 3 times, each line
// the record's time (ISO 8601, which fail2ban reads), then the address,
// parsed and written canonical, then mailcop's service and reason names
// ("-" for anything else). Nothing an attacker chose, a user name above
// all, is written, so no text in the log can make fail2ban's filter
// (etc/fail2ban/filter.d/mailcop.conf) read another address. Logins,
// bans and records without an address or a valid time write nothing; the
// last two are counted in a warning. Lines leave as soon as the input
// pauses, as with -live.
//
//	$ mailcop-report -fail2ban <<'EOF'
//	{"time":"2026-11-25T09:38:20+00:00","host":"mx1","service":"imap","event":"auth","outcome":"failure","reason":"auth_failed","user":"bob 192.0.2.1","ip":"198.51.100.23","attempts":3}
//	{"time":"2026-11-25T09:40:11+01:00","host":"mx1","service":"pop3","event":"auth","outcome":"failure","reason":"unknown_user","user":"admin","ip":"2001:DB8::5","attempts":1}
//	{"time":"2026-11-25T10:24:51+00:00","host":"mx1","service":"imap","event":"auth","outcome":"success","user":"bob","ip":"198.51.100.23"}
//	EOF
//	2026-11-25T09:38:20.000000+00:00 mailcop: failed attempt from 198.51.100.23 service=imap reason=auth_failed
//	2026-11-25T09:38:20.000000+00:00 mailcop: failed attempt from 198.51.100.23 service=imap reason=auth_failed
//	2026-11-25T09:38:20.000000+00:00 mailcop: failed attempt from 198.51.100.23 service=imap reason=auth_failed
//	2026-11-25T09:40:11.000000+01:00 mailcop: failed attempt from 2001:db8::5 service=pop3 reason=unknown_user
//
// # Exit status
//
// 0 when all went well, 1 when an input could not be read or a line was not
// a record (the others are still reported), 2 for a mistake in the command
// line.
//
// # Examples
//
// Today's attacks, live, then the day's summary in French:
//
//	mailcop-tail -f | mailcop-parse | mailcop-geo | mailcop-report -live
//	mailcop-parse -since today /var/log/mail.log | mailcop-geo | mailcop-report -lang fr
//
// fail2ban's mailcop jail fed from the live log:
//
//	mailcop-tail -f | mailcop-parse | mailcop-report -fail2ban >>/var/log/mailcop/fail2ban.log
//
// The daily mail, as etc/cron.daily/mailcop sends it:
//
//	mailcop-tail -state /var/lib/mailcop/tail.state | mailcop-parse -unmatched |
//		mailcop-geo | mailcop-report -mail -to postmaster@example.com | sendmail -t -oi
package main
