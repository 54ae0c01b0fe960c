package count

import (
	"encoding/binary"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/mailcop/mailcop/internal/record"
	"github.com/mailcop/mailcop/internal/scope"
)

// The distinct counts a group carries.
const (
	dimUsers = iota
	dimIPs
	dimCountries
	nDims
)

var dimNames = [nDims]string{"users", "ips", "countries"}

// group is what is kept of one group: counters, not records.
type group struct {
	key         string // the map key: the value, or the length-prefixed values
	count       int64
	first, last stamp
	distinct    [nDims]uint32
	attrs       *attrs // shared, never nil: &noAttrs until a record brings some
}

// attrs are the values a group's key determines, as the records give
// them: the country of an address, the name of a country, ...
type attrs struct {
	country, countryName, scope, asOrg string
	asn                                int
}

// exists states, per user: what the log proves about the account.
const (
	existsUnknown = iota
	existsNo      // some unknown_user, no proof the other way
	existsYes     // a password_mismatch or a successful login
)

// anyOutcome is -outcome any: failures and logins alike.
const anyOutcome = "any"

// config is what the flags ask for.
type config struct {
	by           []field
	outcome      string // record.OutcomeFailure, record.OutcomeSuccess or anyOutcome
	top, min     int
	sort         string
	asc          bool
	format       string
	loc          *time.Location
	mask4, mask6 int
	host         string // -host: only this server's records
}

// counter groups records. Memory grows with the groups and the distinct
// values seen, never with the records.
type counter struct {
	cfg    config
	single func(*record.Record) string // the one -by field, when it is a plain string field

	// The groups, in chunks: growing never copies them nor leaves half a
	// slice unused, and a *group stays valid.
	chunks  [][]group
	ngroups int
	index   map[string]int32

	// Distinct counts: each value is numbered once per dimension (a string
	// kept once however many groups see it), and a (group, dimension,
	// value) triple, packed in a uint64, is counted when first inserted in
	// pairs. One flat set costs ~16 bytes a pair, where a map per group
	// would cost a map header and its slack for each of the 50,000 groups.
	track [nDims]bool
	ids   [nDims]map[string]uint32
	pairs pairSet

	// Attributes carried by the groups, and existence of users.
	carryGeo, carryCountry, carryAS bool
	netKey                          bool              // net is a -by field, ip is not
	strs                            map[string]string // the attributes' values, each kept once
	attrSets                        map[attrs]*attrs  // the attribute sets, each kept once
	exists                          map[string]uint8  // nil unless user is a -by field

	buf []byte // the key being built

	// The last time string seen, parsed, with its day and hour keys:
	// consecutive records mostly share their second.
	tstr       string
	tstamp     stamp
	tday, thr  []byte
	tlocalDone bool

	// The last address and its network.
	nip  string
	nnet []byte
}

func newCounter(cfg config) *counter {
	c := &counter{cfg: cfg, index: map[string]int32{}, strs: map[string]string{}, attrSets: map[attrs]*attrs{}}
	if c.cfg.loc == nil {
		c.cfg.loc = time.Local
	}
	has := map[string]bool{}
	for _, f := range cfg.by {
		has[f.name] = true
	}
	if len(cfg.by) == 1 && (cfg.by[0].kind == kindString || cfg.by[0].kind == kindIP) {
		c.single = cfg.by[0].str
	}
	// A distinct count the key already fixes would always be 1: skip it.
	c.track[dimUsers] = !has["user"]
	c.track[dimIPs] = !has["ip"]
	c.track[dimCountries] = !has["country"] && !has["ip"]
	for d := range c.ids {
		if c.track[d] {
			c.ids[d] = map[string]uint32{}
		}
	}
	c.carryGeo = has["ip"] || has["net"]
	c.netKey = has["net"] && !has["ip"]
	c.carryCountry = c.carryGeo || has["country"]
	c.carryAS = c.carryGeo || has["asn"]
	if has["user"] {
		c.exists = map[string]uint8{}
	}
	return c
}

// add counts one record, if it is one the flags ask for.
func (c *counter) add(r *record.Record) {
	if r.Event != record.EventAuth {
		return
	}
	if c.exists != nil {
		c.noteExists(r)
	}
	if c.cfg.outcome != anyOutcome && r.Outcome != c.cfg.outcome {
		return
	}
	if r.Time != c.tstr {
		c.tstr = r.Time
		c.tstamp, _ = parseStamp(r.Time)
		c.tlocalDone = false
	}

	var gi int32
	var ok bool
	if c.single != nil {
		s := c.single(r)
		if gi, ok = c.index[s]; !ok {
			gi = c.newGroup(strings.Clone(s))
		}
	} else {
		c.buf = c.appendKey(c.buf[:0], r)
		if gi, ok = c.index[string(c.buf)]; !ok {
			gi = c.newGroup(string(c.buf))
		}
	}
	g := c.group(gi)

	n := int64(1)
	if r.Attempts > 1 {
		n = int64(r.Attempts)
	}
	if g.count > math.MaxInt64-n {
		g.count = math.MaxInt64 // saturate rather than wrap on absurd input
	} else {
		g.count += n
	}

	if st := c.tstamp; st.valid() {
		if !g.first.valid() || st.before(g.first) {
			g.first = st
		}
		if !g.last.valid() || g.last.before(st) {
			g.last = st
		}
	}

	if c.track[dimUsers] {
		c.distinct(g, gi, dimUsers, r.User)
	}
	if c.track[dimIPs] {
		c.distinct(g, gi, dimIPs, r.IP)
	}
	if c.track[dimCountries] {
		c.distinct(g, gi, dimCountries, r.Country)
	}
	if c.carryCountry || c.carryAS {
		c.carry(g, r)
	}
}

func (c *counter) newGroup(key string) int32 {
	if c.ngroups >= 1<<30 {
		// The pair keys have 30 bits for the group; no machine gets here
		// with memory to spare, but wrap-around must not be silent.
		panic("mailcop-count: more than 2^30 groups")
	}
	gi := int32(c.ngroups)
	if gi&(chunkSize-1) == 0 {
		c.chunks = append(c.chunks, make([]group, chunkSize))
	}
	c.ngroups++
	*c.group(gi) = group{key: key, attrs: &noAttrs}
	c.index[key] = gi
	return gi
}

const chunkSize = 1024 // groups per chunk, a power of two

func (c *counter) group(gi int32) *group { return &c.chunks[gi/chunkSize][gi%chunkSize] }

// distinct counts v in g's dimension d if g has not seen it before.
func (c *counter) distinct(g *group, gi int32, d int, v string) {
	if v == "" {
		return
	}
	ids := c.ids[d]
	id, ok := ids[v]
	if !ok {
		id = uint32(len(ids))
		ids[strings.Clone(v)] = id
	}
	if c.pairs.add(uint64(gi)<<34 | uint64(d)<<32 | uint64(id)) {
		g.distinct[d]++
	}
}

// carry keeps the latest non-empty attributes of the group's records (a
// database update mid-stream gives the newer answer). Groups share their
// attribute sets: thousands of addresses are "CN, China, AS4134
// Chinanet", and one pointer per group is all they need.
func (c *counter) carry(g *group, r *record.Record) {
	a := *g.attrs
	if c.carryGeo && (r.Country != "" || r.Scope != "") {
		a.country, a.scope = r.Country, r.Scope
		if a.scope != "" && c.netKey {
			a.scope = c.netScope(r.IP)
		}
	}
	if c.carryCountry && r.CountryName != "" {
		a.countryName = r.CountryName
	}
	if c.carryAS && r.ASN != 0 {
		a.asn, a.asOrg = r.ASN, r.ASOrg
	}
	if a == *g.attrs {
		return
	}
	p, ok := c.attrSets[a]
	if !ok {
		// Keep copies, not the record's strings, which may share their
		// memory with the whole record.
		a.country, a.scope = c.keep(a.country), c.keep(a.scope)
		a.countryName, a.asOrg = c.keep(a.countryName), c.keep(a.asOrg)
		p = new(attrs) // not &a, which would put a on the heap on every call
		*p = a
		c.attrSets[a] = p
	}
	g.attrs = p
}

// netScope is the scope label of the network around ip, as -by net cuts
// it: a record's scope holds for its address, and for its network only
// when the whole network lies inside the reserved block (with -mask 0,0
// the documentation addresses make no "documentation" Internet).
func (c *counter) netScope(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ""
	}
	a = a.Unmap().WithZone("")
	bits := c.cfg.mask6
	if a.Is4() {
		bits = c.cfg.mask4
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ""
	}
	return scope.Within(p)
}

// noAttrs is the attribute set of a group with none yet.
var noAttrs attrs

// keep returns a copy of s that is kept once, however many sets use it.
func (c *counter) keep(s string) string {
	if s == "" {
		return ""
	}
	v, ok := c.strs[s]
	if !ok {
		v = strings.Clone(s)
		c.strs[v] = v
	}
	return v
}

// noteExists records what r proves about its user's account. Every auth
// record counts here, whatever -outcome says: a successful login proves
// an account as well as a password mismatch does.
func (c *counter) noteExists(r *record.Record) {
	var proof uint8
	switch {
	case r.Outcome == record.OutcomeSuccess || r.Reason == record.ReasonPasswordMismatch:
		proof = existsYes
	case r.Reason == record.ReasonUnknownUser:
		proof = existsNo
	default:
		return
	}
	if r.User == "" {
		return
	}
	if cur, ok := c.exists[r.User]; !ok {
		c.exists[strings.Clone(r.User)] = proof
	} else if proof > cur {
		c.exists[r.User] = proof
	}
}

// appendKey builds the group key of r: the value itself for one field,
// else each value prefixed with its length, so that no choice of values
// (attackers choose usernames) can make two keys collide.
func (c *counter) appendKey(b []byte, r *record.Record) []byte {
	multi := len(c.cfg.by) > 1
	for i := range c.cfg.by {
		f := &c.cfg.by[i]
		if !multi {
			return c.appendValue(b, f, r)
		}
		// Reserve one byte for the length; move the value when it is
		// longer than a one-byte varint holds (rare: long usernames).
		at := len(b)
		b = append(b, 0)
		b = c.appendValue(b, f, r)
		n := len(b) - at - 1
		if n < 0x80 {
			b[at] = byte(n)
			continue
		}
		var pre [binary.MaxVarintLen64]byte
		w := binary.PutUvarint(pre[:], uint64(n))
		b = append(b, pre[:w-1]...)
		copy(b[at+w:], b[at+1:at+1+n])
		copy(b[at:], pre[:w])
	}
	return b
}

func (c *counter) appendValue(b []byte, f *field, r *record.Record) []byte {
	switch f.kind {
	case kindString, kindIP:
		return append(b, f.str(r)...)
	case kindInt:
		if n := f.num(r); n != 0 {
			return strconv.AppendInt(b, int64(n), 10)
		}
		return b
	case kindNet:
		if r.IP != c.nip {
			c.nip = r.IP
			c.nnet = appendNet(c.nnet[:0], r.IP, c.cfg.mask4, c.cfg.mask6)
		}
		return append(b, c.nnet...)
	case kindDay, kindHour:
		if !c.tstamp.valid() {
			return b
		}
		if !c.tlocalDone {
			t := c.tstamp.time().In(c.cfg.loc)
			c.tday = appendDay(c.tday[:0], t)
			c.thr = appendHour(c.thr[:0], t)
			c.tlocalDone = true
		}
		if f.kind == kindDay {
			return append(b, c.tday...)
		}
		return append(b, c.thr...)
	default:
		v, _ := r.Get(f.name)
		return append(b, v...)
	}
}

// splitKey appends the values of a group key, one per -by field.
func (c *counter) splitKey(vals []string, key string) []string {
	if len(c.cfg.by) == 1 {
		return append(vals, key)
	}
	for range c.cfg.by {
		n, w := uvarint(key)
		vals = append(vals, key[w:w+int(n)])
		key = key[w+int(n):]
	}
	return vals
}

// uvarint is binary.Uvarint for a string, without converting it.
func uvarint(s string) (uint64, int) {
	var x uint64
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		b := s[i]
		if b < 0x80 {
			return x | uint64(b)<<(7*i), i + 1
		}
		x |= uint64(b&0x7f) << (7 * i)
	}
	return 0, 0
}
