"""Time the receivables aging report over many open customer invoices.

Seeding: one real invoice (receivable + income line) and one real payment are made with
the ORM and posted; they are then cloned with set-based SQL (INSERT ... SELECT over a
mapping table) into N posted invoices spread over 2,000 customers and 400 days of
invoice dates, each with its two journal items. Every 5th invoice gets a posted payment
clone and an `account_partial_reconcile` row (300 of 1,000 paid) dated 10 days after the
invoice; every 50th document is a credit note. The clones keep all the columns of the
real moves (journal, accounts, currency, state, ...), so the report reads rows shaped
exactly like posted moves. Everything is rolled back at the end.

    .venv/bin/python benchmarks/bench_aging.py -c .odoo.conf -d sop_i8_test
"""

import argparse
import time
from datetime import date, timedelta

import odoo
from odoo import Command, api
from odoo.tools import SQL


def columns(cr, table):
    cr.execute(
        SQL(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = %s AND column_name != 'id' ORDER BY ordinal_position",
            table,
        )
    )
    return [row[0] for row in cr.fetchall()]


def clone(cr, table, template_ids, mapping, overrides):
    """Copy rows `template_ids` of `table` once per row of temp table `mapping` (alias m);
    `overrides` maps a column to an SQL expression over t (template) and m."""
    cols = columns(cr, table) + (["id"] if "id" in overrides else [])
    select = SQL(", ").join(
        SQL(overrides[col]) if col in overrides else SQL("t.%s", SQL.identifier(col))
        for col in cols
    )
    cr.execute(
        SQL(
            "INSERT INTO %s (%s) SELECT %s FROM %s t CROSS JOIN %s m WHERE t.id = ANY(%s)",
            SQL.identifier(table),
            SQL(", ").join(SQL.identifier(col) for col in cols),
            select,
            SQL.identifier(table),
            SQL.identifier(mapping),
            list(template_ids),
        )
    )
    return cr.rowcount


def seed(env, count, customers):
    cr = env.cr
    company = env.company
    today = date.today()
    partner = env["res.partner"].create({"name": "Bench Customer"})
    income = env["account.account"].search(
        [("company_ids", "in", company.id), ("account_type", "=", "income")], limit=1
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
    pay_move = payment.move_id
    inv_receivable = invoice.line_ids.filtered(lambda x: x.account_type == "asset_receivable")
    pay_receivable = pay_move.line_ids.filtered(lambda x: x.account_type == "asset_receivable")
    partial = inv_receivable.matched_credit_ids

    partner_ids = []
    cr.execute(
        SQL(
            "INSERT INTO res_partner (name, active, type, is_company, create_date, write_date,"
            " autopost_bills, complete_name, company_id)"
            " SELECT 'Bench Customer ' || g, true, 'contact', true, now(), now(), 'ask',"
            " 'Bench Customer ' || g, NULL FROM generate_series(1, %s) g RETURNING id",
            customers,
        )
    )
    partner_ids = [row[0] for row in cr.fetchall()]
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", [partner_ids]
    )

    # Invoices: one mapping row per new move, ids reserved from the sequence; customers
    # drawn at random (fixed seed) so they have invoices of every age.
    cr.execute("SELECT setseed(0.42)")
    cr.execute(
        SQL(
            """
            CREATE TEMP TABLE bench_inv ON COMMIT DROP AS
            SELECT g,
                   nextval('account_move_id_seq') AS move_id,
                   (%(partners)s::int[])[1 + floor(random() * %(n)s)::int] AS partner_id,
                   %(today)s::date - mod(g, 400) AS inv_date,
                   CASE WHEN mod(g, 50) = 0 THEN -1 ELSE 1 END AS sign
              FROM generate_series(1, %(count)s) g
            """,
            partners=partner_ids,
            n=len(partner_ids),
            today=today,
            count=count,
        )
    )
    move_overrides = {
        "name": "'BENCH/' || m.g",
        "partner_id": "m.partner_id",
        "commercial_partner_id": "m.partner_id",
        "date": "m.inv_date",
        "invoice_date": "m.inv_date",
        "invoice_date_due": "m.inv_date + 30",
        "move_type": "CASE WHEN m.sign < 0 THEN 'out_refund' ELSE 'out_invoice' END",
        "amount_residual": "t.amount_residual",
        "payment_state": "'not_paid'",
        "sequence_number": "m.g",
        "sequence_prefix": "'BENCH/'",
    }
    clone(cr, "account_move", [invoice.id], "bench_inv", {"id": "m.move_id", **move_overrides})
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
    clone(cr, "account_move_line", invoice.line_ids.ids, "bench_inv", line_overrides)

    # Payments for every 5th invoice, 300 paid 10 days after the invoice date.
    cr.execute(
        """
        CREATE TEMP TABLE bench_pay ON COMMIT DROP AS
        SELECT g, nextval('account_move_id_seq') AS move_id, move_id AS inv_move_id,
               partner_id, inv_date + 10 AS inv_date, 1 AS sign
          FROM bench_inv WHERE mod(g, 5) = 0 AND sign > 0
        """
    )
    clone(
        cr,
        "account_move",
        [pay_move.id],
        "bench_pay",
        {
            "id": "m.move_id",
            "name": "'BENCH/PAY/' || m.g",
            "partner_id": "m.partner_id",
            "commercial_partner_id": "m.partner_id",
            "date": "m.inv_date",
            "sequence_number": "m.g",
            "sequence_prefix": "'BENCH/PAY/'",
            "origin_payment_id": "NULL",
        },
    )
    clone(
        cr,
        "account_move_line",
        pay_move.line_ids.ids,
        "bench_pay",
        {**line_overrides, "payment_id": "NULL"},
    )
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
            cur=company.currency_id.id,
            company=company.id,
            receivable=inv_receivable.account_id.id,
        )
    )
    assert pay_receivable.account_id == inv_receivable.account_id and partial
    cr.execute(
        "ANALYZE account_move; ANALYZE account_move_line; ANALYZE account_partial_reconcile;"
        " ANALYZE res_partner"
    )
    env.invalidate_all()
    return len(partner_ids)


def timed(env, label, aging_date, groupby, rows):
    report = env["sale.policy.aging.report"].with_context(sale_policy_aging_date=aging_date)
    env.invalidate_all()
    start = time.perf_counter()
    groups = report._read_group([], groupby, ["residual:sum", "provision:sum", "__count"])
    elapsed = time.perf_counter() - start
    lines = sum(count for *_keys, _residual, _provision, count in groups)
    total = sum(residual for *_keys, residual, _provision, _count in groups)
    rows.append((label, elapsed, len(groups), lines, total))


def timed_export(env, aging_date, rows):
    report = env["sale.policy.aging.report"].with_context(sale_policy_aging_date=aging_date)
    start = time.perf_counter()
    content = report._policy_xlsx_export()
    elapsed = time.perf_counter() - start
    rows.append((f"XLSX export ({len(content) / 1e6:.1f} MB)", elapsed, "", "", ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--no-export", action="store_true")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    today = date.today()
    past = today - timedelta(days=120)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        try:
            start = time.perf_counter()
            seed(env, args.invoices, args.customers)
            seed_time = time.perf_counter() - start
            rows = []
            timed(env, "by customer, as of today", today, ["partner_id"], rows)
            timed(env, "by customer, as of today (warm)", today, ["partner_id"], rows)
            timed(env, "by customer x period (pivot)", today, ["partner_id", "bucket"], rows)
            timed(env, "by salesperson x team", today, ["user_id", "team_id"], rows)
            timed(env, f"by customer, as of {past}", past, ["partner_id"], rows)
            if not args.no_export:
                timed_export(env, today, rows)
        finally:
            cr.rollback()
    print(
        f"Receivables aging over {args.invoices:,} seeded open invoices/credit notes "
        f"({args.customers:,} customers, 20% partly paid, 2% credit notes) plus the "
        f"database's own; seeding took {seed_time:.1f} s.\n"
    )
    print("| query | time (s) | groups | lines | open amount |")
    print("|---|---:|---:|---:|---:|")
    for label, elapsed, groups, lines, total in rows:
        total = f"{total:,.2f}" if total != "" else ""
        groups = f"{groups:,}" if groups != "" else ""
        lines = f"{lines:,}" if lines != "" else ""
        print(f"| {label} | {elapsed:.2f} | {groups} | {lines} | {total} |")


if __name__ == "__main__":
    main()
