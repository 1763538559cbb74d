"""Time the monthly statements of account (对账单) for 10,000 customers.

Seeding is bench_aging.py's (real posted invoice and payment cloned with set-based SQL:
`--invoices-per-customer` x customers documents over the last 400 days, every 5th partly
paid, every 50th a credit note), with half of the documents then moved into the previous
month, so that nearly every customer has activity there. Then it times what the monthly
job does for all customers:
the figures (four grouped queries) and the issue of every statement in one `create`
(the e-mails, one PDF each, are not timed). Everything is rolled back at the end.

    .venv/bin/python benchmarks/statement_benchmark.py -c .odoo.conf

The database (default sop_bench_stmt) is created with the module, without demo data, when
missing.
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

from dateutil.relativedelta import relativedelta

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_aging  # noqa: E402
import benchlib  # noqa: E402

from odoo.tools import SQL  # noqa: E402


def seed(env, customers, per_customer, date_from):
    """bench_aging's documents (dated over the last 400 days, 20% partly paid, 2% credit
    notes), half of them moved into the month: nearly every customer has activity."""
    bench_aging.seed(env, customers * per_customer, customers)
    cr = env.cr
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE bench_month ON COMMIT DROP AS
            SELECT id AS move_id, %(start)s::date + mod(id, 28) AS day
              FROM account_move WHERE name LIKE %(pattern)s AND mod(id, 2) = 0;
            UPDATE account_move move SET date = m.day,
                   invoice_date = CASE WHEN move.invoice_date IS NULL THEN NULL ELSE m.day END,
                   invoice_date_due = CASE WHEN move.invoice_date_due IS NULL THEN NULL
                                           ELSE m.day + 30 END
              FROM bench_month m WHERE move.id = m.move_id;
            UPDATE account_move_line line SET date = m.day,
                   date_maturity = CASE WHEN line.date_maturity IS NULL THEN NULL
                                        ELSE m.day + 30 END
              FROM bench_month m WHERE line.move_id = m.move_id;
            ANALYZE account_move; ANALYZE account_move_line;
            """,
            start=date_from,
            pattern="BENCH/%",
        )
    )
    env.invalidate_all()


def timed(label, func, rows):
    start = time.perf_counter()
    cpu = time.process_time()
    result = func()
    rows.append((label, time.perf_counter() - start, time.process_time() - cpu, result))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", default="sop_bench_stmt")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--invoices-per-customer", type=int, default=6)
    args = parser.parse_args()
    benchlib.dbtool.ensure_installed(args.config, args.database, ["sale_order_policy"])
    date_to = date.today().replace(day=1) - relativedelta(days=1)
    date_from = date_to.replace(day=1)
    rows = []
    with benchlib.rolled_back_env(args) as env:
        loadavg = Path("/proc/loadavg").read_text().strip()
        header = benchlib.environment_line(env)
        Statement = env["sale.policy.statement"]
        company = env.company
        start = time.perf_counter()
        seed(env, args.customers, args.invoices_per_customer, date_from)
        seed_time = time.perf_counter() - start
        env.cr.execute("SELECT COUNT(*) FROM account_move_line")
        aml_count = env.cr.fetchone()[0]
        figures = timed(
            "figures of every active customer (4 grouped queries)",
            lambda: Statement._policy_figures(company, date_from, date_to, active_only=True),
            rows,
        )
        env.invalidate_all()
        statements = timed(
            "monthly run: figures + create(vals_list) of all statements",
            lambda: Statement._policy_generate(company, date_from, date_to, auto=True),
            rows,
        )
        timed("flush to the database", env.flush_all, rows)
        lines = sum(len(value["moves"]) for value in figures.values())
    print(f"{header}; /proc/loadavg {loadavg}; {os.cpu_count()} CPUs")
    print(
        f"{args.customers:,} customers, {args.invoices_per_customer} invoices each "
        f"(half moved into {date_from:%Y-%m}), {aml_count:,} journal items; "
        f"seeding {seed_time:.1f} s; "
        f"{len(figures):,} active customers, {len(statements):,} statements, "
        f"{lines:,} statement lines.\n"
    )
    print("| step | wall s | CPU s |")
    print("|---|---:|---:|")
    for label, wall, cpu, _result in rows:
        print(f"| {label} | {wall:.2f} | {cpu:.2f} |")
    benchlib.dbtool.vacuum_analyze(args.config, args.database)


if __name__ == "__main__":
    main()
