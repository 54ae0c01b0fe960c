// Mailcop-geo adds to each record where its address is from: the country
// (ISO 3166 code and name), and where the database has them the city and
// the autonomous system (number and organization). Reserved addresses get
// their scope instead.
//
// Usage:
//
//	mailcop-geo [-db path|none] [-asn-db path|none] [-lang en|fr] [-v] [file ...]
//	mailcop-geo -fetch dir [-fetch-url url]
//
// It reads records, one JSON object per line as mailcop-parse writes them,
// from the files named or standard input ("-"), and writes each record
// with these keys set from its "ip":
//
//	country        ISO 3166-1 alpha-2 code: "RU"
//	country_name   in English, or in French with -lang fr: "Russia", "Russie"
//	city           when the database has cities (GeoLite2/GeoIP2 City,
//	               DB-IP lite city, ip-location-db city), in the -lang
//	               language when the database has it, else English
//	asn, as_org    when an AS database answers: 49505, "JSC Selectel"
//	scope          for a reserved address, which is never looked up:
//	               private (RFC 1918, fc00::/7), loopback, link-local,
//	               shared (100.64.0.0/10, carrier-grade NAT),
//	               documentation, benchmarking, multicast, unspecified,
//	               reserved (the rest of IANA's special-purpose ranges)
//
// A key is left out when nothing is known, so jq 'select(.country)' and
// mailcop-count see no empty strings. Records without an ip, and every
// key mailcop-geo does not know, pass through untouched. IPv4-mapped
// addresses (::ffff:192.0.2.1) and the NAT64 prefix (64:ff9b::/96) are
// looked up as the IPv4 address they carry.
//
// Running mailcop-geo twice gives the same records: it sets country,
// country_name, city and scope afresh each time, and asn and as_org when
// it has an AS database (without one, those a previous run added stay).
//
// # Databases
//
// The country database is, in this order: -db, $MAILCOP_GEOIP_DB, the
// first of GeoIP2-City, GeoIP2-Country, GeoLite2-City, GeoLite2-Country,
// dbip-city-lite and dbip-country-lite (.mmdb) in /var/lib/GeoIP, then
// /usr/share/GeoIP, then /usr/local/share/GeoIP, and with none of them an
// IP-to-country table built into mailcop-geo (IP2Location LITE data,
// through github.com/phuslu/iploc, updated monthly): mailcop-geo answers
// with no set-up at all. The AS database is -asn-db, $MAILCOP_ASN_DB, or
// GeoIP2-ISP, GeoLite2-ASN or dbip-asn-lite found in the same directories.
// A path may name a directory to search; several paths separated by
// commas are asked in turn, the first that knows an address answering
// (ip-location-db ships IPv4 and IPv6 in two files); "none" uses no file.
//
// Any MaxMind-format file works: GeoLite2 and GeoIP2 (geoipupdate, with a
// free MaxMind account), DB-IP lite (CC BY 4.0, no account; mailcop-geo
// -fetch /var/lib/GeoIP downloads the month's country and ASN files), and
// ip-location-db's country_code files. Mailcop-geo recognises the schema
// from the records themselves, not from the file's name; -v says which
// file answers, what it holds, and counts the records at the end.
//
// A database named by a flag or the environment that is missing, empty or
// corrupt stops mailcop-geo with a message naming it and what to do; one
// merely found in a directory is skipped with a warning. A lookup that
// fails is reported with the record's position and the record goes on;
// the exit status is then 1.
//
// Databases are memory-mapped. Update them by writing the new file beside
// the old and renaming it into place, as geoipupdate and -fetch do: a file
// rewritten in place changes under the readers (mailcop-geo notices, says
// so, answers from the built-in table and reopens the file when it can).
// Send SIGHUP to a running mailcop-geo, in a pipeline that follows the
// log, to reopen the databases; it does so before its next record. SIGHUP
// is the only signal it handles, so a terminal's hangup no longer ends it:
// it ends when its input does, as the stages before it end.
//
// Addresses seen lately are kept (32768 to 65536 of them): attackers
// repeat, and a cached address costs a map lookup. Memory stays bounded
// whatever the input.
//
// # -fetch
//
// mailcop-geo -fetch dir downloads dbip-country-lite and dbip-asn-lite of
// the month (or of the previous month, early in a month before DB-IP
// publishes) from -fetch-url, checks each in full, and renames it into
// dir as dbip-country-lite.mmdb and dbip-asn-lite.mmdb, where mailcop-geo
// looks for them. A failed download leaves the files in place as they
// were. Run it monthly from cron, then send SIGHUP to running pipelines.
// DB-IP's licence asks for credit where the data is shown: "IP Geolocation
// by DB-IP (https://db-ip.com)".
//
// # Examples
//
// Without a database, the built-in table answers:
//
//	$ mailcop-geo -db none -asn-db none <<'EOF'
//	{"time":"2026-11-25T01:12:09+00:00","event":"auth","user":"admin","ip":"193.0.6.139","attempts":3}
//	{"event":"auth","user":"info","ip":"2001:12ff:0:4::22","site":"paris"}
//	{"event":"auth","user":"joe","ip":"192.168.1.20"}
//	{"event":"auth","user":"ann","ip":"::ffff:202.12.29.205"}
//	{"event":"ban","note":"no ip"}
//	EOF
//	{"time":"2026-11-25T01:12:09+00:00","event":"auth","user":"admin","ip":"193.0.6.139","attempts":3,"country":"NL","country_name":"Netherlands"}
//	{"event":"auth","user":"info","ip":"2001:12ff:0:4::22","country":"BR","country_name":"Brazil","site":"paris"}
//	{"event":"auth","user":"joe","ip":"192.168.1.20","scope":"private"}
//	{"event":"auth","user":"ann","ip":"::ffff:202.12.29.205","country":"AU","country_name":"Australia"}
//	{"event":"ban","note":"no ip"}
//
// Names in French:
//
//	$ mailcop-geo -db none -asn-db none -lang fr <<'EOF'
//	{"ip":"193.0.6.139"}
//	{"ip":"8.8.8.8"}
//	{"ip":"2001:db8::25"}
//	EOF
//	{"ip":"193.0.6.139","country":"NL","country_name":"Pays-Bas"}
//	{"ip":"8.8.8.8","country":"US","country_name":"États-Unis"}
//	{"ip":"2001:db8::25","scope":"documentation"}
//
// The day's attacks by country, as the old mailcop-countries printed
// them:
//
//	mailcop-parse -since today /var/log/mail.log | mailcop-geo | mailcop-count -by country -asc -format table
//
// Attacking networks, with GeoLite2 installed by geoipupdate:
//
//	mailcop-parse /var/log/mail.log | mailcop-geo | jq -r 'select(.asn) | "\(.asn) \(.as_org)"' | sort | uniq -c | sort -n
//
// A live view that keeps its databases fresh:
//
//	mailcop-tail -f | mailcop-parse | mailcop-geo | mailcop-report -live &
//	mailcop-geo -fetch /var/lib/GeoIP && pkill -HUP -x mailcop-geo
//
// # Exit status
//
// 0 when all went well; 1 when a database or an input could not be read,
// or a record was unusable or its lookup failed (the other records still
// go through); 2 for a mistake in the command line.
package main
