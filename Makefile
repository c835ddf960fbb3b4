# Steward — build, run, test. Every target works as root on a fresh Debian 12 machine.
SHELL := /bin/bash
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
LISTEN ?= 127.0.0.1:8080
DATA_DIR ?= ./.steward

# Exactly the Debian packages Steward builds, tests and benchmarks with.
DEB_PACKAGES := build-essential cmake ninja-build pkg-config ccache curl ca-certificates \
  libsqlite3-dev sqlite3 libpq-dev libssl-dev nlohmann-json3-dev libjwt-dev libcli11-dev libspdlog-dev \
  libfmt-dev libhowardhinnant-date-dev tzdata libtomlplusplus-dev libboost-dev \
  libcurl4-openssl-dev libjemalloc-dev libcpp-httplib-dev libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev llvm wrk nginx-light redis-server redis-tools postgresql postgresql-contrib jq python3 chromium

.PHONY: all deps build run test bench e2e clean format

all: build

# Installs only what is missing; a no-op when everything is present.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "make deps needs root to apt-get install:$$missing" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Starts the server on $(LISTEN) with data in $(DATA_DIR), a demo tenant and token.
run: build
	./$(BUILD_DIR)/steward serve --listen $(LISTEN) --data-dir $(DATA_DIR) --demo

# Every test suite: GoogleTest through ctest, then the real-process shell suites.
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900
	@for t in tests/shell/*_test.sh; do [ -f "$$t" ] || continue; echo "== $$t"; \
	  STEWARD_BIN=$(CURDIR)/$(BUILD_DIR)/steward bash "$$t" || exit 1; done
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10

# Load and chaos (docs/RELIABILITY.md). `make load`: the mixed workload of tests/load/ for
# $(LOAD_SECONDS) s against one SQLite node, then two nodes on a throwaway PostgreSQL. `make
# chaos`: SIGKILL a node $(CHAOS_KILLS) times during load (SQLite, then two PostgreSQL nodes),
# a full data disk (tmpfs; root), a PostgreSQL restart during load. `make test` runs a shorter
# chaos (tests/shell/chaos_test.sh).
LOAD_SECONDS ?= 60
CHAOS_KILLS ?= 10
.PHONY: load chaos
load: build
	@rc=0; for m in sqlite pg; do echo "== load $$m"; \
	  STEWARD_BIN=$(CURDIR)/$(BUILD_DIR)/steward DURATION=$(LOAD_SECONDS) \
	    bash tests/load/run_load.sh $$m || rc=1; done; exit $$rc
chaos: build
	@rc=0; for m in kill-sqlite kill-pg disk-full pg-restart; do echo "== chaos $$m"; \
	  STEWARD_BIN=$(CURDIR)/$(BUILD_DIR)/steward KILLS=$(CHAOS_KILLS) \
	    bash tests/load/run_chaos.sh $$m || rc=1; done; exit $$rc

# Fuzzing (docs/RELIABILITY.md): the libFuzzer targets of fuzz/, built with clang in
# $(FUZZ_BUILD_DIR) (ASan+UBSan), each run for $(FUZZ_SECONDS) s from its committed corpus;
# a crash fails. `make test` runs them for 10 s each.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
.PHONY: fuzz fuzz-build
$(FUZZ_BUILD_DIR)/build.ninja:
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DSTEWARD_FUZZ=ON -DSTEWARD_BUILD_TESTS=OFF -DSTEWARD_BUILD_BENCH=OFF
fuzz-build: deps $(FUZZ_BUILD_DIR)/build.ninja
	cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target fuzz_targets
fuzz: fuzz-build
	fuzz/run.sh $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS)

# Sanitizers (docs/RELIABILITY.md). test-asan: every ctest suite and every shell suite on a
# build with ASan+UBSan in $(ASAN_BUILD_DIR); a report from a server a shell test started lands
# in $(ASAN_BUILD_DIR)/sanitizer-logs/ and fails the run. test-tsan: the suites that run threads
# against each other ($(TSAN_TESTS), and the PostgreSQL run of the store conformance suite) on a
# TSan build in $(TSAN_BUILD_DIR), with the commented suppressions of tests/sanitizers/tsan.supp.
ASAN_BUILD_DIR ?= build-asan
TSAN_BUILD_DIR ?= build-tsan
TSAN_TESTS ?= store_test sqlite_durability_test store_conformance_test jobs_test autonomy_test exec_test decision_test \
  event_feed_test webhooks_test ledger_test audit_views_test auth_test http_server_test \
  http_connector_test
ASAN_OPTS := abort_on_error=1:detect_leaks=1
UBSAN_OPTS := halt_on_error=1:print_stacktrace=1
TSAN_OPTS := halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/sanitizers/tsan.supp
# Shell suites whose server runs many threads at once (HTTP, workers, two nodes, crashes), also
# run by test-tsan on a TSan build of the binary.
TSAN_SHELL_TESTS ?= exec decision multinode chaos
# ASan's redzones about triple the memory of an idle connection (limits_test.sh bounds 10,000).
ASAN_SHELL_ENV := RSS_BOUND_MIB=256
empty :=
space := $(empty) $(empty)
.PHONY: test-sanitize test-asan test-tsan
test-sanitize: test-asan test-tsan
test-asan: deps
	cmake -S . -B $(ASAN_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTEWARD_SANITIZE=ON \
	  -DSTEWARD_BUILD_BENCH=OFF
	cmake --build $(ASAN_BUILD_DIR) -j $(JOBS)
	cd $(ASAN_BUILD_DIR) && ASAN_OPTIONS=$(ASAN_OPTS) UBSAN_OPTIONS=$(UBSAN_OPTS) \
	  ctest --output-on-failure -j $(JOBS) --timeout 1800
	@logs=$(CURDIR)/$(ASAN_BUILD_DIR)/sanitizer-logs; rm -rf $$logs; mkdir -p $$logs; rc=0; \
	for t in tests/shell/*_test.sh; do [ -f "$$t" ] || continue; echo "== $$t (ASan+UBSan)"; \
	  ASAN_OPTIONS=$(ASAN_OPTS):log_path=$$logs/asan UBSAN_OPTIONS=$(UBSAN_OPTS):log_path=$$logs/ubsan \
	    $(ASAN_SHELL_ENV) BUILD_DIR=$(ASAN_BUILD_DIR) STEWARD_BIN=$(CURDIR)/$(ASAN_BUILD_DIR)/steward \
	    bash "$$t" || { rc=1; break; }; done; \
	if compgen -G "$$logs/*" >/dev/null; then echo "sanitizer reports:"; cat $$logs/*; rc=1; fi; \
	exit $$rc
test-tsan: deps
	cmake -S . -B $(TSAN_BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTEWARD_TSAN=ON \
	  -DSTEWARD_BUILD_BENCH=OFF
	cmake --build $(TSAN_BUILD_DIR) -j $(JOBS) --target $(TSAN_TESTS) steward
	cd $(TSAN_BUILD_DIR) && TSAN_OPTIONS=$(TSAN_OPTS) ctest --output-on-failure -j $(JOBS) \
	  --timeout 1800 -R '^($(subst $(space),|,$(strip $(TSAN_TESTS))))(_postgresql)?$$'
	@logs=$(CURDIR)/$(TSAN_BUILD_DIR)/sanitizer-logs; rm -rf $$logs; mkdir -p $$logs; rc=0; \
	for t in $(TSAN_SHELL_TESTS); do echo "== tests/shell/$${t}_test.sh (TSan)"; \
	  TSAN_OPTIONS=$(TSAN_OPTS):log_path=$$logs/tsan BUILD_DIR=$(TSAN_BUILD_DIR) \
	    STEWARD_BIN=$(CURDIR)/$(TSAN_BUILD_DIR)/steward bash tests/shell/$${t}_test.sh || { rc=1; break; }; \
	done; \
	if compgen -G "$$logs/*" >/dev/null; then echo "sanitizer reports:"; cat $$logs/*; rc=1; fi; \
	exit $$rc

# The seed's e2e suite against a freshly deployed local stack, then the stack is removed.
e2e: build
	./deploy; rc=$$?; ./destroy; exit $$rc

bench: build
	bash bench/run.sh $(BUILD_DIR)

format:
	find src tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
