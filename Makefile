EXTENSION = kpi_ext
MODULE_big = kpi_ext
OBJS = kpi_ext.o src/ratio.o src/ratio_agg.o src/keyset.o src/procset.o src/coverage.o src/dossier_tally.o src/tally_coverage.o src/format.o \
	src/float8_round.o src/dossier_read.o
PGFILEDESC = "kpi_ext - citizen and business service index"

# The install script of the current version and the upgrade scripts to it
# are built by src/build.pl from the parts below, the catalogue and the
# sample data (docs/architecture.md); released install scripts are committed
# and never change.  A missing part fails the build.
EXTVERSION := $(shell sed -n "s/^default_version = '\([^']*\)'.*/\1/p" $(EXTENSION).control)
SQL_PARTS = src/sql/ratio.sql src/sql/period.sql src/sql/unit.sql src/sql/indicator.sql \
	src/sql/dossier.sql src/sql/index.sql src/sql/count.sql src/sql/reference.sql src/sql/appendix.sql src/sql/report.sql \
	src/sql/sample.sql src/sql/loading.sql src/sql/distribute.sql
UPGRADES = $(patsubst src/upgrade/%.sql,$(EXTENSION)--%.sql,$(wildcard src/upgrade/*.sql))
BUILD_INPUTS = Makefile src/build.pl src/catalogue.txt $(SQL_PARTS) $(wildcard data/sample/*.csv)

DATA = $(EXTENSION)--1.0.sql
DATA_built = $(EXTENSION)--$(EXTVERSION).sql $(UPGRADES)
EXTRA_CLEAN = src/flags.h

TESTS = $(sort $(wildcard sql/*.sql))
REGRESS = $(patsubst sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=.

PG_CPPFLAGS = -I$(srcdir)/src
# scripts/test builds with WERROR=1, as CI does; a user's newer compiler
# with new warnings still builds.
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers $(if $(WERROR),-Werror)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(EXTENSION)--$(EXTVERSION).sql: $(BUILD_INPUTS)
	perl src/build.pl install $(SQL_PARTS) >$@.tmp && mv $@.tmp $@

$(EXTENSION)--%.sql: src/upgrade/%.sql $(BUILD_INPUTS)
	perl src/build.pl upgrade $< >$@.tmp && mv $@.tmp $@

src/flags.h: src/build.pl src/catalogue.txt
	perl src/build.pl flags >$@.tmp && mv $@.tmp $@

src/dossier_tally.o: src/flags.h
src/dossier_tally.bc: src/flags.h

# for the tests: make print-VARIABLE
print-%:
	@echo $($*)
