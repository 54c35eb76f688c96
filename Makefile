# iotaudit: a thin wrapper around CMake.
#
#   make            configure and build in build/
#   make check      build and run every test in build/, then again in an
#                   ASan+UBSan build in build-asan/; fails on any failure
#   make demo       install dependencies, build, make the sample image and scan it
#   make fixtures   make the test images from real Debian packages (build/fixtures/)
#   make clean      remove build/ and build-asan/
#
# Both builds share the fixtures in build/fixtures (made once, then cached).

BUILD       ?= build
ASAN_BUILD  ?= build-asan
FIXTURES    ?= $(CURDIR)/$(BUILD)/fixtures
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
CTEST_FLAGS ?= --output-on-failure -j $(JOBS)

CONFIGURE = cmake -S . -DIOTA_FIXTURES_DIR=$(FIXTURES) $(CMAKE_FLAGS)

.PHONY: all build asan check demo fixtures clean

all: build

build:
	$(CONFIGURE) -B $(BUILD)
	cmake --build $(BUILD) -j $(JOBS)

asan:
	$(CONFIGURE) -B $(ASAN_BUILD) -DIOTA_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# Both suites run even when the first fails, so one run shows everything.
check: build
	@start=$$(date +%s); status=0; \
	echo "==> ctest in $(BUILD)/"; \
	(cd $(BUILD) && ctest $(CTEST_FLAGS)) || status=1; \
	echo "==> ASan+UBSan build in $(ASAN_BUILD)/"; \
	$(MAKE) --no-print-directory asan || status=1; \
	echo "==> ctest in $(ASAN_BUILD)/"; \
	(cd $(ASAN_BUILD) && ctest $(CTEST_FLAGS)) || status=1; \
	end=$$(date +%s); \
	if [ $$status -eq 0 ]; then \
		echo "make check: all tests passed in both builds ($$((end - start)) s)"; \
	else \
		echo "make check: FAILED (see above; $$((end - start)) s)"; \
	fi; \
	exit $$status

fixtures:
	tests/fixtures/make-fixtures.sh $(FIXTURES)

demo:
	scripts/install-deps
	$(MAKE) --no-print-directory build
	@tests/fixtures/make-fixtures.sh $(FIXTURES) || { \
		echo "demo: the sample image could not be made (see above)"; exit 1; }
	@echo "==> $(BUILD)/iotaudit scan $(FIXTURES)/router.bin --profile consumer"
	@$(BUILD)/iotaudit scan $(FIXTURES)/router.bin --profile consumer

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
