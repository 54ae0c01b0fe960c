package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mailcop/mailcop/internal/watch"
)

// watchMsgs is what the alert and the history classes say, in one
// language, beside the report's msgs.
type watchMsgs struct {
	title     string // %s: the host
	subject   func(host string, n int, user string) string
	total     func(n int) string
	secWhat   string
	secWhy    string
	secDo     string
	doNote    string
	colLogin  string
	whyNet    func(net string, n, accounts int64) string
	whyNew    func(country string, known []string, logins int64, since string) string
	whyTravel func(country, from string, after time.Duration, km int) string
	whyNewAS  func(asn int) string
	whyOwnNet func(net string, n, accounts int64, since string) string
	guesses   func(n int64) string
}

var watchEnglish = &watchMsgs{
	title: "mailcop alert for %s",
	subject: func(host string, n int, user string) string {
		if n == 1 {
			return "[mailcop] ALERT " + host + ": possible break-in into " + user
		}
		return "[mailcop] ALERT " + host + ": " + strconv.Itoa(n) + " possible break-ins"
	},
	total: func(n int) string {
		return plural(int64(n), "login", "logins") + " to look at now: each may be someone else using the account's password."
	},
	secWhat:  "What happened",
	secWhy:   "Why it is suspicious",
	secDo:    "What to do",
	doNote:   "If a login was not the account's owner: change the account's password now, then look at the account's other logins:",
	colLogin: "LOGIN",
	whyNet: func(net string, n, accounts int64) string {
		return "from " + net + ", whose addresses made " + plural(n, "failed attempt", "failed attempts") +
			" on " + plural(accounts, "other account", "other accounts")
	},
	whyNew: func(country string, known []string, logins int64, since string) string {
		return "first login from " + country + "; in " + plural(logins, "login", "logins") + " since " + since +
			" this account came only from " + strings.Join(known, ", ")
	},
	whyTravel: func(country, from string, after time.Duration, km int) string {
		return fmt.Sprintf("from %s %s after a login from %s, %d km away: faster than any travel", country, duration(after), from, km)
	},
	whyNewAS: func(asn int) string { return fmt.Sprintf("first login from AS%d, a network new to this account", asn) },
	whyOwnNet: func(net string, n, accounts int64, since string) string {
		if accounts == 0 {
			return "after " + plural(n, "failed attempt", "failed attempts") + " from " + net +
				", a network this account has used since " + since + ": one of its clients with an old password?"
		}
		return "after " + plural(n, "failed attempt", "failed attempts") + " on " + plural(accounts, "other account", "other accounts") +
			" from this address, of " + net + ", a network this account has used since " + since + ": a shared address (an office's NAT, a carrier's)?"
	},
	guesses: func(n int64) string { return " (" + plural(n, "distinct password", "distinct passwords") + ")" },
}

var watchFrench = &watchMsgs{
	title: "Alerte mailcop pour %s",
	subject: func(host string, n int, user string) string {
		if n == 1 {
			return "[mailcop] ALERTE " + host + " : intrusion possible dans " + user
		}
		return "[mailcop] ALERTE " + host + " : " + strconv.Itoa(n) + " intrusions possibles"
	},
	total: func(n int) string {
		return pluralFR(int64(n), "connexion", "connexions") + " à examiner maintenant : chacune peut être quelqu'un d'autre utilisant le mot de passe du compte."
	},
	secWhat:  "Ce qui s'est passé",
	secWhy:   "Pourquoi c'est suspect",
	secDo:    "Que faire",
	doNote:   "Si une connexion n'était pas le titulaire du compte : changez tout de suite le mot de passe du compte, puis examinez ses autres connexions :",
	colLogin: "CONNEXION",
	whyNet: func(net string, n, accounts int64) string {
		return "depuis " + net + ", dont les adresses ont fait " + pluralFR(n, "tentative échouée", "tentatives échouées") +
			" sur " + pluralFR(accounts, "autre compte", "autres comptes")
	},
	whyNew: func(country string, known []string, logins int64, since string) string {
		return "première connexion depuis " + country + " ; en " + pluralFR(logins, "connexion", "connexions") + " depuis le " + since +
			", ce compte n'est venu que de " + strings.Join(known, ", ")
	},
	whyTravel: func(country, from string, after time.Duration, km int) string {
		return fmt.Sprintf("depuis %s %s après une connexion depuis %s, à %d km : plus vite que tout voyage", country, duration(after), from, km)
	},
	whyNewAS: func(asn int) string {
		return fmt.Sprintf("première connexion depuis l'AS%d, un réseau nouveau pour ce compte", asn)
	},
	whyOwnNet: func(net string, n, accounts int64, since string) string {
		if accounts == 0 {
			return "après " + pluralFR(n, "tentative échouée", "tentatives échouées") + " depuis " + net +
				", un réseau de ce compte depuis le " + since + " : un de ses clients avec un ancien mot de passe ?"
		}
		return "après " + pluralFR(n, "tentative échouée", "tentatives échouées") + " sur " + pluralFR(accounts, "autre compte", "autres comptes") +
			" depuis cette adresse, de " + net + ", un réseau de ce compte depuis le " + since + " : une adresse partagée (NAT d'un bureau, d'un opérateur) ?"
	},
	guesses: func(n int64) string {
		return " (" + pluralFR(n, "mot de passe différent", "mots de passe différents") + ")"
	},
}

// duration reads a time between two logins: "40 min", "3 h".
func duration(d time.Duration) string {
	if d < time.Hour {
		return strconv.Itoa(int(d/time.Minute)) + " min"
	}
	return strconv.Itoa(int(d/time.Hour)) + " h"
}

// verdictWhy says, in the report's language, why a login was judged as it
// was: each class that applies, the most alarming first.
func verdictWhy(m *msgs, v *watch.Verdict) string {
	wm := m.watch
	var parts []string
	for _, c := range v.Classes {
		var s string
		switch {
		case v.Unnamed && (c == watch.Brute || c == watch.Spray):
			s = m.whyNoAccount(v.Attempts, v.Accounts)
		case c == watch.Target:
			s = m.whyTarget(v.Attempts, v.Addrs)
		case c == watch.Typo:
			s = m.whyTypo(v.Attempts)
		case c == watch.Stale:
			s = m.whyStale(v.Attempts)
		case c == watch.NewAS:
			s = wm.whyNewAS(v.ASN)
		case c == watch.OwnNet:
			s = wm.whyOwnNet(v.Net, v.Attempts, v.Accounts, v.NetSince.Format("2006-01-02"))
		case c == watch.AS:
			s = m.whyAS(v.ASN, v.Attempts)
		case c == watch.Brute:
			s = m.whyBrute(v.Attempts)
		case c == watch.Network:
			s = wm.whyNet(v.Net, v.Attempts, v.Accounts)
		case c == watch.Spray:
			s = m.whySpray(v.Attempts, v.Accounts)
		case c == watch.NewCountry:
			s = wm.whyNew(v.Country, v.Known, v.Logins, v.Since.Format("2006-01-02"))
		case c == watch.Travel:
			s = wm.whyTravel(v.Country, v.From, v.After, v.Km)
		}
		if (c == watch.Brute || c == watch.Spray || c == watch.Network) && v.Guesses > 1 {
			s += wm.guesses(v.Guesses)
		}
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "; ")
}
