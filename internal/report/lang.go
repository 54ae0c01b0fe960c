package report

import (
	"fmt"
	"strconv"
)

// msgs is everything a report says, in one language. The French follows
// the old daily mail's wording where it had one ("Top 10 des pays",
// "Dernières attaques"), with its "addresses" spelt the French way.
type msgs struct {
	lang string

	title     string // %s: the host
	start     string
	end       string
	noRecords string

	// Totals.
	attempts  func(n, ips, users int64) string
	countries func(n int64) string
	logins    func(n, after int64) string
	alerts    func(n int64) string
	bansTotal func(n, ips int64) string

	// Section titles; %d is -top.
	secCompromise, secOwner         string
	secHosts                        string
	secCountries                    string
	secIPs, secUsers, secNets       string
	secHours, secDays, secHashes    string
	secLast, secBans, secNotBanned  string
	secCoverage                     string
	secWarnings, warningsNote       string
	colShared, sharedNote           string
	noGeo, hashesNote, coverageNote string
	coverage                        func(n int64) string
	blind                           func(hosts string) string

	// Column heads.
	colTime, colAccount, colAddress, colCountry, colService, colWhy string
	colAttempts, colAccounts, colAddresses, colExists, colAS        string
	colNetwork, colHost, colHash, colTimes, colJail, colBanned      string
	colHour, colDay, colLogins                                      string
	yes, no, unknown                                                string

	// Why a login is listed; the numbers are attempts.
	whyBrute  func(n int64) string
	whySpray  func(n, accounts int64) string
	whyAS     func(asn int, n int64) string
	whyTypo   func(n int64) string
	whyStale  func(n int64) string
	whyTarget func(n, ips int64) string // -live only
	// A login whose account no line names (postfix's auth=1 of a session
	// that sent no mail): what the address did is all there is.
	whyNoAccount func(n, accounts int64) string
	notLogged    string // in place of the account
	banned       string // -live: a ban line
	restored     string
	login        string // -live: "login imap: ..."
	colon        string // ": ", or French " : "

	subject func(host string, n, alerts int64) string

	watch *watchMsgs // what -alert and the watch's reasons say
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return strconv.FormatInt(n, 10) + " " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}

// pluralFR: French takes the singular for 0 and 1.
func pluralFR(n int64, one, many string) string {
	if n <= 1 {
		return strconv.FormatInt(n, 10) + " " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}

var english = &msgs{
	lang:      "en",
	watch:     watchEnglish,
	title:     "mailcop report for %s",
	start:     "Start:",
	end:       "End:",
	noRecords: "No failed attempt and no login in the input.",
	attempts: func(n, ips, users int64) string {
		return plural(n, "failed attempt", "failed attempts") + " from " + plural(ips, "address", "addresses") +
			" against " + plural(users, "account", "accounts")
	},
	countries: func(n int64) string { return ", in " + plural(n, "country", "countries") },
	logins: func(n, after int64) string {
		s := plural(n, "successful login", "successful logins")
		if after > 0 {
			s += "; " + strconv.FormatInt(after, 10) + " from addresses that had failed before"
		}
		return s
	},
	alerts: func(n int64) string { return plural(n, "possible compromise", "possible compromises") + ": see below." },
	bansTotal: func(n, ips int64) string {
		return "fail2ban: " + plural(n, "ban", "bans") + " of " + plural(ips, "address", "addresses")
	},

	secCompromise: "Possible compromises",
	secOwner:      "Logins after a few failures (a typo, an old password?)",
	secHosts:      "Servers",
	secCountries:  "Top %d countries",
	secIPs:        "Top %d addresses",
	secUsers:      "Top %d accounts",
	secNets:       "Top %d networks",
	secHours:      "Attempts per hour",
	secDays:       "Attempts per day",
	secHashes:     "The same wrong password again and again",
	secLast:       "Last %d attempts",
	secBans:       "Last %d addresses banned by fail2ban",
	secNotBanned:  "Loudest attackers fail2ban did not ban",
	secCoverage:   "Parser coverage",
	secWarnings:   "Warnings",
	colShared:     "SHARED",
	sharedNote:    "SHARED: addresses that attacked other servers too. Each address counts once in the tables below, whatever the servers it attacked.",
	warningsNote:  "The pipeline reported problems: this report covers what could be read.",
	noGeo:         "No country or network owner in the records: put mailcop-geo in the pipeline.",
	hashesNote:    "A client sending one wrong password over and over is a phone or a mail client with an old password, not a guesser.",
	coverageNote:  "Run mailcop-parse -unmatched on the log to see them all. For example:",
	coverage: func(n int64) string {
		return plural(n, "line", "lines") + " about authentication not understood by mailcop-parse."
	},
	blind: func(hosts string) string {
		subject := "The log"
		if hosts != "" {
			subject += " of " + hosts
		}
		return subject + " has lines of dovecot's login processes and none of its auth process: " +
			"the failed attempts of a session that ends in a login are not logged, and cannot be counted " +
			"(a brute force that guesses right within one connection looks like a clean login). " +
			"In dovecot's configuration, auth_verbose = yes makes dovecot log each of them, and so does " +
			"any auth_verbose_passwords other than no (sha1:6 also gives each attempt's password hash prefix)."
	},

	colTime: "TIME", colAccount: "ACCOUNT", colAddress: "ADDRESS", colCountry: "COUNTRY", colService: "SERVICE",
	colWhy: "WHY", colAttempts: "ATTEMPTS", colAccounts: "ACCOUNTS", colAddresses: "ADDRESSES", colExists: "EXISTS",
	colAS: "AS", colNetwork: "NETWORK", colHost: "SERVER", colHash: "HASH", colTimes: "TIMES", colJail: "JAIL",
	colBanned: "BANNED", colHour: "HOUR", colDay: "DAY", colLogins: "LOGINS",
	yes: "yes", no: "no", unknown: "unknown",

	whyBrute: func(n int64) string {
		return "after " + plural(n, "failed attempt", "failed attempts") + " on this account from this address"
	},
	whySpray: func(n, accounts int64) string {
		s := "after " + plural(n, "failed attempt", "failed attempts") + " from this address"
		if accounts > 0 {
			s += ", on " + plural(accounts, "other account", "other accounts") + " too"
		}
		return s
	},
	whyAS: func(asn int, n int64) string {
		return fmt.Sprintf("from AS%d, whose addresses made %s on this account", asn, plural(n, "failed attempt", "failed attempts"))
	},
	whyTypo: func(n int64) string {
		return "after " + plural(n, "failed attempt", "failed attempts") + " from this address: a typo?"
	},
	whyStale: func(n int64) string {
		return "after " + plural(n, "failed attempt", "failed attempts") + " with one old password: a client not yet updated?"
	},
	whyTarget: func(n, ips int64) string {
		return "an account under attack: " + plural(n, "failed attempt", "failed attempts") + " from " +
			plural(ips, "address", "addresses")
	},
	whyNoAccount: func(n, accounts int64) string {
		s := "after " + plural(n, "failed attempt", "failed attempts") + " from this address"
		if accounts > 0 {
			s += " on " + plural(accounts, "account", "accounts")
		}
		return s + "; the log does not name the account that logged in"
	},
	notLogged: "(not logged)",
	banned:    "banned by fail2ban",
	restored:  "restored",
	login:     "login",
	colon:     ": ",

	subject: func(host string, n, alerts int64) string {
		s := "[mailcop] " + host + ": " + plural(n, "failed attempt", "failed attempts")
		if alerts > 0 {
			s += ", " + plural(alerts, "possible compromise", "possible compromises")
		}
		return s
	},
}

var french = &msgs{
	lang:      "fr",
	watch:     watchFrench,
	title:     "Rapport mailcop pour %s",
	start:     "Début :",
	end:       "Fin :",
	noRecords: "Aucune tentative échouée ni connexion en entrée.",
	attempts: func(n, ips, users int64) string {
		return pluralFR(n, "tentative échouée", "tentatives échouées") + " depuis " + pluralFR(ips, "adresse", "adresses") +
			" contre " + pluralFR(users, "compte", "comptes")
	},
	countries: func(n int64) string { return ", de " + pluralFR(n, "pays", "pays") },
	logins: func(n, after int64) string {
		s := pluralFR(n, "connexion réussie", "connexions réussies")
		if after > 0 {
			s += " ; " + strconv.FormatInt(after, 10) + " depuis des adresses qui avaient échoué avant"
		}
		return s
	},
	alerts: func(n int64) string {
		return pluralFR(n, "compromission possible", "compromissions possibles") + " : voir ci-dessous."
	},
	bansTotal: func(n, ips int64) string {
		return "fail2ban : " + pluralFR(n, "blocage", "blocages") + " de " + pluralFR(ips, "adresse", "adresses")
	},

	secCompromise: "Compromissions possibles",
	secOwner:      "Connexions après quelques échecs (faute de frappe, ancien mot de passe ?)",
	secHosts:      "Serveurs",
	secCountries:  "Top %d des pays",
	secIPs:        "Top %d des adresses IP",
	secUsers:      "Top %d des logins utilisés",
	secNets:       "Top %d des réseaux",
	secHours:      "Tentatives par heure",
	secDays:       "Tentatives par jour",
	secHashes:     "Le même mauvais mot de passe, encore et encore",
	secLast:       "Dernières attaques",
	secBans:       "Les %d dernières adresses bloquées",
	secNotBanned:  "Attaquants les plus actifs que fail2ban n'a pas bloqués",
	secCoverage:   "Couverture de l'analyse",
	secWarnings:   "Avertissements",
	colShared:     "PARTAGÉES",
	sharedNote:    "PARTAGÉES : adresses qui ont aussi attaqué d'autres serveurs. Chaque adresse compte une fois dans les tableaux suivants, quels que soient les serveurs attaqués.",
	warningsNote:  "La chaîne de traitement a signalé des problèmes : ce rapport couvre ce qui a pu être lu.",
	noGeo:         "Ni pays ni opérateur dans les enregistrements : ajoutez mailcop-geo au pipeline.",
	hashesNote:    "Un client qui renvoie sans cesse le même mauvais mot de passe est un téléphone ou un logiciel de messagerie resté sur un ancien mot de passe, pas un attaquant.",
	coverageNote:  "Lancez mailcop-parse -unmatched sur le journal pour les voir toutes. Par exemple :",
	blind: func(hosts string) string {
		subject := "Le journal"
		if hosts != "" {
			subject += " de " + hosts
		}
		return subject + " contient des lignes des processus de connexion de dovecot et aucune de son processus d'authentification : " +
			"les tentatives échouées d'une session qui finit par une connexion réussie n'y figurent pas et ne peuvent être comptées " +
			"(une attaque par force brute qui trouve le mot de passe en une seule connexion ressemble à une connexion normale). " +
			"Dans la configuration de dovecot, auth_verbose = yes les fait journaliser une à une, de même que " +
			"toute valeur de auth_verbose_passwords autre que no (sha1:6 donne en plus le début de l'empreinte de chaque mot de passe essayé)."
	},
	coverage: func(n int64) string {
		if n <= 1 {
			return pluralFR(n, "ligne", "") + " d'authentification non comprise par mailcop-parse."
		}
		return pluralFR(n, "", "lignes") + " d'authentification non comprises par mailcop-parse."
	},

	colTime: "HEURE", colAccount: "COMPTE", colAddress: "ADRESSE", colCountry: "PAYS", colService: "SERVICE",
	colWhy: "POURQUOI", colAttempts: "TENTATIVES", colAccounts: "COMPTES", colAddresses: "ADRESSES", colExists: "EXISTE",
	colAS: "AS", colNetwork: "RÉSEAU", colHost: "SERVEUR", colHash: "EMPREINTE", colTimes: "FOIS", colJail: "JAIL",
	colBanned: "BLOQUÉE", colHour: "HEURE", colDay: "JOUR", colLogins: "CONNEXIONS",
	yes: "oui", no: "non", unknown: "inconnu",

	whyBrute: func(n int64) string {
		return "après " + pluralFR(n, "tentative échouée", "tentatives échouées") + " sur ce compte depuis cette adresse"
	},
	whySpray: func(n, accounts int64) string {
		s := "après " + pluralFR(n, "tentative échouée", "tentatives échouées") + " depuis cette adresse"
		if accounts > 0 {
			s += ", dont sur " + pluralFR(accounts, "autre compte", "autres comptes")
		}
		return s
	},
	whyAS: func(asn int, n int64) string {
		return fmt.Sprintf("depuis l'AS%d, dont les adresses ont fait %s sur ce compte", asn,
			pluralFR(n, "tentative échouée", "tentatives échouées"))
	},
	whyTypo: func(n int64) string {
		return "après " + pluralFR(n, "tentative échouée", "tentatives échouées") + " depuis cette adresse : une faute de frappe ?"
	},
	whyStale: func(n int64) string {
		return "après " + pluralFR(n, "tentative échouée", "tentatives échouées") +
			" avec un même ancien mot de passe : un client pas encore mis à jour ?"
	},
	whyTarget: func(n, ips int64) string {
		return "un compte attaqué : " + pluralFR(n, "tentative échouée", "tentatives échouées") + " depuis " +
			pluralFR(ips, "adresse", "adresses")
	},
	whyNoAccount: func(n, accounts int64) string {
		s := "après " + pluralFR(n, "tentative échouée", "tentatives échouées") + " depuis cette adresse"
		if accounts > 0 {
			s += " sur " + pluralFR(accounts, "compte", "comptes")
		}
		return s + " ; le journal ne nomme pas le compte connecté"
	},
	notLogged: "(non journalisé)",
	banned:    "bloquée par fail2ban",
	restored:  "restauré",
	login:     "connexion",
	colon:     " : ",

	subject: func(host string, n, alerts int64) string {
		s := "[mailcop] " + host + " : " + pluralFR(n, "tentative échouée", "tentatives échouées")
		if alerts > 0 {
			s += ", " + pluralFR(alerts, "compromission possible", "compromissions possibles")
		}
		return s
	},
}
