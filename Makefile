# replica-playground — the two commands of the README's Quick start:
#   make run    serve the app at http://127.0.0.1:8080
#   make test   everything CI checks (.ci/run calls exactly this)
# Both install what is missing first and skip what is present. Nothing here downloads a
# binary or a browser from outside the package registries (crates.io, npm, Debian).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

TRUNK_VERSION := 0.21.14
# wasm-bindgen-cli must be exactly the wasm-bindgen in Cargo.lock.
WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/^version = "\(.*\)"$$/\1/p;}' Cargo.lock)
WASM_TARGET := wasm32-unknown-unknown
CHROMIUM := /usr/bin/chromium

export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: help run test setup check-tools lint unit build e2e bench fuzz clean
.PHONY: tool-wasm-target tool-trunk tool-wasm-bindgen tool-node tool-npm-packages tool-chromium

help:
	@echo "make run    serve the playground at http://127.0.0.1:8080"
	@echo "make test   fmt, clippy, native tests, release wasm build, browser e2e"
	@echo "make bench  print the performance figures (engine vs SQLite, replay, memory, bundle)"
	@echo "make fuzz   hunt for panics for longer: the SQL engine, the command language, share links"

run: setup
	cargo fetch --locked
	trunk serve --release --offline --address 127.0.0.1 --port 8080

test: setup lint unit build e2e

lint:
	cargo fmt --all -- --check
	cargo clippy --locked --all-targets -- -D warnings
	cargo clippy --locked --target $(WASM_TARGET) --lib --bins -- -D warnings

unit:
	cargo test --locked

build:
	cargo fetch --locked
	trunk build --release --offline
	node e2e/bench/bundle.mjs --check

e2e:
	node --test --test-concurrency=1 e2e/

# The figures of the performance issue, printed and written to target/bench.json: the SQL engine
# against SQLite, replay speed, rewind, memory, the bundle, and rewind in the browser.
bench: setup build
	rm -f target/bench.json
	cargo bench --locked --bench engine
	cargo run --locked --release --bin replica-sim -- --bench
	cargo test --locked --release --test long_run -- --ignored
	node e2e/bench/bundle.mjs --json
	node e2e/bench/browser.mjs

# Fuzzing for longer than make test's bounded runs. First the property tests that hunt for
# panics (SQL, the differential parser oracle, the command language, share links), with
# FUZZ_CASES cases each, on the stable toolchain; then, where a nightly toolchain and
# cargo-fuzz are installed, each cargo-fuzz target for FUZZ_SECONDS.
FUZZ_CASES ?= 1000000
FUZZ_SECONDS ?= 300
FUZZ_TESTS := sql_never_panics our_grammar_is_postgresql garbage_is_refused_by_both \
  every_command_reads_back_from_its_line any_line_parses_or_is_refused \
  any_payload_decodes_or_is_refused

fuzz:
	FUZZ_CASES=$(FUZZ_CASES) cargo test --locked --release --lib -- $(FUZZ_TESTS)
	@if rustup toolchain list | grep -q '^nightly' && cargo +nightly fuzz --version >/dev/null 2>&1; then \
	  for target in sql_never_panics command_parse share_link; do \
	    (cd fuzz && cargo +nightly fuzz run $$target -- -max_total_time=$(FUZZ_SECONDS)); \
	  done; \
	else \
	  echo "cargo-fuzz targets skipped: they need a nightly toolchain and 'cargo install cargo-fuzz'"; \
	fi

clean:
	rm -rf dist target/e2e

# ---- tools: each step installs only what is missing --------------------------------------

setup: tool-wasm-target tool-trunk tool-wasm-bindgen tool-node tool-npm-packages tool-chromium

tool-wasm-target:
	@rustup target list --installed | grep -qx '$(WASM_TARGET)' \
	  || rustup target add $(WASM_TARGET)

tool-trunk:
	@if [ "$$(trunk --version 2>/dev/null)" != "trunk $(TRUNK_VERSION)" ]; then \
	  echo "installing trunk $(TRUNK_VERSION) (about 10 minutes on 2 cores)"; \
	  cargo install --locked trunk@$(TRUNK_VERSION); \
	fi

# Not --locked: one of its locked dependencies is missing from the registry mirror.
tool-wasm-bindgen:
	@test -n "$(WASM_BINDGEN_VERSION)" || { echo "no wasm-bindgen in Cargo.lock"; exit 1; }
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
	  cargo install --force wasm-bindgen-cli@$(WASM_BINDGEN_VERSION); \
	fi

tool-node:
	@command -v npm >/dev/null || $(call apt_install,nodejs npm)

# binaryen@132 gives wasm-opt; playwright-core drives the system chromium (it downloads nothing).
tool-npm-packages:
	@if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] \
	    || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  npm ci --no-audit --no-fund; \
	fi

tool-chromium:
	@test -x $(CHROMIUM) || $(call apt_install,chromium chromium-driver)

# apt_install(packages): as root, install; otherwise print the exact command and stop.
define apt_install
{ if [ "$$(id -u)" = 0 ]; then \
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(1); \
  else \
    echo "missing system packages; run this once, then 'make' again:"; \
    echo "  sudo apt-get update && sudo apt-get install -y $(1)"; \
    exit 1; \
  fi; }
endef
