"""Shared helpers of the benchmark scripts (`bench_*.py`).

Each script opens one cursor on a database that has `sale_order_policy` installed, seeds
its data, measures, prints a markdown table and rolls everything back: the database is
left exactly as it was.
"""

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

import odoo
from odoo import SUPERUSER_ID, Command, api, fields
from odoo.modules.registry import Registry
from odoo.tools import config

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import dbtool  # noqa: E402

# What the web client sends with every call: costs that depend on it are the real ones.
WEB_CONTEXT = {"lang": "en_US", "tz": "Asia/Shanghai"}


def parse_args(description, runs=20, warmup=3, reference=False):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True, help="database with the module")
    parser.add_argument("--runs", type=int, default=runs, help="measured runs per scenario")
    parser.add_argument("--warmup", type=int, default=warmup, help="runs excluded per scenario")
    if reference:
        parser.add_argument(
            "--reference-database",
            help="database with Odoo's sale_management and sale_stock only, created when "
            "missing (default: <database>_odoo)",
        )
    args = parser.parse_args()
    if reference and not args.reference_database:
        args.reference_database = f"{args.database}_odoo"
    return args


_CONFIG_PARSED = []  # Odoo's configuration can be parsed once per process


@contextmanager
def rolled_back_env(args, database=None, module="sale_order_policy"):
    """A superuser environment on one cursor whose transaction is always rolled back."""
    database = database or args.database
    if not _CONFIG_PARSED:
        config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
        _CONFIG_PARSED.append(True)
    registry = Registry(database)
    cr = registry.cursor()
    try:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if (
            env["ir.module.module"].search_count(
                [("name", "=", module), ("state", "=", "installed")]
            )
            != 1
        ):
            raise SystemExit(f"{module} is not installed in {database}")
        yield env
    finally:
        cr.rollback()
        cr.close()


def ensure_reference_database(args, modules=("sale_management", "sale_stock")):
    """Odoo without this module, for the reference timings of Odoo's own methods."""
    dbtool.ensure_installed(args.config, args.reference_database, modules)


def measure(env, func):
    """Wall time (ms), queries and CPU time of this process (ms) of `func`, including the
    flush of what it wrote and its precommit hooks (tracking); queries are counted the way
    `assertQueryCount` counts them. CPU time leaves out the wait for PostgreSQL and is less
    sensitive to the load of a shared machine."""
    cr = env.cr
    with patch("random.random", lambda: 1):  # no random bus/GC housekeeping inside a run
        env.flush_all()
        cr.flush()
        env.invalidate_all()  # each call starts like a new RPC request: empty record cache
        # Like timeit: no garbage collection inside the measured call, whose timing would
        # otherwise depend on what earlier runs (of any scenario) left in memory.
        gc.collect()
        gc.disable()
        try:
            queries = cr.sql_log_count
            cpu = time.process_time()
            start = time.perf_counter()
            func()
            env.flush_all()
            cr.flush()
            elapsed = (time.perf_counter() - start) * 1000
            cpu = (time.process_time() - cpu) * 1000
            queries = cr.sql_log_count - queries
        finally:
            gc.enable()
    return elapsed, queries, cpu


class Series:
    """Timings and query counts of one scenario; the first `warmup` runs are discarded."""

    def __init__(self, label, warmup):
        self.label = label
        self.warmup = warmup
        self.times = []
        self.queries = []
        self.cpu = []

    def add(self, elapsed, queries, cpu):
        if self.warmup > 0:
            self.warmup -= 1
            return
        self.times.append(elapsed)
        self.queries.append(queries)
        self.cpu.append(cpu)

    @property
    def median(self):
        return statistics.median(self.times)

    @property
    def cpu_median(self):
        return statistics.median(self.cpu)

    @property
    def query_median(self):
        return statistics.median(self.queries)

    def query_text(self):
        low, high = min(self.queries), max(self.queries)
        return f"{high}" if low == high else f"{int(self.query_median)} ({low}–{high})"


def environment_line(env):
    env.cr.execute("SHOW server_version")
    pg_version = env.cr.fetchone()[0]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"Odoo {odoo.release.version}, PostgreSQL {pg_version}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPU, load average {load:.1f} at start, "
        f"{fields.Datetime.now():%Y-%m-%d %H:%M} UTC"
    )


HEADERS = ["scenario", "runs", "median ms", "CPU ms", "min ms", "queries", "target", "result"]


def markdown_table(headers, rows):
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" for _header in headers) + "|",
    ]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def ms(value):
    return f"{value:.1f}"


# ----------------------------------------------------------------------
# Worlds: the company, its people, a customer and stocked products
# ----------------------------------------------------------------------


class OdooWorld:
    """What Odoo's own sales flow needs, on the main company: a salesman in a team led by
    a sales manager, a customer with payment terms and a credit limit, stocked products.
    Works on a database without this module (the reference of Odoo's own timings)."""

    def __init__(self, env, n_products=100, credit_limit=100_000_000.0):
        self.company = env.ref("base.main_company")
        self.env = env = env(
            context=dict(env.context, allowed_company_ids=self.company.ids, **WEB_CONTEXT)
        )
        self.company.write({"account_use_credit_limit": True, "security_lead": 0.0})
        self.salesman = self._user("bench_salesman", "sales_team.group_sale_salesman")
        self.sales_head = self._user("bench_head", "sales_team.group_sale_manager")
        self.team = env["crm.team"].create(
            {
                "name": "Benchmark Team",
                "company_id": self.company.id,
                "user_id": self.sales_head.id,
                "member_ids": [Command.link(self.salesman.id)],
            }
        )
        self.payment_term = env.ref("account.account_payment_term_30days")
        self.customer = env["res.partner"].create(
            {
                "name": "基准测试客户有限公司",
                "is_company": True,
                "email": "buyer@bench.example.com",
                "phone": "+86 21 5555 0000",
                "credit_limit": credit_limit,
                "property_payment_term_id": self.payment_term.id,
            }
        )
        self.warehouse = env["stock.warehouse"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        self.products = env["product.product"].create(
            [
                {
                    "name": f"Benchmark Part {index:03d}",
                    "default_code": f"BENCH-{index:03d}",
                    "type": "consu",
                    "is_storable": True,
                    "list_price": 2100.0,
                    "standard_price": 1200.0,
                }
                for index in range(n_products)
            ]
        )
        Quant = env["stock.quant"]
        for product in self.products:
            Quant._update_available_quantity(product, self.warehouse.lot_stock_id, 100_000.0)
        env.flush_all()

    def _user(self, login, group_xmlid):
        return (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": login.replace("_", " ").title(),
                    "login": login,
                    "email": f"{login}@bench.example.com",
                    "company_id": self.company.id,
                    "company_ids": [Command.set(self.company.ids)],
                    "groups_id": [
                        Command.set(
                            [self.env.ref("base.group_user").id, self.env.ref(group_xmlid).id]
                        )
                    ],
                }
            )
        )

    def _order_vals(self, products, quantity, partner=None, team=None):
        return {
            "partner_id": (partner or self.customer).id,
            "user_id": self.salesman.id,
            "team_id": (team or self.team).id,
            "company_id": self.company.id,
            "warehouse_id": self.warehouse.id,
            "payment_term_id": self.payment_term.id,
            "commitment_date": fields.Datetime.now() + timedelta(days=10),
            "order_line": [
                Command.create(
                    {
                        "product_id": product.id,
                        "product_uom_qty": quantity,
                        "price_unit": product.list_price,
                    }
                )
                for product in products
            ],
        }

    def make_order(self, n_lines, quantity, partner=None, team=None, first_product=0):
        """A complete quotation (every required element) created by the salesman, on the
        products from `first_product` on."""
        products = self.products[first_product : first_product + n_lines]
        vals = self._order_vals(products, quantity, partner=partner, team=team)
        order = self.env["sale.order"].with_user(self.salesman).create(vals)
        self.env.flush_all()
        return order.with_env(self.env)


class PolicyWorld(OdooWorld):
    """The same set-up as the test fixture `SalePolicyFixtures`, with the shipped default
    rules (sales head → finance ∥ warehouse → general manager) active."""

    def __init__(self, env, n_products=100, credit_limit=100_000_000.0):
        super().__init__(env, n_products=n_products, credit_limit=credit_limit)
        self.company.sale_policy_enabled = True
        for xmlid in (
            "rule_sales_head",
            "rule_finance",
            "rule_warehouse",
            "rule_general_manager",
        ):
            self.env.ref(f"sale_order_policy.{xmlid}").active = True
        self.finance = self._user("bench_finance", "sale_order_policy.group_finance_reviewer")
        self.warehouse_user = self._user(
            "bench_warehouse", "sale_order_policy.group_warehouse_reviewer"
        )
        self.gm = self._user("bench_gm", "sale_order_policy.group_general_manager")
        self.env.flush_all()

    def _order_vals(self, products, quantity, partner=None, team=None):
        return {
            **super()._order_vals(products, quantity, partner=partner, team=team),
            "customer_confirmation_method": "email",
            "intake_channel": "email",
        }

    def set_policy(self, enabled):
        self.company.sale_policy_enabled = enabled
        self.env.flush_all()

    def approve_all(self, order):
        """Let each tier's first reviewer approve until the order is approved."""
        for _tier in range(10):
            if order.approval_state == "approved":
                return order
            for review in order.policy_review_ids.filtered(lambda r: r.state == "pending"):
                review.with_user(review.reviewer_user_ids[0]).action_approve()
        raise RuntimeError(f"{order.name} is not approved: {order.approval_state}")
