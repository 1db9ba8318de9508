# Hotline Gateway. `make run` and `make test` are the two quick-start commands.
SWIFT ?= swift
DATA_DIR ?= data
APT_PACKAGES = libyaml-dev libcurl4-openssl-dev libssl-dev libjpeg-dev libturbojpeg0-dev libpng-dev libgif-dev libwebp-dev libxml2-dev pkg-config publicsuffix libavformat-dev libavcodec-dev libswscale-dev libavutil-dev

.PHONY: deps test-deps bench-deps build run test lint format test-swift test-rules bench bench-ingest bench-pdq-100m bench-http bench-hosters fuzz clean

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

# The gateway on 127.0.0.1:8080 with SQLite under $(DATA_DIR)/ and the shipped Rules/ and
# Config/: makes a reporter token, prints how to submit a report with curl, and serves until
# Ctrl-C (which finishes requests in flight and the worker's pass).
run: build
	$(SWIFT) run hotline rules check
	@token=$$($(SWIFT) run -q hotline tokens create --role reporter --label make-run --data-dir $(DATA_DIR) | tail -1); \
	echo; echo "Submit a report:"; \
	echo "  curl -s -X POST http://127.0.0.1:8080/v1/reports -H 'Authorization: Bearer $$token' -H 'Content-Type: application/json' -d '{\"url\": \"https://example.com/gallery/1.jpg\", \"source\": {\"type\": \"public\"}}'"; \
	echo "API description: http://127.0.0.1:8080/openapi.json   metrics: http://127.0.0.1:8080/metrics"; echo
	$(SWIFT) run hotline serve --data-dir $(DATA_DIR) --host 127.0.0.1 --port 8080

# What the tests compare with or talk to, all started on loopback by the tests themselves:
# the PDQ reference (Meta's C++ through the pdqhash package), a DNS server (dnsmasq), an SMTP
# server (aiosmtpd), the X-ARF v4 schema validator (jsonschema), the OpenAPI validator and
# schemathesis (which checks `hotline serve` against its OpenAPI document),
# openssl for a test certificate, headless Chromium (driven over the DevTools protocol
# with websocket-client) for the dashboard, Dovecot (IMAP) for the mailbox tests, and Meta's
# vPDQ (PyPI vpdq, built here against Debian's FFmpeg) with python-threatexchange for video,
# whose clips Debian's ffmpeg makes from generated frames.
test-deps:
	@missing=""; for p in ffmpeg libavdevice-dev libavfilter-dev libswresample-dev g++; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; fi
	@python3 -c "import pdqhash, PIL, numpy, aiosmtpd, jsonschema, openapi_spec_validator, websocket, schemathesis, xarf, vpdq, threatexchange" 2>/dev/null || python3 -m pip install -q pdqhash pillow numpy aiosmtpd jsonschema openapi-spec-validator websocket-client schemathesis xarf vpdq threatexchange
	@missing=""; { command -v dnsmasq >/dev/null || [ -x /usr/sbin/dnsmasq ]; } || missing="$$missing dnsmasq-base"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	[ -x /usr/sbin/dovecot ] || missing="$$missing dovecot-imapd"; \
	ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && command -v psql >/dev/null || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; fi

test: deps test-deps lint test-swift test-rules

# The tree is formatted with the toolchain's `swift format` (.swift-format); `make format` fixes it.
FORMATTED = Sources Tests Benchmarks Fuzz Package.swift
lint:
	$(SWIFT) format lint --strict --recursive --parallel $(FORMATTED)

format:
	$(SWIFT) format format -i --recursive --parallel $(FORMATTED)

test-swift:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

test-rules:
	$(SWIFT) run hotline rules check
	$(SWIFT) run hotline rules test

# Release build; prints rule evaluations per second, SQLite ingest throughput, hashing,
# hosting and dispatch figures, then a load run with wrk against POST /v1/reports.
# Every figure with a peer is collected into one table at the end (Benchmarks/load/ratio_table.py).
BENCH_RATIOS ?= $(CURDIR)/.build/bench-ratios.tsv
bench: deps test-deps bench-deps
	@mkdir -p .build && : >$(BENCH_RATIOS)
	BENCH_RATIOS=$(BENCH_RATIOS) $(SWIFT) run -c release HotlineBench
	BENCH_RATIOS=$(BENCH_RATIOS) $(MAKE) bench-http
	BENCH_RATIOS=$(BENCH_RATIOS) $(MAKE) bench-hosters
	BENCH_RATIOS=$(BENCH_RATIOS) $(MAKE) bench-ingest
	@python3 Benchmarks/load/ratio_table.py $(BENCH_RATIOS)

# The peers only the benchmarks run: FAISS (PyPI faiss-cpu) beside PDQIndex; IntelMQ 3.5 with
# what its bots in the ingest comparison import, and Redis for its pipeline.
bench-deps:
	@python3 -c "import faiss" 2>/dev/null || python3 -m pip install -q faiss-cpu
	@python3 -c "import intelmq, pyasn, geoip2, mmdb_writer, pendulum, textx, psutil" 2>/dev/null || python3 -m pip install -q "intelmq>=3.5,<3.6" pyasn geoip2 mmdb-writer pendulum textx psutil
	@command -v redis-server >/dev/null || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server; }

# hotline ingest, whole process, on ../shared/bench/workload.py's stream with DNS from
# dnsmasq on loopback (WORKLOAD=path overrides where the generator is).
bench-ingest: deps test-deps bench-deps
	$(SWIFT) build -c release --product hotline
	bash Benchmarks/load/ingest_workload.sh .build/release/hotline 20000 $(WORKLOAD)

# PDQ lookup at 100M hashes as well (about 13 GiB at its peak and a few minutes).
bench-pdq-100m: deps bench-deps
	HOTLINE_BENCH_PDQ_SIZES=10000000,100000000 $(SWIFT) run -c release HotlineBench pdq-lookup

# wrk (Debian) against `hotline serve` on loopback: 64 connections for 10 s, one new report
# per request, then batches of 100; afterwards the reports in the store are counted against
# what wrk saw answered.
bench-http:
	@command -v wrk >/dev/null || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk; }
	$(SWIFT) build -c release --product hotline
	bash Benchmarks/load/run.sh .build/release/hotline
	BATCH=100 bash Benchmarks/load/run.sh .build/release/hotline
	BATCH=100 RATE=160 bash Benchmarks/load/run.sh .build/release/hotline

# Hosters' tools: /v1/hashcheck/batch under wrk (batches of 10,000 MD5s against a million
# listed), and hotline scan of generated images beside pdqhash on the same files.
bench-hosters:
	@command -v wrk >/dev/null || { SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk; }
	$(SWIFT) build -c release --product hotline
	bash Benchmarks/load/hashcheck_batch.sh .build/release/hotline
	bash Benchmarks/load/scan_bench.sh .build/release/hotline 1000

# Coverage-guided fuzzing (libFuzzer, from the Swift toolchain) of every parser that sees
# outside data, FUZZ_SECONDS each; seeds in Fuzz/corpus/TARGET, new inputs in
# .build-fuzz/corpus/TARGET, crashes in .build-fuzz/crashes/ (copy them to
# Fuzz/regressions/TARGET: the tests replay them). Built with AddressSanitizer and
# libFuzzer's coverage, linked with libFuzzer's driver library: SwiftPM gives the
# executable its own main, which hands the command line to LLVMFuzzerRunDriver.
FUZZ_RT = $(shell dirname $$(dirname $$(command -v swiftc)))/lib/swift/clang/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = report-json url rule-yaml config-yaml hashlist-csv hashlist-vics rdap dns image mime xarf expression mail-classify template html media
fuzz: deps
	$(SWIFT) build -c release --product HotlineFuzz --scratch-path .build-fuzz -Xswiftc -sanitize=address \
	  -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table -Xswiftc -DFUZZING -Xswiftc -parse-as-library \
	  -Xlinker $(FUZZ_RT) -Xlinker -lstdc++
	@mkdir -p .build-fuzz/crashes .build-fuzz/logs
	@failed=""; for target in $(FUZZ_TARGETS); do \
	  mkdir -p .build-fuzz/corpus/$$target; \
	  echo "fuzz: $$target for $(FUZZ_SECONDS) s"; \
	  HOTLINE_FUZZ_TARGET=$$target .build-fuzz/release/HotlineFuzz .build-fuzz/corpus/$$target Fuzz/corpus/$$target \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
	    -artifact_prefix=.build-fuzz/crashes/$$target- >.build-fuzz/logs/$$target.log 2>&1 </dev/null || failed="$$failed $$target"; \
	  grep -E "^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss|==[0-9]+==|SUMMARY|artifact_prefix|Test unit written)" .build-fuzz/logs/$$target.log; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: crashes in$$failed: inputs in .build-fuzz/crashes, logs in .build-fuzz/logs; copy the inputs to Fuzz/regressions/TARGET"; exit 1; fi

clean:
	rm -rf .build $(DATA_DIR)
