"""Credit check (信用审核) benchmark.

A customer with 20,000 open posted invoices and 2,000 open confirmed orders, seeded in SQL
by duplicating one real posted invoice (move + lines) and one real confirmed order (order +
lines) over generate_series. On that data:

- the full check run of a 50-line quotation, `order._policy_run_checks(round)` (every
  check type: completeness, credit, stock, price, delivery date, payment terms);
  target: median under 150 ms;
- the credit check alone, `order._policy_check_credit()`;
- Odoo's own credit warning on the same order, `sale.order.partner_credit_warning`, and
  the partner fields it reads, `credit` + `credit_to_invoice`.

All data is rolled back.

    .venv/bin/python benchmarks/bench_credit.py -c .odoo.conf -d <db>
"""

import benchlib

from odoo import Command, fields
from odoo.tools import SQL

INVOICES = 20_000
ORDERS = 2_000
ORDER_LINES = 50


# ----------------------------------------------------------------------
# Seeding
# ----------------------------------------------------------------------


def ensure_chart(env, company):
    """A receivable account and a sales journal (a database created without demo data may
    have no chart of accounts yet)."""
    Account = env["account.account"]
    if not Account.search_count(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.ids)]
    ):
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)


def real_invoice(world):
    env = world.env
    ensure_chart(env, world.company)
    invoice = (
        env["account.move"]
        .with_company(world.company)
        .create(
            {
                "move_type": "out_invoice",
                "partner_id": world.customer.id,
                "invoice_date": fields.Date.context_today(env.user),
                "invoice_payment_term_id": world.payment_term.id,
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": world.products[0].id, "quantity": 1, "price_unit": 100.0}
                    )
                ],
            }
        )
    )
    invoice.action_post()
    env.flush_all()
    return invoice


def real_confirmed_order(world):
    world.set_policy(False)
    order = world.make_order(1, 1)
    order.action_confirm()
    world.set_policy(True)
    world.env.flush_all()
    return order


def columns(cr, table):
    cr.execute(
        SQL(
            """
            SELECT column_name FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = %s AND column_name != 'id'
             ORDER BY ordinal_position
            """,
            table,
        )
    )
    return [name for (name,) in cr.fetchall()]


def copy_sql(cr, table, alias, overrides):
    """Column list and SELECT expressions copying `table` from `alias`, with overrides."""
    names = columns(cr, table)
    unknown = set(overrides) - set(names)
    if unknown:
        raise RuntimeError(f"{table} has no column {sorted(unknown)}")
    target = SQL(", ").join(SQL.identifier(name) for name in names)
    source = SQL(", ").join(overrides.get(name, SQL.identifier(alias, name)) for name in names)
    return target, source


def duplicate_invoice(env, invoice, count):
    """`count` copies of `invoice` (move + lines), each with its own number and dates
    spread over the last 120 days, so that part of them is overdue."""
    cr = env.cr
    shift = SQL("(g %% 120)")
    move_cols, move_vals = copy_sql(
        cr,
        "account_move",
        "m",
        {
            "sequence_number": SQL("m.sequence_number + g"),
            "name": SQL("m.sequence_prefix || LPAD((m.sequence_number + g)::text, 6, '0')"),
            "payment_reference": SQL(
                "m.sequence_prefix || LPAD((m.sequence_number + g)::text, 6, '0')"
            ),
            "date": SQL("m.date - %s", shift),
            "invoice_date": SQL("m.invoice_date - %s", shift),
            "invoice_date_due": SQL("m.invoice_date_due - %s", shift),
            "access_token": SQL("NULL"),
        },
    )
    line_cols, line_vals = copy_sql(
        cr,
        "account_move_line",
        "l",
        {
            "move_id": SQL("nm.id"),
            "move_name": SQL("nm.name"),
            "date": SQL("nm.date"),
            "invoice_date": SQL("nm.invoice_date"),
            "date_maturity": SQL(
                "CASE WHEN l.date_maturity IS NULL THEN NULL ELSE nm.invoice_date_due END"
            ),
        },
    )
    cr.execute(
        SQL(
            """
            WITH new_moves AS (
                INSERT INTO account_move (%(move_cols)s)
                SELECT %(move_vals)s
                  FROM account_move m, generate_series(1, %(count)s) g
                 WHERE m.id = %(move)s
             RETURNING id, name, date, invoice_date, invoice_date_due
            )
            INSERT INTO account_move_line (%(line_cols)s)
            SELECT %(line_vals)s
              FROM new_moves nm, account_move_line l
             WHERE l.move_id = %(move)s
            """,
            move_cols=move_cols,
            move_vals=move_vals,
            line_cols=line_cols,
            line_vals=line_vals,
            count=count,
            move=invoice.id,
        )
    )


def duplicate_order(env, order, count):
    """`count` copies of the confirmed `order` (order + lines), each with its own name."""
    cr = env.cr
    order_cols, order_vals = copy_sql(
        cr,
        "sale_order",
        "o",
        {
            "name": SQL("o.name || '-' || LPAD(g::text, 5, '0')"),
            "access_token": SQL("NULL"),
        },
    )
    line_cols, line_vals = copy_sql(cr, "sale_order_line", "l", {"order_id": SQL("n.id")})
    cr.execute(
        SQL(
            """
            WITH new_orders AS (
                INSERT INTO sale_order (%(order_cols)s)
                SELECT %(order_vals)s
                  FROM sale_order o, generate_series(1, %(count)s) g
                 WHERE o.id = %(order)s
             RETURNING id
            )
            INSERT INTO sale_order_line (%(line_cols)s)
            SELECT %(line_vals)s
              FROM new_orders n, sale_order_line l
             WHERE l.order_id = %(order)s
            """,
            order_cols=order_cols,
            order_vals=order_vals,
            line_cols=line_cols,
            line_vals=line_vals,
            count=count,
            order=order.id,
        )
    )


def seed(world):
    env = world.env
    invoice = real_invoice(world)
    order = real_confirmed_order(world)
    duplicate_invoice(env, invoice, INVOICES - 1)
    duplicate_order(env, order, ORDERS - 1)
    for table in ("account_move", "account_move_line", "sale_order", "sale_order_line"):
        env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    env.invalidate_all()
    partner = world.customer
    env.cr.execute(
        SQL(
            """
            SELECT (SELECT COUNT(*) FROM account_move
                     WHERE partner_id = %(partner)s AND state = 'posted'
                       AND move_type = 'out_invoice' AND payment_state = 'not_paid'),
                   (SELECT COUNT(*) FROM account_move_line aml
                      JOIN account_account a ON a.id = aml.account_id
                     WHERE aml.partner_id = %(partner)s AND aml.parent_state = 'posted'
                       AND a.account_type = 'asset_receivable' AND NOT aml.reconciled),
                   (SELECT COUNT(*) FROM sale_order
                     WHERE partner_id = %(partner)s AND state = 'sale'
                       AND invoice_status = 'to invoice')
            """,
            partner=partner.id,
        )
    )
    return env.cr.fetchone()


# ----------------------------------------------------------------------
# Measurements
# ----------------------------------------------------------------------


def main():
    args = benchlib.parse_args(__doc__.splitlines()[0])
    with benchlib.rolled_back_env(args) as env:
        header = benchlib.environment_line(env)
        world = benchlib.PolicyWorld(env, n_products=ORDER_LINES, credit_limit=50_000_000.0)
        open_invoices, open_receivable_lines, open_orders = seed(world)
        order = world.make_order(ORDER_LINES, 1)
        as_salesman = order.with_user(world.salesman)
        partner = world.customer.with_company(world.company)

        def run_checks():
            as_salesman._policy_run_checks(order.policy_round + 1)

        def credit_only():
            as_salesman._policy_check_credit()

        def odoo_warning():
            as_salesman.partner_credit_warning  # noqa: B018 (computed on read)

        def odoo_partner_fields():
            partner.credit  # noqa: B018
            partner.credit_to_invoice  # noqa: B018

        scenarios = [
            (
                f"Full check run, {ORDER_LINES}-line order (`_policy_run_checks`)",
                run_checks,
                "< 150 ms",
            ),
            ("Credit check alone (`_policy_check_credit`)", credit_only, ""),
            ("Odoo: `sale.order.partner_credit_warning`", odoo_warning, "reference"),
            ("Odoo: partner `credit` + `credit_to_invoice`", odoo_partner_fields, "reference"),
        ]
        series = [benchlib.Series(label, args.warmup) for label, _func, _target in scenarios]
        for _run in range(args.runs + args.warmup):
            for item, (_label, func, _target) in zip(series, scenarios, strict=True):
                item.add(*benchlib.measure(env, func))

        env.invalidate_all()
        figures = order._policy_credit_figures()
        results = ", ".join(
            f"{check.code} {check.result}" for check in order.policy_check_ids.sorted("sequence")
        )
        odoo_credit, odoo_to_invoice = partner.credit, partner.credit_to_invoice
        currency = world.company.currency_id.name

    rows = []
    for item, (_label, _func, target) in zip(series, scenarios, strict=True):
        result = ""
        if target.startswith("<"):
            result = "met" if item.median < 150 else "missed"
        rows.append(
            [
                item.label,
                len(item.times),
                benchlib.ms(item.median),
                benchlib.ms(item.cpu_median),
                benchlib.ms(min(item.times)),
                item.query_text(),
                target,
                result,
            ]
        )
    print("## Credit check at volume\n")
    print(header + "\n")
    print(
        f"Customer data: {open_invoices:,} open posted invoices ({open_receivable_lines:,} open "
        f"receivable lines), {open_orders:,} confirmed orders to invoice; the checked quotation "
        f"has {ORDER_LINES} lines.\n"
    )
    print(benchlib.markdown_table(benchlib.HEADERS, rows))
    print()
    print(f"- Check results: {results}.")
    print(
        f"- Policy exposure ({currency}): receivables {figures['receivable']:,.2f} (overdue "
        f"beyond grace {figures['overdue']:,.2f}) + orders to invoice "
        f"{figures['to_invoice']:,.2f} + this order {figures['order']:,.2f} = "
        f"{figures['exposure']:,.2f}."
    )
    print(
        f"- Odoo's figures ({currency}): credit {odoo_credit:,.2f}, credit to invoice "
        f"{odoo_to_invoice:,.2f}."
    )
    print(
        f"- Median of {args.runs} runs per scenario after {args.warmup} warm-up runs, "
        "scenarios alternating; the record cache is emptied before each call."
    )


if __name__ == "__main__":
    main()
