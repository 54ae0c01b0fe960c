# mailcop: build, test, benchmark and install the pipeline's binaries.
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(DESTDIR)$(PREFIX)/bin
MANDIR   = $(DESTDIR)$(PREFIX)/share/man/man1
SYSCONFDIR ?= /etc
GO      ?= go
CMDS     = mailcop-tail mailcop-parse mailcop-geo mailcop-count mailcop-report
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  = -X github.com/mailcop/mailcop/internal/cli.Version=$(VERSION)

.PHONY: all build test bench bench-follow demo install clean lint fuzz geoip man e2e-admin deb e2e-deb e2e

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/ ./cmd/...

test:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo 'gofmt needed:'; gofmt -l .; exit 1; }
	$(GO) test -race ./...
	$(GO) test -count=1 -run '^TestMemory$$' ./internal/report # a heap budget: -race would swamp it
	$(GO) test -count=1 -run '^TestFalseAlarms$$' ./internal/watch/sim # generated weeks: -race would take ten times longer
	$(GO) test -tags purego ./internal/parse/... ./internal/record

# Each benchmark compares mailcop with a reference tool in the same run;
# see scripts/bench.sh.
bench: build bench-follow
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...
	bash scripts/bench.sh

# The live pipeline's CPU per line and memory at steady rates, beside
# fail2ban-server following the same log (Debian: apt-get install fail2ban).
FOLLOW_RATES ?= 10,100,1000
FOLLOW_TIME  ?= 20s
bench-follow: build
	$(GO) run ./internal/followbench -bin bin -rates $(FOLLOW_RATES) -duration $(FOLLOW_TIME)

# The pipeline on the bundled sample, as far as it is built.
SAMPLE = testdata/sample/mail.log
demo: build
	@echo '$$ mailcop-parse -v -year 2026 $(SAMPLE) | head -n 3'
	@bin/mailcop-parse -v -year 2026 $(SAMPLE) | head -n 3
	@echo
	@echo '$$ mailcop-parse -year 2026 $(SAMPLE) | mailcop-geo | mailcop-count -by ip -top 10 -format table'
	@bin/mailcop-parse -year 2026 $(SAMPLE) | bin/mailcop-geo | bin/mailcop-count -by ip -top 10 -format table
	@echo
	@echo '$$ mailcop-parse -year 2026 $(SAMPLE) | mailcop-geo | mailcop-count -by country -format table'
	@bin/mailcop-parse -year 2026 $(SAMPLE) | bin/mailcop-geo | bin/mailcop-count -by country -format table
	@echo
	@echo '$$ mailcop-parse -year 2026 $(SAMPLE) | mailcop-count -by user -top 10 -format table'
	@bin/mailcop-parse -year 2026 $(SAMPLE) | bin/mailcop-count -by user -top 10 -format table
	@echo
	@echo '$$ mailcop-parse -year 2026 $(SAMPLE) | mailcop-geo | mailcop-report -live | sed -n 40,52p'
	@bin/mailcop-parse -year 2026 $(SAMPLE) | bin/mailcop-geo | bin/mailcop-report -live | sed -n 40,52p
	@echo
	@echo '$$ mailcop-parse -year 2026 -unmatched $(SAMPLE) | mailcop-geo | mailcop-report'
	@bin/mailcop-parse -year 2026 -unmatched $(SAMPLE) | bin/mailcop-geo | bin/mailcop-report

# Short fuzzing of every parser and escaper (go test -fuzz); new crashers
# land in the package's testdata/fuzz and stay as regression cases.
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/parse
	$(GO) test -run '^$$' -fuzz '^FuzzSplitEnvelope$$' -fuzztime $(FUZZTIME) ./internal/parse
	$(GO) test -run '^$$' -fuzz '^FuzzHostileUser$$' -fuzztime $(FUZZTIME) ./internal/parse
	$(GO) test -run '^$$' -fuzz '^FuzzFinder$$' -fuzztime $(FUZZTIME) ./internal/parse/linefind
	$(GO) test -run '^$$' -fuzz '^FuzzUnmarshal$$' -fuzztime $(FUZZTIME) ./internal/record
	$(GO) test -run '^$$' -fuzz '^FuzzRoundTrip$$' -fuzztime $(FUZZTIME) ./internal/record
	$(GO) test -run '^$$' -fuzz '^FuzzPlainLineRecord$$' -fuzztime $(FUZZTIME) ./internal/record
	$(GO) test -run '^$$' -fuzz '^FuzzLineEncoder$$' -fuzztime $(FUZZTIME) ./internal/record
	$(GO) test -run '^$$' -fuzz '^FuzzSplitter$$' -fuzztime $(FUZZTIME) ./internal/tailer
	$(GO) test -run '^$$' -fuzz '^FuzzEmitterLine$$' -fuzztime $(FUZZTIME) ./internal/tailer
	$(GO) test -run '^$$' -fuzz '^FuzzParseStamp$$' -fuzztime $(FUZZTIME) ./internal/count
	$(GO) test -run '^$$' -fuzz '^FuzzSafe$$' -fuzztime $(FUZZTIME) ./internal/count
	$(GO) test -run '^$$' -fuzz '^FuzzSafe$$' -fuzztime $(FUZZTIME) ./internal/report
	$(GO) test -run '^$$' -fuzz '^FuzzAppendSafe$$' -fuzztime $(FUZZTIME) ./internal/term
	$(GO) test -run '^$$' -fuzz '^FuzzWidth$$' -fuzztime $(FUZZTIME) ./internal/term
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime $(FUZZTIME) ./internal/watch

# DB-IP lite country and ASN databases (free, CC BY 4.0): downloaded,
# checked, then renamed into place, so a running mailcop-geo never sees a
# half-written file. Run monthly, then pkill -HUP -x mailcop-geo.
GEOIP_DIR ?= /var/lib/GeoIP
geoip: build
	bin/mailcop-geo -fetch $(GEOIP_DIR)

# Manual pages, rendered from each command's doc.go and man/mailcop.1.md.
man:
	$(GO) run ./internal/mangen -o bin/man

# The files that hold the admin's settings (/etc/default/mailcop, the
# fail2ban jail, the logrotate rule) are installed only where none exists
# yet. The programs, the cron script, the fail2ban filter (which reads what
# mailcop-report -fail2ban writes; local changes go in filter.d/mailcop.local)
# and the systemd units (overridden in /etc/systemd/system) follow the
# version installed. Units and the cron script name the programs in
# $(PREFIX)/bin.
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
ETCDIR = $(DESTDIR)$(SYSCONFDIR)
SETTINGS = default/mailcop fail2ban/jail.d/mailcop.conf logrotate.d/mailcop
install: build man
	install -d $(BINDIR) $(MANDIR) $(DESTDIR)$(SYSTEMDUNITDIR) $(ETCDIR)/cron.daily $(ETCDIR)/default \
		$(ETCDIR)/fail2ban/filter.d $(ETCDIR)/fail2ban/jail.d $(ETCDIR)/logrotate.d
	for c in $(CMDS); do install -m 0755 bin/$$c $(BINDIR)/$$c; done
	for s in scripts/mailcop scripts/mailcop-*; do [ ! -f "$$s" ] || install -m 0755 "$$s" $(BINDIR)/$${s##*/}; done
	install -m 0644 bin/man/*.1 $(MANDIR)
	sed 's|^PATH=$$PATH:|PATH=$$PATH:$(PREFIX)/bin:|' etc/cron.daily/mailcop >$(ETCDIR)/cron.daily/mailcop
	chmod 0755 $(ETCDIR)/cron.daily/mailcop
	install -m 0644 etc/fail2ban/filter.d/mailcop.conf $(ETCDIR)/fail2ban/filter.d/mailcop.conf
	for f in $(SETTINGS); do test -e $(ETCDIR)/$$f || install -m 0644 etc/$$f $(ETCDIR)/$$f; done
	for u in etc/systemd/*.service etc/systemd/*.timer; do \
		[ -f "$$u" ] || continue; \
		sed 's|/usr/local/bin\([/:]\)|$(PREFIX)/bin\1|g; s|/usr/local/bin$$|$(PREFIX)/bin|' "$$u" >$(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/}; \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$${u##*/}; \
	done

# mailcop in the admin's world, with Debian's own fail2ban and rsyslog
# (installed by .ci/run): fail2ban banning on mailcop-report -fail2ban,
# several servers' logs through one central rsyslog. Changes nothing
# outside temporary directories; servers listen on loopback only.
e2e-admin: build
	$(GO) vet -tags e2e ./e2e/admin/
	$(GO) test -tags e2e -count=1 -v -run '^Test(Fail2ban|StockJails|ManyServers|DebVersion)' ./e2e/admin/

# The Debian package, built with dpkg-deb: bin/deb/mailcop_VERSION_ARCH.deb
# (packaging/deb/build.sh). DEB_ARCH=arm64 builds for arm64; DEB_VERSION
# overrides the version from git.
DEB_ARCH ?= $(shell dpkg --print-architecture 2>/dev/null || $(GO) env GOARCH)
DEB_SCRIPTS = packaging/deb/build.sh packaging/deb/version.sh packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm
deb:
	@if command -v shellcheck >/dev/null; then shellcheck -s sh $(DEB_SCRIPTS); fi
	rm -f bin/deb/mailcop_*_$(DEB_ARCH).deb
	GO='$(GO)' DEB_ARCH='$(DEB_ARCH)' DEB_VERSION='$(DEB_VERSION)' sh packaging/deb/build.sh bin/deb

# The package on the real system: dpkg -i, the cron job, an upgrade, dpkg
# -r and -P. It installs into this machine and removes all it installed:
# for CI's throwaway machines, run as root.
e2e-deb: build deb
	MAILCOP_E2E_SYSTEM=1 $(GO) test -tags e2e -count=1 -v -run '^TestDeb' ./e2e/admin/

# Real dovecot, postfix and rsyslog on loopback under a seeded attack,
# mailcop's counts compared with the truth (README: "The end-to-end
# harness"). Root on Debian 12; Debian 13's root is made once with
# debootstrap and kept in E2E_CACHE. The daemons' logs of each run: bin/e2e.
E2E_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/mailcop-e2e
e2e:
	$(GO) vet -tags e2e ./e2e/daemons/
	$(GO) run $(STATICCHECK) -tags e2e ./e2e/daemons/
	MAILCOP_E2E_CACHE='$(E2E_CACHE)' $(GO) test -tags e2e -count=1 -v -timeout 30m ./e2e/daemons/

STATICCHECK = honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint:
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	@if command -v shellcheck >/dev/null; then \
		shellcheck -s sh etc/cron.daily/mailcop scripts/mailcop scripts/mailcop-watch etc/default/mailcop; \
	else echo 'lint: shellcheck not installed: shell scripts not linted'; fi

clean:
	rm -rf bin bench
