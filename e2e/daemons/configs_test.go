//go:build e2e

package daemons

import (
	"fmt"
	"strings"
)

// ports are the loopback ports of one combination; each combination has its
// own block so that a daemon left over from a crashed run cannot answer for
// the next one.
type ports struct{ imap, pop3, submission, events int }

func portsFor(index int) ports {
	base := 39140 + 10*index
	return ports{imap: base + 3, pop3: base + 1, submission: base + 7, events: base + 9}
}

// dovecotConfig returns the dovecot.conf for dovecot 2.3 (Debian 12) or 2.4
// (Debian 13): the two versions' syntaxes differ. dir is the work directory
// as the daemons see it (inside the chroot for Debian 13).
func dovecotConfig(major int, dir string, p ports, verbose bool, exporter string) string {
	r := strings.NewReplacer("@DIR@", dir, "@IMAP@", fmt.Sprint(p.imap), "@POP3@", fmt.Sprint(p.pop3))
	conf := dovecot23
	if major >= 24 {
		conf = dovecot24
	}
	conf = r.Replace(conf)
	if verbose {
		conf += "auth_verbose = yes\nauth_verbose_passwords = sha1:6\n"
	}
	return conf + exporter
}

// Both versions: loopback only, plaintext allowed (no TLS in a test),
// 127.0.0.0/8 and ::1 trusted to pass the client's address (as a proxy or
// webmail would), users in a passwd-file, a socket for postfix's SASL.
// Logging stays dovecot's default: syslog, facility mail.
const dovecot23 = `# dovecot 2.3 (Debian 12)
base_dir = @DIR@/run/dovecot
state_dir = @DIR@/lib/dovecot
protocols = imap pop3
listen = 127.0.0.1, ::1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
login_trusted_networks = 127.0.0.0/8 ::1
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 100
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN @DIR@/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=@DIR@/home/%u
}
service imap-login {
  inet_listener imap {
    port = @IMAP@
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = @POP3@
  }
  inet_listener pop3s {
    port = 0
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
`

const dovecot24 = `# dovecot 2.4 (Debian 13)
dovecot_config_version = 2.4.1
dovecot_storage_version = 2.4.1
base_dir = @DIR@/run/dovecot
state_dir = @DIR@/lib/dovecot
protocols = imap pop3
listen = 127.0.0.1, ::1
ssl = no
auth_allow_cleartext = yes
auth_mechanisms = plain login
login_trusted_networks = 127.0.0.0/8 ::1
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 100
mail_driver = maildir
mail_path = ~/Maildir
mail_home = @DIR@/home/%{user}
passdb passwd-file {
  passwd_file_path = @DIR@/users
  default_password_scheme = PLAIN
}
userdb static {
  fields {
    uid = nobody
    gid = nogroup
    home = @DIR@/home/%{user}
  }
}
service imap-login {
  inet_listener imap {
    port = @IMAP@
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = @POP3@
  }
  inet_listener pop3s {
    port = 0
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
`

// postfixMain is main.cf: one submission listener on loopback with SMTP AUTH
// through dovecot's socket, XCLIENT allowed from loopback, no TLS, no local
// delivery (the attack only logs in). Logging is postfix's default: syslog.
func postfixMain(dir string) string {
	return strings.ReplaceAll(`compatibility_level = 3.6
queue_directory = @DIR@/postfix/queue
data_directory = @DIR@/postfix/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.e2e.test
mydestination =
inet_interfaces = 127.0.0.1, [::1]
inet_protocols = all
alias_maps =
alias_database =
local_recipient_maps =
smtpd_tls_security_level = none
smtpd_sasl_type = dovecot
smtpd_sasl_path = @DIR@/run/dovecot/auth-postfix
smtpd_sasl_auth_enable = yes
smtpd_sasl_security_options = noanonymous
smtpd_authorized_xclient_hosts = 127.0.0.1, [::1]
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
`, "@DIR@", dir)
}

// postfixMaster is master.cf: only what an authenticating smtpd needs, none
// of it chrooted.
func postfixMaster(p ports) string {
	return fmt.Sprintf(`127.0.0.1:%d inet n - n - - smtpd
  -o syslog_name=postfix/submission
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
`, p.submission)
}

// rsyslogConfig writes mail.* to dir/log/mail.log as the distribution's
// default configuration does: Debian 12 with the traditional syslog stamp,
// Debian 13 with RFC 3339 stamps.
func rsyslogConfig(debian int, dir string) string {
	conf := strings.ReplaceAll(`global(workDirectory="@DIR@/lib/rsyslog")
module(load="imuxsock")
`, "@DIR@", dir)
	if debian < 13 {
		conf += "$ActionFileDefaultTemplate RSYSLOG_TraditionalFileFormat\n"
	}
	return conf + strings.ReplaceAll(`mail.* action(type="omfile" file="@DIR@/log/mail.log")
`, "@DIR@", dir)
}

// eventsFile is where dovecot 2.4's event exporter writes, next to the mail
// log.
const eventsFile = "dovecot-events.json"

// exporterConfig23 is dovecot 2.3's form: the exporter posts each event as
// JSON to an HTTP URL (the harness's receiver on loopback, which appends
// them to a file).
func exporterConfig23(url string) string {
	conf := strings.ReplaceAll(`event_exporter events {
  format = json
  format_args = time-rfc3339
  transport = http-post
  transport_args = @URL@
}
`, "@URL@", url)
	for _, event := range []string{"auth_request_finished", "auth_passdb_request_finished"} {
		conf += strings.ReplaceAll(`metric @E@ {
  filter = event=@E@
  exporter = events
  exporter_include = name hostname timestamps categories fields
}
`, "@E@", event)
	}
	return conf
}

// exporterConfig exports, as JSON lines to a file, the events that tell
// every authentication (the failures inside a session that ends in a login
// too): the auth process's request and passdb verdicts, and the login
// process's aborted sessions.
func exporterConfig(path string) string {
	return strings.ReplaceAll(`event_exporter events {
  driver = file
  file_path = @PATH@
  format = json
  time_format = rfc3339
}
metric auth_request_finished {
  filter = event=auth_request_finished
  exporter = events
}
metric auth_passdb_request_finished {
  filter = event=auth_passdb_request_finished
  exporter = events
}
metric login_aborted {
  filter = event=login_aborted
  exporter = events
}
`, "@PATH@", path)
}
