// Package geo is the mailcop-geo stage: it adds to each record with an
// "ip" where the address is from (country, country_name, and where a
// database has them city, asn and as_org), or the scope of a reserved
// address, from MaxMind-format databases or, with none installed, from
// an IP→country table embedded in the binary.
package geo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/phuslu/iploc"

	"github.com/mailcop/mailcop/internal/cli"
	"github.com/mailcop/mailcop/internal/record"
)

const usage = `usage: mailcop-geo [-db path|none] [-asn-db path|none] [-lang en|fr] [-v] [file ...]
       mailcop-geo -fetch dir [-fetch-url url]

Mailcop-geo reads records (one JSON object per line, as mailcop-parse writes
them) from the files, or standard input, and adds where each "ip" is from:
country (ISO 3166 code) and country_name, and where the database has them
city, asn and as_org. A reserved address gets a "scope" instead (private,
loopback, link-local, shared, documentation, benchmarking, multicast,
unspecified, reserved) and is never looked up. Records without an ip, and
keys mailcop-geo does not know, pass through untouched.

  -db path       the country (or city) database: a MaxMind-format file
                 (GeoIP2 or GeoLite2 Country or City, DB-IP lite country or
                 city, ip-location-db country_code), a directory to search,
                 several separated by commas (asked in turn: ip-location-db's
                 IPv4 and IPv6 files), or none for the embedded table
                 (default: $MAILCOP_GEOIP_DB, else the first of GeoIP2-City,
                 GeoIP2-Country, GeoLite2-City, GeoLite2-Country,
                 dbip-city-lite, dbip-country-lite (.mmdb) in /var/lib/GeoIP,
                 /usr/share/GeoIP, /usr/local/share/GeoIP, else the embedded
                 IP2Location LITE country table)
  -asn-db path   the AS database: GeoLite2-ASN, dbip-asn-lite, GeoIP2-ISP, a
                 directory, or none (default: $MAILCOP_ASN_DB, else searched
                 as -db)
  -lang en|fr    language of country_name and city (default en)
  -v             say which databases answer, and count the records at the end
  -fetch dir     download this month's DB-IP lite country and ASN databases
                 (free, CC BY 4.0) into dir, usually /var/lib/GeoIP, each
                 checked, then put in place by rename
  -fetch-url url where -fetch downloads from (default:
                 ` + dbipURL + `)

Databases are memory-mapped: update them by replacing the file (rename, as
geoipupdate and -fetch do), never by rewriting it in place. A running
mailcop-geo reopens them on SIGHUP.

Example:
  mailcop-parse /var/log/mail.log | mailcop-geo | mailcop-count -by country -format table
`

// config is the command line.
type config struct {
	db, asnDB string
	lang      int
	verbose   bool
	fetchDir  string
	fetchURL  string
	files     []string
}

// Run is mailcop-geo.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return run(ctx, args, stdin, stdout, stderr, env{getenv: os.Getenv, dirs: searchDirs, notifyHUP: notifyHUP})
}

// notifyHUP asks for SIGHUP, the one signal mailcop-geo handles: it
// reopens the databases. SIGPIPE keeps its default, so "| head" ends the
// stage quietly.
func notifyHUP() (<-chan os.Signal, func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	return hup, func() { signal.Stop(hup) }
}

// run is Run with what it takes from the process given: the environment,
// the directories searched, and the SIGHUP channel.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, e env) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if cfg.fetchDir != "" {
		return fetch(ctx, cfg.fetchURL, cfg.fetchDir, time.Now(), nil, stdout)
	}
	hup, stop := e.notifyHUP()
	defer stop()
	return filter(ctx, cfg, e, hup, stdin, stdout, stderr)
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("mailcop-geo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.db, "db", "", "country database `path`, directory or none")
	fs.StringVar(&cfg.asnDB, "asn-db", "", "AS database `path`, directory or none")
	lang := fs.String("lang", "en", "`language` of names: en or fr")
	fs.BoolVar(&cfg.verbose, "v", false, "say which databases answer, and count")
	fs.StringVar(&cfg.fetchDir, "fetch", "", "download DB-IP lite databases into `dir`")
	fs.StringVar(&cfg.fetchURL, "fetch-url", dbipURL, "download from `url`")
	if err := cli.ParseFlags(fs, usage, args); err != nil {
		return config{}, err
	}
	switch *lang {
	case "en":
		cfg.lang = langEN
	case "fr":
		cfg.lang = langFR
	default:
		return config{}, cli.Usagef(usage, "-lang %q: want en or fr", *lang)
	}
	cfg.files = fs.Args()
	if cfg.fetchDir != "" && len(cfg.files) > 0 {
		return config{}, cli.Usagef(usage, "-fetch takes no input files")
	}
	return cfg, nil
}

// info is what mailcop-geo adds for one address.
type info struct {
	scope, country, countryName, city, asOrg string
	asn                                      int
}

// stats are the counts -v prints at the end.
type stats struct {
	records, withIP, located, withAS, reserved, notFound int
	invalid, failed                                      int
}

// stage is one run of the filter.
type stage struct {
	cfg    config
	env    env
	hup    <-chan os.Signal
	src    *sources
	haveAS bool
	ips    *cache[string, info]
	w      *record.Writer
	stderr io.Writer
	st     stats

	// When a database faults (changed in place) and cannot be reopened
	// at once, it is left out and tried again from retryAt on.
	retry   bool
	retryAt time.Time

	v6Loaded bool // the embedded table's IPv6 half was loaded
}

// ipCache is how many addresses are kept: attackers repeat, and a day of
// a busy server's attackers fits; past that the least recent go.
const ipCache = 1 << 15

// maxReported is how many failed lookups are printed; the rest are
// counted in the -v summary and the exit status.
const maxReported = 20

// retryEvery is how often a database that faulted is tried again.
const retryEvery = 10 * time.Second

func filter(ctx context.Context, cfg config, e env, hup <-chan os.Signal, stdin io.Reader, stdout, stderr io.Writer) error {
	s := &stage{
		cfg:    cfg,
		env:    e,
		hup:    hup,
		ips:    newCache[string, info](ipCache),
		w:      record.NewWriter(stdout),
		stderr: stderr,
	}
	// A database truncated in place faults (SIGBUS) when read: make that
	// a panic that lookup recovers from, not the end of the process. It
	// holds for this goroutine, which does all the reading.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))

	src, err := openSources(cfg.db, cfg.asnDB, cfg.lang, e, s.warn)
	if err != nil {
		return err
	}
	s.use(src)
	defer func() { s.src.close() }()
	if cfg.verbose {
		for _, line := range src.describe() {
			fmt.Fprintf(stderr, "%s\n", line)
		}
	}

	notEnriched := 0
	bad, err := cli.EachRecord(ctx, cfg.files, stdin,
		cli.RecordReading{Warn: func(se *record.SyntaxError) { s.warn(se.Error()) }, FlushBeforeBlock: s.w.Flush},
		func(r *record.Record, name string, line int) error {
			if err := s.enrich(r, name, line); err != nil {
				notEnriched++
			}
			if err := s.w.Write(r); err != nil {
				return fmt.Errorf("write output: %w", err)
			}
			return nil
		})
	if ferr := s.w.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write output: %w", ferr)
	}
	if err != nil {
		return err
	}
	if cfg.verbose {
		fmt.Fprintf(stderr, "%s\n", s.summary())
	}
	if bad+notEnriched > 0 {
		return cli.ErrReported
	}
	return nil
}

// use puts a set of databases in service.
func (s *stage) use(src *sources) {
	s.src = src
	s.haveAS = src.haveAS()
	s.ips.reset()
}

// warn prints a line on stderr, after what is buffered on stdout.
func (s *stage) warn(msg string) {
	s.w.Flush()
	fmt.Fprintf(s.stderr, "%s\n", strings.TrimRight(msg, "\n"))
}

// enrich adds what is known of r's address to r. It returns an error,
// already reported, when the address is not one or a lookup failed; r
// then goes on with what could be found.
func (s *stage) enrich(r *record.Record, name string, line int) error {
	s.st.records++
	s.maybeReopen()
	if r.IP == "" {
		return nil
	}
	s.st.withIP++
	in, ok := s.ips.get(r.IP)
	if !ok {
		var err error
		in, err = s.locate(r.IP)
		if err != nil {
			s.report(name, line, err)
			if errors.Is(err, errInvalidIP) {
				return err
			}
			// Apply what the other database answered; do not keep it.
			s.apply(r, in)
			return err
		}
		// The key is copied: r.IP shares its memory with the whole record.
		s.ips.put(strings.Clone(r.IP), in)
	}
	s.apply(r, in)
	return nil
}

func (s *stage) apply(r *record.Record, in info) {
	switch {
	case in.scope != "":
		s.st.reserved++
	case in.country != "":
		s.st.located++
	default:
		s.st.notFound++
	}
	r.Scope, r.Country, r.CountryName, r.City = in.scope, in.country, in.countryName, in.city
	// Without an AS database, AS fields a previous run added stay.
	if s.haveAS {
		r.ASN, r.ASOrg = in.asn, in.asOrg
		if in.asn != 0 {
			s.st.withAS++
		}
	}
}

var errInvalidIP = errors.New("not an IP address")

func (s *stage) report(name string, line int, err error) {
	if errors.Is(err, errInvalidIP) {
		s.st.invalid++
		s.warn(fmt.Sprintf("%s:%d: %v", name, line, err))
		return
	}
	s.st.failed++
	switch {
	case s.st.failed <= maxReported:
		s.warn(fmt.Sprintf("%s:%d: %v", name, line, err))
	case s.st.failed == maxReported+1:
		s.warn("further failed lookups are counted, not shown (see -v)")
	}
}

// locate finds where an address is. On a failed lookup it returns what
// the other database could say, and the error.
func (s *stage) locate(ip string) (info, error) {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return info{}, fmt.Errorf("ip %q: %w", ip, errInvalidIP)
	}
	a = normalize(a)
	if scope := scopeOf(a); scope != "" {
		return info{scope: scope}, nil
	}
	in, err := s.ask(a, ip)
	for tries := 0; tries < 2; tries++ {
		var f *faultError
		if !errors.As(err, &f) {
			break
		}
		// The file changed under us: reopen it and ask again; if the new
		// one faults too (it is being written), leave it out for now.
		if tries == 0 {
			s.warn(fmt.Sprintf("warning: %v; reopening", err))
			s.reopen(f.db)
		} else {
			s.warn(fmt.Sprintf("warning: %v", err))
			s.leaveOut(f.db)
		}
		in, err = s.ask(a, ip)
	}
	return in, err
}

// faultError is a lookup that faulted on a database's mapped file.
type faultError struct{ db *mmdb }

func (e *faultError) Error() string { return e.db.path + ": " + errFault.Error() }
func (e *faultError) Unwrap() error { return errFault }

// ask looks a public address up in the databases in service.
func (s *stage) ask(a netip.Addr, ip string) (info, error) {
	var in info
	var errs []error
	if len(s.src.country) == 0 {
		in.country = normCode(iploc.IPCountry(a))
		if a.Is6() && !s.v6Loaded {
			// The first IPv6 lookup in the embedded table inflates its
			// IPv6 half (11 MB, through 25 MB of garbage): collect that
			// now, or the heap is let grow to twice its peak.
			s.v6Loaded = true
			debug.FreeOSMemory()
		}
	}
	rec, found, err := firstFound(s.src.country, a, ip, &errs)
	if err != nil {
		return info{}, err
	}
	if found {
		in.country, in.city, in.asn, in.asOrg = rec.country, rec.city, rec.asn, rec.asOrg
	}
	if len(s.src.asn) > 0 {
		in.asn, in.asOrg = 0, ""
		rec, found, err := firstFound(s.src.asn, a, ip, &errs)
		if err != nil {
			return info{}, err
		}
		if found {
			in.asn, in.asOrg = rec.asn, rec.asOrg
		}
	}
	in.countryName = countryNameOf(in.country, s.cfg.lang)
	return in, errors.Join(errs...)
}

// maybeReopen reopens the databases on SIGHUP, and retries, quietly, a
// database that faulted and could not be reopened then.
func (s *stage) maybeReopen() {
	select {
	case <-s.hup:
		s.reopen(nil)
		return
	default:
	}
	if s.retry && !time.Now().Before(s.retryAt) {
		if src, err := openSources(s.cfg.db, s.cfg.asnDB, s.cfg.lang, s.env, func(string) {}); err == nil {
			s.replace(src, true)
		} else {
			s.retryAt = time.Now().Add(retryEvery)
		}
	}
}

// reopen finds and opens the databases again, as at the start, and puts
// them in service. When that fails the databases in service stay, but
// for one that faulted, which must not be read again: it is dropped (the
// embedded table answers for a country database) and tried again later.
func (s *stage) reopen(faulted *mmdb) {
	src, err := openSources(s.cfg.db, s.cfg.asnDB, s.cfg.lang, s.env, s.warn)
	if err == nil {
		s.replace(src, s.cfg.verbose || faulted != nil || s.retry)
		return
	}
	s.warn(fmt.Sprintf("warning: reopen: %v", err))
	if faulted == nil {
		s.warn("warning: the databases in service stay")
		return
	}
	s.leaveOut(faulted)
}

// leaveOut takes a database that faulted out of service, and has the
// databases tried again later.
func (s *stage) leaveOut(db *mmdb) {
	wasCountry := slices.Contains(s.src.country, db)
	s.src.drop(db)
	if wasCountry && len(s.src.country) == 0 {
		s.warn("warning: the embedded table answers until the country database opens again")
	} else {
		s.warn(fmt.Sprintf("warning: %s is left out until it opens again", db.path))
	}
	s.use(s.src)
	s.retry = true
	s.retryAt = time.Now().Add(retryEvery)
}

// replace puts a new set of databases in service and closes the old.
func (s *stage) replace(src *sources, say bool) {
	s.src.close()
	s.use(src)
	s.retry = false
	if say {
		for _, line := range src.describe() {
			s.warn("reopened: " + line)
		}
	}
}

func (s *stage) summary() string {
	st := s.st
	msg := fmt.Sprintf("%d records, %d with an address: %d with a country", st.records, st.withIP, st.located)
	if s.haveAS {
		msg += fmt.Sprintf(", %d with an AS", st.withAS)
	}
	return msg + fmt.Sprintf(", %d reserved, %d not found; %d distinct addresses looked up, %d invalid, %d failed lookups",
		st.reserved, st.notFound, s.ips.misses, st.invalid, st.failed)
}

// firstFound asks the databases in turn and returns the first record
// found. A lookup that fails is noted in errs and the next database asked;
// a database that faulted (truncated under us) ends the search with a
// *faultError, so that it is reopened.
func firstFound(dbs []*mmdb, a netip.Addr, ip string, errs *[]error) (dbRecord, bool, error) {
	for _, db := range dbs {
		rec, found, err := db.lookup(a)
		switch {
		case errors.Is(err, errFault):
			return dbRecord{}, false, &faultError{db}
		case err != nil:
			*errs = append(*errs, fmt.Errorf("look up %s in %s: %w", ip, db.path, err))
		case found:
			return rec, true, nil
		}
	}
	return dbRecord{}, false, nil
}
