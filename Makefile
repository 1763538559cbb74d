# sale_order_policy: `make run` serves a demo database, `make test` runs the whole suite.
SHELL := /bin/bash
ROOT := $(shell pwd)
VENV := $(ROOT)/.venv
ODOO := $(VENV)/bin/python -m odoo
CONF := $(ROOT)/.odoo.conf
DEMO_DB ?= sop_demo
TEST_DB ?= sop_test
COMPAT_DB ?= sop_compat
COMPAT_PORT ?= 8169
PORT ?= 8069
MODULE := sale_order_policy
# Bridges to optional Odoo modules, installed by themselves (auto_install).
BRIDGES := sale_order_policy_mrp
TESTS ?= $(MODULE)/tests
PYTEST_ARGS ?=

.PHONY: run test lint bootstrap test-db test-compat test-uninstall benchmark load format pot clean

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

# A fresh test database: the module (and its demo data, which must load) on sale_stock.
test-db:
	@./tools/bootstrap.sh --browser
	$(VENV)/bin/python tools/dbtool.py drop $(CONF) $(TEST_DB)
	$(ODOO) -c $(CONF) -d $(TEST_DB) -i $(MODULE) --stop-after-init --log-level=warn
	$(VENV)/bin/python tools/dbtool.py check-demo $(CONF) $(TEST_DB)

test: lint test-db
	$(VENV)/bin/pytest -c $(ROOT)/pytest.ini --odoo-config=$(CONF) --odoo-database=$(TEST_DB) \
		--odoo-http --odoo-log-level=warn $(PYTEST_ARGS) $(TESTS)

# Odoo's own sale and sale_stock tests with this module installed and the policy disabled.
# Only their post-install tests: at-install tests run while the registry is half loaded
# (sale before sale_stock and this module), which Odoo itself does not support on an
# existing database.
test-compat: bootstrap
	$(VENV)/bin/python tools/dbtool.py drop $(CONF) $(COMPAT_DB)
	$(ODOO) -c $(CONF) -d $(COMPAT_DB) --http-port=$(COMPAT_PORT) -i $(MODULE) --without-demo=False --stop-after-init --log-level=warn
	$(VENV)/bin/python tools/dbtool.py disable-policy $(CONF) $(COMPAT_DB)
	$(ODOO) -c $(CONF) -d $(COMPAT_DB) --http-port=$(COMPAT_PORT) --test-tags 'post_install/sale,post_install/sale_stock' --stop-after-init --log-level=test

benchmark: bootstrap
	$(VENV)/bin/python benchmarks/run_all.py --config $(CONF)

pot: bootstrap
	$(VENV)/bin/python tools/i18n.py export $(CONF) $(TEST_DB)

clean:
	rm -rf .data .odoo.conf .pytest_cache

# Install into a database with only sale_stock, then uninstall: no warning, nothing left.
test-uninstall: bootstrap
	$(VENV)/bin/python tools/check_install_uninstall.py $(CONF)
