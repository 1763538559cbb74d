"""Benchmark of the KPI assessment (考核): 100,000 orders and 300,000 reviews.

    .venv/bin/python benchmarks/bench_kpi.py -c .odoo.conf -d <db>

Seeds its data with SQL in the given database (module installed) inside a transaction that
is rolled back at the end, then measures, as a general manager (record rules applied):

- the pivot's ``read_group`` salesperson × month (target < 1 s);
- the dashboard's scorecards of one month;
- the full XLSX export of every order (target < 60 s, peak RSS growth < 200 MB).

Prints a markdown table.
"""

import argparse
import os
import statistics
import threading
import time

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.tools import SQL

ORDERS = 100_000
REVIEWS_PER_ORDER = 3
SALESPEOPLE = 40
TEAMS = 5
MONTHS = 24
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


class PeakRss(threading.Thread):
    """Samples the resident set size every 20 ms while a block runs."""

    def __init__(self):
        super().__init__(daemon=True)
        self.start_rss = rss()
        self.peak = self.start_rss
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(0.02):
            self.peak = max(self.peak, rss())

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.join()
        self.peak = max(self.peak, rss())

    @property
    def growth_mb(self):
        return (self.peak - self.start_rss) / 2**20


def seed(env):
    company = env.company
    company.sale_policy_enabled = True
    salesman_group = env.ref("sales_team.group_sale_salesman")
    users = env["res.users"].create(
        [
            {
                "name": f"Bench Salesperson {index:02d}",
                "login": f"bench_kpi_salesperson_{index}",
                "groups_id": [Command.set(salesman_group.ids)],
            }
            for index in range(SALESPEOPLE)
        ]
    )
    leaders = env["res.users"].create(
        [
            {
                "name": f"Bench Team Leader {index}",
                "login": f"bench_kpi_leader_{index}",
                "groups_id": [Command.set(salesman_group.ids)],
            }
            for index in range(TEAMS)
        ]
    )
    teams = env["crm.team"].create(
        [
            {
                "name": f"Bench Team {index}",
                "user_id": leaders[index].id,
                "member_ids": [Command.set(users[index::TEAMS].ids)],
            }
            for index in range(TEAMS)
        ]
    )
    partners = env["res.partner"].create(
        [{"name": f"Bench Customer {index}"} for index in range(200)]
    )
    rules = env["sale.policy.rule"].create(
        [
            {
                "name": name,
                "sequence": sequence,
                "company_id": company.id,
                "department": department,
                "reviewer_type": "users",
                "reviewer_user_ids": [Command.set(leaders.ids)],
                "active": False,  # never applies to real orders of this database
            }
            for name, sequence, department in (
                ("Bench Sales Head", 10, "sales"),
                ("Bench Finance", 20, "finance"),
                ("Bench General Manager", 30, "management"),
            )
        ]
    )
    pricelist = env["product.pricelist"].search([], limit=1)
    env.flush_all()
    cr = env.cr
    params = {
        "orders": ORDERS,
        "users": users.ids,
        "teams": [teams[i % TEAMS].id for i in range(SALESPEOPLE)],
        "partners": partners.ids,
        "company": company.id,
        "currency": company.currency_id.id,
        "pricelist": pricelist.id or None,
        "months": MONTHS,
        "uid": env.uid,
    }
    # Orders: spread over 24 months; 5 % resubmitted after a rejection, 3 % cancelled.
    cr.execute(
        SQL(
            """
            INSERT INTO sale_order (
                name, partner_id, partner_invoice_id, partner_shipping_id, company_id,
                currency_id, pricelist_id, currency_rate, user_id, team_id, date_order,
                state, approval_state, policy_round, policy_submitted_on,
                policy_approved_on, priority, amount_total, amount_untaxed, amount_tax,
                commitment_date, policy_confirmed_on, policy_delivered_on,
                policy_invoiced_on, policy_paid_on, policy_on_time, picking_policy,
                create_uid, write_uid, create_date, write_date)
            SELECT 'BENCH/' || n, p.partner, p.partner, p.partner, %(company)s,
                   %(currency)s, %(pricelist)s, 1.0, (%(users)s::int[])[1 + mod(n, 40)],
                   (%(teams)s::int[])[1 + mod(n, 40)], d.date_order,
                   CASE WHEN mod(n, 33) = 0 THEN 'cancel' ELSE 'sale' END, 'approved',
                   CASE WHEN mod(n, 20) = 0 THEN 2 ELSE 1 END,
                   d.date_order + interval '1 hour',
                   d.date_order + interval '1 hour' + mod(n, 30) * interval '1 hour',
                   CASE WHEN mod(n, 10) = 0 THEN '1' ELSE '0' END,
                   100 + mod(n, 5000), 100 + mod(n, 5000), 0,
                   d.date_order + interval '10 days',
                   d.date_order + interval '31 hours',
                   d.date_order + mod(n, 14) * interval '1 day',
                   d.date_order + interval '15 days',
                   CASE WHEN mod(n, 4) = 0 THEN NULL
                        ELSE d.date_order + (15 + mod(n, 60)) * interval '1 day' END,
                   mod(n, 14) <= 10, 'direct', %(uid)s, %(uid)s,
                   d.date_order, d.date_order
              FROM generate_series(1, %(orders)s) n,
                   LATERAL (SELECT now() - mod(n, %(months)s * 30) * interval '1 day'
                                   AS date_order) d,
                   LATERAL (SELECT (%(partners)s::int[])[1 + mod(n, 200)] AS partner) p
            """,
            **params,
        )
    )
    cr.execute(
        SQL(
            """
            INSERT INTO sale_policy_review (
                order_id, company_id, rule_id, department, applies_to, sequence,
                review_round, state, approval_mode, activated_on, sla_hours, deadline,
                decided_on, decision_hours, decision_work_hours, sla_breached, res_model, res_id)
            SELECT so.id, so.company_id, rule.id, rule.department,
                   'order', rule.sequence, 1,
                   CASE WHEN so.policy_round = 2 AND rule.sequence = 10 THEN 'rejected'
                        ELSE 'approved' END,
                   'any', so.policy_submitted_on, 24.0,
                   so.policy_submitted_on + interval '24 hours',
                   so.policy_submitted_on + mod(so.id, 30) * interval '1 hour',
                   mod(so.id, 30), mod(so.id, 30) * 0.6, mod(so.id, 30) > 24,
                   'sale.order', so.id
              FROM sale_order so
              CROSS JOIN sale_policy_rule rule
             WHERE so.name LIKE %(pattern)s AND rule.id IN %(rules)s
            """,
            rules=tuple(rules.ids),
            pattern="BENCH/%",
        )
    )
    review_count = cr.rowcount
    # Policy log: change requests on 3 % of the orders.
    cr.execute(
        """
        INSERT INTO sale_policy_log (order_id, company_id, event, user_id, date, review_round)
        SELECT so.id, so.company_id, 'change_request', so.user_id,
               so.policy_approved_on + interval '2 days', so.policy_round
          FROM sale_order so WHERE so.name LIKE 'BENCH/%' AND mod(so.id, 33) = 1
        """
    )
    # Ratings on a third of the orders.
    model_id = env["ir.model"]._get_id("sale.order")
    cr.execute(
        SQL(
            """
            INSERT INTO rating_rating (res_model_id, res_model, res_id, rating, consumed)
            SELECT %s, 'sale.order', so.id, 1 + mod(so.id, 5), TRUE
              FROM sale_order so WHERE so.name LIKE %s AND mod(so.id, 3) = 0
            """,
            model_id,
            "BENCH/%",
        )
    )
    cr.execute("ANALYZE sale_order, sale_policy_review, sale_policy_log, rating_rating")
    return review_count


def timed(func, runs=3):
    timings = []
    result = None
    for _run in range(runs):
        start = time.perf_counter()
        result = func()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = odoo.modules.registry.Registry(args.database)
    rows = []
    with registry.cursor() as cr:
        try:
            env = api.Environment(cr, SUPERUSER_ID, {})
            start = time.perf_counter()
            review_count = seed(env)
            seed_time = time.perf_counter() - start
            # A general manager sees every order (record rules still evaluated).
            manager = env.ref("base.user_admin")
            env = api.Environment(cr, manager.id, {"lang": "en_US"})
            kpi = env["sale.policy.kpi.report"]
            order_count = kpi.search_count([("name", "=like", "BENCH/%")])

            def pivot():
                return kpi.read_group(
                    [],
                    [
                        "order_count:sum",
                        "first_time_right_count:sum",
                        "sla_breach_count:sum",
                        "review_work_hours:avg",
                        "rating_avg:avg",
                    ],
                    ["user_id", "date_order:month"],
                    lazy=False,
                )

            pivot_time, groups = timed(pivot)
            rows.append(
                (
                    "pivot read_group salesperson × month",
                    f"{order_count:,} orders → {len(groups):,} cells",
                    pivot_time,
                    "< 1 s",
                )
            )

            month = kpi.search([], order="date_order desc", limit=1).date_order
            month_start = month.replace(day=1).date()
            scorecards = env["sale.policy.kpi.scorecard"]

            def dashboard():
                return scorecards.search_read(
                    [("month", "=", month_start)], ["user_id", "accuracy", "team_rank"]
                )

            dashboard_time, cards = timed(dashboard)
            rows.append(
                ("dashboard scorecards of one month", f"{len(cards)} cards", dashboard_time, "")
            )

            env.invalidate_all()
            with PeakRss() as memory:
                start, cpu_start = time.perf_counter(), time.process_time()
                workbook = env["sale.policy.kpi.xlsx"]._policy_generate([])
                export_time = time.perf_counter() - start
                export_cpu = time.process_time() - cpu_start
            rows.append(
                (
                    "full XLSX export",
                    f"{order_count:,} orders + {review_count:,} reviews, "
                    f"{len(workbook) / 2**20:.1f} MB file; Python CPU {export_cpu:.1f} s",
                    export_time,
                    "< 60 s",
                )
            )
            rows.append(
                (
                    "peak RSS growth during the export",
                    "constant_memory, rows fetched 2,000 at a time",
                    memory.growth_mb,
                    "< 200 MB",
                )
            )
        finally:
            cr.rollback()
    print(f"Seeded {ORDERS:,} orders and {review_count:,} reviews with SQL in {seed_time:.1f} s.\n")
    print(f"Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.\n")
    print("| measure | volume | result | target |")
    print("|---|---|---|---|")
    for label, volume, value, target in rows:
        unit = "MB" if "RSS" in label else "s"
        print(f"| {label} | {volume} | {value:.2f} {unit} | {target} |")


if __name__ == "__main__":
    main()
