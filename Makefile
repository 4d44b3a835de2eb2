# mercato: one binary.  Kore's sources, our core and modules, the embedded
# kore.conf, migrations and web assets are compiled into ./mercato.
# `make run` and `make test` are the two commands a newcomer needs.

CC	?= cc
KORE_SRC ?= /usr/share/kore
BIN	 = mercato
B	?= build

KORE_C	 = kore buf config connection domain filemap fileref json mem msg \
	   module net pool runtime timer utils worker keymgr auth accesslog \
	   http validator websocket tasks linux seccomp
KORE_OBJS = $(KORE_C:%=$(B)/kore/%.o) $(B)/kore/version.o
KORE_DEFS = -DKORE_SINGLE_BINARY -DKORE_USE_TASKS
KORE_CFLAGS = -std=c99 -D_GNU_SOURCE=1 -O2 -g -fstack-protector-all -Wall \
	-DPREFIX='"/usr"' $(KORE_DEFS) -I$(KORE_SRC)/include/kore -I$(B)/kore

CORE_SRCS = $(wildcard core/*.c)
MOD_SRCS  = $(wildcard modules/*/*.c)
APP_SRCS  = $(CORE_SRCS) $(MOD_SRCS)
APP_OBJS  = $(APP_SRCS:%.c=$(B)/app/%.o)
GEN_OBJS  = $(B)/gen/assets.o $(B)/gen/migrations.o $(B)/gen/kore_conf.o

# Test-only modules (tests/modules/*) replace core/core_registry.c in the
# bus test binary; the shop binary never contains them.
TMOD_SRCS = $(wildcard tests/modules/*/*.c) tests/modules/registry_test.c
TMOD_OBJS = $(TMOD_SRCS:%.c=$(B)/app/%.o)
TBIN	  = $(B)/mercato-test

WARN	 = -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	   -Wshadow -Wpointer-arith -Wcast-qual -Wsign-compare \
	   -Wno-unused-parameter
CFLAGS	?= -O2 -g
APP_CFLAGS = -std=c99 -D_GNU_SOURCE $(WARN) $(KORE_DEFS) \
	-I$(KORE_SRC)/include -I$(KORE_SRC)/include/kore -I. $(CFLAGS) $(SANITIZE)
LDLIBS	 = -lsqlite3 -lcjson -lsodium -lssl -lcrypto -lpthread -ldl -lm
LDFLAGS	+= -rdynamic $(SANITIZE)

MIGRATIONS = $(sort $(wildcard migrations/*/*.sql))
VENDOR	 = node_modules/htm/preact/standalone.module.js \
	   node_modules/swagger-ui-dist/swagger-ui-bundle.js \
	   node_modules/swagger-ui-dist/swagger-ui.css
WWW_SRCS = $(shell find assets -type f ! -name '.*') docs/openapi.json

DEBIAN_PKGS = kore libsqlite3-dev libcjson-dev libsodium-dev libcriterion-dev \
	pkg-config make gcc nodejs npm chromium wrk sqlite3 curl cppcheck

.PHONY: all run deps check test test-unit test-api test-bus test-e2e \
	test-asan bench clean
all: $(BIN)

$(BIN): $(KORE_OBJS) $(APP_OBJS) $(GEN_OBJS)
	$(CC) $^ $(LDFLAGS) $(LDLIBS) -o $@

$(TBIN): $(KORE_OBJS) $(filter-out $(B)/app/core/core_registry.o,$(APP_OBJS)) \
    $(TMOD_OBJS) $(GEN_OBJS)
	$(CC) $^ $(LDFLAGS) $(LDLIBS) -o $@

# --- Kore, compiled from the Debian package's sources -----------------------
$(B)/kore/platform.h:
	@mkdir -p $(@D); sh $(KORE_SRC)/misc/linux-platform.sh > $@
$(B)/kore/version.c:
	@mkdir -p $(@D)
	printf 'const char *kore_version = "%s";\n' "$$(cat $(KORE_SRC)/RELEASE)" > $@
$(B)/kore/version.o: $(B)/kore/version.c
	$(CC) -c $< -o $@
$(B)/kore/%.o: $(KORE_SRC)/src/%.c $(B)/kore/platform.h
	@echo "  CC  kore/$*.c"
	@$(CC) $(KORE_CFLAGS) -c $< -o $@

# --- our code ---------------------------------------------------------------
$(B)/app/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC  $<"
	@$(CC) $(APP_CFLAGS) -MMD -MP -c $< -o $@
-include $(APP_OBJS:.o=.d) $(TMOD_OBJS:.o=.d)

# --- embedded config, migrations, web assets --------------------------------
$(B)/embed: tools/embed.c
	@mkdir -p $(@D); $(CC) -O2 -Wall $< -lsodium -o $@
$(B)/gen/kore_conf.c: kore.conf $(B)/embed
	@mkdir -p $(@D); $(B)/embed conf kore.conf > $@
$(B)/gen/migrations.c: $(MIGRATIONS) $(B)/embed
	@mkdir -p $(@D); $(B)/embed migrations $(MIGRATIONS) > $@
$(B)/www.stamp: $(WWW_SRCS) $(VENDOR)
	@rm -rf $(B)/www; mkdir -p $(B)/www/admin/vendor $(B)/www/api/docs
	cp -R assets/. $(B)/www/
	cp docs/openapi.json $(B)/www/api/openapi.json
	cp node_modules/htm/preact/standalone.module.js $(B)/www/admin/vendor/preact-htm.js
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js \
	   node_modules/swagger-ui-dist/swagger-ui.css $(B)/www/api/docs/
	@touch $@
$(B)/gen/assets.c: $(B)/www.stamp $(B)/embed
	@mkdir -p $(@D)
	$(B)/embed assets $(B)/www $$(find $(B)/www -type f | sort) > $@
$(B)/gen/%.o: $(B)/gen/%.c
	$(CC) -I. -O0 -c $< -o $@
$(VENDOR):
	@echo "missing $@: run 'make deps' (npm ci) first" >&2; exit 1

# --- the two commands --------------------------------------------------------
deps:
	@sh tools/deps.sh $(DEBIAN_PKGS)

run: deps
	@$(MAKE) --no-print-directory $(BIN)
	./$(BIN) serve

check: $(BIN)
	sh tools/check-boundaries.sh . $(B)
	cppcheck --quiet --error-exitcode=1 --std=c99 --enable=warning,portability \
	    --inline-suppr -i core/core_seccomp.c -I. core modules tests/modules

test: deps
	@$(MAKE) --no-print-directory $(BIN) $(TBIN)
	@$(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory test-unit test-api test-e2e
	@$(MAKE) --no-print-directory test-asan

# The unit tests link core and Kore, but Criterion must own main(): Kore's
# kore.o is linked as a copy whose main is renamed.
UNIT_SRCS = $(shell find tests/unit -name '*.c' 2>/dev/null)
UNIT_LIB  = $(filter-out $(B)/app/core/core_main.o $(B)/app/core/core_registry.o,$(APP_OBJS))
UNIT_KORE = $(filter-out $(B)/kore/kore.o,$(KORE_OBJS)) $(B)/kore/kore_nomain.o
$(B)/kore/kore_nomain.o: $(B)/kore/kore.o
	objcopy --redefine-sym main=kore_main $< $@
$(B)/unit-tests: $(UNIT_SRCS) $(wildcard tests/unit/*.h) $(UNIT_KORE) $(UNIT_LIB) $(GEN_OBJS)
	$(CC) $(APP_CFLAGS) -Wno-missing-prototypes $(UNIT_SRCS) \
	    $(filter %.o,$^) tests/modules/registry_empty.c \
	    $(LDFLAGS) $(LDLIBS) -lcriterion -o $@
test-unit: $(B)/unit-tests
	$(B)/unit-tests --jobs 2

test-api: $(BIN) $(TBIN)
	MERCATO_BIN=$(CURDIR)/$(BIN) MERCATO_TEST_BIN=$(CURDIR)/$(TBIN) \
	    node --test --test-concurrency=2 tests/api/

test-e2e: $(BIN) $(TBIN)
	MERCATO_BIN=$(CURDIR)/$(BIN) MERCATO_TEST_BIN=$(CURDIR)/$(TBIN) \
	    node --test --test-concurrency=1 tests/e2e/

# The sanitizer flavour: ASan + UBSan over the unit and API tests.  Leak
# detection is off: Kore keeps its pools and buffers until exit by design.
test-asan:
	@$(MAKE) --no-print-directory B=build-asan CFLAGS="-O1 -g" \
	    SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    build-asan/mercato-shop build-asan/mercato-test build-asan/unit-tests
	ASAN_OPTIONS=detect_leaks=0 build-asan/unit-tests --jobs 2
	ASAN_OPTIONS=detect_leaks=0 MERCATO_BIN=$(CURDIR)/build-asan/mercato-shop \
	    MERCATO_TEST_BIN=$(CURDIR)/build-asan/mercato-test MERCATO_ASAN=1 \
	    node --test --test-concurrency=2 tests/api/
build-asan/mercato-shop: $(KORE_OBJS) $(APP_OBJS) $(GEN_OBJS)
	$(CC) $^ $(LDFLAGS) $(LDLIBS) -o $@

bench: $(BIN)
	sh bench/run.sh ./$(BIN)

# Search at 200k products / 1M SKUs: a generator fills a migrated
# catalog.db in /tmp (BENCH_DIR), then bounded wrk runs per query kind.
.PHONY: bench-search
$(B)/gen_catalog: bench/gen_catalog.c
	@mkdir -p $(B)
	$(CC) -O2 -std=c99 -D_GNU_SOURCE -Wall -Wextra -Werror \
	    bench/gen_catalog.c -lsqlite3 -lm -o $@
bench-search: $(BIN) $(B)/gen_catalog
	sh bench/search-scale.sh ./$(BIN) $(B)/gen_catalog

# The pricing rules engine alone: pure C, so it builds without Kore.
RULES_SRCS = bench/rules_bench.c core/core_rules.c core/core_rules_apply.c \
	core/core_money.c
.PHONY: bench-rules
$(B)/rules-bench: $(RULES_SRCS) core/core_rules.h core/core_rules_int.h \
    core/core_money.h
	@mkdir -p $(@D)
	$(CC) -std=c99 -D_GNU_SOURCE $(WARN) -I. -O2 $(RULES_SRCS) -o $@
bench-rules: $(B)/rules-bench
	$(B)/rules-bench

clean:
	rm -rf build build-asan $(BIN)
