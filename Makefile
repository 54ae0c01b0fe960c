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

.PHONY: all build test bench demo install clean lint fuzz geoip man e2e

all: build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/ ./cmd/...

test:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo 'gofmt needed:'; gofmt -l .; exit 1; }
	$(GO) test -race ./...
	$(GO) test -tags purego ./internal/parse ./internal/record

# Each benchmark compares mailcop with a reference tool in the same run;
# see scripts/bench.sh.
bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...
	bash scripts/bench.sh

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
	$(GO) test -run '^$$' -fuzz '^FuzzFinder$$' -fuzztime $(FUZZTIME) ./internal/parse
	$(GO) test -run '^$$' -fuzz '^FuzzUnmarshal$$' -fuzztime $(FUZZTIME) ./internal/record
	$(GO) test -run '^$$' -fuzz '^FuzzRoundTrip$$' -fuzztime $(FUZZTIME) ./internal/record
	$(GO) test -run '^$$' -fuzz '^FuzzPlainLineRecord$$' -fuzztime $(FUZZTIME) ./internal/record
	$(GO) test -run '^$$' -fuzz '^FuzzSplitter$$' -fuzztime $(FUZZTIME) ./internal/tailer
	$(GO) test -run '^$$' -fuzz '^FuzzEmitterLine$$' -fuzztime $(FUZZTIME) ./internal/tailer
	$(GO) test -run '^$$' -fuzz '^FuzzParseStamp$$' -fuzztime $(FUZZTIME) ./internal/count
	$(GO) test -run '^$$' -fuzz '^FuzzSafe$$' -fuzztime $(FUZZTIME) ./internal/report

# DB-IP lite country and ASN databases (free, CC BY 4.0): downloaded,
# checked, then renamed into place, so a running mailcop-geo never sees a
# half-written file. Run monthly, then pkill -HUP -x mailcop-geo.
GEOIP_DIR ?= /var/lib/GeoIP
geoip: build
	bin/mailcop-geo -fetch $(GEOIP_DIR)

# Manual pages, rendered from each command's doc.go and man/mailcop.1.md.
man:
	$(GO) run ./internal/mangen -o bin/man

# Never overwrites an existing /etc/default/mailcop: it holds the admin's settings.
install: build man
	install -d $(BINDIR) $(MANDIR) $(DESTDIR)$(SYSCONFDIR)/cron.daily $(DESTDIR)$(SYSCONFDIR)/default
	for c in $(CMDS); do install -m 0755 bin/$$c $(BINDIR)/$$c; done
	install -m 0755 scripts/mailcop $(BINDIR)/mailcop
	install -m 0644 bin/man/*.1 $(MANDIR)
	sed 's|^PATH=$$PATH:|PATH=$$PATH:$(PREFIX)/bin:|' etc/cron.daily/mailcop >$(DESTDIR)$(SYSCONFDIR)/cron.daily/mailcop
	chmod 0755 $(DESTDIR)$(SYSCONFDIR)/cron.daily/mailcop
	test -e $(DESTDIR)$(SYSCONFDIR)/default/mailcop || install -m 0644 etc/default/mailcop $(DESTDIR)$(SYSCONFDIR)/default/mailcop

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
		shellcheck -s sh etc/cron.daily/mailcop scripts/mailcop etc/default/mailcop; \
	else echo 'lint: shellcheck not installed: shell scripts not linted'; fi

clean:
	rm -rf bin bench
