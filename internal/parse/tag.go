package parse

import "bytes"

// splitTag reads a syslog tag: "postfix/smtpd[123]: rest" or "dovecot: rest".
func splitTag(msg []byte) (tag []byte, pid int, rest []byte, ok bool) {
	i := 0
	for i < len(msg) {
		c := msg[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '/' || c == '.' {
			i++
			continue
		}
		break
	}
	if i == 0 || i == len(msg) {
		return nil, 0, msg, false
	}
	tag = msg[:i]
	rest = msg[i:]
	if rest[0] == '[' {
		j := bytes.IndexByte(rest, ']')
		if j < 0 {
			return nil, 0, msg, false
		}
		pid, _ = atoi(rest[1:j])
		rest = rest[j+1:]
	}
	if !hasPrefix(rest, ": ") {
		return nil, 0, msg, false
	}
	return tag, pid, rest[2:], true
}
