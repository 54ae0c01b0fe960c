package parse

import (
	"bytes"

	"github.com/mailcop/mailcop/internal/record"
)

// parseFail2ban reads fail2ban's ban and unban notices, from its own log
// ("2026-11-25 10:24:51,123 fail2ban.actions [812]: NOTICE [dovecot] Ban
// 198.51.100.23") or through syslog ("fail2ban.actions[812]: NOTICE
// [dovecot] Ban ..."), so that a report can tell what was banned and
// which loud attackers were not. fail2ban 0.8 logged them at WARNING.
func parseFail2ban(msg []byte, ev *event) bool {
	for _, v := range []struct{ verb, event string }{
		{"] Ban ", record.EventBan},
		{"] Restore Ban ", record.EventBan},
		{"] Unban ", record.EventUnban},
	} {
		i := bytes.Index(msg, []byte(v.verb))
		if i < 0 {
			continue
		}
		open := bytes.LastIndexByte(msg[:i], '[')
		if open < 0 {
			return false
		}
		addr := msg[i+len(v.verb):]
		if j := bytes.IndexByte(addr, ' '); j >= 0 {
			addr = addr[:j]
		}
		ev.ip = ev.addr(addr)
		if ev.ip == "" {
			return false
		}
		ev.daemon = "fail2ban"
		ev.jail = ev.str(msg[open+1 : i])
		ev.banEvent = v.event
		ev.kind = kindBan
		return true
	}
	return false
}

// isFail2ban tells fail2ban's lines by their logger name.
func isFail2ban(b []byte) bool {
	return hasPrefix(b, "fail2ban")
}
