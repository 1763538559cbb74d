"""Time the order exception detection cron over many confirmed orders.

Seeds N confirmed orders (default 50,000; 5% late: committed date passed, delivery not
done) by cloning one real confirmed order with SQL, runs
`sale.policy.exception._cron_detect()` three times (first run raising the late
exceptions, a steady run, a run after part of the late orders were delivered), prints a
markdown table and rolls everything back.

    .venv/bin/python benchmarks/bench_exception_detect.py -c .odoo.conf -d sop_i6_test
"""

import argparse
import time
from datetime import datetime, timedelta

import benchlib

from odoo import Command
from odoo.tools import SQL


def clone_rows(cr, table, template_id, count, overrides):
    """INSERT `count` copies of row `template_id` of `table`; `overrides` maps a column to
    an SQL expression over `g` (1..count). Returns the new ids in order."""
    cr.execute(
        SQL(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = %s AND column_name != 'id'",
            table,
        )
    )
    columns = [row[0] for row in cr.fetchall()]
    select = SQL(", ").join(
        SQL(overrides[col]) if col in overrides else SQL("t.%s", SQL.identifier(col))
        for col in columns
    )
    cr.execute(
        SQL(
            "INSERT INTO %s (%s) SELECT %s FROM %s t, generate_series(1, %s) g "
            "WHERE t.id = %s ORDER BY g RETURNING id",
            SQL.identifier(table),
            SQL(", ").join(SQL.identifier(col) for col in columns),
            select,
            SQL.identifier(table),
            count,
            template_id,
        )
    )
    return [row[0] for row in cr.fetchall()]


def seed(env, count, late_ratio, partners):
    company = env.company
    company.write({"sale_policy_enabled": True, "sale_policy_at_risk_days": 3})
    env["sale.policy.rule"].search([]).write({"active": False})
    product = env["product.product"].create(
        {"name": "Bench Valve", "type": "consu", "is_storable": True, "list_price": 100.0}
    )
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 10.0)
    partner = env["res.partner"].create(
        {"name": "Bench Customer", "email": "bench@example.com", "credit_limit": 1e12}
    )
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "commitment_date": datetime.now() + timedelta(days=30),
            "customer_confirmation_method": "email",
            "intake_channel": "email",
            "payment_term_id": env.ref("account.account_payment_term_30days").id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
        }
    )
    order.action_submit_for_review()
    order.action_confirm()
    picking = order.picking_ids
    line = order.order_line
    env.flush_all()
    cr = env.cr

    partner_ids = clone_rows(cr, "res_partner", partner.id, partners, {"name": "t.name || g"})
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", [partner_ids]
    )
    late = int(count * late_ratio)
    # Orders 1..late: committed in the past, not delivered. The others: half delivered,
    # half committed in 30 days with the goods reserved.
    order_ids = clone_rows(
        cr,
        "sale_order",
        order.id,
        count,
        {
            "name": "'BENCH/' || g",
            "partner_id": f"(ARRAY{partner_ids})[1 + g %% {partners}]",
            "partner_invoice_id": f"(ARRAY{partner_ids})[1 + g %% {partners}]",
            "partner_shipping_id": f"(ARRAY{partner_ids})[1 + g %% {partners}]",
            "commitment_date": f"CASE WHEN g <= {late} THEN now() at time zone 'utc' - "
            "interval '2 days' ELSE now() at time zone 'utc' + interval '30 days' END",
            "delivery_status": f"CASE WHEN g <= {late} OR g %% 2 = 0 THEN 'pending' "
            "ELSE 'full' END",
            "execution_status": f"CASE WHEN g <= {late} OR g %% 2 = 0 THEN 'to_deliver' "
            "ELSE 'delivered' END",
        },
    )
    cr.execute("CREATE TEMP TABLE bench_map (g int, order_id int) ON COMMIT DROP")
    cr.execute(
        "INSERT INTO bench_map SELECT g, (%s::int[])[g] FROM generate_series(1, %s) g",
        [order_ids, count],
    )
    cr.execute("CREATE UNIQUE INDEX ON bench_map (g)")
    clone_rows(
        cr,
        "sale_order_line",
        line.id,
        count,
        {"order_id": "(SELECT order_id FROM bench_map m WHERE m.g = g.g)"},
    )
    clone_rows(
        cr,
        "stock_picking",
        picking.id,
        count,
        {
            "name": "'BENCH/OUT/' || g",
            "sale_id": "(SELECT order_id FROM bench_map m WHERE m.g = g.g)",
            # Late orders: half still short of stock, half ready but not shipped.
            "state": f"CASE WHEN g <= {late} AND g %% 2 = 1 THEN 'confirmed' "
            f"WHEN g <= {late} OR g %% 2 = 0 THEN 'assigned' ELSE 'done' END",
        },
    )
    cr.execute("ANALYZE sale_order; ANALYZE stock_picking; ANALYZE sale_order_line")
    env.invalidate_all()
    return order_ids[:late]


def timed(env, label, rows):
    stats = {}

    def run():
        stats.update(env["sale.policy.exception"]._cron_detect())

    elapsed, queries, cpu = benchlib.measure(env, run)
    raised = sum(r for r, _c in stats.values())
    resolved = sum(c for _r, c in stats.values())
    rows.append((label, elapsed / 1000, cpu / 1000, raised, resolved, queries))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--late", type=float, default=0.05)
    parser.add_argument("--partners", type=int, default=1_000)
    args = parser.parse_args()
    with benchlib.rolled_back_env(args) as env:
        header = benchlib.environment_line(env)
        start = time.perf_counter()
        late_ids = seed(env, args.orders, args.late, args.partners)
        seed_time = time.perf_counter() - start
        rows = []
        timed(env, "first run (raises late + shortage exceptions)", rows)
        timed(env, "steady run (nothing changed)", rows)
        delivered = late_ids[: len(late_ids) // 5]
        env.cr.execute(
            "UPDATE sale_order SET delivery_status = 'full' WHERE id = ANY(%s)", [delivered]
        )
        env.cr.execute(
            "UPDATE stock_picking SET state = 'done' WHERE sale_id = ANY(%s)", [delivered]
        )
        env.invalidate_all()
        timed(env, f"after {len(delivered)} late orders were delivered", rows)
        open_count = env["sale.policy.exception"].search_count([("state", "=", "open")])
    print("## Exception detection cron\n")
    print(header + "\n")
    print(
        f"`sale.policy.exception._cron_detect()` over {args.orders:,} confirmed orders "
        f"({args.late:.0%} late: committed date passed, half of them still short of stock; "
        f"{args.partners:,} customers); seeding took {seed_time:.1f} s; "
        f"{open_count:,} exceptions open at the end. Target: under 20 s.\n"
    )
    print("| run | wall (s) | CPU (s) | exceptions raised | resolved | queries |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, elapsed, cpu, raised, resolved, queries in rows:
        print(f"| {label} | {elapsed:.2f} | {cpu:.2f} | {raised:,} | {resolved:,} | {queries:,} |")


if __name__ == "__main__":
    main()
