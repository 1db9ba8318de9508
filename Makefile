# Hotline Gateway. `make run` and `make test` are the two quick-start commands.
SWIFT ?= swift
DATA_DIR ?= data
APT_PACKAGES = libyaml-dev libcurl4-openssl-dev libjpeg-dev libturbojpeg0-dev libpng-dev pkg-config publicsuffix

.PHONY: deps test-deps build run test test-swift test-rules bench clean

# Installs the system libraries the build needs, only those missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

# Until the server lands, the gateway's main job: ingest the example reports into SQLite
# under $(DATA_DIR)/ with the shipped Rules/ and Config/, printing a decision per line, then
# one pass of the worker (notices go out once their batch window has passed; see README).
run: build
	$(SWIFT) run hotline rules check
	$(SWIFT) run hotline ingest --data-dir $(DATA_DIR) examples/reports.jsonl
	$(SWIFT) run hotline work --data-dir $(DATA_DIR)

# What the tests compare with or talk to, all started on loopback by the tests themselves:
# the PDQ reference (Meta's C++ through the pdqhash package), a DNS server (dnsmasq), an SMTP
# server (aiosmtpd), the X-ARF v4 schema validator (jsonschema), openssl for a test
# certificate.
test-deps:
	@python3 -c "import pdqhash, PIL, numpy, aiosmtpd, jsonschema" 2>/dev/null || python3 -m pip install -q pdqhash pillow numpy aiosmtpd jsonschema
	@missing=""; { command -v dnsmasq >/dev/null || [ -x /usr/sbin/dnsmasq ]; } || missing="$$missing dnsmasq-base"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	if [ -n "$$missing" ]; then SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; fi

test: deps test-deps test-swift test-rules

test-swift:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

test-rules:
	$(SWIFT) run hotline rules check
	$(SWIFT) run hotline rules test

# Release build; prints rule evaluations per second and SQLite ingest throughput.
bench: deps
	$(SWIFT) run -c release HotlineBench

clean:
	rm -rf .build $(DATA_DIR)
