# sale_order_policy: `make run` serves a demo database, `make test` runs the whole suite.
SHELL := /bin/bash
ROOT := $(shell pwd)
VENV := $(ROOT)/.venv
ODOO := $(VENV)/bin/python -m odoo
CONF := $(ROOT)/.odoo.conf
DEMO_DB ?= sop_demo
TEST_DB ?= sop_test
COMPAT_SETUPS ?= a,b
COMPAT_PORT ?= $(or $(SOP_HTTP_PORT),8169)
PORT ?= 8069
MODULE := sale_order_policy
# Bridges to optional Odoo modules, installed by themselves (auto_install), and the
# test-only subject of the review engine (installed by `make test-db` only).
TEST_SUBJECT := sale_order_policy_test_subject
BRIDGES := sale_order_policy_mrp sale_order_policy_expense $(TEST_SUBJECT)
TESTS ?= $(MODULE)/tests $(TEST_SUBJECT)/tests sale_order_policy_mrp/tests \
	sale_order_policy_expense/tests
# Odoo apps installed with the module in the test database only, so that the bridges
# install by themselves and the hand-off to manufacturing and purchase, vendor lead times
# and re-invoiced expenses are tested (purchase_stock: buy route and vendor lead times).
TEST_EXTRA_MODULES ?= sale_mrp,sale_purchase,purchase_stock,sale_expense
PYTEST_ARGS ?=

.PHONY: run test lint bootstrap test-db test-compat compat-baseline test-uninstall test-upgrade benchmark load format pot clean

bootstrap:
	@./tools/bootstrap.sh

run: bootstrap
	@if ! $(VENV)/bin/python tools/dbtool.py installed $(CONF) $(DEMO_DB) $(MODULE); then \
		echo "Creating demo database $(DEMO_DB) (module + demo data)..."; \
		$(ODOO) -c $(CONF) -d $(DEMO_DB) -i $(MODULE) --load-language=zh_CN --stop-after-init --log-level=warn; \
	else \
		echo "Reusing $(DEMO_DB); bringing the module up to date..."; \
		$(ODOO) -c $(CONF) -d $(DEMO_DB) -u $(MODULE) --stop-after-init --log-level=warn; \
	fi
	@echo ""
	@echo "  Odoo with $(MODULE) is starting: http://localhost:$(PORT)  (login admin / admin, database $(DEMO_DB))"
	@echo ""
	$(ODOO) -c $(CONF) -d $(DEMO_DB) --db-filter='^$(DEMO_DB)$$' --http-port=$(PORT) --http-interface=0.0.0.0

lint: bootstrap
	$(VENV)/bin/ruff check $(MODULE) $(BRIDGES) tools benchmarks
	$(VENV)/bin/ruff format --check $(MODULE) $(BRIDGES) tools benchmarks
	$(VENV)/bin/pylint --rcfile=.pylintrc $(MODULE) $(BRIDGES)

format: bootstrap
	$(VENV)/bin/ruff check --fix $(MODULE) $(BRIDGES) tools benchmarks
	$(VENV)/bin/ruff format $(MODULE) $(BRIDGES) tools benchmarks

# A fresh test database: the module (and its demo data, which must load) on sale_stock,
# with the review engine's test subject and TEST_EXTRA_MODULES (the bridges follow).
test-db:
	@./tools/bootstrap.sh --browser
	$(VENV)/bin/python tools/dbtool.py drop $(CONF) $(TEST_DB)
	$(ODOO) -c $(CONF) -d $(TEST_DB) -i $(MODULE),$(TEST_SUBJECT),$(TEST_EXTRA_MODULES) --stop-after-init --log-level=warn
	$(VENV)/bin/python tools/dbtool.py check-demo $(CONF) $(TEST_DB)

test: lint test-db
	$(VENV)/bin/pytest -c $(ROOT)/pytest.ini --odoo-config=$(CONF) --odoo-database=$(TEST_DB) \
		--odoo-http --odoo-log-level=warn $(PYTEST_ARGS) $(TESTS)

# Odoo's own tests (at-install and post-install) of sale, sale_management, sale_stock,
# sale_mrp, sale_purchase, sale_expense and stock_delivery, compared with the baseline of
# Odoo alone kept in compat/baseline.toml (tools/compat.py):
#   a: the module and its demo data, installed with the tests as Odoo's runner does: no
#      test may fail that passes in Odoo alone, and as many tests must run;
#   b: the policy on in every company, no rule applying: every difference must be a
#      refusal listed with its reason in compat/policy_on_differences.toml.
# Fails (exit 1) on any other difference. Report: benchmarks/results/compat.md, logs in
# .compat/. COMPAT_SETUPS=a runs (a) only (CI does); each setup takes 15-30 min.
test-compat:
	@./tools/bootstrap.sh --browser
	$(VENV)/bin/python tools/compat.py $(CONF) --setups $(COMPAT_SETUPS) --port $(COMPAT_PORT) --check

# Measure Odoo alone again (both ways of running its tests) and rewrite compat/baseline.toml.
compat-baseline:
	@./tools/bootstrap.sh --browser
	$(VENV)/bin/python tools/compat.py $(CONF) --setups base_install,base --port $(COMPAT_PORT) --write-baseline

benchmark: bootstrap
	$(VENV)/bin/python benchmarks/run_all.py --config $(CONF)

pot: bootstrap
	$(VENV)/bin/python tools/i18n.py export $(CONF) $(TEST_DB)

clean:
	rm -rf .data .odoo.conf .pytest_cache

# Install into a database with only sale_stock, then uninstall: no warning, nothing left.
test-uninstall: bootstrap
	$(VENV)/bin/python tools/check_install_uninstall.py $(CONF)

# Databases made by every earlier release (sop_up_<version>, from this repository's own
# history), seeded with the old code, upgraded with `-u $(MODULE)`: nothing lost, and a
# pending review decided and its order confirmed after the upgrade. Logs in .upgrade/.
test-upgrade: bootstrap
	$(VENV)/bin/python tools/upgrade_check.py $(CONF)

# Load tests over HTTP (benchmarks/load_rpc.py): Odoo alone vs the module side by side at
# 10 and 50 clients (LOAD_ARGS=--quick for a short check), then several servers with
# crashes. Databases sop_load_*; reports in benchmarks/results/load_*.md.
LOAD_ARGS ?=
LOAD_PORT ?= $(or $(SOP_HTTP_PORT),8371)
load: bootstrap
	$(VENV)/bin/python benchmarks/load_rpc.py -c $(CONF) --port $(LOAD_PORT) $(LOAD_ARGS)

load-multi: bootstrap
	$(VENV)/bin/python benchmarks/load_rpc.py -c $(CONF) --port $(LOAD_PORT) --topology multi $(LOAD_ARGS)

# Screens and the SLA cron on years of history (HISTORY_ORDERS orders, 1,000,000 by default).
HISTORY_ORDERS ?= 1000000
benchmark-history: bootstrap
	$(VENV)/bin/python benchmarks/history.py -c $(CONF) --orders $(HISTORY_ORDERS)
.PHONY: load-multi benchmark-history
