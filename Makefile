# recsh: two commands on a fresh Debian/Ubuntu machine with Swift installed.
#   make run    installs system libraries if missing, builds release, starts recsh
#   make test   installs system libraries if missing, runs every test in release
#   make fuzz   builds the fuzz targets with libFuzzer and runs each for FUZZ_SECONDS (Fuzz/run)
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test build deps bench bench-script clean fuzz fuzz-quick

run: build
	.build/release/recsh $(ARGS)

build: deps
	$(SWIFT) build -c release --product recsh

# `swift test` builds the recsh binary the end-to-end tests run (with testing
# enabled); a separate `swift build` first would compile everything twice.
test: deps
	$(SWIFT) test -c release

# Coverage-guided fuzzing in its own build directory (every module instrumented).
FUZZ_SECONDS ?= 60
fuzz: deps
	$(SWIFT) build -c release --build-path .build-fuzz --product recsh-fuzz \
		-Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING
	Fuzz/run .build-fuzz/release/recsh-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# `make test` already built the driver (its test target depends on it), so CI builds once.
fuzz-quick: deps
	@[ -x .build/release/recsh-fuzz ] || $(SWIFT) build -c release --product recsh-fuzz
	Fuzz/run .build/release/recsh-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: build
	.build/release/recsh --quiet -c 'bench' $(ARGS)

# A script's cost per command must not grow with its length: runs scripts of
# N 'show seed' lines (N from SIZES) and prints the wall time of each.
SIZES ?= 10000 20000 40000 80000
bench-script: build
	@for n in $(SIZES); do \
		f=$$(mktemp /tmp/recsh-bench-XXXXXX.recsh); \
		yes 'show seed' | head -n $$n > $$f; \
		start=$$(date +%s.%N); \
		.build/release/recsh --quiet --no-rc $$f > /dev/null; \
		end=$$(date +%s.%N); \
		awk -v n=$$n -v a=$$start -v b=$$end 'BEGIN { printf "%d commands: %.2f s\n", n, b - a }'; \
		rm -f $$f; \
	done

# libedit (line editing) and OpenBLAS (CBLAS + LAPACK), found through pkg-config;
# rsvg-convert (librsvg2-bin) lets the tests render plots' SVG to PNG.
deps:
	@if ! pkg-config --exists libedit openblas 2>/dev/null || ! command -v rsvg-convert >/dev/null; then \
		echo "Installing libedit-dev libopenblas-dev pkg-config librsvg2-bin through apt-get"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libedit-dev libopenblas-dev pkg-config librsvg2-bin; \
	fi

clean:
	rm -rf .build
