# plenum — one binary, its tests, its fuzzers. `make run` and `make test` do all set-up.
CC      ?= gcc
BUILD   ?= build
PKGS    := libuv libwebsockets openssl jansson inih zlib libbrotlienc sqlite3
# libav: headers only; src/rec/av.c loads the libraries when the first recording starts
AV_PKGS := libavformat libavcodec libavutil
OPT     ?= -O2
SANFLAGS ?=
# Debian's hardening flags (dpkg-buildflags), set by `make deb`; empty for development builds.
HARDEN_CFLAGS ?=
HARDEN_LDFLAGS ?=
CFLAGS  += $(SANFLAGS) $(HARDEN_CFLAGS) -std=c11 -D_GNU_SOURCE $(OPT) -g -Wall -Wextra -Wshadow -Wno-unused-parameter \
           -Wstrict-prototypes -Werror=implicit-function-declaration -Isrc \
           $(shell pkg-config --cflags $(PKGS) $(AV_PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ldl -lm -lpthread

LIB_SRC := $(filter-out src/app/main.c,$(sort $(wildcard src/*/*.c)))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_REPLAY := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/fuzz-replay/%)
TOOL_SRC := $(sort $(wildcard tools/*.c))
TOOL_BIN := $(TOOL_SRC:tools/%.c=$(BUILD)/tools/%)
# Multi-file tools: every directory tools/NAME/ with .c files builds $(BUILD)/tools/NAME.
TOOL_DIRS := $(patsubst tools/%/,%,$(sort $(dir $(wildcard tools/*/*.c))))
TOOL_BIN += $(TOOL_DIRS:%=$(BUILD)/tools/%)

.PHONY: all run test unit fuzz fuzz-replay deps bench clean asan-unit tsan-unit deb
all: $(BUILD)/plenum $(TOOL_BIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libplenum.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/plenum: $(BUILD)/obj/src/app/main.o $(BUILD)/libplenum.a
	$(CC) $(CFLAGS) $(HARDEN_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tools/%: tools/%.c $(BUILD)/libplenum.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Microbenchmarks: bench/NAME.c builds $(BUILD)/bench/NAME (libsrtp2 linked for comparisons).
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
$(BUILD)/bench/%: bench/%.c $(BUILD)/libplenum.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs libsrtp2)

define tool_dir_rule
$(BUILD)/tools/$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tools/$(1)/*.c)) $(BUILD)/libplenum.a
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach t,$(TOOL_DIRS),$(eval $(call tool_dir_rule,$(t))))

# Unit tests use Check; libsrtp2 is linked as an independent oracle for plenum's own SRTP.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libplenum.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $^ $(LDLIBS) $(shell pkg-config --libs check libsrtp2)

# The fuzz targets built without libFuzzer: a runner replays the committed corpora.
$(BUILD)/fuzz-replay/%: fuzz/%.c fuzz/replay.c $(BUILD)/libplenum.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

unit: $(UNIT_BIN)
	@./scripts/run-unit.sh $(UNIT_BIN)

fuzz-replay: $(FUZZ_REPLAY)
	@./scripts/fuzz-replay.sh $(BUILD)

asan-unit:
	$(MAKE) BUILD=build-asan CC=clang OPT=-O1 \
	  SANFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  all unit fuzz-replay

# ThreadSanitizer: plenum and the unit tests (test_sfu runs media workers on their own threads);
# a report ends the test that caused it. scripts/test.sh then runs interop tests on build-tsan/plenum.
tsan-unit:
	TSAN_OPTIONS=$${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1} \
	$(MAKE) BUILD=build-tsan CC=clang OPT=-O1 SANFLAGS="-fsanitize=thread -fno-omit-frame-pointer" all unit

deps:
	./scripts/deps.sh

# The Debian package (plenum_VERSION_ARCH.deb in $(DEB_BUILD)/): the binary built with Debian's
# hardening flags, the web client, configuration, systemd unit and man page (scripts/make-deb.sh).
DEB_BUILD ?= build-deb
DEB_FLAGS = DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get
deb:
	$(MAKE) --no-print-directory BUILD=$(DEB_BUILD) \
	  HARDEN_CFLAGS="$$($(DEB_FLAGS) CFLAGS) $$($(DEB_FLAGS) CPPFLAGS)" \
	  HARDEN_LDFLAGS="$$($(DEB_FLAGS) LDFLAGS)" $(DEB_BUILD)/plenum
	@./scripts/make-deb.sh $(DEB_BUILD)

# make run records into build/recordings (hosts can try recording at once); ARGS adds flags
RUN_ARGS ?= --recording-dir $(abspath $(BUILD))/recordings
run: deps
	$(MAKE) all
	./$(BUILD)/plenum $(RUN_ARGS) $(ARGS)

test: deps
	./scripts/test.sh

fuzz:
	./scripts/fuzz.sh $(FUZZ_SECONDS)

bench: deps all $(BENCH_BIN)
	./bench/run.sh

clean:
	rm -rf build build-asan build-tsan build-fuzz build-deb

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
