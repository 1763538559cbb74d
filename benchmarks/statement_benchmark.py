"""Time the monthly statements of account (对账单) for 10,000 customers.

Seeding (set-based, like bench_aging.py, whose row cloner it uses): one real invoice and
one real payment are made with the ORM and posted, then cloned with INSERT ... SELECT into
`--invoices-per-customer` posted invoices per customer: half dated in the previous month,
half over the year before (the opening balance). Every other invoice gets a posted payment
of 300 and its `account_partial_reconcile` row ten days after the invoice; every tenth
document is a credit note. Then it times what the monthly job does for all customers:
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
import benchlib  # noqa: E402
from bench_aging import clone  # noqa: E402

from odoo import Command  # noqa: E402
from odoo.tools import SQL  # noqa: E402


def _template_documents(env, today):
    """A posted invoice of 1,000 and a posted payment of 300 matched with it."""
    partner = env["res.partner"].create({"name": "Bench Statement Customer"})
    income = env["account.account"].search(
        [("company_ids", "in", env.company.id), ("account_type", "=", "income")], limit=1
    )
    invoice = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": today,
            "invoice_payment_term_id": False,
            "invoice_date_due": today,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Bench",
                        "price_unit": 1000.0,
                        "account_id": income.id,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
    )
    invoice.action_post()
    payment = (
        env["account.payment.register"]
        .with_context(active_model="account.move", active_ids=invoice.ids)
        .create({"amount": 300.0, "payment_date": today})
        ._create_payments()
    )
    env.flush_all()
    return invoice, payment.move_id


def _seed_partners(cr, customers):
    cr.execute(
        SQL(
            "INSERT INTO res_partner (name, active, type, is_company, create_date, write_date,"
            " autopost_bills, complete_name, email)"
            " SELECT 'Stmt Customer ' || g, true, 'contact', true, now(), now(), 'ask',"
            " 'Stmt Customer ' || g, 'stmt' || g || '@example.com'"
            " FROM generate_series(1, %s) g RETURNING id",
            customers,
        )
    )
    partner_ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", [partner_ids]
    )
    return partner_ids


def seed(env, customers, per_customer, date_from):
    cr = env.cr
    invoice, pay_move = _template_documents(env, date_from)
    partner_ids = _seed_partners(cr, customers)
    # One mapping row per new invoice: customer g mod n, half of them in the month.
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE bench_inv ON COMMIT DROP AS
            SELECT g, nextval('account_move_id_seq') AS move_id,
                   (%(partners)s::int[])[1 + mod(g, %(n)s)] AS partner_id,
                   CASE WHEN g <= %(half)s THEN %(start)s::date + mod(g, 28)
                        ELSE %(start)s::date - 1 - mod(g, 365) END AS inv_date,
                   CASE WHEN mod(g, 10) = 0 THEN -1 ELSE 1 END AS sign
              FROM generate_series(1, %(count)s) g
            """,
            partners=partner_ids,
            n=len(partner_ids),
            half=customers * per_customer // 2,
            start=date_from,
            count=customers * per_customer,
        )
    )
    line_overrides = {
        "move_id": "m.move_id",
        "partner_id": "m.partner_id",
        "date": "m.inv_date",
        "date_maturity": "CASE WHEN t.date_maturity IS NULL THEN NULL ELSE m.inv_date + 30 END",
        "balance": "t.balance * m.sign",
        "debit": "CASE WHEN t.balance * m.sign > 0 THEN abs(t.balance) ELSE 0 END",
        "credit": "CASE WHEN t.balance * m.sign < 0 THEN abs(t.balance) ELSE 0 END",
        "amount_currency": "t.amount_currency * m.sign",
        "amount_residual": "t.amount_residual * m.sign",
        "amount_residual_currency": "t.amount_residual_currency * m.sign",
        "reconciled": "false",
        "full_reconcile_id": "NULL",
    }
    clone(
        cr,
        "account_move",
        [invoice.id],
        "bench_inv",
        {
            "id": "m.move_id",
            "name": "'STMT/' || m.g",
            "partner_id": "m.partner_id",
            "commercial_partner_id": "m.partner_id",
            "date": "m.inv_date",
            "invoice_date": "m.inv_date",
            "invoice_date_due": "m.inv_date + 30",
            "move_type": "CASE WHEN m.sign < 0 THEN 'out_refund' ELSE 'out_invoice' END",
            "payment_state": "'not_paid'",
            "sequence_number": "m.g",
            "sequence_prefix": "'STMT/'",
        },
    )
    clone(cr, "account_move_line", invoice.line_ids.ids, "bench_inv", line_overrides)
    _seed_payments(env, pay_move, invoice, line_overrides)
    cr.execute(
        "ANALYZE account_move; ANALYZE account_move_line; ANALYZE account_partial_reconcile;"
        " ANALYZE res_partner"
    )
    env.invalidate_all()
    return len(partner_ids)


def _seed_payments(env, pay_move, invoice, line_overrides):
    cr = env.cr
    cr.execute(
        """
        CREATE TEMP TABLE bench_pay ON COMMIT DROP AS
        SELECT g, nextval('account_move_id_seq') AS move_id, move_id AS inv_move_id,
               partner_id, inv_date + 10 AS inv_date, 1 AS sign
          FROM bench_inv WHERE mod(g, 2) = 0 AND sign > 0
        """
    )
    clone(
        cr,
        "account_move",
        [pay_move.id],
        "bench_pay",
        {
            "id": "m.move_id",
            "name": "'STMT/PAY/' || m.g",
            "partner_id": "m.partner_id",
            "commercial_partner_id": "m.partner_id",
            "date": "m.inv_date",
            "sequence_number": "m.g",
            "sequence_prefix": "'STMT/PAY/'",
        },
    )
    clone(cr, "account_move_line", pay_move.line_ids.ids, "bench_pay", line_overrides)
    receivable = invoice.line_ids.filtered(lambda x: x.account_type == "asset_receivable")
    cr.execute(
        SQL(
            """
            INSERT INTO account_partial_reconcile
                   (debit_move_id, credit_move_id, amount, debit_amount_currency,
                    credit_amount_currency, debit_currency_id, credit_currency_id,
                    company_id, max_date, create_date, write_date)
            SELECT inv_line.id, pay_line.id, 300.0, 300.0, 300.0, %(cur)s, %(cur)s,
                   %(company)s, p.inv_date, now(), now()
              FROM bench_pay p
              JOIN account_move_line inv_line
                ON inv_line.move_id = p.inv_move_id AND inv_line.account_id = %(receivable)s
              JOIN account_move_line pay_line
                ON pay_line.move_id = p.move_id AND pay_line.account_id = %(receivable)s
            """,
            cur=env.company.currency_id.id,
            company=env.company.id,
            receivable=receivable.account_id.id,
        )
    )


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
        f"(half in {date_from:%Y-%m}), {aml_count:,} journal items; seeding {seed_time:.1f} s; "
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
