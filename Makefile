EXTENSION = kpi_ext
MODULE_big = kpi_ext
OBJS = kpi_ext.o src/ratio.o src/ratio_agg.o src/keyset.o src/coverage.o src/dossier_agg.o src/format.o
PGFILEDESC = "kpi_ext - citizen and business service index"

# The install script is assembled from one file per concept.  The result is
# committed too; once a version is released neither it nor its parts change.
SQL_PARTS = src/sql/core.sql $(wildcard src/sql/report.sql) $(wildcard src/sql/dossier.sql) $(wildcard src/sql/loading.sql)
DATA = kpi_ext--1.0.sql

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

all: kpi_ext--1.0.sql

kpi_ext--1.0.sql: $(SQL_PARTS)
	cat $^ > $@

# for test/t_install_script.sh
print-sql-parts:
	@echo $(SQL_PARTS)
