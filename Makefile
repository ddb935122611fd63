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
# Linked by lld: SwiftPM aliases `main` to the driver's entry point with
# --defsym, which lld lets override the `main` of libFuzzer's whole-linked
# archive (gold stops with an internal error on the duplicate; SwiftPM drops
# -use-ld, so clang is asked directly). lld's section GC needs nostart-stop-gc
# to keep Swift's metadata sections, as swiftc adds for -use-ld=lld.
FUZZ_SECONDS ?= 60
fuzz: deps
	$(SWIFT) build -c release --build-path .build-fuzz --product recsh-fuzz \
		-Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING \
		-Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld -Xlinker -z -Xlinker nostart-stop-gc
	Fuzz/run .build-fuzz/release/recsh-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# `make test` already built the driver (its test target depends on it), so CI builds once.
fuzz-quick: deps
	@[ -x .build/release/recsh-fuzz ] || $(SWIFT) build -c release --product recsh-fuzz
	Fuzz/run .build/release/recsh-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: build
	.build/release/recsh --quiet -c 'bench' $(ARGS)

# A script's cost per command must not grow with its length: runs scripts of
# N 'show seed' lines (N from SIZES) RUNS times each and prints every wall
# time and their median (`make -o build bench-script` reuses the binary `make test` built).
SIZES ?= 10000 20000 40000 80000
RUNS ?= 1
bench-script: build
	@for n in $(SIZES); do \
		f=$$(mktemp /tmp/recsh-bench-XXXXXX.recsh); \
		yes 'show seed' | head -n $$n > $$f; \
		times=""; \
		for r in $$(seq $(RUNS)); do \
			start=$$(date +%s.%N); \
			.build/release/recsh --quiet --no-rc $$f > /dev/null; \
			end=$$(date +%s.%N); \
			times="$$times $$(awk -v a=$$start -v b=$$end 'BEGIN { printf "%.2f", b - a }')"; \
		done; \
		echo $$times | tr ' ' '\n' | sort -n | awk -v n=$$n -v all="$$times" \
			'{ t[NR] = $$1 } END { printf "%d commands: median %.2f s of%s\n", n, (NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2), all }'; \
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
