# dagd — thin wrapper over CMake. `make run` and `make test` install what is
# missing first (scripts/install-deps.sh), so both work on a bare Debian 12.
SANITIZE ?= 0
BUILD_TYPE ?= RelWithDebInfo
ifeq ($(SANITIZE),1)
BUILD ?= build-asan
else
BUILD ?= build
endif
JOBS ?= $(shell nproc)

.PHONY: all deps build test run lint format fuzz bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DSANITIZE=$(if $(filter 1,$(SANITIZE)),ON,OFF) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# dagd dev on the examples; runs go to $DAGD_HOME (default ./.dagd).
run: build
	@$(BUILD)/dagd dev -w examples/workspace.yaml

lint: deps
	@scripts/lint.sh

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

fuzz: deps
	@scripts/fuzz.sh $(FUZZ_SECONDS)

bench: build
	@scripts/bench.sh
	@scripts/bench-http.sh
	@scripts/bench-runs.sh
	@scripts/bench-queue.sh
	@scripts/bench-subscriptions.sh

clean:
	rm -rf build build-asan build-fuzz build-lint
