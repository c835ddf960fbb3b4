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
  libcurl4-openssl-dev libjemalloc-dev libcpp-httplib-dev libgtest-dev libgmock-dev libbenchmark-dev wrk nginx-light redis-server redis-tools postgresql postgresql-contrib jq python3 chromium

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

# The seed's e2e suite against a freshly deployed local stack, then the stack is removed.
e2e: build
	./deploy; rc=$$?; ./destroy; exit $$rc

bench: build
	bash bench/run.sh $(BUILD_DIR)

format:
	find src tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
