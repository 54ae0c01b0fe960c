// Mailcop-count counts password attacks: it groups the auth records that
// mailcop-parse (and mailcop-geo) write by address, account, country,
// network, day, hour or any other field, and says for each group how many
// attempts it made, when it first and last did, and how many distinct
// accounts, addresses and countries it involved.
//
// Usage:
//
//	mailcop-count [-by field[,field...]] [-outcome failure|success|any]
//	              [-top n] [-min n] [-sort order] [-asc]
//	              [-format ndjson|table|tsv|short] [-tz zone] [-mask v4[,v6]]
//	              [-host name] [file ...]
//
// It reads the files named, or standard input, one JSON object per line.
// Only records with "event":"auth" count, each for its "attempts" (1 when
// absent), and only failures unless -outcome says otherwise. A line that is
// not a JSON object is reported with its file and line number and skipped;
// the others are still counted and the exit status is 1.
//
// The flags:
//
//	-by field,...   group by these fields (default ip): any record field
//	                (ip, user, country, asn, service, reason, host, or a key
//	                of your own), or a derived one:
//	                  net   the /24 (IPv4) or /64 (IPv6) around ip
//	                  day   the local date of time, 2026-11-25
//	                  hour  the local hour of time, 2026-11-25T06:00+01:00;
//	                        the hour a DST change repeats makes two groups
//	-outcome o      failure (default), success or any
//	-sort order     count (default), users, ips, countries: biggest first;
//	                first, last: latest first; key: by the -by fields,
//	                addresses and networks in numeric order, hours in time
//	                order. Ties always fall to the key, so the same input
//	                gives the same bytes
//	-top n          keep only the first n groups
//	-min n          keep only groups of at least n attempts
//	-asc            print in reverse, the top group last, right above the
//	                prompt, as the old mailcop-ips did
//	-format f       ndjson (default), table, tsv or short
//	-tz zone        time zone of day, hour and the table's times (default
//	                $TZ, else the system's)
//	-mask v4[,v6]   prefix lengths of net (default 24,64)
//	-host name      only the records of this server (and those naming
//	                none, as dovecot's own log)
//
// # Output
//
// By default each group is one flat JSON object: the -by fields under their
// own names, then count, first and last (RFC 3339, as written in the
// records), and the distinct counts the key does not already fix: users
// (many per address: password spraying), ips (many per account: a
// distributed attack) and countries. With -by user, exists says what the
// log proves about the account: true once a password mismatch or a
// successful login was seen for it, false when it only ever met
// unknown_user. With -by ip or net, the country, country_name, scope, asn
// and as_org of the records come along; with -by country, country_name;
// with -by asn, as_org. Empty values are left out; values of keys of your
// own are written as strings.
//
//	$ mailcop-count -top 1 attacks.ndjson
//	{"ip":"198.51.100.23","count":9,"first":"2026-11-24T23:01:12+01:00","last":"2026-11-25T00:12:18+01:00","users":4,"country":"RU","country_name":"Russia","asn":49505,"as_org":"Selectel"}
//
// -format table aligns the same for people, with times in -tz to the
// minute. Addresses, networks, days and hours lead the line; accounts and
// other free text come last, so that a long one cannot push the numbers
// away. Everything taken from the log is made safe for a terminal: control
// characters, bidi overrides and other invisible characters are shown
// escaped (\x1b, \u202e), and a backslash as \\.
//
//	$ mailcop-count -top 3 -format table -tz Europe/Paris attacks.ndjson
//	IP             COUNT  USERS  FIRST             LAST              COUNTRY     AS
//	198.51.100.23      9      4  2026-11-24 23:01  2026-11-25 00:12  RU, Russia  AS49505 Selectel
//	203.0.113.5        8      4  2026-11-24 22:58  2026-11-25 01:10  CN, China   AS4134 Chinanet
//	203.0.113.200      4      1  2026-11-24 23:31  2026-11-24 23:31  CN, China   AS4134 Chinanet
//
//	$ mailcop-count -by user -top 4 -asc -format table -tz Europe/Paris attacks.ndjson
//	COUNT  IPS  COUNTRIES  FIRST             LAST              EXISTS  USER
//	    2    2          2  2026-11-25 01:09  2026-11-25 01:10  no      guest
//	    5    2          1  2026-11-24 23:31  2026-11-25 00:20  yes     a.chaouche@example.com
//	    6    2          2  2026-11-24 22:58  2026-11-25 00:12  no      admin
//	    8    3          3  2026-11-24 22:58  2026-11-25 00:52  yes     info@example.com
//
// -format tsv writes a header line of the JSON names, then every column of
// every group, empty when absent, for sort, cut and awk. A tab, newline,
// carriage return or backslash in a value is written \t, \n, \r or \\, and
// other control characters as in the table, so a line is always one group.
//
// -format short prints what the old scripts printed: the count and the
// value as uniq -c gives them, an address or network with its country, a
// country by its name ("-" for the records without one); with -asc, the
// biggest right above the prompt.
//
//	$ mailcop-count -top 3 -asc -format short attacks.ndjson
//	203.0.113.200           4  CN, China
//	203.0.113.5             8  CN, China
//	198.51.100.23           9  RU, Russia
//
//	$ mailcop-count -by country -asc -format short attacks.ndjson
//	      1  -
//	      1  United States
//	      5  Germany
//	      9  Russia
//	     12  China
//
// A network gets the scope of its addresses (private, documentation, ...)
// only when all of it lies in that reserved block: with -mask 8,32,
// 10.0.0.0/8 is private, 192.0.0.0/8 is nothing.
//
// Servers: records name the host that logged them, so on a central log
// host -by host counts per server, -by host,ip per server and address,
// and -host name keeps one server. An address attacking several servers
// is one group of -by ip, its count the sum over them.
//
// In a pipeline:
//
//	mailcop-parse /var/log/mail.log | mailcop-geo | mailcop-count -by net -min 20 | jq -r .net
//
// Memory grows with the number of groups and of distinct values, not with
// the length of the log: 50,000 addresses against 10,000 accounts take
// about 25 MiB.
//
// Exit status: 0 on success, 1 when a line could not be used or a file
// could not be read, 2 for a mistake on the command line; -h prints the
// usage and exits 0.
package main
