# armorkit — the two commands: `make demo` and `make test`. Both install what is missing first and are fast when
# nothing is. System packages come from Debian (apt-get, only when root); JavaScript packages from npm through pnpm.

SHELL := /bin/bash
APT_PACKAGES := python3 apparmor bubblewrap libseccomp-dev seccomp gcc clang llvm libbpf-dev bpftool qemu-system-x86 \
                linux-image-amd64 busybox-static iptables iproute2 curl auditd wrk squid haproxy nginx
PNPM_VERSION := 9.15.9
STAMP := .cache/stamps

.PHONY: all setup system-deps pnpm deps build test test-host test-kernel demo lint bench clean

all: build

setup: system-deps deps build

# Installs the Debian packages that are missing, once. Without root it only says what is missing.
system-deps:
	@./scripts/system-deps.sh $(APT_PACKAGES)

pnpm:
	@command -v pnpm >/dev/null 2>&1 || npm install -g pnpm@$(PNPM_VERSION) --silent

$(STAMP)/deps: pnpm-lock.yaml package.json $(wildcard packages/*/package.json examples/*/package.json) | pnpm
	@mkdir -p $(STAMP)
	pnpm install --frozen-lockfile --prefer-offline
	@touch $@

deps: pnpm $(STAMP)/deps

build: deps
	pnpm run -s build-all

test: setup
	pnpm exec eslint .
	pnpm run -s typecheck-tests
	pnpm exec vitest run
	pnpm run -s test-kernel

demo: setup
	pnpm run -s demo

lint: deps
	pnpm exec eslint .
	pnpm run -s typecheck-tests

# Every benchmark in bench/ (bench/run.mjs), or the ones named: make bench BENCH=audit (or BENCH=audit,parse).
# The fuzzers take a short count unless BENCH_FULL=1.
bench: setup
	BENCH_FULL=$(BENCH_FULL) pnpm run -s bench $(BENCH)

clean:
	rm -rf .cache packages/*/dist packages/*/*.tsbuildinfo
