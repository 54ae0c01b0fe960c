//go:build e2e

package daemons

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A try is one thing a client sends in a session: credentials (user and
// password) or, when syntax is set, a malformed AUTH the server refuses
// before authenticating (no attempt).
type try struct {
	user, pass string
	syntax     bool
}

// A session is one connection: its protocol, the address a trusted proxy
// claims for it, the way it logs in, and its tries in order. It stops at the
// first accepted credentials.
type session struct {
	proto string // imap, pop3, smtp
	ip    string
	plain bool // SASL PLAIN (IMAP AUTHENTICATE, POP3 AUTH, SMTP AUTH) instead of LOGIN / USER+PASS
	tries []try
	label string // the scenario, for messages
}

// outcome is the truth of a session as it happened: how many credentials
// the server rejected, and whether one was accepted.
type outcome struct {
	s        *session
	rejected int
	loggedIn string // the user that got in
	err      error
	lines    []string // what the server said, for messages
}

// A chain is sessions that must run one after the other (a brute force
// that reconnects, then gets in); chains run concurrently.
type chain []*session

// Attacker addresses are only strings written into logs: documentation
// ranges and a few public-looking ones. Nothing but loopback is contacted.
var attackerIPs = []string{
	"192.0.2.17", "198.51.100.77", "203.0.113.200", "45.155.205.99", "80.82.78.104", "141.98.11.25",
	"2001:db8:bad:1::66", "2001:db8:6::11", "2a0b:7280:200::9", "2001:db8:cafe::1",
}

var unknownUsers = []string{"admin", "test", "info", "root@example.test", "sales@example.test", "postmaster", "webmaster@example.test", "user1"}

// hostileUsers would break a naive parser: spaces, <>, quotes, text that
// looks like a log field, non-ASCII.
var hostileUsers = []string{
	"admin user", "<root>@example.test", `"quoted"@example.test`, "x rhost=10.9.9.9 user=root",
	"josé@exämple.test", "пользователь", "a>b<c", "user=<bob@example.test>, method=PLAIN",
}

var guesses = []string{"123456", "password", "qwerty", "letmein", "admin123", "Summer2026!", "welcome1", "passw0rd"}

// The scenarios' addresses, checked by name.
const (
	bruteIP  = "45.155.205.233"     // reconnects, fails, then gets in: a compromise
	bruteIP6 = "2001:db8:bad:1::99" // the same over SMTP AUTH, from IPv6
	inlineIP = "198.51.100.23"      // fails, then gets in, in the same session
	staleIP  = "203.0.113.45"       // a phone repeating an old password
	typoIP   = "192.0.2.10"         // a typo, then the right password
)

// plan makes the seeded attack: scenario chains plus random sessions.
func plan(seed uint64, randomSessions int) []chain {
	rng := rand.New(rand.NewPCG(seed, 0x6d61696c636f70))
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	protos := []string{"imap", "pop3", "smtp"}
	var chains []chain

	// Brute force over IMAP: three connections of two failures, then in.
	var bf chain
	for range 3 {
		bf = append(bf, &session{proto: "imap", ip: bruteIP, label: "brute force", tries: []try{{user: "bob@example.test", pass: pick(guesses)}, {user: "bob@example.test", pass: pick(guesses)}}})
	}
	bf = append(bf, &session{proto: "imap", ip: bruteIP, label: "brute force, in", tries: []try{{user: "bob@example.test", pass: accounts["bob@example.test"]}}})
	chains = append(chains, bf)

	// The same over submission from IPv6, a connection of failures and then in.
	chains = append(chains, chain{
		{proto: "smtp", ip: bruteIP6, plain: true, label: "smtp brute force", tries: []try{{user: "carol@example.test", pass: pick(guesses)}, {user: "carol@example.test", pass: pick(guesses)}, {user: "carol@example.test", pass: pick(guesses)}}},
		{proto: "smtp", ip: bruteIP6, plain: true, label: "smtp brute force, in", tries: []try{{user: "carol@example.test", pass: accounts["carol@example.test"]}}},
	})

	// Failures then a login in the same session, over POP3 and IMAP.
	chains = append(chains,
		chain{{proto: "pop3", ip: inlineIP, label: "in after failures", tries: []try{{user: "alice@example.test", pass: "alice"}, {user: "alice@example.test", pass: "alice2026"}, {user: "alice@example.test", pass: accounts["alice@example.test"]}}}},
		chain{{proto: "imap", ip: "2001:db8:6::77", plain: true, label: "in after failures v6", tries: []try{{user: "info@example.test", pass: "info"}, {user: "info@example.test", pass: accounts["info@example.test"]}}}},
	)

	// A stale password: the same wrong one, connection after connection.
	var stale chain
	for i := range 3 {
		stale = append(stale, &session{proto: protos[i%2], ip: staleIP, label: "stale password", tries: []try{{user: "dave@example.test", pass: "dave-2025-autumn"}}})
	}
	chains = append(chains, stale)

	// A typo, then the right password.
	chains = append(chains, chain{{proto: "imap", ip: typoIP, label: "typo", tries: []try{{user: "alice@example.test", pass: "Tr0ub4dor&4"}, {user: "alice@example.test", pass: accounts["alice@example.test"]}}}})

	// Syntax errors, refused before authenticating: not attempts.
	chains = append(chains,
		chain{{proto: "imap", ip: "198.51.100.9", label: "syntax", tries: []try{{syntax: true}, {user: "test", pass: "test"}}}},
		chain{{proto: "pop3", ip: "198.51.100.9", label: "syntax", tries: []try{{syntax: true}, {user: "test", pass: "test"}}}},
		chain{{proto: "smtp", ip: "198.51.100.9", plain: true, label: "syntax", tries: []try{{syntax: true}, {user: "test", pass: "test"}}}},
	)

	existing := sortedKeys(accounts)
	for range randomSessions {
		s := &session{proto: pick(protos), ip: pick(attackerIPs), plain: rng.IntN(3) == 0, label: "guess"}
		for range 1 + rng.IntN(3) {
			var user string
			switch r := rng.IntN(10); {
			case r < 4:
				user = pick(existing)
			case r < 8:
				user = pick(unknownUsers)
			default:
				user = pick(hostileUsers)
			}
			s.tries = append(s.tries, try{user: user, pass: pick(guesses)})
		}
		chains = append(chains, chain{s})
	}
	rng.Shuffle(len(chains), func(i, j int) { chains[i], chains[j] = chains[j], chains[i] })
	return chains
}

// attack runs the chains, workers at a time, and returns every session's
// outcome. progress is called after each session.
func attack(p ports, chains []chain, workers int, progress func(done int)) []outcome {
	var (
		mu       sync.Mutex
		outcomes []outcome
		wg       sync.WaitGroup
	)
	work := make(chan chain)
	for range workers {
		wg.Go(func() {
			for c := range work {
				for _, s := range c {
					o := run(p, s)
					mu.Lock()
					outcomes = append(outcomes, o)
					n := len(outcomes)
					mu.Unlock()
					if progress != nil {
						progress(n)
					}
				}
			}
		})
	}
	for _, c := range chains {
		work <- c
	}
	close(work)
	wg.Wait()
	return outcomes
}

// sessionTimeout bounds a session: dovecot's failure delay grows to 15 s
// per attempt for an address that keeps failing.
const sessionTimeout = 90 * time.Second

func run(p ports, s *session) outcome {
	o := outcome{s: s}
	port := map[string]int{"imap": p.imap, "pop3": p.pop3, "smtp": p.submission}[s.proto]
	conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 5*time.Second)
	if err != nil {
		o.err = err
		return o
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(sessionTimeout))
	c := &client{conn: conn, r: bufio.NewReader(conn), o: &o}
	switch s.proto {
	case "imap":
		o.err = c.imap(s)
	case "pop3":
		o.err = c.pop3(s)
	case "smtp":
		o.err = c.smtp(s)
	}
	return o
}

type client struct {
	conn net.Conn
	r    *bufio.Reader
	o    *outcome
	tag  int
}

func (c *client) send(line string) error {
	c.o.lines = append(c.o.lines, "C: "+line)
	_, err := c.conn.Write([]byte(line + "\r\n"))
	return err
}

func (c *client) read() (string, error) {
	line, err := c.r.ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	c.o.lines = append(c.o.lines, "S: "+line)
	return line, err
}

func saslPlain(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))
}

// imapQuote makes an IMAP quoted string; ok is false where only a literal
// or SASL could carry the text (8-bit, CR, LF).
func imapQuote(s string) (q string, ok bool) {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == '\r' || s[i] == '\n' {
			return "", false
		}
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`, true
}

// imapCommand sends a tagged command and reads to its tagged reply,
// answering a continuation with cont (SASL's initial response).
func (c *client) imapCommand(cmd, cont string) (string, error) {
	c.tag++
	tag := "a" + strconv.Itoa(c.tag)
	if err := c.send(tag + " " + cmd); err != nil {
		return "", err
	}
	for {
		line, err := c.read()
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(line, "+") {
			if err := c.send(cont); err != nil {
				return "", err
			}
			continue
		}
		if strings.HasPrefix(line, tag+" ") {
			return strings.TrimPrefix(line, tag+" "), nil
		}
	}
}

func (c *client) imap(s *session) error {
	if _, err := c.read(); err != nil {
		return err
	}
	q, _ := imapQuote(s.ip)
	if reply, err := c.imapCommand(`ID ("x-originating-ip" `+q+`)`, ""); err != nil || !strings.HasPrefix(reply, "OK") {
		return fmt.Errorf("ID: %q %v", reply, err)
	}
	for _, t := range s.tries {
		var reply string
		var err error
		quser, ok1 := imapQuote(t.user)
		qpass, ok2 := imapQuote(t.pass)
		switch {
		case t.syntax:
			reply, err = c.imapCommand("LOGIN onlyauser", "")
		case s.plain || !ok1 || !ok2:
			reply, err = c.imapCommand("AUTHENTICATE PLAIN", saslPlain(t.user, t.pass))
		default:
			reply, err = c.imapCommand("LOGIN "+quser+" "+qpass, "")
		}
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(reply, "OK"):
			c.o.loggedIn = t.user
		case strings.HasPrefix(reply, "NO"):
			c.o.rejected++
		case strings.HasPrefix(reply, "BAD") && t.syntax:
		default:
			return fmt.Errorf("unexpected reply %q", reply)
		}
		if c.o.loggedIn != "" {
			break
		}
	}
	c.imapCommand("LOGOUT", "")
	return nil
}

// pop3Command sends a line and reads the one-line reply.
func (c *client) pop3Command(cmd string) (string, error) {
	if err := c.send(cmd); err != nil {
		return "", err
	}
	return c.read()
}

func (c *client) pop3(s *session) error {
	if _, err := c.read(); err != nil {
		return err
	}
	if reply, err := c.pop3Command("XCLIENT ADDR=" + s.ip); err != nil || !strings.HasPrefix(reply, "+OK") {
		return fmt.Errorf("XCLIENT: %q %v", reply, err)
	}
	for _, t := range s.tries {
		var reply string
		var err error
		switch {
		case t.syntax:
			reply, err = c.pop3Command("PASS nouserfirst")
		case s.plain:
			reply, err = c.pop3Command("AUTH PLAIN " + saslPlain(t.user, t.pass))
		default:
			reply, err = c.pop3Command("USER " + t.user)
			if err == nil && strings.HasPrefix(reply, "+OK") {
				reply, err = c.pop3Command("PASS " + t.pass)
			} else if err == nil {
				return fmt.Errorf("USER refused: %q", reply)
			}
		}
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(reply, "+OK"):
			c.o.loggedIn = t.user
		case strings.HasPrefix(reply, "-ERR") && t.syntax:
		case strings.HasPrefix(reply, "-ERR"):
			c.o.rejected++
		default:
			return fmt.Errorf("unexpected reply %q", reply)
		}
		if c.o.loggedIn != "" {
			break
		}
	}
	c.pop3Command("QUIT")
	return nil
}

// smtpReply reads a (multi-line) SMTP reply and returns its last line.
func (c *client) smtpReply() (string, error) {
	for {
		line, err := c.read()
		if err != nil {
			return line, err
		}
		if len(line) < 4 || line[3] != '-' {
			return line, nil
		}
	}
}

func (c *client) smtpCommand(cmd string) (string, error) {
	if err := c.send(cmd); err != nil {
		return "", err
	}
	return c.smtpReply()
}

func (c *client) smtp(s *session) error {
	if _, err := c.smtpReply(); err != nil {
		return err
	}
	if _, err := c.smtpCommand("EHLO e2e.test"); err != nil {
		return err
	}
	addr := s.ip
	if strings.Contains(addr, ":") {
		addr = "IPV6:" + addr
	}
	// NAME given, so that postfix looks up no name for the address.
	if reply, err := c.smtpCommand("XCLIENT ADDR=" + addr + " NAME=[UNAVAILABLE]"); err != nil || !strings.HasPrefix(reply, "220") {
		return fmt.Errorf("XCLIENT: %q %v", reply, err)
	}
	if _, err := c.smtpCommand("EHLO e2e.test"); err != nil {
		return err
	}
	for _, t := range s.tries {
		var reply string
		var err error
		if t.syntax {
			reply, err = c.smtpCommand("AUTH PLAIN ====")
		} else {
			reply, err = c.smtpCommand("AUTH PLAIN " + saslPlain(t.user, t.pass))
		}
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(reply, "235"):
			c.o.loggedIn = t.user
		case t.syntax && (strings.HasPrefix(reply, "501") || strings.HasPrefix(reply, "535")):
			// postfix 3.7 refuses undecodable base64 itself (501); 3.10
			// hands it to dovecot, which refuses it (535). Either way no
			// credentials were tried: not an attempt.
		case strings.HasPrefix(reply, "535"), strings.HasPrefix(reply, "454"):
			c.o.rejected++
		default:
			return fmt.Errorf("unexpected reply %q", reply)
		}
		if c.o.loggedIn != "" {
			break
		}
	}
	c.smtpCommand("QUIT")
	return nil
}

// sha6 is what dovecot logs with auth_verbose_passwords = sha1:6.
func sha6(pass string) string {
	h := sha1.Sum([]byte(pass))
	return hex.EncodeToString(h[:])[:6]
}
