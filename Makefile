# recsh: two commands on a fresh Debian/Ubuntu machine with Swift installed.
#   make run    installs system libraries if missing, builds release, starts recsh
#   make test   installs system libraries if missing, runs every test in release
#   make fuzz   builds the fuzz targets with libFuzzer and runs each for FUZZ_SECONDS (Fuzz/run)
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test build deps bench clean fuzz fuzz-quick

run: build
	.build/release/recsh $(ARGS)

build: deps
	$(SWIFT) build -c release --product recsh

test: deps
	$(SWIFT) build -c release --product recsh
	$(SWIFT) test -c release

# Coverage-guided fuzzing in its own build directory (every module instrumented).
FUZZ_SECONDS ?= 60
fuzz: deps
	$(SWIFT) build -c release --build-path .build-fuzz --product recsh-fuzz \
		-Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING
	Fuzz/run .build-fuzz/release/recsh-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The same targets under the seeded mutator of a plain build (no second build; what CI runs).
fuzz-quick: deps
	$(SWIFT) build -c release --product recsh-fuzz
	Fuzz/run .build/release/recsh-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: build
	.build/release/recsh --quiet -c 'bench' $(ARGS)

# libedit (line editing) and OpenBLAS (CBLAS + LAPACK), found through pkg-config.
deps:
	@if ! pkg-config --exists libedit openblas 2>/dev/null; then \
		echo "Installing libedit-dev libopenblas-dev pkg-config through apt-get"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libedit-dev libopenblas-dev pkg-config; \
	fi

clean:
	rm -rf .build
